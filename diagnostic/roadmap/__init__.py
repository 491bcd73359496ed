"""Roadmap: the action library, proposals from the results, the editable draft."""
