"""Submissions (G2, G6): sheets and files stored as received, standardised, validated, reviewed."""
