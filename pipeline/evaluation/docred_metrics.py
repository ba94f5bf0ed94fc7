"""DocRED metrics, vectorised (reference-implementations.md 1.6).

`ranked_metrics`: the in-training evaluation of the DocRED/GAIN code (1.6.1). Every
(document, ordered pair, relation >= 1) candidate is ranked by score; F1 is the maximum of
the precision/recall curve and theta the score where it is reached; Ign F1 is the maximum
of its own curve (precision without correct in-train facts, recall NOT adjusted).
One deliberate difference: the curves are read only at the end of each block of tied
scores, the only points a threshold can realise (the original reads every rank, so the
order inside a tie, i.e. Python's list order, could decide the score). Predictions at
theta are `score >= theta`. Without ties both agree exactly. (Of those block ends only the
ones holding a gold candidate can change F1, Ign F1 or AUC, and only they are read.)

`score_predictions`: the official `evaluation.py` formula (1.6.2) on a fixed prediction set.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

import numpy as np

from pipeline.data.document import Document


def ranked_metrics(score: np.ndarray, is_gold: np.ndarray, gold_in_train: np.ndarray,
                   n_gold: int) -> dict[str, float]:
    """Curve metrics over candidates. `gold_in_train` must imply `is_gold`.

    Only the ends of tie blocks that hold a gold candidate can maximise F1 or Ign F1 (a block
    without one adds predictions and no correct one) or add AUC area (recall moves only
    there), so the curves are read at those ends alone (and at the first block's, which an
    all-zero curve picks): a few thousand points instead of one per candidate.
    """
    if n_gold <= 0:
        raise ValueError("no gold facts: ranked metrics need a labelled split")
    key, score_of = _sorted_keys(score, is_gold, gold_in_train)    # [N] ascending
    return _curve_metrics(key, score_of, n_gold)


def ranked_metrics_by_group(score: np.ndarray, is_gold: np.ndarray, gold_in_train: np.ndarray,
                            in_group: np.ndarray, n_gold: tuple[int, int]
                            ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """ranked_metrics of every candidate, of those `in_group` ([N] bool) and of the rest
    (n_gold: the gold facts of the group and of the rest), from one sort: the group rides as
    the lowest bit of each key, so either group's keys, picked out of the sorted whole, are
    sorted already (the cross-fitting halves, crossfit.py)."""
    if min(n_gold) <= 0:
        raise ValueError("no gold facts: ranked metrics need a labelled split")
    key, score_of = _sorted_keys(score, is_gold, gold_in_train, in_group)  # [N] ascending
    grouped = (key & np.uint64(1)).astype(bool)
    return (_curve_metrics(key >> np.uint64(1), score_of, sum(n_gold)),
            *(_curve_metrics(key[mask] >> np.uint64(1), score_of, n)
              for mask, n in ((grouped, n_gold[0]), (~grouped, n_gold[1]))))


def _curve_metrics(key: np.ndarray, score_of, n_gold: int) -> dict[str, float]:
    """The curve metrics of sorted keys (_sorted_keys' layout: score bits, gold, in train)."""
    if len(key) == 0:
        return {k: 0.0 for k in ("f1", "ign_f1", "theta", "precision", "recall", "auc",
                                 "ign_theta", "ign_precision")}
    flags = key.astype(np.uint8) & np.uint8(3)                      # [N] the low two bits
    gold_at = np.flatnonzero(flags & np.uint8(2))     # ranks of the gold candidates
    train_at = np.flatnonzero(flags & np.uint8(1))    # ranks of the gold in-train ones
    # A tie block = the keys with equal score bits: [bits << 2, bits << 2 | 3].
    block = np.unique(key[np.append(0, gold_at)] >> np.uint64(2)) << np.uint64(2)
    ends = np.searchsorted(key, block | np.uint64(3), side="right") - 1  # last ranks
    starts = np.searchsorted(key, block, side="left")                     # first ranks
    k = ends + 1.0                                                  # predictions at each end
    c = np.searchsorted(gold_at, ends, side="right").astype(float)  # C_k
    g = np.searchsorted(train_at, ends, side="right").astype(float)  # G_k
    c_before = np.searchsorted(gold_at, starts, side="left").astype(float)
    precision, recall = c / k, c / n_gold
    f1 = _f1(precision, recall)
    ign_precision = (c - g) / np.maximum(k - g, 1.0)
    ign_f1 = _f1(ign_precision, recall)
    best, best_ign = int(np.argmax(f1)), int(np.argmax(ign_f1))
    # Trapezoids over (recall, precision) from the previous block's end to each block's end;
    # only blocks with gold have width, and the first block has no predecessor.
    later = starts > 0
    auc = ((c - c_before)[later] / n_gold
           * (precision[later] + c_before[later] / np.maximum(starts[later], 1)) / 2).sum()
    return {
        "f1": float(f1[best]),
        "theta": score_of(block[best] >> np.uint64(2)),
        "precision": float(precision[best]),
        "recall": float(recall[best]),
        "auc": float(auc),
        "ign_f1": float(ign_f1[best_ign]),
        "ign_theta": score_of(block[best_ign] >> np.uint64(2)),
        "ign_precision": float(ign_precision[best_ign]),
    }


def _sorted_keys(score: np.ndarray, is_gold: np.ndarray, gold_in_train: np.ndarray,
                 low_bit: np.ndarray | None = None):
    """One uint64 per candidate, sorted: bits 2.. order the scores from high to low (tied
    scores get equal bits), bit 1 = gold, bit 0 = gold in train; and the function that turns
    a key's score bits (key >> 2) back into the score. With `low_bit` ([N] bool) every key
    is shifted up one bit to hold it at bit 0 (key >> 1 has the plain layout).

    float32 scores (what the models give) use their own bits, made order-preserving: a sort
    of plain integers, ~3x faster than argsort + gathers over the ~19 M dev candidates.
    Other dtypes use the rank among the distinct scores.
    """
    flags = (is_gold.astype(np.uint8) << np.uint8(1)) | gold_in_train  # [N] uint8
    shift = np.uint64(2)
    if low_bit is not None:
        flags = (flags << np.uint8(1)) | low_bit
        shift = np.uint64(3)
    if score.dtype == np.float32:
        bits = (score + np.float32(0)).view(np.uint32)  # + 0 turns -0.0 into 0.0
        # Flip every bit of a negative float, only the sign bit of the others: unsigned
        # order = float order. Then complement, so that ascending keys = descending scores.
        ordered = bits ^ np.where(bits >> 31, np.uint32(0xFFFFFFFF), np.uint32(0x80000000))
        key = np.invert(ordered, out=ordered).astype(np.uint64)
        key <<= shift
        np.bitwise_or(key, flags, out=key, casting="unsafe")
        _sort(key)

        def score_of(rank_bits: np.uint64) -> float:
            ordered = ~np.uint32(rank_bits)
            sign = np.uint32(0x80000000) if ordered >> 31 else np.uint32(0xFFFFFFFF)
            return float(np.array([ordered ^ sign], dtype=np.uint32).view(np.float32)[0])
        return key, score_of
    distinct, rank = np.unique(score, return_inverse=True)          # ascending
    key = ((len(distinct) - 1 - rank).astype(np.uint64) << shift) | flags
    _sort(key)
    return key, lambda rank_bits: float(distinct[len(distinct) - 1 - int(rank_bits)])


def _sort(values: np.ndarray) -> None:
    """values.sort() using every core: chunks sorted in threads (numpy's sort releases the
    GIL), then one timsort pass, which merges the sorted runs (1.28 s -> 0.74 s for the
    ~19 M dev candidates on 2 cores). The result is the same sorted array."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if workers < 2 or len(values) < 1_000_000:
        values.sort()
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(np.ndarray.sort, np.array_split(values, workers)))  # views, in place
    values.sort(kind="stable")


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


COUNT_COLUMNS = ("gold", "predicted", "correct", "correct_in_train")
"""The per-document counts behind F1 and Ign F1 of a fixed prediction set
(predict.document_counts); summed over documents they give the set's metrics."""


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
