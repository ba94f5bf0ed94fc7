"""A trained run on new documents (pipeline/inference, commands/predict.py): a hand-made
corpus prepared with a tiny GloVe file, a tiny BiLSTM saved where the pipeline puts runs."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from pipeline.errors import ConfigError, DataError
from tests.helpers import GLOVE_WORDS as GLOVE, raw_doc, tiny_run_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return tiny_run_repo(tmp_path_factory.mktemp("repo"))


def test_a_run_is_found_by_its_directory_with_its_theta_and_tau(repo):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief")
    assert model.files.processed == repo / "data/processed/docred"
    assert (model.theta, model.tau) == (0.3, 0.01)       # evaluate's theta, not the 0.9 stored
    assert load(repo / "data/runs/docred/bilstm/glove/sief/model.pt", theta=0.5).theta == 0.5


def test_without_results_the_checkpoint_theta_and_no_tau(repo, tmp_path):
    from pipeline.inference import load
    lone = tmp_path / "model.pt"
    lone.write_bytes((repo / "data/runs/docred/bilstm/glove/sief/model.pt").read_bytes())
    with pytest.raises(ConfigError, match="not inside data/runs"):
        load(lone)
    model = load(lone, data=repo / "data/processed/docred")
    assert (model.theta, model.tau) == (0.9, None)
    with pytest.raises(ConfigError, match="no importance threshold tau"):
        model.predict([raw_doc("new")], explain=True)


def test_an_unseen_word_gets_its_glove_vector(repo):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief", theta=0.0)
    rows = model.featurizer.vocab
    assert "zanzibar" not in rows                          # prepare kept the corpus's words
    run = model.run([raw_doc("new", ("Anna", "lives", "in", "Zanzibar", "."))])
    assert run.counts["words_from_glove"] == 1 and run.counts["unknown_word_tokens"] == 4
    row = rows["zanzibar"]                                 # "in" and "." are in no GloVe
    weight = model.model.encoder.word_emb.weight
    assert row == weight.shape[0] - 1
    assert torch.equal(weight[row], torch.tensor(GLOVE["zanzibar"]))
    # Without the table the word is <unk>: another id, another prediction.
    bare = load(repo / "data/runs/docred/bilstm/glove/sief", theta=0.0, glove="")
    bare_run = bare.run([raw_doc("new", ("Anna", "lives", "in", "Zanzibar", "."))])
    assert bare_run.counts["words_from_glove"] == 0 and bare_run.counts["unknown_word_tokens"] == 6
    assert "zanzibar" in bare.vocabulary.unknown and "zanzibar" not in bare.featurizer.vocab
    assert [p.score for p in bare_run.predictions] != [p.score for p in run.predictions]


def test_theta_zero_predicts_every_pair_and_relation(repo):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief", theta=0.0)
    predictions = model.predict([raw_doc("a"), raw_doc("b")])
    # 2 documents x 2 ordered pairs x 2 relations (Na is never a fact)
    assert len(predictions) == 8
    assert {(p.title, p.h_idx, p.t_idx, p.r) for p in predictions} == {
        (t, h, 1 - h, r) for t in "ab" for h in (0, 1) for r in ("P17", "P131")}
    assert all(0 <= p.score <= 1 and p.evidence is None for p in predictions)
    high = load(repo / "data/runs/docred/bilstm/glove/sief", theta=1.01)
    assert high.predict([raw_doc("a")]) == []


def test_explain_marks_the_sentences_at_or_above_tau(repo):
    from pipeline.inference import load
    path = repo / "data/runs/docred/bilstm/glove/sief"
    everything = load(path, theta=0.0, tau=-np.inf).predict([raw_doc("a")], explain=True)
    assert all(p.evidence == (0, 1) and len(p.importance) == 2 for p in everything)
    nothing = load(path, theta=0.0, tau=np.inf).predict([raw_doc("a")], explain=True)
    assert all(p.evidence == () for p in nothing)
    # evidence is exactly the sentences whose importance reaches tau
    tau = float(np.median([g for p in everything for g in p.importance]))
    for p in load(path, theta=0.0, tau=tau).predict([raw_doc("a")], explain=True):
        assert p.evidence == tuple(n for n, g in enumerate(p.importance) if g >= tau)


def test_scores_by_the_official_definitions(repo):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief", theta=0.0, tau=-np.inf)
    run = model.run([raw_doc("a")], explain=True)
    scores = model.score(run)
    # 4 predictions, the 1 gold fact among them; its 2 evidence-listed sentences hold S1
    assert scores["precision"] == 0.25 and scores["recall"] == 1.0
    # The gold fact "Anna P17 Paris" is also the training document's: Ign drops it.
    assert scores["correct_in_train"] == 1 and scores["ign_f1"] == 0.0
    # evidence: 4 predictions x 2 sentences predicted, 1 correct (S1), 1 gold
    assert scores["evidence_precision"] == 1 / 8 and scores["evidence_recall"] == 1.0
    with pytest.raises(DataError, match="not every document has labels"):
        model.score(model.run([raw_doc("a"), raw_doc("b", labels=False)]))


def test_documents_without_pairs_are_counted_not_scored(repo):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief", theta=0.0)
    one_entity = raw_doc("one", labels=False)
    one_entity["vertexSet"] = one_entity["vertexSet"][:1]
    empty = {"title": "empty", "sents": [], "vertexSet": []}
    run = model.run([one_entity, empty, raw_doc("two", labels=False)], explain=False)
    assert run.counts["documents"] == 3 and run.counts["documents_without_pairs"] == 2
    assert {p.title for p in run.predictions} == {"two"}


def test_bad_input_names_file_document_and_field(repo, tmp_path):
    from pipeline.inference import load
    model = load(repo / "data/runs/docred/bilstm/glove/sief")
    bad = raw_doc("broken")
    bad["vertexSet"][1][0]["pos"] = [3, 9]
    path = tmp_path / "docs.json"
    path.write_text(json.dumps([raw_doc("fine"), bad]))
    with pytest.raises(DataError, match=r"docs\.json, document 'broken', field "
                                        r"vertexSet\[1\]\[0\]\.pos"):
        model.predict(path)
    path.write_text(json.dumps({"title": "not a list"}))
    with pytest.raises(DataError, match="expected a JSON array"):
        model.predict(path)
    unknown = raw_doc("rel")
    unknown["labels"][0]["r"] = "P999"
    with pytest.raises(DataError, match=r"document 'rel', field labels\[0\]\.r: unknown"):
        model.predict([unknown])


def test_a_file_that_is_not_a_checkpoint_says_so(repo, tmp_path):
    from pipeline.inference import load
    (tmp_path / "model.pt").write_text("not a checkpoint")
    with pytest.raises(DataError, match="not a checkpoint of this project"):
        load(tmp_path, data=repo / "data/processed/docred")
    with pytest.raises(ConfigError, match="neither a checkpoint nor a run directory"):
        load(tmp_path / "nowhere")


def test_the_command_writes_result_json_and_pages(repo, tmp_path, capsys):
    from commands.predict import main
    docs = tmp_path / "docs.json"
    docs.write_text(json.dumps([raw_doc("a"), raw_doc("b")]))
    out = tmp_path / "result.json"
    code = main([str(repo / "data/runs/docred/bilstm/glove/sief"), str(docs), "--out", str(out),
                 "--explain", "--theta", "0", "--html", str(tmp_path / "pages")])
    assert code == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 8 and set(rows[0]) == {"title", "h_idx", "t_idx", "r", "score",
                                                 "evidence"}
    printed = json.loads(capsys.readouterr().out)
    assert printed["scores"]["recall"] == 1.0 and "evidence_f1" in printed["scores"]
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [
        "doc0.html", "doc1.html", "index.html"]
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    assert main([str(repo / "data/runs/docred/bilstm/glove/sief"), str(bad)]) == 2
    assert "bad.json: malformed JSON" in capsys.readouterr().err
