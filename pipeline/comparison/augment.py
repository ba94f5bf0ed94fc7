"""The `augment` arm: SIEF's compute and data without SIEF's idea.

Every step sees the full documents and, for each, a copy with one sentence removed, drawn
exactly as SIEF draws it (pipeline/sief/removal.py: the same sentence for the same batch
and epoch). Both get the relation loss, L = (L_rel(full) + L_rel(copy)) / 2, the same halving as
SIEF's (L_rel + L_sf) / 2. No importance score, no focusing loss.

The copy's labels: a gold fact stays gold when its head and its tail are both still mentioned
in the copy; a pair that lost every mention of its head or tail is labelled NA (the copy can
no longer say anything about it). The removed sentence may have been a fact's only evidence
while both entities are still mentioned elsewhere; the rule keeps such a fact, as nothing in
SIEF's input (which has no evidence annotations) could tell.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from pipeline.config import to_dict
from pipeline.data.document import Document
from pipeline.data.features import Collate, DocFeatures
from pipeline.data.processed import load_featurizer
from pipeline.errors import ConfigError
from pipeline.sief.removal import SentenceRemoval, pairs_kept
from pipeline.training.objectives import RELATION_LOSS, Loss, relation_loss


@dataclass(frozen=True)
class AugmentConfig:
    """What the augment arm reads of params.yaml's `sief` section: how SIEF featurises its
    copies, nothing of its loss (a change of beta never re-runs the arm)."""
    stale_distance: bool = True
    """Keep the full document's distance buckets for the copy (`sief.stale_distance`)."""


def copy_labels(labels: torch.Tensor, kept: torch.Tensor) -> torch.Tensor:
    """[P, R] the copy's labels: the full document's where the pair is kept (`kept` [P], 1 =
    head and tail still mentioned), NA alone (column 0) where it is not."""
    na_only = torch.zeros_like(labels)
    na_only[:, 0] = 1.0
    return torch.where(kept[:, None] > 0, labels, na_only)


class AugmentObjective:
    """L = (L_rel on the full documents + L_rel on SIEF's sentence-removed copies) / 2."""

    def __init__(self, removal: SentenceRemoval, na_in_loss: bool = True):
        self.removal, self.na_in_loss = removal, na_in_loss

    def __call__(self, model: torch.nn.Module, docs: Sequence[Document],
                 features: list[DocFeatures], rng: np.random.Generator):
        batch = self.removal.collate(features)
        logits = model(batch)                                         # [P, R]
        _, reduced, batch_hat = self.removal.draw(model, docs, batch, rng)
        logits_hat = model(batch_hat)                                 # [P, R], same pairs
        kept = pairs_kept(batch, reduced)                             # [P]
        labels_hat = copy_labels(batch.labels, kept)                  # [P, R]
        loss_full = relation_loss(logits, batch.labels, self.na_in_loss)
        loss_copy = relation_loss(logits_hat, labels_hat, self.na_in_loss)
        loss = (loss_full + loss_copy) / 2
        gold = batch.labels[:, 1:].sum().item()
        return loss, {"loss": loss.item(), "loss_rel": loss_full.item(),
                      "loss_copy": loss_copy.item(),
                      # the share of gold facts the copy still labels
                      "facts_kept": labels_hat[:, 1:].sum().item() / max(1.0, gold)}


def augment_loss(cfg: AugmentConfig) -> Loss:
    """The augment arm as train_run takes a loss: SIEF's draws over the processed dataset's
    featurizer and window, and `cfg` stored with the checkpoint."""
    def build(data_dir: Path, collate: Collate, na_in_loss: bool) -> AugmentObjective:
        featurize = load_featurizer(data_dir)
        removal = SentenceRemoval(featurize, collate, featurize.max_tokens, cfg.stale_distance)
        return AugmentObjective(removal, na_in_loss)
    return Loss(build, to_dict(cfg))


def relation_arm_loss(arm: str, cfg: AugmentConfig) -> Loss:
    """The loss of an arm without SIEF's: control (L_rel) or augment."""
    losses = {"control": RELATION_LOSS, "augment": augment_loss(cfg)}
    if arm not in losses:
        raise ConfigError(f"arm: {arm!r} is not one of {list(losses)} (the SIEF arms: "
                          "pipeline/comparison/sief_arms.py)")
    return losses[arm]
