"""People's accounts: users, passwords, login and lockout (N10, G13)."""
