"""Sentence-removed predictions for gold facts, and the robustness metrics built on them.

For every document, every sentence inside the model's window is removed in turn (the
reduced documents are batched, not run one at a time) and the probability of each gold
fact is read from the full and the reduced document. Robustness uses the (fact, sentence)
points where the sentence is NOT gold evidence of the fact: |P - P-hat|, the scale-free
logit and relative gaps (pipeline/diagnostics/shift.py) and the share of decisions that flip
at theta. The same points feed Figure 5; all sentences feed the
evidence-prediction analysis (Table 4).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
import torch

from pipeline.data.document import Document, pair_index
from pipeline.data.features import Collate
from pipeline.evaluation.docred_metrics import ranked_metrics, score_predictions
from pipeline.diagnostics.shift import shift_measures
from pipeline.progress import progress
from pipeline.sief.removal import Featurize, importance_score, removable_sentences


@dataclass(frozen=True)
class RobustnessConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"max_docs": ">= 0", "batch_size": ">= 1"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    max_docs: int = 0
    """Use the first N dev documents that have facts with evidence (0 = all)."""
    batch_size: int = 32
    """Sentence-removed documents per forward pass."""


@dataclass
class FactProbs:
    """Probabilities of one document's gold facts with the full and reduced documents."""
    doc: int                 # index into the document list
    facts: np.ndarray        # [F, 3] (h, t, r)
    evidence: list[tuple]    # gold evidence sentences of each fact
    p: np.ndarray            # [F] with the full document
    p_hat: np.ndarray        # [S, F] with sentence n removed (S = removable sentences)


@torch.inference_mode()
def removal_probs(model: torch.nn.Module, docs: Sequence[Document], featurize: Featurize,
                  collate: Collate, window: int, batch_size: int,
                  facts: Sequence[np.ndarray] | None = None) -> list[FactProbs]:
    """P and P-hat of each document's gold facts, or of `facts[i]` ([F, 3] (h, t, r) per
    document, e.g. predicted ones; their evidence is the gold one where they are gold)."""
    model.eval()
    out = []
    for i, doc in enumerate(docs):
        wanted = _gold_facts(doc) if facts is None else np.asarray(facts[i]).reshape(-1, 3)
        gold = {(f.h, f.t, f.r): f.evidence for f in doc.facts}
        out.append(FactProbs(i, wanted, [gold.get(tuple(f), ()) for f in wanted.tolist()],
                             np.zeros(len(wanted)),
                             np.zeros((removable_sentences(model, doc, window), len(wanted)))))
    # a pass = (position in `out`, removed sentence or -1 for the full document)
    passes = [(k, n) for k, fp in enumerate(out) for n in range(-1, fp.p_hat.shape[0])]
    for start in progress(range(0, len(passes), batch_size), desc="sentence removal", unit="batch"):
        chunk = passes[start:start + batch_size]
        inputs = [docs[out[k].doc] if n < 0 else docs[out[k].doc].remove_sentence(n)
                  for k, n in chunk]
        batch = collate([featurize(d) for d in inputs])
        probs = torch.sigmoid(model(batch)).cpu().numpy()             # [P, R]
        for b, (k, n) in enumerate(chunk):
            fp = out[k]
            rows = batch.pair_offsets[b] + pair_index(inputs[b].num_entities,
                                                      fp.facts[:, 0], fp.facts[:, 1])
            values = probs[rows, fp.facts[:, 2]] if len(fp.facts) else np.zeros(0)
            if n < 0:
                fp.p[:] = values
            else:
                fp.p_hat[n] = values
    return out


def _gold_facts(doc: Document) -> np.ndarray:
    return np.array([(f.h, f.t, f.r) for f in doc.facts], dtype=np.int64).reshape(-1, 3)


def non_evidence_points(fact_probs: Sequence[FactProbs], docs: Sequence[Document]) -> dict:
    """Columns (doc title, h, t, r, sentence, p, p_hat) for every fact with gold evidence
    and every sentence in the window that is not part of that evidence."""
    cols = {k: [] for k in ("title", "h", "t", "r", "sentence", "p", "p_hat")}
    for fp in fact_probs:
        for j, evidence in enumerate(fp.evidence):
            if not evidence:
                continue
            for n in range(fp.p_hat.shape[0]):
                if n in evidence:
                    continue
                h, t, r = fp.facts[j].tolist()
                for key, value in zip(cols, (docs[fp.doc].title, h, t, r, n, fp.p[j],
                                             fp.p_hat[n, j])):
                    cols[key].append(value)
    return cols


def importance(fp: FactProbs) -> np.ndarray:
    """[S, F] g = P log(P / P-hat) of each removable sentence for each fact."""
    return importance_score(torch.from_numpy(fp.p)[None, :], torch.from_numpy(fp.p_hat)).numpy()


