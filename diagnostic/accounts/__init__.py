"""Accounts: sign-in, account administration, permissions as data, the audit journal."""
