"""What every stage shares: reading declared params sections, and the data layout."""
from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
from ruamel.yaml import YAML

from pipeline.config import build
from pipeline.data.glove_view import Collate, make_collate
from pipeline.data.prepare import Processed, load_instances, load_meta
from pipeline.errors import ConfigError
from pipeline.evaluation.dialogre import dialogre_evaluator
from pipeline.models import model_class
from pipeline.runtime import RuntimeConfig, setup_runtime
from pipeline.training.loop import Evaluate, TrainConfig
from pipeline.training.run import load_checkpoint

PARAMS_FILE = Path("params.yaml")
DATA = Path("data")


def read_params(path: Path = PARAMS_FILE) -> dict:
    # ruamel reads 1e-3 as a float (PyYAML reads it as a string).
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe", pure=True).load(handle) or {}


def load_sections(declared: Sequence[str], path: Path = PARAMS_FILE, **names: str) -> dict[str, Any]:
    """The params sections a stage declared (placeholders filled from `names`), nothing else.

    A stage can only see what it declared, so dvc.yaml's `params:` (checked by a test
    against PARAMS) is exactly what the stage reads.
    """
    params = read_params(path)
    out = {}
    for template in declared:
        dotted = template.format(**names)
        node: Any = params
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                raise ConfigError(f"{path}: missing section {dotted!r}")
            node = node[key]
        out[dotted] = node
    return out


def raw_dir(dataset: str) -> Path:
    return DATA / "raw" / dataset


def processed_dir(dataset: str) -> Path:
    return DATA / "processed" / dataset


def run_dir(dataset: str, model: str, variant: str) -> Path:
    return DATA / "runs" / dataset / model / variant


def results_dir(dataset: str, model: str, variant: str) -> Path:
    return DATA / "results" / dataset / model / variant


def resume_path(dataset: str, model: str, variant: str) -> Path:
    """Outside DVC's outputs (DVC deletes those before a stage runs), so it survives."""
    return DATA / "resume" / f"{dataset}-{model}-{variant.replace('/', '-')}.pt"


def fingerprint(configs: dict, files: Sequence[Path]) -> str:
    """Identity of a training run: its configs and the bytes of its input files."""
    digest = hashlib.sha256(json.dumps(configs, sort_keys=True, default=str).encode())
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()


def parse_args(description: str, *, model: bool = True, variant: bool = False,
               schedule: bool = False) -> argparse.Namespace:
    """--dataset always; --model and --variant for the stages that work on one run;
    --schedule / --sief name the training and SIEF sections of the training stages (train /
    sief for the GloVe models, train_bert / sief_bert, dialogre_train / dialogre_sief)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", default="docred")
    if model:
        p.add_argument("--model", required=True)
    if variant:
        p.add_argument("--variant", default="base")
    if schedule:
        p.add_argument("--schedule", default="train")
        p.add_argument("--sief", default="sief")
    return p.parse_args()


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
