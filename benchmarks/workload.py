"""Shared set-up for the benchmarks: processed data and a model built from params.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from pipeline.data.features import Collate, Featurizer, make_collate
from pipeline.data.processed import Processed, load_featurizer, load_meta, load_split, load_vectors
from pipeline.models import build_model_config
from pipeline.training.run import new_model
from stages.common import read_params
from commands.overlay import merged_params


def project_grid() -> dict[str, list[tuple[str, str]]]:
    """dataset -> the (model, encoder) pairs of params.yaml's grid and of every experiment's
    (params.yaml with its experiments/<name>/params.yaml applied): every run the project can
    make, including those the default params leave out (DialogRE's, the DocRED transformer
    rows)."""
    runs: dict[str, list[tuple[str, str]]] = {}
    overlays = sorted(Path("experiments").glob("*/params.yaml"))
    for params in [read_params(), *map(merged_params, overlays)]:
        for dataset, grid in params["grid"].items():
            known = runs.setdefault(dataset, [])
            known += [(m, e) for m in grid["models"] for e in grid["encoders"]
                      if (m, e) not in known]
    return runs


@dataclass
class Bench:
    model: torch.nn.Module
    train: Processed
    dev: Processed
    featurize: Featurizer
    batcher: Collate


def load_bench(processed: str, model_name: str, encoder: str, device: str = "cpu",
               overrides: str | None = None) -> Bench:
    """Data of `processed` and a fresh model sized by params.yaml's `models.<model_name>` and
    `encoders.<encoder>`, or by those sections of the `overrides` file (e.g.
    experiments/paper/params.yaml) where it has them."""
    data = Path(processed)
    meta = load_meta(data)
    params = merged_params(Path(overrides)) if overrides else read_params()
    cfg = build_model_config(params["models"][model_name], params["encoders"][encoder],
                             f"models.{model_name}", f"encoders.{encoder}")
    model = new_model(cfg, meta["dims"], load_vectors(data), seed=0,
                      device=torch.device(device))
    return Bench(model, load_split(data, "train"), load_split(data, "dev"),
                 load_featurizer(data),
                 make_collate(meta["dims"]["num_relations"], torch.device(device)))

