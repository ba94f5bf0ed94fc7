"""Is a difference between two jobs (SIEF vs control, SIEF vs base) larger than the noise?

Two intervals for the mean paired difference, both at 95 %:
- across seeds: the runs of the two jobs that share a seed are a pair (the SIEF and control
  runs of seed k start from the base run of seed k); Student's t interval of the mean of
  their differences. It measures training noise, and needs two seeds or more.
- paired bootstrap over dev documents: the same resampled documents for both jobs (and every
  seed), F1 from the summed per-document counts at each run's dev theta, the difference
  averaged over seeds; the 2.5 and 97.5 percentiles. It measures how much the dev set's
  particular documents decide the difference.
A difference counts as an effect only when both intervals exclude zero on the same side; with
one seed there is no verdict.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipeline.evaluation.docred_metrics import COUNT_COLUMNS

GOLD, PREDICTED, CORRECT, CORRECT_IN_TRAIN = range(len(COUNT_COLUMNS))


def f1_from_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F1 and Ign F1 (DocRED's definitions) from counts summed over documents: [..., 4] ->
    ([...], [...])."""
    gold, predicted = counts[..., GOLD], counts[..., PREDICTED]
    correct, in_train = counts[..., CORRECT], counts[..., CORRECT_IN_TRAIN]
    recall = np.divide(correct, gold, out=np.zeros(np.shape(gold)), where=gold > 0)
    precision = np.divide(correct, predicted, out=np.zeros(np.shape(gold)), where=predicted > 0)
    ign_denominator = predicted - in_train
    ign_precision = np.divide(correct - in_train, ign_denominator, out=np.zeros(np.shape(gold)),
                              where=ign_denominator > 0)
    return _harmonic(precision, recall), _harmonic(ign_precision, recall)


def _harmonic(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    total = p + r
    return np.divide(2 * p * r, total, out=np.zeros(np.shape(total)), where=total > 0)


@dataclass(frozen=True)
class Interval:
    """A mean difference with its 95 % interval; None bounds = not computable."""
    mean: float
    low: float | None
    high: float | None

    def excludes_zero(self) -> int:
        """+1 when the whole interval lies above zero, -1 below, 0 otherwise."""
        if self.low is None or self.high is None:
            return 0
        return 1 if self.low > 0 else -1 if self.high < 0 else 0


def seed_interval(a: np.ndarray, b: np.ndarray) -> Interval:
    """Mean of a - b over paired seeds with Student's t 95 % interval ([S] each)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    mean = float(diff.mean())
    if len(diff) < 2:
        return Interval(mean, None, None)
    half = float(stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff)))
    return Interval(mean, mean - half, mean + half)


def bootstrap_intervals(a: np.ndarray, b: np.ndarray, resamples: int = 2000,
                        seed: int = 0) -> dict[str, Interval]:
    """Paired bootstrap over documents of mean_s(metric(a_s) - metric(b_s)), for metric
    "f1" and "ign_f1" from the same resamples.

    a, b: [S, D, 4] per-document counts of S paired runs (document_counts) on the same D dev
    documents. Each resample draws D documents with replacement, the same for every run.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"paired counts must have one shape [S, D, 4], got {a.shape} and "
                         f"{b.shape}")
    observed = (np.stack(f1_from_counts(a.sum(1))) - np.stack(f1_from_counts(b.sum(1)))).mean(1)
    documents = a.shape[1]
    rng = np.random.default_rng(seed)
    # How often each document is drawn in each resample: [B, D]; counts summed by a matmul.
    weights = rng.multinomial(documents, np.full(documents, 1 / documents), size=resamples)
    resampled_a = np.einsum("bd,sdk->bsk", weights, a)                 # [B, S, 4]
    resampled_b = np.einsum("bd,sdk->bsk", weights, b)
    diffs = (np.stack(f1_from_counts(resampled_a))
             - np.stack(f1_from_counts(resampled_b))).mean(2)         # [2 (f1, ign), B]
    low, high = np.percentile(diffs, [2.5, 97.5], axis=1)             # [2] each
    return {metric: Interval(float(observed[k]), float(low[k]), float(high[k]))
            for k, metric in enumerate(("f1", "ign_f1"))}


def bootstrap_interval(a: np.ndarray, b: np.ndarray, metric: str = "f1",
                       resamples: int = 2000, seed: int = 0) -> Interval:
    """bootstrap_intervals for one metric ("f1" or "ign_f1")."""
    return bootstrap_intervals(a, b, resamples, seed)[metric]


def verdict(across_seeds: Interval, over_documents: Interval) -> str:
    """'better' / 'worse' when both intervals exclude zero on that side, else 'within noise';
    'one seed: undecided' without an interval over seeds (training noise unmeasured)."""
    if across_seeds.low is None:
        return "one seed: undecided"
    sides = {across_seeds.excludes_zero(), over_documents.excludes_zero()}
    if sides == {1}:
        return "better"
    if sides == {-1}:
        return "worse"
    return "within noise"
