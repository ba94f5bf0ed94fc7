"""Training objectives: map (model, documents, features) to a scalar loss.

The base objective is the DocRED masked BCE. SIEF (pipeline/sief) is another objective
with the same signature, so the training loop never knows which one it runs.
"""
from __future__ import annotations

from typing import Protocol, Sequence

import torch
import torch.nn.functional as F

from pipeline.data.document import Document
from pipeline.data.features import Collate, DocFeatures


class Objective(Protocol):
    def __call__(self, model: torch.nn.Module, docs: Sequence[Document],
                 features: list[DocFeatures], rng) -> tuple[torch.Tensor, dict[str, float]]:
        ...


def relation_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """BCE-with-logits averaged over pairs x relations (NA column included), as 1.4."""
    return F.binary_cross_entropy_with_logits(logits, labels)  # [P, R] -> scalar


class RelationObjective:
    """L_rel: the base model's loss on the full documents."""

    def __init__(self, collate: Collate):
        self.collate = collate

    def __call__(self, model, docs, features, rng):
        batch = self.collate(features)
        loss = relation_loss(model(batch), batch.labels)
        return loss, {"loss": loss.item()}
