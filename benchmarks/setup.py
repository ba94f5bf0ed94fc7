"""Shared set-up for the benchmarks: processed data and a model built from params.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from pipeline.config import build
from pipeline.data.glove_view import Collate, GloveFeaturizer, make_collate
from pipeline.data.prepare import Processed, load_featurizer, load_meta, load_split, load_vectors
from pipeline.models import model_class
from pipeline.training.run import new_model
from stages.common import read_params


@dataclass
class Bench:
    model: torch.nn.Module
    train: Processed
    dev: Processed
    featurize: GloveFeaturizer
    batcher: Collate


def load_bench(processed: str, model_name: str, device: str = "cpu",
               overrides: str | None = None) -> Bench:
    """Data of `processed` and a fresh model sized by params.yaml's `models.<model_name>`,
    or by that section of the `overrides` file (e.g. params.paper.yaml) where it has one."""
    data = Path(processed)
    meta = load_meta(data)
    section = read_params()["models"][model_name]
    if overrides:
        section = merged(section, read_params(Path(overrides)).get("models", {})
                         .get(model_name, {}))
    cfg = build(model_class(model_name).config_class, section, f"models.{model_name}")
    model = new_model(model_name, cfg, meta["dims"], load_vectors(data), seed=0,
                      device=torch.device(device))
    return Bench(model, load_split(data, "train"), load_split(data, "dev"),
                 load_featurizer(data),
                 make_collate(meta["dims"]["num_relations"], torch.device(device)))


def merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` applied, nested sections merged key by key."""
    out = dict(base)
    for key, value in changes.items():
        out[key] = merged(out.get(key, {}), value) if isinstance(value, dict) else value
    return out
