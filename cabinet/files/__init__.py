"""Stored files: the one upload path for every module (size and type limits, checksum, dedup)."""
