"""Sentence removal as SIEF draws it, and the importance of a removed sentence (paper
section 4, Eq. 3): what the SIEF loss, the comparison's `augment` arm and the robustness
diagnostics share. Apart from the loss (objective.py) so that an edit to the loss re-runs
the SIEF runs alone, not the augment and control arms or the robustness measures.

Per step and document, one sentence n is drawn uniformly among the sentences that start
inside the model's window (and that the model reads), and removed from the canonical
document; the model's own featurizer rebuilds the reduced document's inputs.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np
import torch

from pipeline.data.document import Document
from pipeline.data.features import Batch, Collate, DocFeatures

EPS = 1e-11

Featurize = Callable[[Document], DocFeatures]


def importance_score(p: torch.Tensor, p_hat: torch.Tensor) -> torch.Tensor:
    """g = P log(P / (P-hat + eps)), elementwise (Eq. 3); decreasing in P-hat.

    Written with xlogy so that P = 0 gives g = 0 rather than 0 * log 0 = NaN.
    """
    return torch.xlogy(p, p) - torch.xlogy(p, p_hat + EPS)


def sentences_in_window(doc: Document, window: int) -> int:
    return max(1, sum(start < window for start in doc.sent_starts))


def removable_sentences(model: torch.nn.Module, doc: Document, window: int) -> int:
    """The first N sentences, which SIEF may remove: those that start inside the feature
    view's window and that the model reads (DialogBERT's trimmed input reads fewer turns)."""
    return max(1, min(sentences_in_window(doc, window), model.visible_sentences(doc)))


class SentenceRemoval:
    """SIEF's draw: one sentence per document, removed, the reduced documents featurised
    and collated; `stale_distance` keeps the full document's distance buckets for the
    reduced one (the official code)."""

    def __init__(self, featurize: Featurize, collate: Collate, window: int,
                 stale_distance: bool = True):
        self.featurize, self.collate, self.window = featurize, collate, window
        self.stale_distance = stale_distance

    def draw(self, model: torch.nn.Module, docs: Sequence[Document], batch: Batch,
             rng: np.random.Generator) -> tuple[list[int], list[Document], Batch]:
        """(removed sentence per document, reduced documents, their batch); `batch` is the
        full documents' (its distance buckets are kept when `stale_distance`)."""
        removed = [int(rng.integers(removable_sentences(model, d, self.window))) for d in docs]
        reduced = [d.remove_sentence(n) for d, n in zip(docs, removed)]
        batch_hat = self.collate([self.featurize(d) for d in reduced])
        if self.stale_distance:
            batch_hat = dataclasses.replace(batch_hat, dist_ht=batch.dist_ht, dist_th=batch.dist_th)
        return removed, reduced, batch_hat


def pairs_kept(batch: Batch, reduced: Sequence[Document]) -> torch.Tensor:
    """[P] float: 0 for pairs whose head or tail vanished from the reduced document."""
    device = batch.pair_h.device
    keep = torch.ones(len(batch.pair_h), device=device)
    for b, doc in enumerate(reduced):
        alive = torch.tensor([bool(ms) for ms in doc.entities] or [True], device=device)
        rows = batch.pair_doc == b
        keep[rows] = (alive[batch.pair_h[rows]] & alive[batch.pair_t[rows]]).float()
    return keep
