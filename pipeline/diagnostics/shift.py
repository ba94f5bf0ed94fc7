"""How far a prediction moves when a non-evidence sentence is removed (P -> P-hat), in
measures that a model's overall confidence cannot shrink on its own.

|P - P-hat| is small whenever P is small: a less confident model looks more robust by this
measure alone. The logit gap |logit P - logit P-hat| does not scale with P. (The relative
change |P - P-hat| / P does not either, but a removed sentence can lift a P near zero by
orders of magnitude, and a handful of such points decide its mean.) A flip rate at each model's own dev theta compares
models whose thetas can differ tenfold; `flips_at` counts flips at one threshold given to
every model compared, over the facts each of them predicts there (P >= threshold).
"""
from __future__ import annotations

import numpy as np

EPS = 1e-6
"""Probabilities are clipped to [EPS, 1 - EPS] before the logit (float32 sigmoids reach 1)."""


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def shift_measures(p: np.ndarray, p_hat: np.ndarray, theta: float) -> dict[str, float]:
    """Means over (fact, removed sentence) points; flip rate at the model's own theta."""
    p, p_hat = np.asarray(p, dtype=float), np.asarray(p_hat, dtype=float)
    diff = np.abs(p - p_hat)
    return {"mean_abs_diff": float(diff.mean()),
            "mean_abs_logit_diff": float(np.abs(logit(p) - logit(p_hat)).mean()),
            "flip_rate": float(((p >= theta) != (p_hat >= theta)).mean())}


def flips_at(p: np.ndarray, p_hat: np.ndarray, threshold: float) -> dict[str, float | int]:
    """Among the points whose fact is predicted at `threshold` (P >= threshold), the share
    whose prediction is lost when the sentence is removed (P-hat < threshold)."""
    p, p_hat = np.asarray(p, dtype=float), np.asarray(p_hat, dtype=float)
    predicted = p >= threshold
    lost = predicted & (p_hat < threshold)
    return {"points_predicted": int(predicted.sum()),
            "flip_rate": float(lost.sum() / predicted.sum()) if predicted.any() else float("nan")}


def common_threshold(thetas: list[float]) -> float:
    """One threshold for models whose dev thetas differ: their geometric mean (thetas
    spread over orders of magnitude; the arithmetic mean would sit at the largest)."""
    return float(np.exp(np.mean(np.log(np.maximum(thetas, EPS)))))
