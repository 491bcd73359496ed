"""Campaigns: territories, campaigns, invitations, participation, a campaign's files."""
