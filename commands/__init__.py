"""Console commands outside the DVC pipeline (a trained run used on new documents)."""
