"""Exploitation lists (a)–(m) and statistics (G14), their exports, and the periodic reports (G11)."""
