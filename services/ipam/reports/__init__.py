"""Reports: the yearly review of level-II IP usage (N7) and the technical information form Mẫu 01 (N3)."""
