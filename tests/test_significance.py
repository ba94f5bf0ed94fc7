"""Per-document counts, paired intervals and verdicts on hand-made numbers."""
import numpy as np
import pandas as pd
import pytest

from pipeline.evaluation.predict import candidates, document_counts, evaluate_probs
from pipeline.evaluation.docred_metrics import metrics_at_threshold
from pipeline.reporting.significance import (Interval, bootstrap_interval, f1_from_counts,
                                             seed_interval, verdict)
from tests.helpers import random_doc


def _docs_and_probs(seed=0, n=5):
    rng = np.random.default_rng(seed)
    docs = [random_doc(rng, f"d{i}") for i in range(n)]
    probs = [rng.random((d.num_entities * (d.num_entities - 1), 4)).astype(np.float32)
             for d in docs]
    return docs, probs


def test_document_counts_sum_to_the_fixed_set_metrics():
    docs, probs = _docs_and_probs()
    theta = evaluate_probs(docs, probs)["theta"]
    counts = document_counts(docs, probs, theta)                      # [D, 4]
    assert counts.shape == (len(docs), 4)
    assert counts[:, 0].tolist() == [len(d.facts) for d in docs]
    score, is_gold, in_train, n_gold = candidates(docs, probs)
    fixed = metrics_at_threshold(score, is_gold, in_train, n_gold, theta)
    total = counts.sum(0)
    assert total[1:].tolist() == [fixed["predictions"], fixed["correct"],
                                  fixed["correct_in_train"]]
    f1, ign_f1 = f1_from_counts(total)
    assert (float(f1), float(ign_f1)) == (pytest.approx(fixed["f1"]),
                                          pytest.approx(fixed["ign_f1"]))


def test_f1_from_counts_by_hand():
    # 10 gold, 8 predicted, 6 correct of which 2 in train: P 3/4, R 3/5, F1 2/3;
    # Ign P = 4/6, Ign F1 = 2 (2/3)(3/5) / (2/3 + 3/5) = 12/19.
    f1, ign_f1 = f1_from_counts(np.array([10, 8, 6, 2]))
    assert float(f1) == pytest.approx(2 / 3) and float(ign_f1) == pytest.approx(12 / 19)
    assert f1_from_counts(np.array([0, 0, 0, 0]))[0] == 0.0


def test_seed_interval_by_hand():
    # differences 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.3027 -> half width 4.3027 / sqrt(3)
    interval = seed_interval([3.0, 4.0, 5.0], [2.0, 2.0, 2.0])
    assert interval.mean == 2.0
    assert interval.high - interval.mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-5)
    assert seed_interval([1.0], [0.5]) == Interval(0.5, None, None)


