"""Local persistence: paths, accounts, secrets."""
