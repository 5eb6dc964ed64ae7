"""Skype package."""
