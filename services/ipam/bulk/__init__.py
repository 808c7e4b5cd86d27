"""Bulk paths: NetBox-style CSV import and export of prefixes, and the bulk inserts they use."""
