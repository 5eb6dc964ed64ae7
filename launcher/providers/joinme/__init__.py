"""Joinme package."""
