"""Intra- and inter-sentence scores (Table 3)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pipeline.data.document import Document
from pipeline.evaluation.docred_metrics import metrics_at_threshold, ranked_metrics
from pipeline.evaluation.predict import candidates


def intra_pairs(doc: Document) -> np.ndarray:
    """[pairs] bool, h-major: some mention of h and some mention of t share a sentence."""
    incidence = np.zeros((doc.num_entities, len(doc.sents)), dtype=np.int64)  # [E, S]
    for e, mentions in enumerate(doc.entities):
        incidence[e, [m.sent_id for m in mentions]] = 1
    shared = (incidence @ incidence.T) > 0                                     # [E, E]
    return shared[~np.eye(doc.num_entities, dtype=bool)]


def category_metrics(docs: Sequence[Document], probs: Sequence[np.ndarray],
                     theta: float) -> dict[str, dict[str, float]]:
    """Intra- and inter-sentence P/R/F1 at theta (Table 3; Nan et al. 2020 convention),
    and the maximum of each category's own ranked curve for comparison."""
    score, is_gold, in_train, _ = candidates(docs, probs)
    intra = np.concatenate([np.repeat(intra_pairs(d), p.shape[1] - 1)
                            for d, p in zip(docs, probs)]) if probs else np.zeros(0, bool)
    out = {}
    for name, mask in (("intra", intra), ("inter", ~intra)):
        n_gold = int(is_gold[mask].sum())
        at = metrics_at_threshold(score[mask], is_gold[mask], in_train[mask], n_gold, theta)
        curve = ranked_metrics(score[mask], is_gold[mask], in_train[mask], n_gold) \
            if n_gold else {"f1": 0.0}
        out[name] = {"f1": at["f1"], "precision": at["precision"], "recall": at["recall"],
                     "gold": n_gold, "f1_curve_max": curve["f1"]}
    return out
