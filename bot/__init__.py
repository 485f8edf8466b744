"""Soft lifting patient assistant: FAQ answers and two weeks of aftercare."""
