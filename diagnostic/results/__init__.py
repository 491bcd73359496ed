"""Results: a campaign's results computed (model, pure) and served behind the access check and
the privacy threshold (service), as tables and figures."""
