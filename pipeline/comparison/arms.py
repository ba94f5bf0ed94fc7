"""The fine-tuning arms of the controlled comparison, each from the same base checkpoint of
its seed, with the same batch order and the same budget:

    control  the relation loss on the full documents;
    augment  the relation loss on the full documents and on SIEF's sentence-removed copies
             (augment.py): SIEF's compute and data without its score and focusing loss;
    rand     SIEF with random evidence (the paper's Rand: sief.evidence_rule = random);
    sief     SIEF as params.yaml's `sief` section says.

An arm's loss comes in as a training.objectives.Loss (augment.relation_arm_loss for control
and augment, sief_arms.sief_arm_loss for rand and sief), so that this file never names the
SIEF loss and the control runs do not depend on it.

Every arm runs the schedule's fine-tuning budget (`schedules.<d>.<e>.finetune.epochs`), each
epoch followed by a dev evaluation (no early stopping: the arms get the same number of
evaluations to choose from), and is scored twice: as the paper does (the epoch and theta
best on all dev documents) and cross-fitted (crossfit.py).

A run exists once. The schedule's seed of `control` and `sief` is the main control and SIEF
run (stages control, sief: Table 1's rows, the runs evaluate and robustness read); the arms
stages add the other seeds, and `augment` and `rand` of every seed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch

from pipeline.config import to_dict
from pipeline.comparison.crossfit import EpochFolds, cross_fit, evaluate_folds, halves
from pipeline.data.features import Collate, make_collate
from pipeline.data.jsonio import write_json
from pipeline.data.processed import Processed, load_meta, load_split, load_vectors
from pipeline.data.torchfile import load_pt
from pipeline.errors import ConfigError
from pipeline.evaluation.evaluators import DOCUMENTS, scalars
from pipeline.evaluation.predict import counts_frame, predict_probs
from pipeline.models import model_spec
from pipeline.models.checkpoint import load_checkpoint
from pipeline.evaluation.significance import f1_from_counts
from pipeline.runtime import machine_record, machine_summary
from pipeline.training.loop import TrainConfig, TrainResult, train
from pipeline.training.objectives import Loss
from pipeline.training.run import fingerprint, new_model, train_run, write_history
from pipeline.training.seeding import seed_everything

ARMS: tuple[str, ...] = ("control", "augment", "rand", "sief")
MAIN_ARMS: tuple[str, ...] = ("control", "sief")
"""The arms whose schedule seed is the main run (stages control, sief)."""
SELECTIONS = ("all", "cross_fit")
"""How a run's epoch and theta were chosen: on all dev documents (as the paper and Table 1),
or cross-fitted (crossfit.py)."""


@dataclass(frozen=True)
class ComparisonConfig:
    """params.yaml `comparison`: the dev split shared by every fine-tuning run."""
    fold_seed: int = 0
    """Seeds the split of the dev documents into the two cross-fitting halves."""


class FoldRecorder:
    """The training loop's dev evaluation that also keeps each epoch's EpochFolds, saved
    after every evaluation beside the run's resume state so that a resumed run keeps them."""

    def __init__(self, dev: Processed, batcher: Collate, batch_size: int, in_a: np.ndarray,
                 select_by: str, store: Path | None, run_fingerprint: str, resumed: int):
        self.dev, self.batcher, self.batch_size = dev, batcher, batch_size
        self.in_a, self.select_by = in_a, select_by
        self.store, self.fingerprint = store, run_fingerprint
        self.epochs: list[EpochFolds] = self._load()[:resumed]

    def __call__(self, model: torch.nn.Module) -> dict:
        probs = predict_probs(model, self.dev.features, self.batcher, self.batch_size,
                              desc="dev")
        metrics, counts, folds = evaluate_folds(self.dev.docs, probs, self.in_a, self.select_by)
        self.epochs.append(folds)
        if self.store is not None:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"fingerprint": self.fingerprint,
                        "epochs": [e.as_dict() for e in self.epochs]}, self.store)
        return {**metrics, DOCUMENTS: counts}

    def _load(self) -> list[EpochFolds]:
        if self.store is None or not self.store.exists():
            return []
        saved = load_pt(self.store, "cross-fitting state")
        if saved.get("fingerprint") != self.fingerprint:
            return []
        return [EpochFolds(**epoch) for epoch in saved["epochs"]]


