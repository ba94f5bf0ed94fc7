"""The dev evaluation of the training loop, chosen by dataset (big_vision's evaluator table).

Each entry takes the processed directory, its dev split, the collate and a batch size, and
returns `evaluate(model) -> dev metrics`, which hold the schedule's `select_by` key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch

from pipeline.data.features import Collate
from pipeline.data.processed import Processed, load_instances
from pipeline.evaluation.dialogre import dialogre_evaluator
from pipeline.evaluation.predict import evaluate_with_counts, predict_probs

Evaluate = Callable[[torch.nn.Module], dict]
"""The training loop's dev evaluation: model -> dev metrics."""


def docred_dev(data_dir: Path, dev: Processed, batcher: Collate, batch_size: int) -> Evaluate:
    """DocRED: the ranked metrics (F1, Ign F1, theta, AUC) of every dev pair, and under
    `documents` the per-document counts at theta (for the paired bootstrap over documents)."""
    def evaluate(model: torch.nn.Module) -> dict:
        probs = predict_probs(model, dev.features, batcher, batch_size, desc="dev")
        metrics, counts = evaluate_with_counts(dev.docs, probs)
        return {**metrics, DOCUMENTS: counts}
    return evaluate


def dialogre_dev(data_dir: Path, dev: Processed, batcher: Collate, batch_size: int) -> Evaluate:
    """DialogRE: F1 at the dev-tuned T2 (DialogRE has no Ign F1)."""
    return dialogre_evaluator(dev.features, load_instances(data_dir, "dev"), batcher, batch_size)


DOCUMENTS = "documents"
"""Key of the per-document counts ([D, 4] array) in a DocRED dev evaluation; not a metric."""


def scalars(dev: dict) -> dict:
    """The dev metrics without the per-document counts (what metrics files hold)."""
    return {key: value for key, value in dev.items() if key != DOCUMENTS}


DEV_EVALUATORS: dict[str, Callable[[Path, Processed, Collate, int], Evaluate]] = {
    "docred": docred_dev,
    "dialogre": dialogre_dev,
}
"""Dataset (processed meta.json `dataset`) -> dev evaluator of the training loop."""

SELECTABLE = {"docred": ("ign_f1", "f1"), "dialogre": ("f1",)}
"""Dev metrics a schedule's `select_by` may name, per dataset."""
