"""A model over DialogRE instances: probabilities, dev F1 with T2 tuned, and F1c from the
model's predictions on every dialogue prefix (pipeline/evaluation/dialogre_metrics.py)."""
from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

import numpy as np
import torch

from pipeline.data.document import Document
from pipeline.data.features import Collate, DocFeatures
from pipeline.data.processed import Instance
from pipeline.evaluation.dialogre_metrics import decode, f1_score, f1c_score, tune_t2
from pipeline.evaluation.predict import predict_probs
from pipeline.progress import progress


def instance_probs(model: torch.nn.Module, features: Sequence[DocFeatures], collate: Collate,
                   batch_size: int, desc: str = "predict") -> np.ndarray:
    """[N, 36]: P of rids 1..36 for each instance (its one pair; column 0 = no relation)."""
    probs = predict_probs(model, features, collate, batch_size, desc)
    if any(len(p) != 1 for p in probs):
        raise ValueError("DialogRE features must score one pair per instance")
    return np.concatenate(probs)[:, 1:] if probs else np.zeros((0, 36))


def dialogre_evaluator(features: Sequence[DocFeatures], instances: list[Instance],
                       collate: Collate, batch_size: int) -> Callable[[torch.nn.Module], dict]:
    """For the training loop: dev F1 at the best T2 (select_by: f1)."""
    def evaluate(model: torch.nn.Module) -> dict:
        t2, metrics = tune_t2(instance_probs(model, features, collate, batch_size, "dev"),
                              instances)
        return {**metrics, "t2": t2}
    return evaluate


def prefix_probs(model: torch.nn.Module, docs: Sequence[Document],
                 featurize: Callable[[Document], DocFeatures], collate: Collate,
                 batch_size: int, desc: str = "prefixes") -> list[np.ndarray]:
    """Per instance [turns, 36]: P from turns 1..k for every k (the F1c inference)."""
    owners, prefixes = [], []
    for i, doc in enumerate(docs):
        for k in range(1, len(doc.sents) + 1):
            owners.append(i)
            prefixes.append(doc.keep_sentences(range(k)))
    probs = np.zeros((len(prefixes), 36))
    model.eval()
    with torch.inference_mode():
        for start in progress(range(0, len(prefixes), batch_size), desc=desc, unit="batch"):
            chunk = [featurize(d) for d in prefixes[start:start + batch_size]]
            probs[start:start + len(chunk)] = torch.sigmoid(model(collate(chunk)))[:, 1:].cpu()
    owners_arr = np.array(owners)
    return [probs[owners_arr == i] for i in range(len(docs))]


def score_split(probs: np.ndarray, prefixes: list[np.ndarray] | None,
                instances: list[Instance], t2: float) -> dict:
    """F1 at T2, how varied the answers are, and F1c when the prefix probabilities of these
    instances are given."""
    answers = decode(probs, t2)
    out = {"f1": f1_score(answers, instances), "instances": len(instances),
           **answer_spread(answers)}
    if prefixes is not None:
        out["f1c"] = f1c_score([decode(p, t2) for p in prefixes], instances[:len(prefixes)])
        out["f1c_instances"] = len(prefixes)
    return out


def answer_spread(answers: list[set[int]]) -> dict:
    """Has the model left the majority answer? The number of distinct predicted relation
    sets, and the share of instances given the most common one (1.0 = one answer for all)."""
    counts = Counter(frozenset(answer) for answer in answers)
    top = max(counts.values()) if counts else 0
    return {"distinct_answers": len(counts),
            "most_common_answer_share": top / len(answers) if answers else 0.0}