def resumed_epochs(resume: Path | None, run_fingerprint: str) -> int:
    """How many epochs a run resumed from `resume` has behind it (0: a fresh start)."""
    if resume is None or not resume.exists():
        return 0
    state = load_pt(resume, "resume state")
    return int(state["epoch"]) if state.get("fingerprint") == run_fingerprint else 0


@dataclass
class ArmResult:
    """One arm's run of one seed."""
    result: TrainResult
    cross_fit_counts: np.ndarray  # [D, 4] per-document counts, cross-fitted
    chosen: dict                  # each half's epoch and theta (crossfit.cross_fit)


def train_arm(arm: str, loss: Loss, model: Any, schedule: TrainConfig,
              comparison: ComparisonConfig, data_dir: Path, init: Path | None, out_dir: Path, *,
              resume: Path | None = None, device: torch.device | None = None) -> ArmResult:
    """Fine-tune the base checkpoint `init` (None: a fresh model of schedule.seed, the
    paper's start) as `arm`, trained on `loss`, for the schedule's epochs, each evaluated;
    write out_dir/model.pt (the epoch best on all dev, as train_run keeps) with the
    cross-fitted choice, and out_dir/folds.pt (every epoch's view by each half)."""
    if arm not in ARMS:
        raise ConfigError(f"arm: {arm!r} is not one of {list(ARMS)}")
    meta = load_meta(data_dir)
    if meta["dataset"] != "docred":
        raise ConfigError(f"comparison arms: cross-fitting needs DocRED's per-document counts, "
                          f"not {meta['dataset']}")
    train_set, dev = load_split(data_dir, "train"), load_split(data_dir, "dev")
    if init is not None:
        net, _ = load_checkpoint(init, device)
        seed_everything(schedule.seed)
    else:
        net = new_model(model, meta["dims"], load_vectors(data_dir), schedule.seed, device)
    batcher = make_collate(meta["dims"]["num_relations"], device)
    objective = loss.build(data_dir, batcher, schedule.na_in_loss)
    stored = {"arm": arm, "train": to_dict(schedule), "model": to_dict(model),
              "sief": loss.stored,
              "comparison": to_dict(comparison), "init": str(init) if init else None}
    run_fingerprint = fingerprint(stored, [data_dir / "train.docs.json.gz",
                                           data_dir / "features.train.pt",
                                           *([init] if init is not None else [])])
    in_a = halves(len(dev.docs), comparison.fold_seed)
    store = resume.with_name("folds.pt") if resume is not None else None
    evaluate = FoldRecorder(dev, batcher, schedule.eval_batch_size, in_a, schedule.select_by,
                            store, run_fingerprint, resumed_epochs(resume, run_fingerprint))
    result = train(net, train_set.docs, train_set.features, objective, evaluate, schedule,
                   resume_path=resume, fingerprint=run_fingerprint)
    counts, chosen = cross_fit(evaluate.epochs, in_a)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model_spec(net), "state_dict": result.best_state,
                "best_epoch": result.best_epoch, "dev": result.best_dev, "train": stored,
                "cross_fit": chosen, "machine": machine_record()}, out_dir / "model.pt")
    # Every epoch's view by each half, kept so that another selection rule can be scored
    # without training again.
    torch.save({"in_a": in_a, "epochs": [e.as_dict() for e in evaluate.epochs]},
               out_dir / "folds.pt")
    return ArmResult(result, counts, chosen)


def run_arms(arm: str, seeds: dict[int, Path | None], run_dir: Callable[[int], Path],
             metrics: Path, run_one: Callable[[int, Path | None, Path], ArmResult]
             ) -> list[dict]:
    """`run_one(seed, base checkpoint, run_dir(seed))` for every seed (seed -> its base's
    model.pt); writes `metrics` (dev.json: per seed the best epoch on all dev and the
    cross-fitted choice and scores), and beside it selection.csv (per seed and selection,
    the per-document counts) and history.csv (per seed, the learning curve)."""
    runs, counts, histories = [], [], []
    for seed, base in seeds.items():
        arm_run = run_one(seed, base, run_dir(seed))
        f1, ign_f1 = f1_from_counts(arm_run.cross_fit_counts.sum(axis=0))
        runs.append({"seed": seed, "best_epoch": arm_run.result.best_epoch,
                     "epochs": len(arm_run.result.history),
                     "dev": scalars(arm_run.result.best_dev),
                     "cross_fit": {**arm_run.chosen, "f1": float(f1), "ign_f1": float(ign_f1)}})
        counts += [counts_frame(arm_run.result.best_dev[DOCUMENTS]).assign(seed=seed,
                                                                            selection="all"),
                   counts_frame(arm_run.cross_fit_counts).assign(seed=seed,
                                                                 selection="cross_fit")]
        histories.append(pd.DataFrame(arm_run.result.history).assign(seed=seed))
    write_runs(metrics, arm, runs, histories)
    frame = (pd.concat(counts) if counts
             else counts_frame(np.zeros((0, 4))).assign(seed=0, selection=""))
    frame[["seed", "selection", *frame.columns[:-2]]].to_csv(metrics.parent / "selection.csv",
                                                             index=False)
    return runs


