"""Finding associations: diacritic-insensitive ranked search for token holders (G7) and the public list (G14 b, G15)."""
