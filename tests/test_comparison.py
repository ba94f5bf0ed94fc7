"""The controlled comparison (pipeline/comparison): the augment arm's loss and draws, the
two-fold cross-fitting, the arms' schedule; on hand-made documents and counts."""
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pipeline.comparison.arms import arm_seeds
from pipeline.comparison.augment import (AugmentConfig, AugmentObjective, copy_labels,
                                         relation_arm_loss)
from pipeline.comparison.crossfit import (EpochFolds, cross_fit, epoch_folds, evaluate_folds,
                                          halves)
from pipeline.evaluation.predict import document_counts, evaluate_probs, evaluate_with_counts
from pipeline.comparison.sief_arms import sief_arm_loss
from pipeline.errors import ConfigError
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.sief.removal import SentenceRemoval
from pipeline.training.loop import FinetuneConfig, ScheduleConfig, TrainConfig
from tests.helpers import random_doc, tiny_bilstm, tiny_setup


def _setup(seed=5, n=4):
    rng = np.random.default_rng(seed)
    docs = [random_doc(rng, f"d{i}") for i in range(n)]
    featurize, batcher, dims = tiny_setup(docs)
    return docs, [featurize(d) for d in docs], featurize, batcher, dims


def test_copy_labels_keep_facts_whose_entities_are_still_mentioned():
    labels = torch.tensor([[0., 1., 1.], [1., 0., 0.], [0., 0., 1.]])    # [P=3, R=3]
    kept = torch.tensor([1., 0., 0.])
    assert copy_labels(labels, kept).tolist() == [[0, 1, 1], [1, 0, 0], [1, 0, 0]]


def test_augment_draws_siefs_sentences_and_adds_no_focusing_term():
    docs, features, featurize, batcher, dims = _setup()
    model = tiny_bilstm(dims).eval()   # no dropout: the recomputation sees the same network
    drawn = {}

    def recording(removal, name):
        draw = removal.draw

        def wrapped(*args):
            removed, reduced, batch_hat = draw(*args)
            drawn[name] = removed
            return removed, reduced, batch_hat
        removal.draw = wrapped
        return removal

    sief = SIEFObjective(SIEFConfig(stale_distance=False), featurize, batcher, window=64)
    recording(sief.removal, "sief")
    sief(model, docs, features, np.random.default_rng(11))
    augment = AugmentObjective(recording(SentenceRemoval(featurize, batcher, window=64,
                                                         stale_distance=False), "augment"))
    loss, logs = augment(model, docs, features, np.random.default_rng(11))
    assert drawn["augment"] == drawn["sief"]
    # By hand: the relation loss on the full batch and on the copies, halved; a pair whose
    # head or tail lost every mention is NA in the copy.
    reduced = [d.remove_sentence(n) for d, n in zip(docs, drawn["sief"])]
    batch = batcher(features)
    batch_hat = batcher([featurize(d) for d in reduced])
    labels_hat = batch.labels.clone()
    for row in range(len(batch.pair_h)):
        doc = reduced[int(batch.pair_doc[row])]
        h, t = int(batch.pair_h[row]), int(batch.pair_t[row])
        if not (doc.entities[h] and doc.entities[t]):
            labels_hat[row] = 0
            labels_hat[row, 0] = 1
    assert (labels_hat[:, 1:] < batch.labels[:, 1:]).any()  # some gold fact is lost: the rule acts
    full = F.binary_cross_entropy_with_logits(model(batch), batch.labels)
    copy = F.binary_cross_entropy_with_logits(model(batch_hat), labels_hat)
    assert loss.item() == pytest.approx(((full + copy) / 2).item(), rel=1e-6)
    assert set(logs) == {"loss", "loss_rel", "loss_copy", "facts_kept"}  # no L_sf, no evidence
    assert 0 < logs["facts_kept"] <= 1