def facts_with_predictions(docs: Sequence[Document], rows: Sequence[dict],
                           rel2id: dict[str, int], with_gold: bool = True) -> list[np.ndarray]:
    """Per document [F, 3]: its gold facts (unless not `with_gold`), then the predicted
    facts (result.json `rows`) not among them; one removal pass then serves the gold-fact
    measures and the predictions' evidence."""
    predicted: dict[str, list[tuple[int, int, int]]] = {}
    for row in rows:
        predicted.setdefault(row["title"], []).append(
            (row["h_idx"], row["t_idx"], rel2id[row["r"]]))
    out = []
    for doc in docs:
        gold = [(f.h, f.t, f.r) for f in doc.facts] if with_gold else []
        extra = [fact for fact in predicted.get(doc.title, []) if fact not in set(gold)]
        out.append(np.array(gold + extra, dtype=np.int64).reshape(-1, 3))
    return out


def explain_rows(fact_probs: Sequence[FactProbs], docs: Sequence[Document],
                 rows: Sequence[dict], tau: float, rel2id: dict[str, int]
                 ) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """For each prediction row (title, h_idx, t_idx, r), which removal_probs scored: its
    evidence, the sentences with g >= tau, and g of every removable sentence [S]."""
    column = {}
    for fp in fact_probs:
        g = importance(fp)                                                    # [S, F]
        for j, (h, t, r) in enumerate(fp.facts.tolist()):
            column[(docs[fp.doc].title, h, t, r)] = g[:, j]
    out = []
    for row in rows:
        g = column[(row["title"], row["h_idx"], row["t_idx"], rel2id[row["r"]])]
        out.append((tuple(int(n) for n in np.flatnonzero(g >= tau)), g))
    return out


def predicted_evidence_metrics(fact_probs: Sequence[FactProbs], docs: list[Document],
                               rows: Sequence[dict], tau: float,
                               rel2id: dict[str, int], id2rel: list[str]) -> dict:
    """Evi F1 of predicted facts (the official scorer's): every prediction at theta carries
    the sentences with g >= tau as its `evidence`; the relation F1 of the same rows."""
    explained = [{**row, "evidence": list(evidence)}
                 for row, (evidence, _) in zip(rows, explain_rows(fact_probs, docs, rows, tau,
                                                                   rel2id))]
    official = score_predictions(explained, docs, id2rel)
    return {"f1": official["evidence_f1"], "precision": official["evidence_precision"],
            "recall": official["evidence_recall"], "tau": tau,
            "predictions": official["predictions"], "relation_f1": official["f1"],
            "evidence_per_prediction": (sum(len(r["evidence"]) for r in explained)
                                        / max(len(explained), 1))}


def evidence_metrics(fact_probs: Sequence[FactProbs], docs: Sequence[Document]) -> dict:
    """Evidence prediction from importance scores (Table 4).

    For every gold fact with annotated evidence and every sentence of its document, the
    sentence is predicted as evidence when g = P log(P / P-hat) > tau; micro P/R/F1 over
    (fact, sentence) decisions, tau chosen where F1 is highest (the ranked curve). Gold
    evidence sentences outside the model's window cannot be scored and count as missed.
    """
    scores, labels, n_gold = [], [], 0
    for fp in fact_probs:
        g = importance(fp)                                                    # [S, F]
        for j, evidence in enumerate(fp.evidence):
            if evidence:
                scores.append(g[:, j])
                labels.append(np.isin(np.arange(len(g)), evidence))
                n_gold += len(evidence)
    if not scores:
        raise ValueError("no dev fact has annotated evidence")
    score, label = np.concatenate(scores), np.concatenate(labels)
    curve = ranked_metrics(score, label, np.zeros_like(label), n_gold)
    return {"f1": curve["f1"], "precision": curve["precision"], "recall": curve["recall"],
            "tau": curve["theta"], "decisions": int(len(score)), "gold_sentences": n_gold}


def robustness_metrics(points: dict, theta: float) -> dict[str, float]:
    p, p_hat = np.asarray(points["p"], dtype=float), np.asarray(points["p_hat"], dtype=float)
    if len(p) == 0:
        raise ValueError("no (fact, non-evidence sentence) points: no dev fact has evidence")
    diff = np.abs(p - p_hat)
    return {"points": int(len(p)),
            "facts": len({(a, b, c, d) for a, b, c, d in
                          zip(points["title"], points["h"], points["t"], points["r"])}),
            **shift_measures(p, p_hat, theta),
            "median_abs_diff": float(np.median(diff)),
            "p90_abs_diff": float(np.quantile(diff, 0.9)),
            "share_diff_over_0.1": float((diff > 0.1).mean()),
            "mean_signed_change": float((p_hat - p).mean())}
