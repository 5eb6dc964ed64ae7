"""ICS calendars: files and subscription URLs (RFC 5545), parsed with icalendar."""
