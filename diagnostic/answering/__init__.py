"""Answering: the respondent journey, answers as values, paper answers imported."""
