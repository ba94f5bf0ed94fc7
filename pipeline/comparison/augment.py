"""The `augment` arm: SIEF's compute and data without SIEF's idea.

Every step sees the full documents and, for each, a copy with one sentence removed, drawn
exactly as SIEF draws it (SIEFObjective.reduce: the same sentence for the same batch and
epoch). Both get the relation loss, L = (L_rel(full) + L_rel(copy)) / 2, the same halving as
SIEF's (L_rel + L_sf) / 2. No importance score, no focusing loss.

The copy's labels: a gold fact stays gold when its head and its tail are both still mentioned
in the copy; a pair that lost every mention of its head or tail is labelled NA (the copy can
no longer say anything about it). The removed sentence may have been a fact's only evidence
while both entities are still mentioned elsewhere; the rule keeps such a fact, as nothing in
SIEF's input (which has no evidence annotations) could tell.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from pipeline.data.document import Document
from pipeline.data.features import DocFeatures
from pipeline.sief.objective import SIEFObjective, _pairs_kept
from pipeline.training.objectives import relation_loss


def copy_labels(labels: torch.Tensor, kept: torch.Tensor) -> torch.Tensor:
    """[P, R] the copy's labels: the full document's where the pair is kept (`kept` [P], 1 =
    head and tail still mentioned), NA alone (column 0) where it is not."""
    na_only = torch.zeros_like(labels)
    na_only[:, 0] = 1.0
    return torch.where(kept[:, None] > 0, labels, na_only)


class AugmentObjective:
    """L = (L_rel on the full documents + L_rel on SIEF's sentence-removed copies) / 2."""

    def __init__(self, draws: SIEFObjective):
        self.draws = draws  # its collate, featurizer, window, stale_distance and NA setting

    def __call__(self, model: torch.nn.Module, docs: Sequence[Document],
                 features: list[DocFeatures], rng: np.random.Generator):
        draws = self.draws
        batch = draws.collate(features)
        logits = model(batch)                                         # [P, R]
        _, reduced, batch_hat = draws.reduce(model, docs, batch, rng)
        logits_hat = model(batch_hat)                                 # [P, R], same pairs
        kept = _pairs_kept(batch, reduced)                            # [P]
        labels_hat = copy_labels(batch.labels, kept)                  # [P, R]
        loss_full = relation_loss(logits, batch.labels, draws.na_in_loss)
        loss_copy = relation_loss(logits_hat, labels_hat, draws.na_in_loss)
        loss = (loss_full + loss_copy) / 2
        gold = batch.labels[:, 1:].sum().item()
        return loss, {"loss": loss.item(), "loss_rel": loss_full.item(),
                      "loss_copy": loss_copy.item(),
                      # the share of gold facts the copy still labels
                      "facts_kept": labels_hat[:, 1:].sum().item() / max(1.0, gold)}
