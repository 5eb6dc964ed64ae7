"""Async orchestration over providers and store; no widgets, no Qt."""
