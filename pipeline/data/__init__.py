"""Datasets: raw files -> canonical documents -> model views."""
