"""CalDAV accounts (RFC 4791) through the ``caldav`` library."""
