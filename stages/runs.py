"""What the stages that train or load a model share: device, trained runs, dev evaluation."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from pipeline.config import build
from pipeline.data.glove_view import Collate, make_collate
from pipeline.data.prepare import Processed, load_instances, load_meta
from pipeline.errors import ConfigError
from pipeline.evaluation.dialogre import dialogre_evaluator
from pipeline.models import model_class
from pipeline.runtime import RuntimeConfig, setup_runtime
from pipeline.training.loop import Evaluate, TrainConfig
from pipeline.training.run import load_checkpoint
from stages.common import processed_dir, results_dir, run_dir


def device_from(params: dict[str, Any]) -> torch.device:
    """Apply the declared `runtime` section; returns the device to run on."""
    return setup_runtime(build(RuntimeConfig, params["runtime"], "runtime"))


@dataclass
class TrainedRun:
    """A trained checkpoint with what evaluating it needs."""
    model: torch.nn.Module
    checkpoint: dict
    data: Path        # processed directory of the dataset
    meta: dict        # processed meta.json
    batcher: Collate  # collate bound to the data and device
    out: Path         # results directory of the run


def load_trained_run(args: argparse.Namespace, device: torch.device) -> TrainedRun:
    data = processed_dir(args.dataset)
    meta = load_meta(data)
    model, checkpoint = load_checkpoint(
        run_dir(args.dataset, args.model, args.variant) / "model.pt", device)
    return TrainedRun(model, checkpoint, data, meta,
                      make_collate(meta["dims"]["num_relations"], device),
                      results_dir(args.dataset, args.model, args.variant))


def dev_evaluation(data: Path, meta: dict, dev: Processed, batcher: Collate,
                   cfg: TrainConfig) -> Evaluate | None:
    """The training loop's dev metrics: DialogRE F1 at the best T2 for DialogRE, else None
    (fit's DocRED ranked metrics)."""
    if not meta.get("instance_pair"):
        return None
    if cfg.select_by != "f1":
        raise ConfigError("DialogRE has no Ign F1: its training section needs select_by: f1")
    return dialogre_evaluator(dev.features, load_instances(data, "dev"), batcher,
                              cfg.eval_batch_size)


def dev_summary(dev: dict) -> str:
    return " ".join(f"dev {key} {dev[key]:.4f}" for key in ("f1", "ign_f1", "t2") if key in dev)


def model_config(model: str, params: dict[str, Any]) -> Any:
    """The typed config of `model` from its declared `models.<model>` section."""
    return build(model_class(model).config_class, params[f"models.{model}"], f"models.{model}")
