"""One explicit training loop (nanoGPT style): epochs of shuffled document batches,
dev evaluation, best-checkpoint selection, and resumable state after every epoch.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Literal, Sequence

import numpy as np
import torch

from pipeline.data.document import Document
from pipeline.data.features import DocFeatures
from pipeline.data.torchfile import load_pt
from pipeline.progress import progress
from pipeline.training.objectives import Objective
from pipeline.training.seeding import epoch_rng, seed_everything


@dataclass(frozen=True)
class TrainConfig:
    BOUNDS: ClassVar[dict[str, str]] = {
        "epochs": ">= 1", "batch_size": ">= 1", "lr": "> 0", "weight_decay": ">= 0",
        "grad_clip": ">= 0", "eval_every": ">= 1", "eval_batch_size": ">= 1",
        "patience": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    seed: int = 13
    """Seeds model init, shuffling and dropout; the same seed gives the same metrics."""
    epochs: int = 30
    """Passes over the training documents at most (the cap when `patience` stops it early)."""
    batch_size: int = 8
    """Documents per optimiser step."""
    optimizer: Literal["adam", "adamw"] = "adam"
    """Adam (DocRED BiLSTM baseline) or AdamW (GAIN, HeterGSAN)."""
    lr: float = 1.0e-3
    """Learning rate."""
    weight_decay: float = 0.0
    """Weight decay (AdamW's decoupled decay, Adam's L2)."""
    grad_clip: float = 0.0
    """Clip the gradient norm to this value; 0 = no clipping (as the originals)."""
    eval_every: int = 1
    """Evaluate on dev every this many epochs (and always after the last)."""
    patience: int = 0
    """Early stopping: stop after this many dev evaluations in a row without a better
    `select_by` than the best so far (the best checkpoint is kept either way); 0 = run
    every epoch."""
    eval_batch_size: int = 32
    """Documents per evaluation batch."""
    select_by: Literal["ign_f1", "f1"] = "ign_f1"
    """Dev metric that picks the kept checkpoint (the originals use Ign F1)."""
    na_in_loss: bool = True
    """Include the NA column (relation 0) in the relation loss and in SIEF's focusing loss,
    for the base, control and SIEF runs alike (the DocRED baseline does; the official SIEF
    GloVe run drops it)."""


@dataclass(frozen=True)
class FinetuneConfig:
    """What changes for the runs that start from the base run (SIEF, its control, the arms
    and the analyses): one fixed budget, every epoch run and evaluated (no early stopping,
    so every fine-tuning run has the same number of dev evaluations to choose from); every
    other optimiser setting is the base schedule's."""
    BOUNDS: ClassVar[dict[str, str]] = {"epochs": ">= 1", "lr": "> 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    init: Literal["base", "scratch"] = "base"
    """Start from the trained base checkpoint, or from a fresh model (the official SIEF)."""
    epochs: int = 3
    """Epochs of every fine-tuning run, all of them run, each followed by a dev evaluation
    (independent of the base run's epochs and patience)."""
    lr: float = 1.0e-3
    """Learning rate of the SIEF and control runs (the task layers; an encoder keeps its own)."""

    def start(self, base: Path) -> Path | None:
        """The checkpoint such a run starts from: the base run's, or none (from scratch)."""
        return base if self.init == "base" else None


@dataclass(frozen=True)
class ScheduleConfig:
    """The training schedule of one (dataset, encoder): params.yaml `schedules.<d>.<e>`."""
    base: TrainConfig = TrainConfig()
    """The base run's schedule (the base model reads only this block)."""
    finetune: FinetuneConfig = FinetuneConfig()
    """Fine-tuning runs: the base schedule with this start, budget and lr."""

    def finetuning(self) -> TrainConfig:
        """The schedule of a fine-tuning run: the budget all run (patience 0), every epoch
        evaluated."""
        return dataclasses.replace(self.base, epochs=self.finetune.epochs, lr=self.finetune.lr,
                                   patience=0, eval_every=1)


@dataclass
class TrainResult:
    best_state: dict
    best_epoch: int
    best_dev: dict
    history: list[dict]


HISTORY_KEYS = ("f1", "ign_f1", "theta", "auc", "t2")
"""Dev metrics kept per epoch in history.csv (DocRED's, and DialogRE's T2)."""


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """cfg.lr for every trainable weight, except the groups a submodule asks for with
    `parameter_groups()` (a pretrained transformer's own, smaller learning rate)."""
    groups = [group for module in model.modules() if hasattr(module, "parameter_groups")
              for group in module.parameter_groups()]
    claimed = {id(p) for group in groups for p in group["params"]}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in claimed]
    cls = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
    return cls([{"params": rest}, *groups], lr=cfg.lr, weight_decay=cfg.weight_decay)


