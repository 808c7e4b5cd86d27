"""System clients and the tokens the gateway hands out and takes back (G7, G13)."""