def test_bootstrap_of_identical_runs_is_zero_and_of_a_clear_gain_excludes_zero():
    rng = np.random.default_rng(1)
    gold = rng.integers(5, 20, size=(2, 200))
    predicted = gold.copy()
    control = np.stack([gold, predicted, gold // 2, np.zeros_like(gold)], -1)   # [S, D, 4]
    same = bootstrap_interval(control, control)
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)
    better = control.copy()
    better[..., 2] = (gold * 3) // 4                    # more correct on every document
    gain = bootstrap_interval(better, control)
    assert gain.low > 0 and gain.excludes_zero() == 1
    assert gain.mean == pytest.approx(float(np.mean(
        f1_from_counts(better.sum(1))[0] - f1_from_counts(control.sum(1))[0])))
    with pytest.raises(ValueError, match="one shape"):
        bootstrap_interval(better[:1], control)


def test_verdict_needs_both_intervals_on_one_side():
    above, around = Interval(1.0, 0.5, 1.5), Interval(1.0, -0.5, 2.5)
    assert verdict(above, above) == "better"
    assert verdict(above, around) == "within noise"
    assert verdict(Interval(-1.0, -2.0, -0.1), Interval(-1.0, -1.5, -0.5)) == "worse"
    assert verdict(Interval(1.0, None, None), above) == "one seed: undecided"


def test_effect_table_rows_and_verdicts():
    from pipeline.reporting.tables import SeedRuns, effect_table
    rng = np.random.default_rng(2)
    gold = rng.integers(5, 20, size=(3, 150))
    zeros = np.zeros_like(gold)

    def runs(correct, dev_f1s):
        counts = np.stack([gold, gold, correct, zeros], -1)          # [S, D, 4]
        return SeedRuns([{"f1": f, "ign_f1": f} for f in dev_f1s], counts)
    table = effect_table({("bilstm", "glove", "base"): runs(gold // 3, [0.30, 0.31, 0.29]),
                          ("bilstm", "glove", "control"): runs(gold // 2, [0.35, 0.36, 0.34]),
                          ("bilstm", "glove", "sief"): runs((gold * 3) // 4,
                                                            [0.40, 0.42, 0.41])},
                         resamples=200).frame
    assert table["difference"].tolist() == (["+SIEF - control"] * 2 + ["+SIEF - Base"] * 2
                                            + ["control - Base"] * 2)
    first = table.iloc[0]
    # seed differences 5, 6, 7 points: mean 6, sd 1, half width 4.3027 / sqrt(3) = 2.48
    assert first["mean difference"] == 6.0 and first["seeds"] == 3
    assert first["95% CI over seeds"] == "[+3.52, +8.48]"
    assert first["verdict"] == "better"
    assert table.iloc[2]["paper difference"] == round(52.08 - 48.87, 2)  # Ign F1, BiLSTM
    assert pd.isna(first["paper difference"])          # the paper has no control run
    # control - base: seed differences 5, 5, 5 points, no spread; the paper has no control
    extra_epochs = table.iloc[4]
    assert extra_epochs["mean difference"] == 5.0
    assert extra_epochs["95% CI over seeds"] == "[+5.00, +5.00]"
    assert pd.isna(extra_epochs["paper difference"])


def test_effect_table_names_a_transformer_run_and_takes_the_papers_bert_row():
    from pipeline.reporting.tables import SeedRuns, effect_table
    gold = np.full((1, 4), 10)
    zeros = np.zeros_like(gold)

    def run(correct, dev_f1):
        return SeedRuns([{"f1": dev_f1, "ign_f1": dev_f1}],
                        np.stack([gold, gold, np.full_like(gold, correct), zeros], -1))
    runs = {("gain", "minilm", "base"): run(3, 0.30), ("gain", "minilm", "sief"): run(4, 0.40)}
    table = effect_table(runs, resamples=20, kinds={"minilm": "transformer"})
    ign = table.frame.iloc[0]
    assert ign["model"] == "GAIN (minilm)" and ign["difference"] == "+SIEF - Base"
    assert ign["paper difference"] == round(59.82 - 59.14, 2)     # GAIN-BERT, not GAIN-GloVe
    assert ign["verdict"] == "one seed: undecided" and ign["mean difference"] == 10.0
    assert "all runs" in table.title and "minilm" in table.notes[-1]
    glove = effect_table({(m, "glove", j): r for (m, _, j), r in runs.items()}, resamples=20)
    assert glove.frame.iloc[0]["model"] == "GAIN" and "GloVe runs" in glove.title
    assert glove.frame.iloc[0]["paper difference"] == round(55.07 - 53.05, 2)


def test_shift_measures_by_hand():
    from pipeline.evaluation.shift import common_threshold, flips_at, shift_measures
    p, p_hat = np.array([0.5, 0.2]), np.array([0.25, 0.2])
    m = shift_measures(p, p_hat, theta=0.3)
    assert m["mean_abs_diff"] == pytest.approx(0.125)
    # logit 0.5 = 0, logit 0.25 = -log 3: mean gap log(3) / 2
    assert m["mean_abs_logit_diff"] == pytest.approx(np.log(3) / 2)
    assert m["flip_rate"] == 0.5
    # Same relative moves at a tenth of the confidence: |P - P-hat| ten times smaller, the
    # logit gap nearly the same (log(0.05 / 0.95) - log(0.025 / 0.975), halved).
    small = shift_measures(p / 10, p_hat / 10, theta=0.03)
    assert small["mean_abs_diff"] == pytest.approx(0.0125)
    assert small["mean_abs_logit_diff"] == pytest.approx(
        (np.log(0.05 / 0.95) - np.log(0.025 / 0.975)) / 2)
    assert flips_at(p, p_hat, 0.3) == {"points_predicted": 1, "flip_rate": 1.0}
    assert np.isnan(flips_at(p, p_hat, 0.9)["flip_rate"])
    assert common_threshold([0.1, 0.001]) == pytest.approx(0.01)
