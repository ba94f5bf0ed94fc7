"""Per-document counts, paired intervals and verdicts on hand-made numbers."""
import numpy as np
import pandas as pd
import pytest

from pipeline.evaluation.predict import candidates, document_counts, evaluate_probs
from pipeline.evaluation.docred_metrics import metrics_at_threshold
from pipeline.evaluation.significance import (Interval, bootstrap_draws, bootstrap_interval,
                                             f1_from_counts, minimal_detectable_effect,
                                             one_interval, seed_interval,
                                             two_level_bootstrap, verdict)
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


def reference_two_level(a, b, resamples, seed=0):
    """The two-level bootstrap as a plain loop over the same draws: per resample, the drawn
    seeds' runs on the drawn documents, F1 from summed counts, differences averaged."""
    seed_picks, doc_picks = bootstrap_draws(a.shape[0], a.shape[1], resamples, seed)
    out = []
    for seeds, docs in zip(seed_picks, doc_picks):
        per_seed = []
        for s in seeds:
            f1_a, ign_a = f1_from_counts(a[s][docs].sum(0))
            f1_b, ign_b = f1_from_counts(b[s][docs].sum(0))
            per_seed.append((f1_a - f1_b, ign_a - ign_b))
        out.append(np.mean(per_seed, axis=0))
    low, high = np.percentile(np.array(out), [2.5, 97.5], axis=0)
    return {"f1": (low[0], high[0]), "ign_f1": (low[1], high[1])}


def noisy_pair(seeds=4, documents=60, seed=3):
    rng = np.random.default_rng(seed)
    gold = rng.integers(5, 20, size=(seeds, documents))
    zeros = np.zeros_like(gold)
    a = np.stack([gold, gold, rng.integers(0, 6, size=gold.shape),
                  rng.integers(0, 2, size=gold.shape)], -1)
    b = np.stack([gold, gold, rng.integers(0, 6, size=gold.shape), zeros], -1)
    return a, b


def test_the_two_level_bootstrap_equals_a_plain_loop_over_the_same_draws():
    a, b = noisy_pair()
    fast = two_level_bootstrap(a, b, resamples=300, seed=7)
    slow = reference_two_level(a.astype(float), b.astype(float), resamples=300, seed=7)
    for metric in ("f1", "ign_f1"):
        assert (fast[metric].low, fast[metric].high) == pytest.approx(slow[metric], abs=1e-12)
    assert fast["f1"].mean == pytest.approx(float(np.mean(
        f1_from_counts(a.sum(1))[0] - f1_from_counts(b.sum(1))[0])))


def test_pairing_matters_when_documents_move_both_runs_alike():
    # Documents of very different size (2 to 40 gold facts) and difficulty (the control
    # finds a random share of each, 0 to 100 %), the same in both seeds; SIEF finds one
    # fact more on every other document. The documents' noise is shared by the two runs of
    # a pair: drawn alike for both runs it cancels and the gain is clear; drawn apart (an
    # unpaired bootstrap) it swamps the gain.
    rng = np.random.default_rng(5)
    gold = rng.integers(2, 41, size=80)
    found = rng.binomial(gold, rng.random(80))
    more = ((np.arange(80) % 2 == 0) & (found < gold)).astype(int)
    control = np.stack([gold, gold, found, 0 * gold], -1)[None].repeat(2, 0)  # [S=2, D, 4]
    sief = np.stack([gold, gold, found + more, 0 * gold], -1)[None].repeat(2, 0)
    paired = two_level_bootstrap(sief, control, resamples=500)["f1"]
    draws = np.random.default_rng(0)
    unpaired = []
    for _ in range(500):
        seeds, mine, theirs = (draws.integers(2, size=2), draws.integers(80, size=80),
                               draws.integers(80, size=80))
        unpaired.append(np.mean([f1_from_counts(sief[k][mine].sum(0))[0]
                                 - f1_from_counts(control[k][theirs].sum(0))[0]
                                 for k in seeds]))
    assert np.percentile(unpaired, 2.5) < 0 < paired.low


def test_with_seeds_as_the_only_noise_the_interval_is_students():
    # One document, so resampling documents changes nothing: per-seed F1 differences
    # 0.0, 0.1, 0.2 (three seeds). The bootstrap over three seeds is far narrower than
    # Student's t (t(0.975, 2) = 4.30); the comparison's interval is the t interval.
    gold = np.full((3, 1), 100)
    zeros = np.zeros_like(gold)
    a = np.stack([gold, gold, np.array([[50], [60], [70]]), zeros], -1)
    b = np.stack([gold, gold, np.full_like(gold, 50), zeros], -1)
    bootstrap = two_level_bootstrap(a, b, resamples=2000)["f1"]
    t = seed_interval([0.5, 0.6, 0.7], [0.5, 0.5, 0.5])
    assert t.low < bootstrap.low and bootstrap.high < t.high
    assert one_interval(bootstrap, t) == Interval(bootstrap.mean, t.low, t.high)
    # no seed interval (one seed): the bootstrap's; a wider bootstrap stays as it is
    assert one_interval(bootstrap, Interval(0.1, None, None)) == bootstrap
    wide = Interval(0.1, -0.5, 0.9)
    assert one_interval(wide, t) == wide


def test_minimal_detectable_effect_by_hand():
    # differences 1, 2, 3: sd 1, n 3: (t(0.975, 2) + t(0.8, 2)) / sqrt(3)
    # = (4.302653 + 1.060660) / 1.732051 = 3.096510
    assert minimal_detectable_effect([1.0, 2.0, 3.0]) == pytest.approx(3.096510, rel=1e-5)
    assert minimal_detectable_effect([0.5]) is None


@pytest.mark.parametrize("interval,seeds,paper,expected", [
    (Interval(0.01, 0.005, 0.015), 3, None, "better"),
    (Interval(-0.01, -0.02, -0.001), 3, None, "worse"),
    (Interval(0.002, -0.003, 0.008), 5, None, "no effect larger than 0.80"),
    (Interval(0.002, -0.009, 0.004), 5, 0.0321, "no effect larger than 0.90"),
    (Interval(0.002, -0.008, 0.013), 5, 0.0321, "excludes the paper's +3.21"),
    (Interval(0.002, -0.008, 0.040), 5, 0.0321, "undecided"),
    (Interval(0.002, -0.008, 0.013), 5, None, "undecided"),
    (Interval(0.05, 0.01, 0.09), 1, None, "one seed: undecided"),
])
def test_verdicts_say_what_the_interval_excludes(interval, seeds, paper, expected):
    assert verdict(interval, seeds, paper) == expected


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
    assert first["MDE (80% power)"] == round(100 * 0.01 * (4.302653 + 1.060660) / np.sqrt(3), 2)
    assert first["verdict"] == "better"                # the two-level interval excludes 0
    low, high = (float(x) for x in first["95% CI"].strip("[]").split(", "))
    assert 0 < low < high
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
    from pipeline.diagnostics.shift import common_threshold, flips_at, shift_measures
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
