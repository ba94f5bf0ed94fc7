"""Is a difference between two jobs (SIEF vs control, SIEF vs base) larger than the noise,
and what do the data exclude?

The SIEF and control runs of seed k start from the base run of seed k, so the runs of two
jobs that share a seed are a pair. One 95 % interval per difference, from a two-level
paired bootstrap (two_level_bootstrap): each resample draws the seeds with replacement,
then the dev documents with replacement, the same draws for both jobs, and takes the mean
over the drawn seeds of the paired difference in F1 (from the summed per-document counts at
each run's dev theta). It holds training noise and the particular documents together.
Beside it the minimal detectable effect at 80 % power from the observed seed variance (what
this many seeds could find), and a verdict that says what the interval excludes. The two
earlier intervals stay in the table as information: Student's t over the per-seed
differences (training noise alone) and the paired bootstrap over documents alone.
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
    a, b = _paired(a, b)
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


def two_level_bootstrap(a: np.ndarray, b: np.ndarray, resamples: int = 2000,
                        seed: int = 0) -> dict[str, Interval]:
    """Paired two-level bootstrap of mean_s(metric(a_s) - metric(b_s)), metric "f1" and
    "ign_f1": each resample draws S seeds with replacement, then D documents with
    replacement, the same draws for both jobs and every drawn seed; the 2.5 and 97.5
    percentiles. With few seeds it is too narrow about the seed noise (a bootstrap over S
    seeds sees (S - 1) / S of their variance, with normal tails): one_interval widens it.

    a, b: [S, D, 4] per-document counts of S paired runs on the same D dev documents.
    """
    a, b = _paired(a, b)
    observed = (np.stack(f1_from_counts(a.sum(1))) - np.stack(f1_from_counts(b.sum(1)))).mean(1)
    seed_picks, doc_picks = bootstrap_draws(a.shape[0], a.shape[1], resamples, seed)
    seed_weights = _tally(seed_picks, a.shape[0])                      # [B, S]
    doc_weights = _tally(doc_picks, a.shape[1])                        # [B, D]
    per_seed = (np.stack(f1_from_counts(np.einsum("bd,sdk->bsk", doc_weights, a)))
                - np.stack(f1_from_counts(np.einsum("bd,sdk->bsk", doc_weights, b))))
    diffs = (per_seed * seed_weights).sum(2) / a.shape[0]              # [2 (f1, ign), B]
    low, high = np.percentile(diffs, [2.5, 97.5], axis=1)
    return {metric: Interval(float(observed[k]), float(low[k]), float(high[k]))
            for k, metric in enumerate(("f1", "ign_f1"))}


def one_interval(two_level: Interval, across_seeds: Interval) -> Interval:
    """The comparison's interval: the two-level bootstrap's, widened where needed to hold
    Student's t interval over the seeds, which few seeds make the wider of the two (t(0.975,
    2) = 4.30 for three seeds, against the bootstrap's normal tails). Without a seed
    interval (one seed), the bootstrap's."""
    if across_seeds.low is None:
        return two_level
    return Interval(two_level.mean, min(two_level.low, across_seeds.low),
                    max(two_level.high, across_seeds.high))


def bootstrap_draws(seeds: int, documents: int, resamples: int, seed: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The resamples' seed picks [B, S] and document picks [B, D] (indices, drawn with
    replacement) from one generator, so that a reference loop can replay them."""
    rng = np.random.default_rng(seed)
    return (rng.integers(seeds, size=(resamples, seeds)),
            rng.integers(documents, size=(resamples, documents)))


def _tally(picks: np.ndarray, n: int) -> np.ndarray:
    """How often each index is drawn in each resample: [B, k] picks -> [B, n] counts."""
    rows = np.repeat(np.arange(len(picks)), picks.shape[1])
    counts = np.zeros((len(picks), n))
    np.add.at(counts, (rows, picks.ravel()), 1.0)
    return counts


def _paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"paired counts must have one shape [S, D, 4], got {a.shape} and "
                         f"{b.shape}")
    return a, b


def minimal_detectable_effect(differences, power: float = 0.8) -> float | None:
    """The smallest true mean difference that a two-sided paired t-test at 5 % finds with
    probability `power`, given the spread of the observed per-seed differences:
    (t_0.975 + t_power) * sd / sqrt(n) with n - 1 degrees of freedom (the usual
    approximation to the noncentral t). None below two seeds."""
    diff = np.asarray(differences, dtype=float)
    if len(diff) < 2:
        return None
    dof = len(diff) - 1
    return float((stats.t.ppf(0.975, dof) + stats.t.ppf(power, dof)) * diff.std(ddof=1)
                 / np.sqrt(len(diff)))


EQUIVALENCE_MARGIN = 0.01
"""An interval that lies within +-1 point (F1 as a fraction) gives "no effect larger than"
its larger bound: one point is the size of effect this project asks about."""


def verdict(interval: Interval, seeds: int, paper: float | None = None,
            margin: float = EQUIVALENCE_MARGIN) -> str:
    """What the 95 % interval says: 'better' / 'worse' when it excludes zero on that side;
    else 'no effect larger than X' when it lies within +-margin (X its larger bound, in
    points); else 'excludes the paper's D' when the paper's difference (a fraction) lies
    outside it; else 'undecided'. One seed: 'one seed: undecided' (training noise
    unmeasured)."""
    if seeds < 2:
        return "one seed: undecided"
    if interval.excludes_zero():
        return "better" if interval.excludes_zero() > 0 else "worse"
    bound = max(abs(interval.low), abs(interval.high))
    if bound <= margin:
        return f"no effect larger than {100 * bound:.2f}"
    if paper is not None and not interval.low <= paper <= interval.high:
        return f"excludes the paper's {100 * paper:+.2f}"
    return "undecided"
