import json

import numpy as np
import pytest

from pipeline.ingest.docred import load_docred
from pipeline.data.document import Document, mention_sharing_sentence, pair_index
from tests.helpers import random_doc, three_sentence_doc


def test_sent_starts_and_mention_text():
    doc = three_sentence_doc()
    assert doc.sent_starts == (0, 5, 8)
    assert doc.num_tokens == 14
    assert [doc.mention_text(m) for m in doc.entities[2]] == [["Bob"]]


def test_remove_sentence_without_mentions_keeps_every_entity():
    doc = three_sentence_doc().remove_sentence(1)
    assert doc.sents == (("Anna", "lives", "in", "Paris", "."),
                         ("Anna", "met", "Bob", "in", "Paris", "."))
    assert doc.vanished == ()
    # Bob was at token 10, sentence 2; now token 7, sentence 1.
    assert doc.entities[2][0].start == 7 and doc.entities[2][0].sent_id == 1
    assert doc.origin == (0, 2)
    assert doc.facts[1].evidence == (1,)  # evidence sentence 2 renumbered to 1


def test_removing_every_sentence_of_an_entity_vanishes_it():
    doc = three_sentence_doc().remove_sentence(2)
    assert doc.vanished == (2,)
    assert doc.num_entities == 3  # indices kept: pair list unchanged
    assert [len(m) for m in doc.entities] == [1, 1, 0]
    assert doc.facts[1].evidence == ()


def test_remove_sentence_out_of_range():
    with pytest.raises(IndexError):
        three_sentence_doc().remove_sentence(3)


@pytest.mark.parametrize("seed", range(30))
def test_removal_keeps_mention_texts(seed):
    rng = np.random.default_rng(seed)
    doc = random_doc(rng)
    n = int(rng.integers(len(doc.sents)))
    reduced = doc.remove_sentence(n)
    for before, after in zip(doc.entities, reduced.entities):
        kept = [m for m in before if m.sent_id != n]
        assert [doc.mention_text(m) for m in kept] == [reduced.mention_text(m) for m in after]


def _to_docred_json(doc: Document, drop: int | None = None) -> dict:
    """Brute force: the DocRED JSON of `doc` with sentence `drop` deleted by hand."""
    keep = [i for i in range(len(doc.sents)) if i != drop]
    new = {old: i for i, old in enumerate(keep)}
    vertex_set = []
    for mentions in doc.entities:
        vertex_set.append([{"name": m.name, "type": m.type, "sent_id": new[m.sent_id],
                            "pos": [m.start - doc.sent_starts[m.sent_id],
                                    m.end - doc.sent_starts[m.sent_id]]}
                           for m in mentions if m.sent_id in new])
    return {"title": doc.title, "sents": [list(doc.sents[i]) for i in keep],
            "vertexSet": vertex_set,
            "labels": [{"h": f.h, "t": f.t, "r": f"R{f.r}",
                        "evidence": [new[e] for e in f.evidence if e in new]}
                       for f in doc.facts]}


@pytest.mark.parametrize("seed", range(30))
def test_removal_matches_brute_force_rebuild(seed, tmp_path):
    rng = np.random.default_rng(100 + seed)
    doc = random_doc(rng)
    n = int(rng.integers(len(doc.sents)))
    reduced = doc.remove_sentence(n)
    raw = _to_docred_json(doc, drop=n)
    assert [(f.h, f.t, f.r, f.evidence) for f in reduced.facts] == \
        [(f.h, f.t, f.r, tuple(label["evidence"])) for f, label in zip(doc.facts, raw["labels"])]
    # Vanished entities cannot be written in DocRED JSON (it refuses entities without
    # mentions), so compare the entities that survive.
    survivors = [i for i, m in enumerate(raw["vertexSet"]) if m]
    raw["vertexSet"] = [raw["vertexSet"][i] for i in survivors]
    raw["labels"] = []
    path = tmp_path / "doc.json"
    path.write_text(json.dumps([raw]))
    (rebuilt,), _ = load_docred(path, {"Na": 0}, labelled=True)
    assert rebuilt.sents == reduced.sents
    assert rebuilt.entities == tuple(reduced.entities[i] for i in survivors)
    assert reduced.vanished == tuple(i for i in range(doc.num_entities) if i not in survivors)


def test_keep_sentences_composes():
    doc = three_sentence_doc()
    assert doc.remove_sentence(1).remove_sentence(0) == doc.keep_sentences([2])
    assert doc.keep_sentences([2]).origin == (2,)


def test_json_round_trip():
    doc = three_sentence_doc().remove_sentence(1)
    assert Document.from_json(json.loads(json.dumps(doc.to_json()))) == doc


def test_pair_index_is_h_major():
    pairs = [(h, t) for h in range(4) for t in range(4) if h != t]
    assert [pair_index(4, h, t) for h, t in pairs] == list(range(12))


def test_intra_pair():
    doc = three_sentence_doc()
    assert mention_sharing_sentence(doc, 0, 2)          # Anna and Bob share sentence 2
    assert not mention_sharing_sentence(doc.remove_sentence(2), 0, 2)
