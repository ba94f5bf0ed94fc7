"""The training loop and its objectives."""
