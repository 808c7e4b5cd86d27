"""An association's record (G1, G3, G4, G17): Form 1 fields, collections, the classified guard, status changes, versions."""
