"""The hash-chained audit trail: its writer, its reading and its export (G9, N15)."""
