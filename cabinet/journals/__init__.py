"""Maintenance journals: service objects, typed journals, entries signed by both sides."""
