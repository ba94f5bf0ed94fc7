"""DialogRE as canonical documents, and the BERT / BERT_s instance classifier."""
import gzip
import json

import numpy as np
import pytest
import torch

from pipeline.ingest.dialogre import read_dialogre
from pipeline.data.features import Featurizer, collate
from pipeline.errors import DataError
from pipeline.models import DataDims, create_model
from pipeline.models.dialog_bert import DialogBERTConfig, speaker_words, trim_longest
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.training.objectives import relation_loss
from tests.helpers import NER2ID, tiny_transformer, train_steps

TURNS = ["Speaker 1: Hi Anna", "Speaker 2: Anna met Bob in Paris", "Speaker 1: w1 w2"]
RELATIONS = [{"x": "Speaker 2", "y": "Anna", "rid": [3], "r": ["per:friends"], "t": ["met"],
              "x_type": "PER", "y_type": "PER"},
             {"x": "Bob", "y": "Paris", "rid": [37], "r": ["unanswerable"], "t": [""],
              "x_type": "PER", "y_type": "GPE"},
             {"x": "Bob", "y": "Rome", "rid": [4, 5], "r": ["a", "b"], "t": ["", "in"],
              "x_type": "PER", "y_type": "GPE"}]


def write(tmp_path, data, name="dev.json.gz"):
    path = tmp_path / name
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def test_instances_as_documents(tmp_path):
    docs, instances, counts = read_dialogre(write(tmp_path, [[TURNS, RELATIONS]]), "dev")
    first = docs[0]
    assert first.title == "dev-0-0"
    assert first.sents[1] == ("Speaker", "2", ":", "Anna", "met", "Bob", "in", "Paris")
    # x 'Speaker 2' = tokens 5-6 of the document (turn 0 has 5 tokens); y 'Anna' twice
    assert [(m.sent_id, m.start, m.end) for m in first.entities[0]] == [(1, 5, 7)]
    assert [(m.sent_id, m.start, m.end) for m in first.entities[1]] == [(0, 4, 5), (1, 8, 9)]
    assert [(f.h, f.t, f.r) for f in first.facts] == [(0, 1, 3)]
    assert first.names == ("Speaker 2", "Anna")
    assert docs[1].facts == ()                        # unanswerable: no fact
    assert [f.r for f in docs[2].facts] == [4, 5]
    assert docs[2].entities[1] == ()                  # 'Rome' never said
    assert counts == {"dialogues": 1, "instances": 3, "instances_skipped": 0,
                      "arguments_without_mention": 1, "arguments_of_unknown_type": 0,
                      "unanswerable": 1}
    assert instances[2].rids == (4, 5) and instances[2].triggers == ("", "in")
    # a removed turn keeps the argument names and renumbers what follows
    reduced = first.remove_sentence(1)
    assert reduced.names == first.names and reduced.entities[0] == ()
    _, _, capped = read_dialogre(write(tmp_path, [[TURNS, RELATIONS]]), "dev", max_instances=2)
    assert capped["instances"] == 2 and capped["instances_skipped"] == 1


@pytest.mark.parametrize("data,field", [
    ({"turns": []}, None),
    ([[[], RELATIONS]], "turns"),
    ([[TURNS, [{"x": "a", "y": "b", "rid": [3], "t": ["", ""], "x_type": "PER",
                "y_type": "PER"}]]], "relations[0].rid"),
    ([[TURNS, [{"x": "a", "rid": [3], "t": [""], "x_type": "PER", "y_type": "PER"}]]],
     "relations[0].y"),
    ([], None),                                                     # an empty split
    ([[TURNS]], None),                                              # not [turns, relations]
    ([[TURNS, ["not a relation"]]], "relations[0]"),
    ([[TURNS, [{**RELATIONS[0], "x": None}]]], "relations[0].x"),   # not "None"
    ([[TURNS, [{**RELATIONS[0], "x_type": 3}]]], "relations[0].x_type"),
    ([[TURNS, [{**RELATIONS[0], "rid": 3}]]], "relations[0].rid"),
    ([[TURNS, [{**RELATIONS[0], "rid": [True]}]]], "relations[0].rid"),
    ([[TURNS, [{**RELATIONS[0], "t": "met"}]]], "relations[0].t"),
    ([[TURNS, [{**RELATIONS[0], "r": [1]}]]], "relations[0].r"),
])
def test_bad_dialogre_input_names_file_dialogue_and_field(tmp_path, data, field):
    path = write(tmp_path, data)
    with pytest.raises(DataError) as err:
        read_dialogre(path, "dev")
    assert str(path) in str(err.value)
    if field:
        assert "dialogue 0" in str(err.value) and f"field {field}" in str(err.value)