def train(model: torch.nn.Module, docs: Sequence[Document], features: Sequence[DocFeatures],
          objective: Objective, evaluate: Callable[[torch.nn.Module], dict],
          cfg: TrainConfig, *,
          resume_path: Path | None = None, fingerprint: str = "",
          log: Callable[[str], None] = functools.partial(print, flush=True)) -> TrainResult:
    """Train `model`; `evaluate(model)` returns dev metrics (with cfg.select_by)."""
    seed_everything(cfg.seed)
    optimizer = make_optimizer(model, cfg)
    state = _load_resume(resume_path, fingerprint, model, optimizer, log)
    history, best = state["history"], state["best"]
    for epoch in range(state["epoch"] + 1, cfg.epochs + 1):
        if stalled(history, best, cfg.patience):  # checked here too, for a resumed run
            log(f"early stop before epoch {epoch}: dev {cfg.select_by} has not beaten epoch "
                f"{best['epoch']}'s in {cfg.patience} evaluations")
            break
        rng = epoch_rng(cfg.seed, epoch)
        model.train()
        order = rng.permutation(len(docs))
        logs, started = [], time.time()
        batches = [order[i:i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        for idx in progress(batches, desc=f"epoch {epoch}/{cfg.epochs}", unit="batch"):
            loss, step_logs = objective(model, [docs[i] for i in idx],
                                        [features[i] for i in idx], rng)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            logs.append(step_logs)
        # Epoch means of what the objective reports (loss; SIEF adds its parts).
        row = {"epoch": epoch, **{f"train_{k}": float(np.mean([step[k] for step in logs]))
                                  for k in logs[0]},
               "train_seconds": round(time.time() - started, 2)}
        if not math.isfinite(row["train_loss"]):
            raise FloatingPointError(f"training loss is {row['train_loss']} at epoch {epoch}")
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            dev = evaluate(model)
            row.update({f"dev_{k}": dev[k] for k in HISTORY_KEYS if k in dev})
            if best is None or dev[cfg.select_by] > best["dev"][cfg.select_by]:
                best = {"epoch": epoch, "dev": dev,
                        "state": {k: v.detach().cpu().clone()
                                  for k, v in model.state_dict().items()}}
        history.append(row)
        log(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in row.items()))
        _save_resume(resume_path, fingerprint, epoch, model, optimizer, history, best)
    if best is None:
        raise RuntimeError("no evaluation was run: epochs must be >= 1")
    return TrainResult(best["state"], best["epoch"], best["dev"], history)


def stalled(history: list[dict], best: dict | None, patience: int) -> bool:
    """True when the last `patience` dev evaluations all came after the best one."""
    if patience == 0 or best is None:
        return False
    later = [row for row in history if row["epoch"] > best["epoch"]
             and any(key.startswith("dev_") for key in row)]  # evaluated epochs only
    return len(later) >= patience


def _save_resume(path, fingerprint, epoch, model, optimizer, history, best) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"fingerprint": fingerprint, "epoch": epoch, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "history": history, "best": best}, tmp)
    os.replace(tmp, path)  # atomic: an interruption never leaves a half-written state


def _load_resume(path, fingerprint, model, optimizer, log) -> dict:
    fresh = {"epoch": 0, "history": [], "best": None}
    if path is None or not path.exists():
        return fresh
    state = load_pt(path, "resume state")
    if state.get("fingerprint") != fingerprint:
        log(f"ignoring resume state {path}: it belongs to other params or data")
        return fresh
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    log(f"resuming from {path} after epoch {state['epoch']}")
    return state
