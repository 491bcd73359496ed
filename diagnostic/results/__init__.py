"""Results: a campaign's results read and computed, as tables and figures."""