def write_runs(metrics: Path, arm: str, runs: list[dict], histories: list[pd.DataFrame]
               ) -> None:
    """dev.json (the runs of one arm) and history.csv (their learning curves, with a seed
    column) beside it."""
    metrics.parent.mkdir(parents=True, exist_ok=True)
    write_json(metrics, {"arm": arm, "runs": runs, "machine": machine_summary()}, indent=1)
    write_history(metrics.parent / "history.csv",
                  pd.concat(histories).to_dict("records") if histories else [])


def arm_seeds(arm: str, main_seed: int, main_base: Path | None, replicas: Path,
              extra: tuple[int, ...]) -> dict[int, Path | None]:
    """Seed -> the base checkpoint the arms stage starts `arm` from: the seeds_base
    replicate (replicas/seed<k>/model.pt) of every extra seed, and, for the arms without a
    main run (augment, rand), the schedule's seed's base first (`main_base`; None: from
    scratch)."""
    replicated = {seed: replicas / f"seed{seed}" / "model.pt" for seed in extra}
    return replicated if arm in MAIN_ARMS else {main_seed: main_base, **replicated}


def compare_arm(arm: str, loss: Loss, model: Any, finetuning: TrainConfig,
                comparison: ComparisonConfig, data_dir: Path, bases: dict[int, Path | None],
                out_dir: Path, metrics: Path, resume_of: Callable[[Path], Path | None],
                device: torch.device | None = None) -> list[dict]:
    """The arm (trained on `loss`) for every seed of `bases` (seed -> its base run's
    model.pt), each with its base's seed, into out_dir/seed<k>: the library's entry point of
    the arms stages. `resume_of(run directory)` says where a run keeps its resume state. out_dir holds
    seeds.json even with no seeds (control and sief without seeds.extra)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / "seeds.json", list(bases))
    return run_arms(arm, bases, lambda seed: out_dir / f"seed{seed}", metrics,
                    lambda seed, base, out: train_arm(
                        arm, loss, model, dataclasses.replace(finetuning, seed=seed), comparison,
                        data_dir, base, out, resume=resume_of(out), device=device))


def main_run(arm: str, loss: Loss, model: Any, finetuning: TrainConfig,
             comparison: ComparisonConfig, data_dir: Path, init: Path | None, out_dir: Path,
             metrics: Path, resume: Path | None, device: torch.device | None = None) -> None:
    """The main control or SIEF run (trained on `loss`) of a (dataset, model, encoder), the
    schedule's seed, into out_dir (model.pt): the entry point of the control and sief stages.
    On DocRED it is that seed's run of the arm, cross-fitted like the others; on DialogRE (no
    per-document counts) a plain fine-tuning run. Either way dev.json and history.csv go to `metrics`' folder."""
    if arm not in MAIN_ARMS:
        raise ConfigError(f"main run: {arm!r} is not one of {list(MAIN_ARMS)}")
    if load_meta(data_dir)["dataset"] == "docred":
        run_arms(arm, {finetuning.seed: init}, lambda seed: out_dir, metrics,
                 lambda seed, base, out: train_arm(arm, loss, model, finetuning, comparison,
                                                   data_dir, base, out, resume=resume,
                                                   device=device))
        return
    history = metrics.parent / "history.csv"
    result = train_run(model, finetuning, data_dir, out_dir, init=init, loss=loss,
                       resume=resume, history=history, device=device)
    write_runs(metrics, arm, [{"seed": finetuning.seed, "best_epoch": result.best_epoch,
                               "epochs": len(result.history), "dev": scalars(result.best_dev)}],
               [pd.DataFrame(result.history).assign(seed=finetuning.seed)])