def test_trim_longest_by_hand():
    parts = [[1, 2, 3, 4, 5], [6, 7], [8, 9]]
    assert trim_longest(parts, 6) == 3 and parts == [[1, 2], [6, 7], [8, 9]]
    tie = [[1, 2], [3, 4], [5]]
    assert trim_longest(tie, 4) == 1 and tie == [[1], [3, 4], [5]]   # ties: the first part


def test_trim_longest_matches_one_piece_at_a_time():
    """Oracle: the original's _truncate_seq_tuple, which pops one piece of the longest part
    per round (trim_longest counts on the lengths instead)."""
    def popping(parts, budget):
        dropped = 0
        while sum(map(len, parts)) > budget:
            longest = max(range(len(parts)), key=lambda i: (len(parts[i]), -i))
            parts[longest].pop()
            dropped += 1
        return dropped

    rng = np.random.default_rng(0)
    for _ in range(500):
        parts = [list(range(rng.integers(0, 30))) for _ in range(rng.integers(1, 4))]
        budget = int(rng.integers(0, 60))
        expected, got = [list(p) for p in parts], [list(p) for p in parts]
        assert trim_longest(got, budget) == popping(expected, budget) and got == expected


def test_speaker_words_by_hand():
    words = ("Speaker", "1", ":", "Hi", "Speaker", "2", ":", "speaker", "1", "said")
    dialogue, x, y = speaker_words(words, ("Speaker 1", "Speaker 2"))
    # only the 'Speaker k :' turn prefixes are replaced, not 'speaker 1 said'
    assert dialogue == ["[unused1]", ":", "Hi", "[unused2]", ":", "speaker", "1", "said"]
    assert (x, y) == (["[unused1]"], ["[unused2]"])
    dialogue, x, y = speaker_words(words, ("Anna", "Speaker 2"))
    assert dialogue[:5] == ["Speaker", "1", ":", "Hi", "[unused2]"] and x == ["Anna"]


def dialog_setup(tmp_path, speaker_tokens=False, **transformer):
    docs, instances, _ = read_dialogre(write(tmp_path, [[TURNS, RELATIONS]]), "dev")
    featurize = Featurizer({"<pad>": 0, "<unk>": 1}, NER2ID, 64, 4, instance_pair=True)
    dims = DataDims(vocab_size=2, word_dim=4, num_relations=37, num_ner_types=7,
                    max_entities=4)
    torch.manual_seed(0)
    model = create_model(DialogBERTConfig(encoder=tiny_transformer(**{"window": 40, **transformer}),
                                          speaker_tokens=speaker_tokens), dims)
    return docs, featurize, model


def test_sequence_layout(tmp_path):
    docs, featurize, model = dialog_setup(tmp_path, speaker_tokens=True, window=14)
    f = featurize(docs[0])
    ids, segments, trimmed = model.sequence(f.words, f.entity_names)
    # BERT_s: x 'Speaker 2' -> [unused1], also its turn prefix; y 'Anna' -> an ##na.
    # Dialogue: speaker 1 : hi an ##na [unused1] : an ##na met bo ##b in pa ##ris speaker
    # 1 : w1 w2 = 21 pieces; with x (1) and y (2) they must fit in 14 - 4 = 10, so the
    # dialogue (always the longest) keeps 7.
    assert trimmed == 21 - 7
    assert model.tokenizer.convert_ids_to_tokens(ids) == [
        "[CLS]", "speaker", "1", ":", "hi", "an", "##na", "[unused1]", "[SEP]",
        "[unused1]", "[SEP]", "an", "##na", "[SEP]"]
    assert segments == [0] * 9 + [1] * 5
    # BERT: the arguments as written
    docs, featurize, plain = dialog_setup(tmp_path, window=14)
    ids, _, _ = plain.sequence(f.words, f.entity_names)
    assert plain.tokenizer.convert_ids_to_tokens(ids)[-6:] == [
        "speaker", "2", "[SEP]", "an", "##na", "[SEP]"]


