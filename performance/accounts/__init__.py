"""Accounts: a second sign-in factor for performance officers' local passwords (issue 15)."""
