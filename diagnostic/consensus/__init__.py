"""Consensus: the consensus meeting (CAF method) and its agreed levels."""
