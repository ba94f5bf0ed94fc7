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
from pipeline.evaluation.docred_metrics import ranked_metrics
from pipeline.evaluation.predict import candidates, document_counts

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
    counts = np.zeros((len(docs), 4), dtype=np.int64)
    theta, selection = np.zeros(2), np.zeros(2)
    for h, chosen in enumerate((in_a, ~in_a)):
        own, other = np.flatnonzero(chosen), np.flatnonzero(~chosen)
        metrics = ranked_metrics(*candidates([docs[i] for i in own], [probs[i] for i in own]))
        theta[h], selection[h] = metrics["theta"], metrics[select_by]
        counts[other] = document_counts([docs[i] for i in other], [probs[i] for i in other],
                                        metrics["theta"])
    return EpochFolds(theta, selection, counts)


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
