"""Backups and restores (G10, G18): a consistent snapshot plus the raw files, kept N deep."""
