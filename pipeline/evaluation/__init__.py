"""Metrics, prediction files, and how sure a difference between two runs is (significance)."""
