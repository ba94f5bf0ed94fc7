"""Shared set-up for the benchmarks: processed data and a model built from params.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from pipeline.data.features import Collate, Featurizer, make_collate
from pipeline.data.prepare import Processed, load_featurizer, load_meta, load_split, load_vectors
from pipeline.config import set_dotted
from pipeline.models import build_model_config
from pipeline.training.run import new_model
from stages.common import read_params
from stages.overrides import checked_overrides


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
    params.paper.yaml) where it has them."""
    data = Path(processed)
    meta = load_meta(data)
    params = read_params()
    if overrides:  # checked like `python -m stages.overrides` checks them
        for dotted, value in checked_overrides(Path(overrides), Path("params.yaml")).items():
            set_dotted(params, dotted, value)
    cfg = build_model_config(params["models"][model_name], params["encoders"][encoder],
                             f"models.{model_name}", f"encoders.{encoder}")
    model = new_model(cfg, meta["dims"], load_vectors(data), seed=0,
                      device=torch.device(device))
    return Bench(model, load_split(data, "train"), load_split(data, "dev"),
                 load_featurizer(data),
                 make_collate(meta["dims"]["num_relations"], torch.device(device)))

