"""The SIEF training objective (paper section 4; reference-implementations.md 3.4-3.9, 8.3).

Per step and document, one sentence n is drawn and removed (removal.py). With P = sigmoid of
the full-document logits and P-hat that of the reduced document, for every pair and
relation:
    g = P log(P / (P-hat + 1e-11))                       (importance score, Eq. 3)
    evidence = (g > beta) and gold-positive, NA never    (as the official code; the Rand
                                                          and NoMention heuristics judge
                                                          whole pairs instead)
    L_sf = sum_{not evidence} BCE(P-hat, P) / #(not evidence)   (Eq. 6)
    L = (L_rel + L_sf) / 2
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from pipeline.config import to_dict
from pipeline.data.document import Document
from pipeline.data.features import Batch, Collate, DocFeatures
from pipeline.data.processed import load_featurizer
from pipeline.sief.removal import Featurize, SentenceRemoval, importance_score, pairs_kept
from pipeline.training.objectives import Loss, relation_loss


@dataclass(frozen=True)
class SIEFConfig:
    """The SIEF loss (its schedule is the run's: params.yaml `schedules.<d>.<e>.finetune`)."""
    BOUNDS: ClassVar[dict[str, str]] = {"beta": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    beta: float = 0.8
    """Importance threshold: a removed sentence is evidence for (pair, r) when g > beta."""
    evidence_rule: Literal["score", "random", "no_mention"] = "score"
    """How the removed sentence is judged evidence: 'score' = g > beta, per gold (pair, r)
    (SIEF, as the official code); 'random' = one coin per pair, so a random half of the
    sentences is evidence for each pair (Table 5 'Rand'); 'no_mention' = evidence for a pair
    iff it mentions its head or tail (Table 5 'NoMention'). The two heuristics judge the
    pair, so their decision covers every relation of it, gold or not."""
    target: Literal["soft", "gold"] = "soft"
    """What P-hat is pulled toward: the full-document P (SIEF) or the gold labels
    (Table 6 'GTruth')."""
    detach_target: bool = False
    """Stop gradients through P (the official code does not: both passes learn)."""
    mask_vanished_pairs: bool = False
    """Leave pairs whose head or tail lost every mention out of L_sf. The official code
    means to but never does (a bookkeeping bug), so the faithful default is false."""
    stale_distance: bool = True
    """Keep the full document's distance buckets for the reduced one (official code)."""


def removal_evidence(cfg: SIEFConfig, p: torch.Tensor, p_hat: torch.Tensor, labels: torch.Tensor,
                     mentions_removed: torch.Tensor | None, rng: np.random.Generator
                     ) -> torch.Tensor:
    """[P, R] bool: the removed sentence is evidence for (pair, r), i.e. left out of L_sf.

    score (SIEF, as the official code): g > beta, for gold-positive relations only, NA never.
    random (the paper's Rand) and no_mention (NoMention) judge the sentence for the pair,
    not per relation: whether it is evidence does not depend on r, and it holds for every
    relation of the pair, gold or not, NA included (the pair's whole row leaves L_sf).
    random: one coin per pair (p = 1/2), so every pair sees a random half of the sentences
    as evidence, independently of the other pairs of the document. `mentions_removed` ([P]
    bool) is needed by the no_mention rule only: a sentence that mentions the head or the
    tail is evidence for the pair.
    """
    if cfg.evidence_rule == "score":  # g only where it can matter: gold, not NA
        evidence = torch.zeros_like(p, dtype=torch.bool)                         # [P, R]
        rows, cols = (labels[:, 1:] > 0).nonzero(as_tuple=True)                  # [G] each
        cols = cols + 1
        evidence[rows, cols] = importance_score(p[rows, cols], p_hat[rows, cols]) > cfg.beta
        return evidence
    if cfg.evidence_rule == "random":
        per_pair = torch.from_numpy(rng.random(p.shape[0]) < 0.5).to(p.device)   # [P]
    else:
        per_pair = mentions_removed                                              # [P]
    return per_pair[:, None].expand_as(p).clone()


class SIEFObjective:
    """L = (L_rel + L_sf) / 2 over one sentence removed per document; `na_in_loss` (the
    run's schedule, shared with its base and control runs) keeps the NA column in both."""

    def __init__(self, cfg: SIEFConfig, featurize: Featurize, collate: Collate, window: int,
                 na_in_loss: bool = True):
        self.cfg, self.collate, self.na_in_loss = cfg, collate, na_in_loss
        self.removal = SentenceRemoval(featurize, collate, window, cfg.stale_distance)

    def __call__(self, model: torch.nn.Module, docs: Sequence[Document],
                 features: list[DocFeatures], rng: np.random.Generator):
        cfg = self.cfg
        batch = self.collate(features)
        logits = model(batch)                                         # [P, R]
        removed, reduced, batch_hat = self.removal.draw(model, docs, batch, rng)
        logits_hat = model(batch_hat)                                 # [P, R], same pairs

        p = torch.sigmoid(logits)
        with torch.no_grad():
            mentions_removed = _mentions_removed(batch, docs, removed) \
                if cfg.evidence_rule == "no_mention" else None  # a loop over documents
            evidence = removal_evidence(cfg, p, torch.sigmoid(logits_hat), batch.labels,
                                        mentions_removed, rng)
        weight = (~evidence).float()                                  # [P, R]
        if cfg.mask_vanished_pairs:
            weight = weight * pairs_kept(batch, reduced)[:, None]
        target = batch.labels if cfg.target == "gold" else p
        if cfg.detach_target:
            target = target.detach()
        cols = slice(None) if self.na_in_loss else slice(1, None)
        loss_rel = relation_loss(logits, batch.labels, self.na_in_loss)
        bce = F.binary_cross_entropy_with_logits(logits_hat[:, cols], target[:, cols],
                                                 reduction="none")
        w = weight[:, cols]
        loss_sf = (w * bce).sum() / w.sum().clamp(min=1.0)
        loss = (loss_rel + loss_sf) / 2
        return loss, {"loss": loss.item(), "loss_rel": loss_rel.item(), "loss_sf": loss_sf.item(),
                      # the share of gold facts the removed sentence was evidence for
                      "evidence_rate": (evidence[:, 1:] & (batch.labels[:, 1:] > 0)).sum().item()
                      / max(1.0, batch.labels[:, 1:].sum().item())}


def _mentions_removed(batch: Batch, docs: Sequence[Document], removed: list[int]) -> torch.Tensor:
    """[P] bool: the removed sentence of the pair's document mentions its head or tail."""
    device = batch.pair_h.device
    hit = torch.zeros(len(batch.pair_h), dtype=torch.bool, device=device)
    for b, (doc, n) in enumerate(zip(docs, removed)):
        in_sentence = torch.tensor([any(m.sent_id == n for m in ms) for ms in doc.entities]
                                   or [False], device=device)
        rows = batch.pair_doc == b
        hit[rows] = in_sentence[batch.pair_h[rows]] | in_sentence[batch.pair_t[rows]]
    return hit


def sief_loss(cfg: SIEFConfig) -> Loss:
    """SIEF as train_run takes a loss: the objective over the processed dataset's featurizer
    and window, and `cfg` stored with the checkpoint."""
    def build(data_dir: Path, collate: Collate, na_in_loss: bool) -> SIEFObjective:
        featurize = load_featurizer(data_dir)
        return SIEFObjective(cfg, featurize, collate, window=featurize.max_tokens,
                             na_in_loss=na_in_loss)
    return Loss(build, to_dict(cfg))
