"""One training run, from typed configs and paths to a checkpoint: the library's entry point.

A run is identified by its dataset (the processed directory), its model config (which names
its architecture and encoder), its schedule and its loss. `train_run` trains it and writes
`model.pt` and `history.csv` into the run's directory (pipeline/models/checkpoint.py loads
one back for evaluation). Stages only read argv and params and call these.
"""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch

from pipeline.config import to_dict
from pipeline.data.features import make_collate
from pipeline.data.jsonio import write_json
from pipeline.data.processed import load_meta, load_split, load_vectors
from pipeline.errors import ConfigError
from pipeline.evaluation.evaluators import DEV_EVALUATORS, DOCUMENTS, SELECTABLE, scalars
from pipeline.evaluation.predict import counts_frame
from pipeline.models import DataDims, create_model, model_spec
from pipeline.models.checkpoint import load_checkpoint
from pipeline.models.encoders import uses_word_vectors
from pipeline.runtime import machine_record, machine_summary
from pipeline.training.loop import TrainConfig, TrainResult, train
from pipeline.training.objectives import RELATION_LOSS, Loss
from pipeline.training.seeding import seed_everything

PIPELINE_ROOT = Path(__file__).resolve().parents[1]


def train_run(model: Any, schedule: TrainConfig, data_dir: Path, out_dir: Path, *,
              init: Path | None = None, loss: Loss = RELATION_LOSS,
              resume: Path | None = None, history: Path | None = None,
              device: torch.device | None = None, tags: dict | None = None) -> TrainResult:
    """Train one run; write out_dir/model.pt (spec, best weights, dev metrics) and its
    learning curve (history.csv: one row per epoch, dev metrics where evaluated).

    Arguments:
        model: the model config (its `arch` and `encoder` say what to build).
        schedule: seed, epochs, batch size, optimiser and learning rate, dev selection.
        data_dir: the processed dataset (data/processed/<dataset>).
        out_dir: the run's directory (data/runs/<dataset>/<model>/<encoder>/<job>).
        init: a checkpoint to start from (SIEF and control runs); None = a fresh model,
            initialised from `schedule.seed`.
        loss: what to train on (RELATION_LOSS: base and control runs; SIEF:
            pipeline.sief.objective.sief_loss).
        resume: where the state after every epoch is kept (outside DVC's outputs, which DVC
            deletes before a stage runs); None = not resumable. Kept after the last epoch
            (the stage's caller sweeps it later), so that a finished run of a multi-seed
            stage that was cut off comes back from it untrained.
        history: where history.csv goes (a stage puts it beside the run's results, which
            live in git); None = out_dir/history.csv.
        device: where to train (None = CPU).
        tags: more facts to store with the checkpoint (e.g. an analysis setting).
    """
    meta = load_meta(data_dir)
    _check_selection(meta["dataset"], schedule)
    train_set, dev = load_split(data_dir, "train"), load_split(data_dir, "dev")
    if init is not None:
        net, _ = load_checkpoint(init, device)
        seed_everything(schedule.seed)
    else:
        net = new_model(model, meta["dims"], load_vectors(data_dir), schedule.seed, device)
    batcher = make_collate(meta["dims"]["num_relations"], device)
    objective = loss.build(data_dir, batcher, schedule.na_in_loss)
    stored = {"train": to_dict(schedule), "model": to_dict(model), "sief": loss.stored,
              "init": str(init) if init is not None else None,
              **(tags or {})}
    inputs = [data_dir / "train.docs.json.gz", data_dir / "features.train.pt",
              *([init] if init is not None else [])]
    evaluate = DEV_EVALUATORS[meta["dataset"]](data_dir, dev, batcher, schedule.eval_batch_size)
    result = train(net, train_set.docs, train_set.features, objective, evaluate, schedule,
                   resume_path=resume, fingerprint=fingerprint(stored, inputs))
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model_spec(net), "state_dict": result.best_state,
                "best_epoch": result.best_epoch, "dev": result.best_dev, "train": stored,
                "machine": machine_record()}, out_dir / "model.pt")
    write_history(history or out_dir / "history.csv", result.history)
    print(f"{out_dir}: best epoch {result.best_epoch}: {dev_summary(result.best_dev)}")
    return result


def _check_selection(dataset: str, schedule: TrainConfig) -> None:
    if schedule.select_by not in SELECTABLE[dataset]:
        raise ConfigError(f"select_by: {schedule.select_by!r} is not a dev metric of "
                          f"{dataset} (one of {list(SELECTABLE[dataset])})")


def new_model(config: Any, dims: dict, vectors: torch.Tensor, seed: int,
              device: torch.device | None = None) -> torch.nn.Module:
    seed_everything(seed)  # the same seed gives the same initial weights
    model = create_model(config, DataDims(**dims))
    if uses_word_vectors(config):  # a transformer has its own embeddings
        model.load_word_vectors(vectors)
    return model.to(device) if device is not None else model


def code_digest(root: Path = PIPELINE_ROOT) -> str:
    """sha256 of the library's source: a resume state written by other code is not reused."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(configs: dict, files: list[Path]) -> str:
    """Identity of a training run: its configs, the bytes of its input files and the code."""
    digest = hashlib.sha256(json.dumps(configs, sort_keys=True, default=str).encode())
    for file in files:
        digest.update(Path(file).read_bytes())
    digest.update(code_digest().encode())
    return digest.hexdigest()


def dev_summary(dev: dict) -> str:
    return " ".join(f"dev {key} {dev[key]:.4f}" for key in ("f1", "ign_f1", "t2") if key in dev)


def write_history(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = sorted({k for row in rows for k in row}, key=lambda k: (k != "epoch", k))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def replicate(seeds: tuple[int, ...], out_dir: Path, metrics: Path, job: str,
              run_one: Callable[[int, Path], TrainResult]) -> list[dict]:
    """`run_one(seed, out_dir / f"seed{seed}")` for every seed; their best dev metrics go to
    `metrics` ({"job", "runs": [{seed, best_epoch, epochs, dev}]}), their per-document dev
    counts (DocRED) to documents.csv beside it. `out_dir` holds seeds.json even with no
    seeds, so that it exists as the stage's output."""
    runs, counts = [], []
    for seed in seeds:
        result = run_one(seed, out_dir / f"seed{seed}")
        runs.append({"seed": seed, "best_epoch": result.best_epoch,
                     "epochs": len(result.history), "dev": scalars(result.best_dev)})
        if DOCUMENTS in result.best_dev:
            counts.append(counts_frame(result.best_dev[DOCUMENTS]).assign(seed=seed))
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "seeds.json", list(seeds))
    metrics.parent.mkdir(parents=True, exist_ok=True)
    write_json(metrics, {"job": job, "runs": runs, "machine": machine_summary()}, indent=1)
    frame = pd.concat(counts) if counts else counts_frame(np.zeros((0, 4))).assign(seed=0)
    frame[["seed", *frame.columns[:-1]]].to_csv(metrics.parent / "documents.csv", index=False)
    return runs
