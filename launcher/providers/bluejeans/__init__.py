"""Bluejeans package."""