def test_one_pair_per_instance_and_training(tmp_path):
    docs, featurize, model = dialog_setup(tmp_path)
    features = [featurize(d) for d in docs]
    batch = collate(features, num_relations=37)
    assert batch.pair_h.tolist() == [0, 0, 0] and batch.pair_t.tolist() == [1, 1, 1]
    # labels: rid 3; unanswerable = the no-relation column 0; rids 4 and 5
    assert [np.flatnonzero(row).tolist() for row in batch.labels.numpy()] == [[3], [0], [4, 5]]
    losses = train_steps(model, lambda: relation_loss(model(batch), batch.labels), 25)
    assert losses[-1] < 0.5 * losses[0]


def test_sief_removes_turns_of_a_dialogue(tmp_path):
    docs, featurize, model = dialog_setup(tmp_path)
    model.eval()
    features = [featurize(d) for d in docs]
    batcher = lambda fs: collate(fs, num_relations=37)  # noqa: E731
    objective = SIEFObjective(SIEFConfig(), featurize, batcher, window=64)
    loss, logs = objective(model, docs, features, np.random.default_rng(0))
    assert torch.isfinite(loss) and 0 <= logs["evidence_rate"] <= 1
    # The reduced dialogue is re-read from its own words: removing turn 1 changes P-hat.
    full = torch.sigmoid(model(batcher([features[0]])))
    reduced = torch.sigmoid(model(batcher([featurize(docs[0].remove_sentence(1))])))
    assert not torch.allclose(full, reduced)


def test_sief_removes_only_the_turns_the_model_reads(tmp_path):
    from pipeline.sief.removal import removable_sentences
    # As test_sequence_layout: window 14 keeps the first 7 dialogue pieces for BERT_s
    # (turn 1 starts at piece 6, turn 2 at piece 16) and 6 for BERT (x 'speaker 2' takes
    # two pieces more; turn 1 starts at piece 6).
    docs, _, bert_s = dialog_setup(tmp_path, speaker_tokens=True, window=14)
    _, _, bert = dialog_setup(tmp_path, window=14)
    _, _, wide = dialog_setup(tmp_path)                  # window 40: everything fits
    assert [m.visible_sentences(docs[0]) for m in (bert_s, bert, wide)] == [2, 1, 3]
    assert removable_sentences(bert_s, docs[0], window=64) == 2
    assert removable_sentences(wide, docs[0], window=8) == 2  # the feature view: 2 turns


def test_prefix_probabilities_are_the_model_on_each_prefix(tmp_path):
    from pipeline.evaluation.dialogre import instance_probs, prefix_probs
    docs, featurize, model = dialog_setup(tmp_path)
    batcher = lambda fs: collate(fs, num_relations=37)  # noqa: E731
    prefixes = prefix_probs(model, docs[:2], featurize, batcher, batch_size=4)
    assert [p.shape for p in prefixes] == [(3, 36), (3, 36)]     # one row per turn
    partial = docs[1].keep_sentences(range(2))                    # turns 1-2 of instance 1
    alone = instance_probs(model, [featurize(partial)], batcher, 1)
    assert np.allclose(prefixes[1][1], alone[0], atol=1e-6)
    # the last prefix is the whole dialogue
    full = instance_probs(model, [featurize(d) for d in docs[:2]], batcher, 2)
    assert np.allclose(prefixes[0][-1], full[0], atol=1e-6)


def test_a_malformed_relation_beyond_max_instances_is_still_an_error(tmp_path):
    bad = {k: v for k, v in RELATIONS[0].items() if k != "rid"}
    path = write(tmp_path, [[TURNS, [RELATIONS[0], bad]]])
    with pytest.raises(DataError, match=r"dialogue 0', field relations\[1\]\.rid: missing key"):
        read_dialogre(path, "dev", max_instances=1)


def test_the_relation_table_validates_before_it_reads(tmp_path):
    from pipeline.ingest.dialogre import relation_table
    bad = {k: v for k, v in RELATIONS[0].items() if k != "rid"}  # was KeyError: 'rid'
    with pytest.raises(DataError, match="relations\\[0\\]\\.rid"):
        relation_table([write(tmp_path, [[TURNS, [bad]]])])
    with pytest.raises(DataError, match="expected \\[turns, relations\\]"):  # was KeyError: 1
        relation_table([write(tmp_path, [[TURNS]])])


def test_unknown_argument_types_are_counted(tmp_path):
    odd = {**RELATIONS[0], "x_type": "ALIEN"}
    _, _, counts = read_dialogre(write(tmp_path, [[TURNS, [odd]]]), "dev")
    assert counts["arguments_of_unknown_type"] == 1