def test_each_arm_gets_its_objective(tmp_path, monkeypatch):
    from pipeline.training.objectives import RelationObjective
    docs, features, featurize, batcher, _ = _setup()
    for module in ("sief.objective", "comparison.augment"):
        monkeypatch.setattr(f"pipeline.{module}.load_featurizer", lambda _: featurize)
    featurize.max_tokens = 64
    sief = SIEFConfig(beta=0.5, stale_distance=False)
    control = relation_arm_loss("control", AugmentConfig(stale_distance=False))
    assert isinstance(control.build(tmp_path, batcher, True), RelationObjective)
    assert control.stored is None
    augment = relation_arm_loss("augment", AugmentConfig(stale_distance=False))
    built = augment.build(tmp_path, batcher, False)
    assert isinstance(built, AugmentObjective) and not built.na_in_loss
    assert (built.removal.window, built.removal.stale_distance) == (64, False)
    assert augment.stored == {"stale_distance": False}
    rand = sief_arm_loss("rand", sief).build(tmp_path, batcher, True)
    assert rand.cfg == dataclasses.replace(sief, evidence_rule="random")
    assert sief_arm_loss("sief", sief).build(tmp_path, batcher, True).cfg == sief
    with pytest.raises(ConfigError, match="'sief' is not one of"):
        relation_arm_loss("sief", AugmentConfig())
    with pytest.raises(ConfigError, match="'augment' is not one of"):
        sief_arm_loss("augment", sief)


def test_every_finetuning_run_runs_its_budget_and_evaluates_each_epoch():
    schedule = ScheduleConfig(base=TrainConfig(epochs=40, patience=4, eval_every=3, lr=5e-4),
                              finetune=FinetuneConfig(epochs=7, lr=2e-4)).finetuning()
    assert (schedule.epochs, schedule.patience, schedule.eval_every) == (7, 0, 1)
    assert schedule.lr == 2e-4


def test_arm_seeds_leave_the_main_runs_seed_to_the_main_stages(tmp_path):
    augment = arm_seeds("augment", 13, tmp_path / "base.pt", tmp_path / "seeds", (14, 15))
    assert list(augment) == [13, 14, 15]
    assert augment[13] == tmp_path / "base.pt"
    assert augment[15] == tmp_path / "seeds" / "seed15" / "model.pt"
    for arm in ("control", "sief"):  # seed 13 is the control / sief stage's run
        assert list(arm_seeds(arm, 13, tmp_path / "base.pt", tmp_path / "seeds", (14, 15))) \
            == [14, 15]


def test_halves_are_a_seeded_even_split():
    in_a = halves(11, seed=0)
    assert in_a.sum() == 5 and in_a.dtype == bool
    assert (halves(11, seed=0) == in_a).all()
    assert not (halves(11, seed=1) == in_a).all()


def test_epoch_folds_score_each_half_at_the_other_halves_theta():
    rng = np.random.default_rng(0)
    docs = [random_doc(rng, f"d{i}") for i in range(8)]
    probs = [rng.random((d.num_entities * (d.num_entities - 1), 4)).astype(np.float32)
             for d in docs]
    in_a = halves(len(docs), seed=3)
    folds = epoch_folds(docs, probs, in_a, "ign_f1")
    for h, own in enumerate((in_a, ~in_a)):
        mine = [i for i in range(len(docs)) if own[i]]
        others = [i for i in range(len(docs)) if not own[i]]
        metrics = evaluate_probs([docs[i] for i in mine], [probs[i] for i in mine])
        assert folds.theta[h] == metrics["theta"]
        assert folds.selection[h] == pytest.approx(metrics["ign_f1"])
        expected = document_counts([docs[i] for i in others], [probs[i] for i in others],
                                   metrics["theta"])
        assert (folds.counts[others] == expected).all()


@pytest.mark.parametrize("decimals", [None, 1])  # 1: many tied scores
def test_one_ranking_gives_the_epochs_metrics_counts_and_fold_views(decimals):
    # evaluate_folds ranks once for all dev and both halves; each must equal its own pass.
    rng = np.random.default_rng(1)
    docs = [random_doc(rng, f"d{i}") for i in range(9)]
    probs = [rng.random((d.num_entities * (d.num_entities - 1), 5)).astype(np.float32)
             for d in docs]
    if decimals is not None:
        probs = [np.round(p, decimals) for p in probs]
    in_a = halves(len(docs), seed=2)
    metrics, counts, folds = evaluate_folds(docs, probs, in_a, "f1")
    expected_metrics, expected_counts = evaluate_with_counts(docs, probs)
    assert metrics == expected_metrics
    assert (counts == expected_counts).all() and counts[:, 1].sum() > 0
    for h, own in enumerate((in_a, ~in_a)):
        mine = [i for i in range(len(docs)) if own[i]]
        alone = evaluate_probs([docs[i] for i in mine], [probs[i] for i in mine])
        assert (folds.theta[h], folds.selection[h]) == (alone["theta"], alone["f1"])
        others = np.flatnonzero(~own)
        assert (folds.counts[others] == document_counts(
            [docs[i] for i in others], [probs[i] for i in others], alone["theta"])).all()


