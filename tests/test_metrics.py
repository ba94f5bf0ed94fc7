"""DocRED metrics on hand-made cases; every expected number is worked out in comments."""
import numpy as np
import pytest

from pipeline.data.document import Document, Fact, Mention
from pipeline.evaluation.docred_metrics import (_sort, metrics_at_threshold, ranked_metrics,
                                                score_predictions)
from pipeline.evaluation.predict import candidates, evaluate_probs, predictions_above

# Four candidates; scores 0.9, 0.8, 0.8 (a tie), 0.3; three gold facts in the split
# (one never scored); the gold one at 0.8 occurs in training.
SCORE = np.array([0.9, 0.8, 0.8, 0.3])
GOLD = np.array([True, False, True, False])
IN_TRAIN = np.array([False, False, True, False])


def test_ranked_metrics_by_hand():
    m = ranked_metrics(SCORE, GOLD, IN_TRAIN, n_gold=3)
    # Points a threshold can realise: top-1, top-3 (the tie block), top-4.
    #   k=1: C=1 P=1   R=1/3 F1=1/2
    #   k=3: C=2 P=2/3 R=2/3 F1=2/3   <- max, theta = 0.8
    #   k=4: C=2 P=1/2 R=2/3 F1=4/7
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["theta"] == 0.8
    assert (m["precision"], m["recall"]) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    # Ign: G = 0, 1, 1; P_ign = (C-G)/(k-G) = 1, 1/2, 1/3; recall unchanged.
    #   Ign F1 = 1/2, 2*(1/2)(2/3)/(7/6) = 4/7, 2*(1/3)(2/3)/1 = 4/9  -> max 4/7
    assert m["ign_f1"] == pytest.approx(4 / 7)
    # AUC: trapezoid over (R, P) = (1/3, 1), (2/3, 2/3), (2/3, 1/2) -> (1/3)(5/6)/1 = 5/18
    assert m["auc"] == pytest.approx(5 / 18)


def test_order_inside_a_tie_does_not_matter():
    swapped = [0, 2, 1, 3]
    a = ranked_metrics(SCORE, GOLD, IN_TRAIN, 3)
    b = ranked_metrics(SCORE[swapped], GOLD[swapped], IN_TRAIN[swapped], 3)
    assert a == b


def curve_reference(score, gold, in_train, n_gold):
    """The curves read at every tie-block end (the form before the gold-block reading)."""
    order = np.argsort(-score, kind="stable")
    s = score[order]
    ends = np.flatnonzero(np.append(s[1:] != s[:-1], True))
    k = ends + 1.0
    c, g = np.cumsum(gold[order])[ends], np.cumsum(in_train[order])[ends]
    p, r = c / k, c / n_gold
    f1 = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0)
    ign_p = (c - g) / np.maximum(k - g, 1.0)
    ign = np.where(ign_p + r > 0, 2 * ign_p * r / np.where(ign_p + r > 0, ign_p + r, 1), 0)
    best, best_ign = int(np.argmax(f1)), int(np.argmax(ign))
    return {"f1": f1[best], "theta": float(s[ends[best]]), "precision": p[best],
            "recall": r[best], "auc": np.trapezoid(p, r) if len(ends) > 1 else 0.0,
            "ign_f1": ign[best_ign], "ign_theta": float(s[ends[best_ign]]),
            "ign_precision": ign_p[best_ign]}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(4))
def test_gold_block_reading_equals_every_block_reading(seed, dtype):
    # Ties, negative scores, -0.0 beside 0.0, in-train gold, gold at the top or not.
    rng = np.random.default_rng(seed)
    values = np.array([-2.5, -0.0, 0.0, 1e-30, 0.125, 0.5, 0.8, 3.0])
    score = rng.choice(values, size=400).astype(dtype)
    score[:150] = rng.random(150)
    gold = rng.random(400) < 0.2
    in_train = gold & (rng.random(400) < 0.5)
    ours = ranked_metrics(score, gold, in_train, int(gold.sum()) + 3)
    reference = curve_reference(score, gold, in_train, int(gold.sum()) + 3)
    assert ours.keys() == reference.keys()
    for key, value in reference.items():
        assert ours[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    assert ours["theta"] == reference["theta"] and ours["ign_theta"] == reference["ign_theta"]


def test_the_threaded_sort_sorts():
    values = np.random.default_rng(3).integers(0, 2 ** 34, 1_200_000, dtype=np.uint64)
    expected = np.sort(values)
    _sort(values)  # above the size where chunks are sorted in threads and merged
    assert np.array_equal(values, expected)


def test_a_curve_without_gold_candidates_reads_the_first_block():
    score = np.array([0.9, 0.4, 0.4], dtype=np.float32)
    none = np.zeros(3, dtype=bool)
    assert ranked_metrics(score, none, none, 2) == curve_reference(score, none, none, 2)


def test_ign_precision_denominator_is_clamped():
    # The only prediction is a correct in-train fact: k - G = 0 -> P_ign = 0, Ign F1 = 0.
    m = ranked_metrics(np.array([0.5]), np.array([True]), np.array([True]), n_gold=1)
    assert m["f1"] == 1.0 and m["ign_f1"] == 0.0


def test_fixed_set_at_theta_agrees_with_the_curve():
    m = ranked_metrics(SCORE, GOLD, IN_TRAIN, 3)
    at = metrics_at_threshold(SCORE, GOLD, IN_TRAIN, 3, m["theta"])
    assert at["f1"] == pytest.approx(m["f1"]) and at["predictions"] == 3
    # Ign at theta: (2-1)/(3-1) = 1/2 with R = 2/3 -> 4/7
    assert at["ign_f1"] == pytest.approx(4 / 7)


def test_no_predictions():
    at = metrics_at_threshold(SCORE, GOLD, IN_TRAIN, 3, theta=0.95)
    assert at == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "ign_precision": 0.0,
                  "ign_f1": 0.0, "predictions": 0, "correct": 0, "correct_in_train": 0}


