"""Run a model over documents and turn its probabilities into DocRED candidates/files."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch

from pipeline.data.document import Document, pair_index
from pipeline.data.features import Collate, DocFeatures
from pipeline.evaluation.docred_metrics import (COUNT_COLUMNS, metrics_at_threshold,
                                               ranked_metrics)
from pipeline.progress import progress


@torch.inference_mode()
def predict_probs(model: torch.nn.Module, features: Sequence[DocFeatures], collate: Collate,
                  batch_size: int, desc: str = "predict") -> list[np.ndarray]:
    """Sigmoid probabilities per document, [pairs of the document, R] each (h-major pairs)."""
    model.eval()
    out: list[np.ndarray] = []
    starts = range(0, len(features), batch_size)
    for start in progress(starts, desc=desc, unit="batch"):
        batch = collate(list(features[start:start + batch_size]))
        probs = torch.sigmoid(model(batch)).cpu().numpy()
        ends = batch.pair_offsets[1:] + [len(probs)]
        out.extend(probs[a:b] for a, b in zip(batch.pair_offsets, ends))
    return out


def candidates(docs: Sequence[Document], probs: Sequence[np.ndarray]):
    """Flat (score, is_gold, gold_in_train, n_gold) over every (doc, pair, relation >= 1)."""
    scores = np.concatenate([p[:, 1:].ravel() for p in probs]) if probs else np.zeros(0)
    is_gold = np.zeros(len(scores), dtype=bool)
    in_train = np.zeros(len(scores), dtype=bool)
    offset, n_gold = 0, 0
    for doc, p in zip(docs, probs):
        n_rel = p.shape[1] - 1
        for f in doc.facts:
            idx = offset + pair_index(doc.num_entities, f.h, f.t) * n_rel + f.r - 1
            is_gold[idx] = True
            in_train[idx] = f.in_train
        n_gold += len(doc.facts)
        offset += p[:, 1:].size
    # float32 as the model produced them: theta round-trips exactly through float().
    return scores.astype(np.float32), is_gold, in_train, n_gold


def evaluate_probs(docs: Sequence[Document], probs: Sequence[np.ndarray],
                   theta: float | None = None) -> dict[str, float]:
    """Ranked metrics, plus the fixed-set metrics at `theta` (default: the F1 theta)."""
    return _metrics(candidates(docs, probs), theta)


def document_counts(docs: Sequence[Document], probs: Sequence[np.ndarray],
                    theta: float) -> np.ndarray:
    """[D, 4] int64 counts per document (COUNT_COLUMNS) of the prediction set
    `score >= theta`: gold facts, predictions, correct ones, correct ones whose fact is in the
    training set. Summed over any subset of documents they give that subset's F1 and Ign F1
    (the paired bootstrap)."""
    return counts_at(docs, probs, candidates(docs, probs), theta)


def evaluate_with_counts(docs: Sequence[Document], probs: Sequence[np.ndarray]
                         ) -> tuple[dict[str, float], np.ndarray]:
    """evaluate_probs and the document_counts at its F1 theta, from one pass of candidates()
    (the dev evaluation of every epoch)."""
    found = candidates(docs, probs)
    metrics = _metrics(found, None)
    return metrics, counts_at(docs, probs, found, metrics["theta"])


def _metrics(found: tuple, theta: float | None) -> dict[str, float]:
    score, is_gold, in_train, n_gold = found
    metrics = ranked_metrics(score, is_gold, in_train, n_gold)
    at = metrics_at_threshold(score, is_gold, in_train, n_gold,
                              metrics["theta"] if theta is None else theta)
    metrics.update({f"at_theta_{k}": v for k, v in at.items()})
    return metrics


def counts_at(docs: Sequence[Document], probs: Sequence[np.ndarray], found: tuple,
              theta: float) -> np.ndarray:
    """document_counts from the candidates() of the same documents and probabilities."""
    score, is_gold, in_train, _ = found
    # Only the predictions are looked up (a few thousand of the ~19 M dev candidates).
    starts = np.cumsum([0] + [p[:, 1:].size for p in probs[:-1]])  # [D] first candidate
    hit = np.flatnonzero(score >= np.float32(theta))               # [K] predicted candidates
    doc_of = np.searchsorted(starts, hit, side="right") - 1        # [K] their documents
    counts = [np.bincount(doc_of[mask], minlength=len(docs))
              for mask in (slice(None), is_gold[hit], in_train[hit])]
    gold = np.array([len(doc.facts) for doc in docs], dtype=np.int64)
    return np.stack([gold, *counts], axis=1).astype(np.int64)


def predictions_above(docs: Sequence[Document], probs: Sequence[np.ndarray], theta: float,
                      id2rel: Sequence[str]) -> list[dict]:
    """Leaderboard `result.json` rows: every (h, t, r >= 1) whose probability is >= theta."""
    rows = []
    for doc, p in zip(docs, probs):
        E = doc.num_entities
        pair_ids, rels = np.nonzero(p[:, 1:] >= theta)
        for k, r in zip(pair_ids.tolist(), (rels + 1).tolist()):
            h = k // (E - 1)
            t = k % (E - 1)
            t = t + 1 if t >= h else t
            rows.append({"title": doc.title, "h_idx": h, "t_idx": t, "r": id2rel[r],
                         "score": round(float(p[k, r]), 6)})
    return rows


def counts_frame(counts: np.ndarray) -> pd.DataFrame:
    """Per-document dev counts ([D, 4], document_counts) as a table with a document index."""
    frame = pd.DataFrame(np.asarray(counts, dtype=np.int64), columns=list(COUNT_COLUMNS))
    frame.insert(0, "document", np.arange(len(frame)))
    return frame
