"""Storage: the only package that talks to the database."""
