"""DialogRE F1 and conversational F1c, as nlpdata/dialogre's evaluate.py
(reference-implementations.md 5.4).

Relation ids are the data's, 1-based: 1..36 are relations, 37 is "unanswerable". A model's
scores are sigmoid probabilities [N, 36] for rids 1..36 (column j is rid j + 1).

Decoding (`decode`): every rid with P > T1 = 0.5; if none, the argmax when its P > T2,
else unanswerable. T2 in {0.00, 0.01, ..., 0.50} is chosen on dev F1 (`tune_t2`, first
maximum, as the original loop) and reused for test and F1c.

F1: micro precision / recall over predicted vs gold rids, unanswerable excluded; precision
is 1 when nothing is predicted. F1c: the model predicts on every prefix of the dialogue
(turns 1..k); a relation counts at prefix k only when it is answerable there (`answerable`):
both arguments have appeared (lower-cased substring of a turn <= k), and for a gold
relation its trigger has appeared (an empty trigger: only at the last turn); at the last
turn everything is answerable. Per instance, sums over k of |O & L & E|, |O & E|, |L & E|
give P_c and R_c, which are macro-averaged over instances; F1c = 2PR / (P + R).
"""
from __future__ import annotations

import numpy as np

from pipeline.data.processed import NUM_RELATIONS, UNANSWERABLE, Instance

T1 = 0.5
T2_GRID = tuple(round(0.01 * i, 2) for i in range(51))


def decode(probs: np.ndarray, t2: float, t1: float = T1) -> list[set[int]]:
    """[N, 36] probabilities -> predicted rid sets ({37} = unanswerable)."""
    out = []
    for row in np.asarray(probs, dtype=float):
        chosen = {int(j) + 1 for j in np.flatnonzero(row > t1)}
        if not chosen:
            best = int(np.argmax(row))
            chosen = {best + 1} if row[best] > t2 else {UNANSWERABLE}
        out.append(chosen)
    return out


def _prf(correct: int, predicted: int, gold: int) -> tuple[float, float]:
    precision = correct / predicted if predicted else 1.0
    recall = correct / gold if gold else 0.0
    return precision, recall


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def f1_score(predictions: list[set[int]], instances: list[Instance]) -> dict:
    """Micro P/R/F1 over relations, unanswerable excluded."""
    correct = predicted = gold = 0
    for pred, inst in zip(predictions, instances, strict=True):
        gold_set = set(inst.rids) - {UNANSWERABLE}
        pred_set = pred - {UNANSWERABLE}
        correct += len(pred_set & gold_set)
        predicted += len(pred_set)
        gold += len(gold_set)
    precision, recall = _prf(correct, predicted, gold)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def tune_t2(probs: np.ndarray, instances: list[Instance]) -> tuple[float, dict]:
    """The T2 of the grid with the best dev F1 (the first one on ties), and its metrics."""
    best_t2, best = T2_GRID[0], None
    for t2 in T2_GRID:
        metrics = f1_score(decode(probs, t2), instances)
        if best is None or metrics["f1"] > best["f1"]:
            best_t2, best = t2, metrics
    return best_t2, best


def answerable(inst: Instance) -> list[set[int]]:
    """E_k for every prefix k = 1..n: the rids (1..36) answerable after turn k."""
    x, y = inst.x.lower().strip(), inst.y.lower().strip()
    trigger = {r: t.lower().strip() for r, t in zip(inst.rids, inst.triggers)
               if r != UNANSWERABLE}
    gold = set(trigger)
    seen_trigger = {r: r not in gold for r in range(1, NUM_RELATIONS + 1)}
    seen_x = seen_y = False
    out = []
    for k, turn in enumerate(inst.turns):
        text = turn.lower()
        seen_x = seen_x or x in text
        seen_y = seen_y or y in text
        last = k == len(inst.turns) - 1
        if last:
            seen_x = seen_y = True
        for r in seen_trigger:
            if last or (r in trigger and trigger[r] and trigger[r] in text):
                seen_trigger[r] = True
        out.append({r for r, seen in seen_trigger.items() if seen_x and seen_y and seen})
    return out


def f1c_score(prefix_predictions: list[list[set[int]]], instances: list[Instance]) -> dict:
    """`prefix_predictions[i][k]`: the rids predicted for instance i from turns 1..k+1."""
    precisions, recalls = [], []
    for preds, inst in zip(prefix_predictions, instances, strict=True):
        if len(preds) != len(inst.turns):
            raise ValueError(f"{len(preds)} prefix predictions for {len(inst.turns)} turns")
        gold = set(inst.rids) - {UNANSWERABLE}
        correct = predicted = gold_count = 0
        for pred, able in zip(preds, answerable(inst)):
            pred = pred - {UNANSWERABLE}
            correct += len(pred & gold & able)
            predicted += len(pred & able)
            gold_count += len(gold & able)
        precision, recall = _prf(correct, predicted, gold_count)
        precisions.append(precision)
        recalls.append(recall)
    precision = float(np.mean(precisions)) if precisions else 1.0
    recall = float(np.mean(recalls)) if recalls else 0.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}
