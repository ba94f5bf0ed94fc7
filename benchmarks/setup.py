"""Shared set-up for the benchmarks: processed data and a model built from params.yaml."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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


def load_bench(processed: str, model_name: str, device: str = "cpu") -> Bench:
    data = Path(processed)
    meta = load_meta(data)
    cfg = build(model_class(model_name).config_class, read_params()["models"][model_name],
                f"models.{model_name}")
    model = new_model(model_name, cfg, meta["dims"], load_vectors(data), seed=0,
                      device=torch.device(device))
    return Bench(model, load_split(data, "train"), load_split(data, "dev"),
                 load_featurizer(data),
                 make_collate(meta["dims"]["num_relations"], torch.device(device)))


def time_steps(bench: Bench, objective, n_docs: int, batch_size: int) -> float:
    """Seconds for optimiser steps over the first n_docs training documents."""
    model = bench.model.train()
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for i in range(0, n_docs, batch_size):
        loss, _ = objective(model, bench.train.docs[i:i + batch_size],
                            bench.train.features[i:i + batch_size], rng)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started
