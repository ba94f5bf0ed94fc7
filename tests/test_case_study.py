"""The case study's fact rule, subsets and probabilities on hand-made data."""
import numpy as np
import pandas as pd
import pytest
import torch

from pipeline.data.document import pair_index
from pipeline.diagnostics.case_study import (case_study_frame, choose_fact, document_markdown,
                                           plot_case_study, subset_probabilities, subsets)
from tests.helpers import three_sentence_doc, tiny_model, tiny_setup


def points(rows):
    return pd.DataFrame(rows, columns=["title", "h", "t", "r", "sentence", "p", "p_hat"])


# Fact A = (a, 0, 1, 1): base drops below theta 0.5 without sentence 2, SIEF never does.
# Fact B = (b, 0, 1, 1): base drops more, but SIEF flips too.
BASE = points([("a", 0, 1, 1, 1, 0.9, 0.85), ("a", 0, 1, 1, 2, 0.9, 0.4),
               ("b", 0, 1, 1, 0, 0.8, 0.1)])
SIEF = points([("a", 0, 1, 1, 1, 0.7, 0.7), ("a", 0, 1, 1, 2, 0.7, 0.6),
               ("b", 0, 1, 1, 0, 0.7, 0.2)])


def test_choose_fact_prefers_a_base_flip_that_sief_resists():
    assert choose_fact(BASE, SIEF, 0.5, 0.5, {"a": 3, "b": 3}, 8) == ("a", 0, 1, 1)


def test_choose_fact_falls_back_to_the_largest_base_move():
    # With SIEF's theta at 0.65, fact a's SIEF also flips (0.6 < 0.65): nothing qualifies,
    # and b moved most (0.7).
    assert choose_fact(BASE, SIEF, 0.5, 0.65, {"a": 3, "b": 3}, 8) == ("b", 0, 1, 1)


def test_choose_fact_respects_the_sentence_limit():
    assert choose_fact(BASE, SIEF, 0.5, 0.5, {"a": 9, "b": 3}, 8) == ("b", 0, 1, 1)
    with pytest.raises(ValueError):
        choose_fact(BASE, SIEF, 0.5, 0.5, {"a": 9, "b": 9}, 8)


def test_subsets_of_a_three_sentence_document():
    labels, kept = zip(*subsets(three_sentence_doc(), (2,)))
    assert labels == ("full document", "without S0", "without S1", "without S2 (evidence)",
                      "evidence only")
    assert kept == ((0, 1, 2), (1, 2), (0, 2), (0, 1), (2,))


def test_subset_probabilities_equal_single_forwards(tmp_path):
    doc = three_sentence_doc()
    featurize, batcher, dims = tiny_setup([doc])
    model = tiny_model("gain", dims).eval()
    kept = [(0, 1, 2), (1, 2), (2,)]
    probs = subset_probabilities(model, doc, (0, 2, 2), kept, featurize, batcher)
    for p, k in zip(probs, kept):
        with torch.no_grad():
            alone = torch.sigmoid(model(batcher([featurize(doc.keep_sentences(k))])))
        assert p == pytest.approx(alone[pair_index(3, 0, 2), 2].item(), abs=1e-6)

    frame = case_study_frame(["full", "a", "b"], kept, probs, np.array([0.1, 0.9, 0.5]),
                             0.5, 0.5)
    assert frame["predicted_sief"].tolist() == [False, True, True]
    assert frame["sentences"].tolist() == ["S0 S1 S2", "S1 S2", "S2"]
    png = plot_case_study(frame, 0.5, 0.5, "title", tmp_path / "case.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_document_markdown_marks_evidence():
    text = document_markdown(three_sentence_doc(), (0, 2, 2), "met", (2,))
    assert text.splitlines()[0] == ("Document *Tiny*; fact (Anna, met, Bob); gold evidence: S2.")
    assert "- **S2** (evidence): Anna met Bob in Paris ." in text
    assert "- **S1**: It rains ." in text
