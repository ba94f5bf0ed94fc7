"""A trained run's checkpoint (model.pt) loaded back, for scoring: what every evaluation
stage and `sief-predict` need, without the training loop or any loss."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from pipeline.data.features import Collate, make_collate
from pipeline.data.processed import load_meta
from pipeline.data.torchfile import load_pt
from pipeline.errors import DataError
from pipeline.models import model_from_spec


def load_checkpoint(path: Path, device: torch.device | None = None) -> tuple[torch.nn.Module, dict]:
    # weights_only: a checkpoint from elsewhere (a remote, a colleague) runs no code here
    checkpoint = load_pt(path, "checkpoint")
    if not isinstance(checkpoint, dict) or "model" not in checkpoint:
        raise DataError("not a checkpoint of this project (no model spec)", file=str(path))
    model = model_from_spec(checkpoint["model"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return (model.to(device) if device is not None else model), checkpoint


@dataclass
class TrainedRun:
    """A trained checkpoint with what evaluating it needs."""
    model: torch.nn.Module
    checkpoint: dict
    meta: dict        # the processed directory's meta.json
    batcher: Collate  # collate bound to the data and device


def load_run(checkpoint: Path, data_dir: Path, device: torch.device | None = None) -> TrainedRun:
    """A checkpoint (model.pt) ready to score the processed dataset in `data_dir`."""
    meta = load_meta(data_dir)
    model, stored = load_checkpoint(checkpoint, device)
    return TrainedRun(model, stored, meta, make_collate(meta["dims"]["num_relations"], device))