def test_cross_fit_scores_each_half_with_the_others_choice():
    # Four documents, halves A = {0, 1}, B = {2, 3}. Epoch 1 is best on B, epoch 2 on A:
    # A's choice (epoch 2) scores B's documents, B's (epoch 1) scores A's.
    in_a = np.array([True, True, False, False])
    epoch1 = EpochFolds(np.array([0.1, 0.2]), np.array([0.3, 0.6]),
                        np.arange(16).reshape(4, 4))
    epoch2 = EpochFolds(np.array([0.4, 0.5]), np.array([0.5, 0.2]),
                        100 + np.arange(16).reshape(4, 4))
    counts, chosen = cross_fit([epoch1, epoch2], in_a)
    assert chosen == {"A": {"epoch": 2, "theta": 0.4}, "B": {"epoch": 1, "theta": 0.2}}
    assert (counts[:2] == epoch1.counts[:2]).all()
    assert (counts[2:] == epoch2.counts[2:]).all()


def test_cross_fit_keeps_the_earlier_epoch_on_a_tie():
    in_a = np.array([True, False])
    same = [EpochFolds(np.zeros(2), np.array([0.5, 0.5]), np.full((2, 4), e)) for e in (1, 2)]
    counts, chosen = cross_fit(same, in_a)
    assert chosen["A"]["epoch"] == chosen["B"]["epoch"] == 1
    assert (counts == 1).all()


def test_a_resumed_run_keeps_the_fold_views_of_its_finished_epochs(tmp_path):
    from types import SimpleNamespace
    from pipeline.comparison.arms import FoldRecorder
    docs, features, featurize, batcher, dims = _setup(n=6)
    dev = SimpleNamespace(docs=docs, features=features)
    in_a = halves(len(docs), seed=0)
    store = tmp_path / "folds.pt"
    first = FoldRecorder(dev, batcher, 4, in_a, "ign_f1", store, "run-1", resumed=0)
    for seed in (1, 2):                               # two epochs, two different networks
        first(tiny_bilstm(dims, seed=seed).eval())
    again = FoldRecorder(dev, batcher, 4, in_a, "ign_f1", store, "run-1", resumed=1)
    assert len(again.epochs) == 1                     # the resume state's epoch, not the last
    assert (again.epochs[0].counts == first.epochs[0].counts).all()
    assert FoldRecorder(dev, batcher, 4, in_a, "ign_f1", store, "other", resumed=2).epochs == []


def test_a_multi_seed_stage_cut_off_restores_its_finished_seeds_untrained(tmp_path, monkeypatch,
                                                                          capsys):
    """The arms stage of two seeds is cut off during the second; DVC deletes its outputs and
    runs it again: the first seed comes back from its last resume state with no epoch
    trained, and both seeds' results equal those of a stage that was never cut."""
    import json
    import shutil
    from pipeline.comparison import arms
    from pipeline.comparison.arms import ComparisonConfig, compare_arm
    from pipeline.training.objectives import RELATION_LOSS
    from tests.helpers import TINY_CONFIGS, tiny_run_repo
    root = tiny_run_repo(tmp_path, dev_docs=2)
    data, base = root / "data/processed/docred", root / "data/runs/docred/bilstm/glove/sief/model.pt"
    schedule = TrainConfig(epochs=2, batch_size=1)

    def stage(name):
        out, metrics = root / name / "runs", root / name / "results" / "dev.json"
        compare_arm("control", RELATION_LOSS, TINY_CONFIGS["bilstm"], schedule,
                    ComparisonConfig(), data, {1: base, 2: base}, out, metrics,
                    lambda run: root / "data/resume" / run.relative_to(root) / "resume.pt")
        return json.loads(metrics.read_text())["runs"]

    whole = stage("whole")
    train_arm = arms.train_arm

    def cut_at_seed_2(arm, loss, model, schedule, *args, **kwargs):
        if schedule.seed == 2:
            raise KeyboardInterrupt("the session ended")
        return train_arm(arm, loss, model, schedule, *args, **kwargs)
    monkeypatch.setattr(arms, "train_arm", cut_at_seed_2)
    with pytest.raises(KeyboardInterrupt):
        stage("cut")
    monkeypatch.setattr(arms, "train_arm", train_arm)
    shutil.rmtree(root / "cut")                     # DVC deletes a stage's outs before it runs
    capsys.readouterr()
    again = stage("cut")
    log = capsys.readouterr().out
    assert "after epoch 2" in log                   # seed 1: its last state, nothing to train
    assert log.count("epoch=") == 2                 # seed 2's two epochs only
    assert again == whole
