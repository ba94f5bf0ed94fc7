"""Everything a training stage needs between loaded data and a saved checkpoint."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import torch

from pipeline.data.glove_view import Collate
from pipeline.data.prepare import Processed
from pipeline.evaluation.predict import evaluate_probs, predict_probs
from pipeline.models import DataDims, create_model, model_from_spec, model_spec
from pipeline.training.loop import Evaluate, TrainConfig, TrainResult, clear_resume, train
from pipeline.training.objectives import Objective
from pipeline.training.seeding import seed_everything


def new_model(name: str, config: Any, dims: dict, vectors: torch.Tensor, seed: int,
              device: torch.device | None = None) -> torch.nn.Module:
    seed_everything(seed)  # the same seed gives the same initial weights
    model = create_model(name, config, DataDims(**dims))
    model.load_word_vectors(vectors)
    return model.to(device) if device is not None else model


def dev_evaluator(dev: Processed, batcher: Collate, batch_size: int):
    def evaluate(model: torch.nn.Module) -> dict:
        probs = predict_probs(model, dev.features, batcher, batch_size, desc="dev")
        return evaluate_probs(dev.docs, probs)
    return evaluate


def fit(model: torch.nn.Module, name: str, train_set: Processed, dev: Processed,
        objective: Objective, cfg: TrainConfig, batcher: Collate, out_dir: Path,
        resume: Path | None, fingerprint: str, extra: dict | None = None,
        evaluate: Evaluate | None = None) -> TrainResult:
    """Train, then write model.pt (spec + best weights) and history.csv into out_dir.
    `evaluate(model)`: dev metrics (default: DocRED's ranked metrics on `dev`)."""
    evaluate = evaluate or dev_evaluator(dev, batcher, cfg.eval_batch_size)
    result = train(model, train_set.docs, train_set.features, objective, evaluate, cfg,
                   resume_path=resume, fingerprint=fingerprint)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model_spec(name, model), "state_dict": result.best_state,
                "best_epoch": result.best_epoch, "dev": result.best_dev,
                "train": extra or {}}, out_dir / "model.pt")
    write_history(out_dir / "history.csv", result.history)
    clear_resume(resume)
    return result


def write_history(path: Path, rows: list[dict]) -> None:
    columns = sorted({k for row in rows for k in row}, key=lambda k: (k != "epoch", k))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def load_checkpoint(path: Path, device: torch.device | None = None) -> tuple[torch.nn.Module, dict]:
    checkpoint = torch.load(path, weights_only=False, map_location="cpu")
    model = model_from_spec(checkpoint["model"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return (model.to(device) if device is not None else model), checkpoint
