"""SIEF on hand-made documents: score, evidence rules, loss, robustness."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pipeline.sief.objective import SIEFConfig, SIEFObjective, _mentions_removed, removal_evidence
from pipeline.sief.removal import importance_score, pairs_kept
from pipeline.diagnostics.robustness import non_evidence_points, removal_probs, robustness_metrics
from tests.helpers import (TINY_CONFIGS, random_doc, three_sentence_doc, tiny_bilstm, tiny_model,
                           tiny_setup, train_steps)


def test_importance_score_by_hand():
    p = torch.tensor([0.9, 0.9, 0.0, 0.5])
    p_hat = torch.tensor([0.3, 0.9, 0.4, 0.8])
    g = importance_score(p, p_hat)
    assert g[0].item() == pytest.approx(0.9 * math.log(3), rel=1e-5)  # 0.98875 > 0.8
    assert g[1].item() == pytest.approx(0.0, abs=1e-6)                # unchanged
    assert g[2].item() == 0.0                                         # P = 0: no NaN
    assert g[3].item() < 0                                            # P-hat rose


def test_score_rule_marks_only_gold_positive_relations():
    # One pair, columns NA, r1 (gold), r2 (not gold). P-hat collapses on every column.
    p = torch.tensor([[0.9, 0.9, 0.9]])
    p_hat = torch.tensor([[0.3, 0.3, 0.3]])
    labels = torch.tensor([[1.0, 1.0, 0.0]])  # NA label set too: NA is never evidence
    ev = removal_evidence(SIEFConfig(beta=0.8), p, p_hat, labels, torch.tensor([True]),
                          np.random.default_rng(0))
    assert ev.tolist() == [[False, True, False]]
    ev = removal_evidence(SIEFConfig(beta=1.0), p, p_hat, labels, torch.tensor([True]),
                          np.random.default_rng(0))
    assert ev.tolist() == [[False, False, False]]  # g = 0.989 < 1.0: non-evidence


def test_score_rule_matches_the_dense_form():
    """Oracle: g over every (pair, r), then masked to gold non-NA relations (the form before
    the score was computed on gold entries only)."""
    gen = torch.Generator().manual_seed(0)
    p, p_hat = torch.rand(300, 7, generator=gen), torch.rand(300, 7, generator=gen)
    labels = (torch.rand(300, 7, generator=gen) < 0.3).float()
    for beta in (0.0, 0.3, 0.8):
        dense = (importance_score(p, p_hat) > beta) & (labels > 0)
        dense[:, 0] = False
        ev = removal_evidence(SIEFConfig(beta=beta), p, p_hat, labels, None,
                              np.random.default_rng(0))
        assert dense.any() and torch.equal(ev, dense)


def test_no_mention_rule_judges_whole_pairs():
    doc = three_sentence_doc()
    featurize, batcher, _ = tiny_setup([doc])
    batch = batcher([featurize(doc)])
    labels = batch.labels                                   # pairs (0,1) (0,2) (1,0) ... [6, R]
    assert labels[:, 1:].sum() < labels[:, 1:].numel()      # some relations are not gold

    def evidence(mentions_removed):
        return removal_evidence(SIEFConfig(evidence_rule="no_mention"), torch.rand_like(labels),
                                torch.rand_like(labels), labels, mentions_removed,
                                np.random.default_rng(0))
    # "It rains ." (sentence 1) mentions nobody: non-evidence for every pair and relation.
    assert not evidence(_mentions_removed(batch, [doc], [1])).any()
    # Sentence 0 mentions Anna (0) and Paris (1), and every pair has one of them: evidence
    # for every pair, on all its relations (gold or not, NA included).
    assert evidence(_mentions_removed(batch, [doc], [0])).all()
    # A sentence that mentions only some pairs' entities: those pairs' whole rows.
    some = torch.tensor([True, False, False, True, False, False])
    assert evidence(some).tolist() == [[bool(x)] * labels.shape[1] for x in some]


def test_rand_rule_one_coin_per_pair_for_every_relation():
    labels = torch.zeros(400, 5)
    labels[::3, 2] = 1.0                                    # gold facts on some pairs only
    ev = removal_evidence(SIEFConfig(evidence_rule="random"), torch.rand(400, 5),
                          torch.rand(400, 5), labels, None, np.random.default_rng(0))
    assert (ev == ev[:, :1]).all()                          # the pair's row shares its coin
    assert 0.4 < ev[:, 0].float().mean() < 0.6             # about half the pairs
    assert ev[labels[:, 2] == 0].any()                      # not only gold cells
    same = removal_evidence(SIEFConfig(evidence_rule="random"), torch.rand(400, 5),
                            torch.rand(400, 5), torch.ones(400, 5), None,
                            np.random.default_rng(0))
    assert torch.equal(ev, same)                            # the labels do not enter it


def test_vanished_pairs_mask():
    doc = three_sentence_doc()
    featurize, batcher, _ = tiny_setup([doc])
    batch = batcher([featurize(doc)])
    kept = pairs_kept(batch, [doc.remove_sentence(2)])  # Bob (2) vanishes
    # pairs h-major: (0,1) (0,2) (1,0) (1,2) (2,0) (2,1)
    assert kept.tolist() == [1, 0, 1, 0, 0, 0]


def _objective_setup(**overrides):
    rng = np.random.default_rng(5)
    docs = [random_doc(rng, f"d{i}") for i in range(4)]
    featurize, batcher, dims = tiny_setup(docs)
    cfg = SIEFConfig(**overrides)
    return docs, [featurize(d) for d in docs], featurize, batcher, dims, cfg


ENCODERS = [(name, {}) for name in sorted(TINY_CONFIGS)] + [("gain", {"encoder": "transformer"})]


@pytest.mark.parametrize("name,overrides", ENCODERS)
def test_sief_loss_by_recomputation(name, overrides):
    docs, features, featurize, batcher, dims, cfg = _objective_setup(beta=0.8, stale_distance=False)
    model = tiny_model(name, dims, **overrides).eval()  # no dropout: both computations see the same network
    loss, logs = SIEFObjective(cfg, featurize, batcher, window=64)(
        model, docs, features, np.random.default_rng(11))
    # Recompute by hand with the same sentence draws.
    rng = np.random.default_rng(11)
    removed = [int(rng.integers(len(d.sents))) for d in docs]
    batch = batcher(features)
    z = model(batch)
    z_hat = model(batcher([featurize(d.remove_sentence(n)) for d, n in zip(docs, removed)]))
    p, p_hat = torch.sigmoid(z), torch.sigmoid(z_hat)
    g = p * torch.log(p / (p_hat + 1e-11))
    evidence = (g > 0.8) & (batch.labels > 0)
    evidence[:, 0] = False
    w = (~evidence).float()
    l_rel = F.binary_cross_entropy_with_logits(z, batch.labels)
    l_sf = (w * F.binary_cross_entropy_with_logits(z_hat, p, reduction="none")).sum() / w.sum()
    assert loss.item() == pytest.approx(((l_rel + l_sf) / 2).item(), rel=1e-5)
    assert logs["loss_rel"] == pytest.approx(l_rel.item(), rel=1e-5)


def _by_hand(model, docs, features, featurize, batcher, draws):
    """The full and reduced logits with the sentence draws SIEF makes from `draws`."""
    removed = [int(draws.integers(len(d.sents))) for d in docs]
    batch = batcher(features)
    z = model(batch)
    z_hat = model(batcher([featurize(d.remove_sentence(n)) for d, n in zip(docs, removed)]))
    return batch, removed, z, z_hat


@pytest.mark.parametrize("variant", ["score", "random", "no_mention", "gold"])
def test_every_variant_by_recomputation_with_evidence_present(variant):
    """Each variant's loss recomputed from its own definition (SIEF's at a beta where some
    gold cells are evidence and some are not): Rand's evidence is a coin per pair drawn
    after the sentences, NoMention's the pairs whose head or tail the removed sentence
    mentions, GTruth pulls P-hat toward the gold labels."""
    docs, features, featurize, batcher, dims, _ = _objective_setup()
    model = tiny_bilstm(dims).eval()
    draws = np.random.default_rng(11)
    batch, removed, z, z_hat = _by_hand(model, docs, features, featurize, batcher, draws)
    p, p_hat = torch.sigmoid(z), torch.sigmoid(z_hat)
    gold = batch.labels > 0
    gold[:, 0] = False
    g = p * torch.log(p / (p_hat + 1e-11))
    ranked = g[gold].sort().values                 # beta just under the middle gold
    middle = len(ranked) // 2                      # cell's score: that cell is evidence,
    beta = float(ranked[middle]) * 0.999           # the one below it is not
    assert ranked[middle - 1] < beta
    if variant in ("score", "gold"):
        evidence = (g > beta) & gold
        assert 0 < int(evidence.sum()) < int(gold.sum())   # both kinds of cell occur
    elif variant == "random":
        evidence = torch.from_numpy(draws.random(len(p)) < 0.5)[:, None].expand_as(p)
    else:
        mentioned = [[any(m.sent_id == n for m in ms) for ms in d.entities]
                     for d, n in zip(docs, removed)]
        rows = [mentioned[b][h] or mentioned[b][t] for b, h, t in
                zip(batch.pair_doc.tolist(), batch.pair_h.tolist(), batch.pair_t.tolist())]
        evidence = torch.tensor(rows)[:, None].expand_as(p)
    assert 0 < int(evidence.sum()) < evidence.numel()
    target = batch.labels if variant == "gold" else p
    w = (~evidence).float()
    l_rel = F.binary_cross_entropy_with_logits(z, batch.labels)
    l_sf = (w * F.binary_cross_entropy_with_logits(z_hat, target, reduction="none")).sum() / w.sum()
    cfg = SIEFConfig(beta=beta, stale_distance=False,
                     evidence_rule="score" if variant == "gold" else variant,
                     target="gold" if variant == "gold" else "soft")
    loss, logs = SIEFObjective(cfg, featurize, batcher, window=64)(
        model, docs, features, np.random.default_rng(11))
    assert logs["loss_sf"] == pytest.approx(l_sf.item(), rel=1e-5)
    assert loss.item() == pytest.approx(((l_rel + l_sf) / 2).item(), rel=1e-5)
    assert logs["evidence_rate"] == pytest.approx(int((evidence & gold).sum()) / int(gold.sum()))


def test_the_schedules_na_option_reaches_the_relation_loss_and_sief():
    from pipeline.training.objectives import RelationObjective
    docs, features, featurize, batcher, dims, cfg = _objective_setup(stale_distance=False)
    model = tiny_bilstm(dims).eval()
    batch = batcher(features)
    z, labels = model(batch), batch.labels
    for na, cols in ((True, slice(None)), (False, slice(1, None))):
        by_hand = F.binary_cross_entropy_with_logits(z[:, cols], labels[:, cols]).item()
        _, base = RelationObjective(batcher, na)(model, docs, features, None)
        _, sief = SIEFObjective(cfg, featurize, batcher, 64, na_in_loss=na)(
            model, docs, features, np.random.default_rng(11))
        assert base["loss"] == pytest.approx(by_hand, rel=1e-5)
        assert sief["loss_rel"] == pytest.approx(by_hand, rel=1e-5)
    _, with_na = SIEFObjective(cfg, featurize, batcher, 64)(model, docs, features,
                                                           np.random.default_rng(11))
    assert sief["loss_sf"] != pytest.approx(with_na["loss_sf"])    # L_sf drops NA too


def test_gradient_flows_through_the_soft_target_unless_detached():
    docs, features, featurize, batcher, dims, _ = _objective_setup()
    grads = {}
    for detach in (False, True):
        model = tiny_bilstm(dims).eval()
        objective = SIEFObjective(SIEFConfig(detach_target=detach), featurize, batcher, window=64)
        loss, _ = objective(model, docs, features, np.random.default_rng(1))
        loss.backward()
        grads[detach] = model.classifier.weight.grad.clone()
    # Same losses, same draws: only the target's gradient path differs.
    assert not torch.allclose(grads[False], grads[True])


def _sief_losses(model, steps, **overrides) -> list[float]:
    docs, features, featurize, batcher, _, cfg = _objective_setup(**overrides)
    objective = SIEFObjective(cfg, featurize, batcher, window=64)
    rng = np.random.default_rng(0)
    return train_steps(model, lambda: objective(model, docs, features, rng)[0], steps)


@pytest.mark.parametrize("overrides", [{}, {"evidence_rule": "random"},
                                       {"evidence_rule": "no_mention"}, {"target": "gold"},
                                       {"mask_vanished_pairs": True}])
def test_every_variant_trains(overrides):
    dims = _objective_setup()[4]
    losses = _sief_losses(tiny_bilstm(dims), 25, **overrides)
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])


@pytest.mark.parametrize("name", ["gain", "hetergsan"])
def test_sief_trains_graph_models(name):
    dims = _objective_setup()[4]
    losses = _sief_losses(tiny_model(name, dims), 40)
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])


@pytest.mark.parametrize("name,overrides", ENCODERS)
def test_batched_removal_equals_one_at_a_time(name, overrides):
    rng = np.random.default_rng(9)
    docs = [random_doc(rng, f"d{i}") for i in range(3)]
    featurize, batcher, dims = tiny_setup(docs)
    model = tiny_model(name, dims, **overrides).eval()
    batched = removal_probs(model, docs, featurize, batcher, window=64, batch_size=5)
    for fp, doc in zip(batched, docs):
        with torch.no_grad():
            for n in range(len(doc.sents)):
                b = batcher([featurize(doc.remove_sentence(n))])
                probs = torch.sigmoid(model(b)).numpy()
                for j, (h, t, r) in enumerate(fp.facts):
                    row = h * (doc.num_entities - 1) + (t if t < h else t - 1)
                    assert fp.p_hat[n, j] == pytest.approx(probs[row, r], abs=1e-5)


def test_robustness_metrics_by_hand():
    points = {"title": ["a", "a"], "h": [0, 1], "t": [1, 0], "r": [1, 1], "sentence": [2, 2],
              "p": [0.9, 0.5], "p_hat": [0.7, 0.5]}
    m = robustness_metrics(points, theta=0.8)
    assert m["mean_abs_diff"] == pytest.approx(0.1)   # (0.2 + 0) / 2
    assert m["flip_rate"] == 0.5                      # 0.9 -> 0.7 crosses 0.8
    assert m["facts"] == 2 and m["points"] == 2


def test_non_evidence_points_skip_evidence_and_unannotated_facts():
    doc = three_sentence_doc()  # facts: (0,1,1) evidence {0}; (0,2,2) evidence {2}
    featurize, batcher, dims = tiny_setup([doc])
    fps = removal_probs(tiny_bilstm(dims).eval(), [doc], featurize, batcher, 64, 8)
    points = non_evidence_points(fps, [doc])
    assert list(zip(points["h"], points["t"], points["sentence"])) == \
        [(0, 1, 1), (0, 1, 2), (0, 2, 0), (0, 2, 1)]


def test_evidence_metrics_by_hand():
    from pipeline.diagnostics.robustness import FactProbs, evidence_metrics
    # Fact 1: P = 0.9; removing sentences 0, 1, 2 gives P-hat 0.9, 0.3, 0.8
    #   g = 0, 0.9 ln 3 = 0.989, 0.9 ln(9/8) = 0.106; gold evidence {1}
    # Fact 2: P = 0.8; P-hat 0.4, 0.8, 0.75 -> g = 0.8 ln 2 = 0.555, 0, 0.8 ln(16/15) = 0.052;
    #   gold evidence {0, 2}
    fp = FactProbs(0, np.array([[0, 1, 1], [1, 0, 1]]), [(1,), (0, 2)], np.array([0.9, 0.8]),
                   np.array([[0.9, 0.4], [0.3, 0.8], [0.8, 0.75]]))
    m = evidence_metrics([fp], [three_sentence_doc()])
    # Ranked: .989 T, .555 T, .106 F, .052 T, then two zeros (F). 3 gold sentences.
    # k=1 F1 1/2; k=2 F1 4/5; k=3 F1 2/3; k=4 P 3/4 R 1 F1 6/7 <- max; k=6 F1 2/3
    assert m["f1"] == pytest.approx(6 / 7)
    assert (m["precision"], m["recall"]) == (pytest.approx(0.75), 1.0)
    assert m["tau"] == pytest.approx(0.8 * math.log(0.8 / 0.75), rel=1e-5)
    assert m["decisions"] == 6 and m["gold_sentences"] == 3
