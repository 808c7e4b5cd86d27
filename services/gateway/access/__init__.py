"""Organisations, access registrations and the grants they become (G7, G12, G13; data tiers G2)."""
