"""Training objectives: map (model, documents, features) to a scalar loss.

The base objective is the DocRED masked BCE. SIEF (pipeline/sief) is another objective
with the same signature, so the training loop never knows which one it runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import torch
import torch.nn.functional as F

from pipeline.data.document import Document
from pipeline.data.features import Collate, DocFeatures


class Objective(Protocol):
    def __call__(self, model: torch.nn.Module, docs: Sequence[Document],
                 features: list[DocFeatures], rng) -> tuple[torch.Tensor, dict[str, float]]:
        ...


def relation_loss(logits: torch.Tensor, labels: torch.Tensor, na: bool = True) -> torch.Tensor:
    """BCE-with-logits averaged over pairs x relations, as 1.4; `na` = False leaves the NA
    column (relation 0) out, as the official SIEF GloVe run does."""
    cols = slice(None) if na else slice(1, None)
    return F.binary_cross_entropy_with_logits(logits[:, cols], labels[:, cols])  # -> scalar


class RelationObjective:
    """L_rel: the base model's loss on the full documents (base and control runs)."""

    def __init__(self, collate: Collate, na_in_loss: bool = True):
        self.collate, self.na_in_loss = collate, na_in_loss

    def __call__(self, model, docs, features, rng):
        batch = self.collate(features)
        loss = relation_loss(model(batch), batch.labels, self.na_in_loss)
        return loss, {"loss": loss.item()}


@dataclass(frozen=True)
class Loss:
    """What a run trains on, as train_run takes it: how to build the objective for a
    processed dataset (build(data_dir, collate, na_in_loss)), and the config stored with the
    checkpoint (its "sief" entry: None for the relation loss)."""
    build: Callable[[Path, Collate, bool], Objective]
    stored: dict | None = None


RELATION_LOSS = Loss(lambda data_dir, collate, na_in_loss: RelationObjective(collate, na_in_loss))
"""L_rel alone: base and control runs."""
