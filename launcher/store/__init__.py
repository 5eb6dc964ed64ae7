"""Local persistence: paths, the SQLite database (accounts, cache, history), settings, secrets."""
