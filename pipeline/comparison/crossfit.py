"""Two-fold cross-fitting of a run's epoch and threshold on the dev documents.

Keeping the epoch with the best dev Ign F1 and the threshold theta where dev F1 peaks, both
on the documents the comparison then scores, flatters every run, and more so the noisier
and the more evaluated ones. Here the dev documents are split once into halves A and B (a
seeded permutation, the same for every run). After every epoch each half gets its own theta
(where its F1 peaks) and its own selection score (its Ign F1). Then:
    the epoch best on A, at A's theta of that epoch, scores the documents of B;
    the epoch best on B, at B's theta of that epoch, scores the documents of A;
and the per-document counts of both go into one [D, 4] array: no document is scored by an
epoch or theta chosen on it. Its sums give the cross-fitted F1 and Ign F1; the paired
bootstrap resamples its rows as it does the rows of today's counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pipeline.data.document import Document
from pipeline.evaluation.docred_metrics import metrics_at_threshold, ranked_metrics_by_group
from pipeline.evaluation.predict import candidates, counts_at

HALVES = ("A", "B")


def halves(documents: int, seed: int) -> np.ndarray:
    """[D] bool: True for the documents of half A (the first half of a seeded permutation)."""
    in_a = np.zeros(documents, dtype=bool)
    in_a[np.random.default_rng(seed).permutation(documents)[:documents // 2]] = True
    return in_a


@dataclass
class EpochFolds:
    """One epoch's dev evaluation, seen by each half."""
    theta: np.ndarray      # [2] the F1 theta of half A, of half B
    selection: np.ndarray  # [2] the selection metric of half A, of half B (at its own curve)
    counts: np.ndarray     # [D, 4] each document's counts at the other half's theta

    def as_dict(self) -> dict:
        return {"theta": self.theta, "selection": self.selection, "counts": self.counts}


def epoch_folds(docs: Sequence[Document], probs: Sequence[np.ndarray], in_a: np.ndarray,
                select_by: str) -> EpochFolds:
    """One epoch's dev probabilities ([pairs, R] per document) seen by each half."""
    return evaluate_folds(docs, probs, in_a, select_by)[2]


def evaluate_folds(docs: Sequence[Document], probs: Sequence[np.ndarray], in_a: np.ndarray,
                   select_by: str) -> tuple[dict[str, float], np.ndarray, EpochFolds]:
    """The dev evaluation of an epoch of a cross-fitted run, from one ranking of the
    candidates: the metrics of all dev (predict.evaluate_probs's), their per-document counts
    at its F1 theta ([D, 4], predict.document_counts's) and each half's view (EpochFolds)."""
    found = candidates(docs, probs)
    score, is_gold, in_train, _ = found
    in_a_candidate = np.repeat(in_a, [p[:, 1:].size for p in probs])  # [N] in half A
    gold = np.array([len(doc.facts) for doc in docs])
    every, *by_half = ranked_metrics_by_group(score, is_gold, in_train, in_a_candidate,
                                              (int(gold[in_a].sum()), int(gold[~in_a].sum())))
    at = metrics_at_threshold(score, is_gold, in_train, int(gold.sum()), every["theta"])
    metrics = {**every, **{f"at_theta_{k}": v for k, v in at.items()}}
    counts = np.zeros((len(docs), 4), dtype=np.int64)
    theta, selection = np.zeros(2), np.zeros(2)
    for h, (half, other) in enumerate(zip(by_half, (~in_a, in_a))):
        theta[h], selection[h] = half["theta"], half[select_by]
        counts[other] = counts_at(docs, probs, found, half["theta"])[other]
    return metrics, counts_at(docs, probs, found, every["theta"]), EpochFolds(theta, selection,
                                                                              counts)


def cross_fit(epochs: Sequence[EpochFolds], in_a: np.ndarray) -> tuple[np.ndarray, dict]:
    """[D, 4] cross-fitted counts over a run's evaluated epochs (in order, epoch 1 first), and
    what was chosen: {"A": {"epoch", "theta"}, "B": ...}, half A's choice scoring B's
    documents and B's scoring A's. A tie keeps the earlier epoch, as the training loop does."""
    counts = np.zeros_like(epochs[0].counts)
    chosen = {}
    for h, (name, scored) in enumerate(zip(HALVES, (~in_a, in_a))):
        best = int(np.argmax([e.selection[h] for e in epochs]))  # the first maximum
        counts[scored] = epochs[best].counts[scored]
        chosen[name] = {"epoch": best + 1, "theta": float(epochs[best].theta[h])}
    return counts, chosen
