"""Whereby package."""
