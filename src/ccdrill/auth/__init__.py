"""Accounts: password hashing, signed session cookies, login throttling, bearer tokens, permission rules."""
