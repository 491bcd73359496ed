"""Comparison between territories: peer groups, the benchmark table, its files."""
