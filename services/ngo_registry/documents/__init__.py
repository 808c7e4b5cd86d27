"""Party and State documents on associations (G14 m)."""