def test_unlabelled_split_is_refused():
    with pytest.raises(ValueError, match="no gold facts"):
        ranked_metrics(SCORE, GOLD, IN_TRAIN, n_gold=0)


def _doc() -> Document:
    m = [Mention(0, i, i + 1, name, "PER") for i, name in enumerate(["A", "B", "C"])]
    return Document("T", (("A", "B", "C"),), tuple((x,) for x in m),
                    (Fact(0, 1, 1, (0,), in_train=True), Fact(1, 2, 2, (0,))))


def test_official_scorer_by_hand():
    id2rel = ["Na", "P1", "P2"]
    preds = [{"title": "T", "h_idx": 0, "t_idx": 1, "r": "P1", "evidence": [0]},  # correct, in train
             {"title": "T", "h_idx": 1, "t_idx": 2, "r": "P2"},                    # correct
             {"title": "T", "h_idx": 1, "t_idx": 2, "r": "P2"},                    # duplicate
             {"title": "T", "h_idx": 0, "t_idx": 2, "r": "P1", "evidence": [0]}]   # wrong
    s = score_predictions(preds, [_doc()], id2rel)
    # 3 distinct predictions, 2 correct of 2 gold: P = 2/3, R = 1, F1 = 0.8
    assert (s["precision"], s["recall"], s["f1"]) == (pytest.approx(2 / 3), 1.0, pytest.approx(0.8))
    # Ign: (2 - 1) / (3 - 1) = 1/2, recall 1 -> 2/3
    assert s["ign_f1"] == pytest.approx(2 / 3)
    # Evidence: 2 predicted sentences, 1 correct (on the correct fact); 2 gold -> P = R = 1/2
    assert (s["evidence_precision"], s["evidence_recall"]) == (0.5, 0.5)


def test_candidates_and_leaderboard_rows_round_trip():
    doc = _doc()
    # 3 entities -> 6 pairs (h-major: 01 02 10 12 20 21) x 3 classes (0 = NA).
    probs = np.zeros((6, 3), dtype=np.float32)
    probs[0, 1] = 0.9   # (0,1,P1) gold, in train
    probs[3, 2] = 0.7   # (1,2,P2) gold
    probs[4, 1] = 0.8   # (2,0,P1) wrong
    score, gold, in_train, n_gold = candidates([doc], [probs])
    assert n_gold == 2 and gold.sum() == 2 and in_train.sum() == 1
    assert score[gold].tolist() == pytest.approx([0.9, 0.7])
    rows = predictions_above([doc], [probs], 0.7, ["Na", "P1", "P2"])
    assert {(r["h_idx"], r["t_idx"], r["r"]) for r in rows} == {(0, 1, "P1"), (1, 2, "P2"),
                                                               (2, 0, "P1")}
    # The curve and the official scorer on those rows tell the same story.
    m = evaluate_probs([doc], [probs], theta=0.7)
    official = score_predictions(rows, [doc], ["Na", "P1", "P2"])
    assert m["at_theta_f1"] == pytest.approx(official["f1"]) == pytest.approx(0.8)
    assert m["f1"] == pytest.approx(0.8)  # top-3 at theta 0.7: P = 2/3, R = 1



def test_intra_pairs():
    from pipeline.diagnostics.categories import intra_pairs
    from tests.helpers import three_sentence_doc
    doc = three_sentence_doc()
    assert intra_pairs(doc).all()  # everyone is mentioned in sentence 2
    # Without sentence 2: Anna and Paris share sentence 0; Bob has vanished.
    # pairs h-major: (0,1) (0,2) (1,0) (1,2) (2,0) (2,1)
    assert intra_pairs(doc.remove_sentence(2)).tolist() == [True, False, True, False, False, False]


def test_category_metrics_by_hand():
    from pipeline.diagnostics.categories import category_metrics
    # A and B share sentence 0 (intra pair); C is alone in sentence 1 (inter pairs).
    ents = tuple((Mention(s, i, i + 1, n, "PER"),) for i, (s, n) in enumerate([(0, "A"), (0, "B"),
                                                                             (1, "C")]))
    doc = Document("T", (("A", "B"), ("C",)), ents, (Fact(0, 1, 1), Fact(0, 2, 1)))
    probs = np.zeros((6, 2), dtype=np.float32)  # pairs 01 02 10 12 20 21; classes NA, r1
    probs[0, 1], probs[2, 1] = 0.9, 0.8          # intra: gold (0,1) and wrong (1,0)
    probs[1, 1], probs[3, 1] = 0.3, 0.7          # inter: gold (0,2) below theta, wrong (1,2)
    m = category_metrics([doc], [probs], theta=0.5)
    # intra: 2 predictions, 1 correct of 1 gold -> P 1/2, R 1, F1 2/3
    assert (m["intra"]["precision"], m["intra"]["recall"]) == (0.5, 1.0)
    assert m["intra"]["f1"] == pytest.approx(2 / 3)
    # inter: 1 prediction (wrong) -> F1 0; its own curve peaks at top-2: P 1/2, R 1 -> 2/3
    assert m["inter"]["f1"] == 0.0 and m["inter"]["gold"] == 1
    assert m["inter"]["f1_curve_max"] == pytest.approx(2 / 3)
