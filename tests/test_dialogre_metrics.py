"""DialogRE F1 and F1c (reference-implementations.md 5.4) on hand-made dialogues."""
import numpy as np
import pytest

from pipeline.data.processed import UNANSWERABLE, Instance
from pipeline.evaluation.dialogre_metrics import answerable, decode, f1_score, f1c_score, tune_t2

TURNS = ("Speaker 1: Hi Anna", "Speaker 2: My sister Anna is a doctor", "Speaker 1: Bye")
ALL = set(range(1, 37))
# A: gold rid 5 with no trigger -> answerable only at the last turn.
A = Instance(TURNS, "Anna", "doctor", (5,), ("",))
# B: gold rid 3, trigger 'sister' (turn 2); x = 'Speaker 2' first appears in turn 2.
B = Instance(TURNS, "Speaker 2", "Anna", (3,), ("sister",))


def probs(*rows):
    """[N, 36] from {rid: p} dicts, other rids 0."""
    out = np.zeros((len(rows), 36))
    for i, row in enumerate(rows):
        for rid, p in row.items():
            out[i, rid - 1] = p
    return out


def test_decode_thresholds():
    scores = probs({1: 0.7, 2: 0.6, 3: 0.1}, {4: 0.3, 5: 0.2}, {})
    assert decode(scores, t2=0.2) == [{1, 2}, {4}, {UNANSWERABLE}]
    # the argmax must beat T2 strictly; an all-zero row is unanswerable even at T2 = 0
    assert decode(scores, t2=0.3) == [{1, 2}, {UNANSWERABLE}, {UNANSWERABLE}]
    assert decode(scores, t2=0.0)[2] == {UNANSWERABLE}


def test_f1_by_hand_and_t2_on_dev():
    scores = probs({1: 0.7, 2: 0.6, 3: 0.1}, {4: 0.3, 5: 0.2}, {})
    gold = [Instance(TURNS, "a", "b", (1, 3), ("", "")), Instance(TURNS, "a", "b", (4,), ("",)),
            Instance(TURNS, "a", "b", (UNANSWERABLE,), ("",))]
    # T2 = 0.2: predicted {1,2} {4}: correct 2 of 3 predicted, 2 of 3 gold
    assert f1_score(decode(scores, 0.2), gold) == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3})
    # T2 >= 0.3 loses rid 4: P 1/2, R 1/3, F1 0.4; the first best T2 of the grid is 0.00
    assert f1_score(decode(scores, 0.3), gold)["f1"] == pytest.approx(0.4)
    t2, best = tune_t2(scores, gold)
    assert t2 == 0.0 and best["f1"] == pytest.approx(2 / 3)
    # nothing predicted: precision 1, recall 0
    assert f1_score([{UNANSWERABLE}] * 3, gold) == {"precision": 1.0, "recall": 0.0, "f1": 0.0}


def test_answerable_sets_by_hand():
    # A: turn 1 has 'anna' but not 'doctor': nothing; turn 2 both arguments, but gold rid 5
    # has no trigger: every other rid; last turn: everything.
    assert answerable(A) == [set(), ALL - {5}, ALL]
    # B: x 'speaker 2' appears in turn 2, where the trigger 'sister' also is.
    assert answerable(B) == [set(), ALL, ALL]


def test_f1c_by_hand():
    prefix = [[{5}, {5}, {5}],                 # A: counts only at the last turn: P 1, R 1
              [{3}, {3, 7}, {UNANSWERABLE}]]   # B: turn 2 {3,7} -> 1 of 2; turn 3 misses 3
    # B: correct 1, predicted 2, gold 2 (turns 2 and 3) -> P 0.5, R 0.5.
    # Macro over instances: P = R = (1 + 0.5) / 2 = 0.75 (micro would be 2/3).
    assert f1c_score(prefix, [A, B]) == pytest.approx(
        {"precision": 0.75, "recall": 0.75, "f1": 0.75})
    # An instance with nothing predicted at any prefix: P_c = 1, R_c = 0.
    silent = [[{UNANSWERABLE}] * 3]
    assert f1c_score(silent, [B]) == {"precision": 1.0, "recall": 0.0, "f1": 0.0}
    with pytest.raises(ValueError, match="2 prefix predictions for 3 turns"):
        f1c_score([[{5}, {5}]], [A])


def test_answer_spread_tells_a_majority_answer_model():
    from pipeline.evaluation.dialogre import answer_spread
    assert answer_spread([{37}, {37}, {37}, {37}]) == {"distinct_answers": 1,
                                                       "most_common_answer_share": 1.0}
    assert answer_spread([{1, 2}, {2, 1}, {37}, {5}]) == {"distinct_answers": 3,
                                                          "most_common_answer_share": 0.5}
