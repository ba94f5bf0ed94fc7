"""DocRED metrics, vectorised (reference-implementations.md 1.6).

`ranked_metrics`: the in-training evaluation of the DocRED/GAIN code (1.6.1). Every
(document, ordered pair, relation >= 1) candidate is ranked by score; F1 is the maximum of
the precision/recall curve and theta the score where it is reached; Ign F1 is the maximum
of its own curve (precision without correct in-train facts, recall NOT adjusted).
One deliberate difference: the curves are read only at the end of each block of tied
scores, the only points a threshold can realise (the original reads every rank, so the
order inside a tie, i.e. Python's list order, could decide the score). Predictions at
theta are `score >= theta`. Without ties both agree exactly.

`score_predictions`: the official `evaluation.py` formula (1.6.2) on a fixed prediction set.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from pipeline.data.document import Document


def ranked_metrics(score: np.ndarray, is_gold: np.ndarray, gold_in_train: np.ndarray,
                   n_gold: int) -> dict[str, float]:
    """Curve metrics over candidates. `gold_in_train` must imply `is_gold`."""
    if n_gold <= 0:
        raise ValueError("no gold facts: ranked metrics need a labelled split")
    if len(score) == 0:
        return {k: 0.0 for k in ("f1", "ign_f1", "theta", "precision", "recall", "auc",
                                 "ign_theta", "ign_precision")}
    order = np.argsort(-score, kind="stable")
    s = score[order]
    correct = np.cumsum(is_gold[order])                    # C_k
    correct_train = np.cumsum(gold_in_train[order])        # G_k
    ends = np.flatnonzero(np.append(s[1:] != s[:-1], True))  # last rank of each tie block
    k = ends + 1.0
    c, g = correct[ends].astype(float), correct_train[ends].astype(float)
    precision, recall = c / k, c / n_gold
    f1 = _f1(precision, recall)
    ign_precision = (c - g) / np.maximum(k - g, 1.0)
    ign_f1 = _f1(ign_precision, recall)
    best, best_ign = int(np.argmax(f1)), int(np.argmax(ign_f1))
    return {
        "f1": float(f1[best]),
        "theta": float(s[ends[best]]),
        "precision": float(precision[best]),
        "recall": float(recall[best]),
        "auc": float(np.trapezoid(precision, recall)) if len(ends) > 1 else 0.0,
        "ign_f1": float(ign_f1[best_ign]),
        "ign_theta": float(s[ends[best_ign]]),
        "ign_precision": float(ign_precision[best_ign]),
    }


def metrics_at_threshold(score: np.ndarray, is_gold: np.ndarray, gold_in_train: np.ndarray,
                         n_gold: int, theta: float) -> dict[str, float]:
    """P, R, F1 and Ign F1 of the fixed prediction set `score >= theta`."""
    predicted = score >= theta
    n_pred = int(predicted.sum())
    correct = int((predicted & is_gold).sum())
    correct_train = int((predicted & gold_in_train).sum())
    return _fixed_set(n_pred, correct, correct_train, n_gold)


def _fixed_set(n_pred: int, correct: int, correct_train: int, n_gold: int) -> dict[str, float]:
    precision = correct / n_pred if n_pred else 0.0
    recall = correct / n_gold if n_gold else 0.0
    denominator = n_pred - correct_train
    ign_precision = (correct - correct_train) / denominator if denominator > 0 else 0.0
    return {"precision": precision, "recall": recall,
            "f1": float(_f1(np.array(precision), np.array(recall))),
            "ign_precision": ign_precision,
            "ign_f1": float(_f1(np.array(ign_precision), np.array(recall))),
            "predictions": n_pred, "correct": correct, "correct_in_train": correct_train}


def _f1(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)


def score_predictions(predictions: Iterable[dict], docs: list[Document],
                      id2rel: list[str]) -> dict[str, float]:
    """The official DocRED scorer on predictions `{title, h_idx, t_idx, r[, evidence]}`.

    Duplicates (same title, h, t, r) count once; precision is over distinct predictions;
    Ign precision removes the *correct* predictions whose fact occurs in the annotated
    training set (Fact.in_train); recall is not adjusted. Evidence P/R/F1 as the official
    scorer: over correct predictions that carry an `evidence` list.
    """
    gold = {}
    for doc in docs:
        for f in doc.facts:
            gold[(doc.title, f.h, f.t, id2rel[f.r])] = f
    unique = {(p["title"], p["h_idx"], p["t_idx"], p["r"]): p for p in predictions}
    correct = correct_train = correct_evidence = predicted_evidence = 0
    for key, pred in unique.items():
        predicted_evidence += len(pred.get("evidence", []))
        fact = gold.get(key)
        if fact is None:
            continue
        correct += 1
        correct_train += fact.in_train
        correct_evidence += len(set(pred.get("evidence", [])) & set(fact.evidence))
    out = _fixed_set(len(unique), correct, correct_train, len(gold))
    gold_evidence = sum(len(f.evidence) for f in gold.values())
    evi_p = correct_evidence / predicted_evidence if predicted_evidence else 0.0
    evi_r = correct_evidence / gold_evidence if gold_evidence else 0.0
    out.update(evidence_precision=evi_p, evidence_recall=evi_r,
               evidence_f1=float(_f1(np.array(evi_p), np.array(evi_r))))
    return out
