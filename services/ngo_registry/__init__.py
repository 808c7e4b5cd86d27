"""GovNet NGO registry: The association and NGO database of Decision 113/QĐ-BNV (G1-G19)."""
