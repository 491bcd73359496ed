"""Where the territory stands: its facts (fiche), the mandate calendar, its legal obligations."""
