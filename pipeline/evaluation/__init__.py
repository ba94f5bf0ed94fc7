"""Metrics and prediction files."""
