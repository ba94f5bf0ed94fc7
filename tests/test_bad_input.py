"""Bad input gets a clear error naming file, document and field."""
import gzip
import json

import pytest

from pipeline.ingest.docred import load_docred, load_relation_ids
from pipeline.ingest.download import DownloadConfig, fetch
from pipeline.ingest.sources import Source
from pipeline.errors import DataError

REL2ID = {"Na": 0, "P17": 1}


def good_doc() -> dict:
    return {"title": "Doc A", "sents": [["Anna", "lives", "in", "Paris", "."]],
            "vertexSet": [[{"name": "Anna", "pos": [0, 1], "sent_id": 0, "type": "PER"}],
                          [{"name": "Paris", "pos": [3, 4], "sent_id": 0, "type": "LOC"}]],
            "labels": [{"h": 0, "t": 1, "r": "P17", "evidence": [0]}]}


def load(tmp_path, docs, name="split.json"):
    path = tmp_path / name
    path.write_text(json.dumps(docs))
    return load_docred(path, REL2ID, labelled=True)


def test_good_document_loads(tmp_path):
    (doc,), counts = load(tmp_path, [good_doc()])
    assert doc.entities[1][0].start == 3 and doc.facts[0].r == 1
    assert counts == {"documents_with_labels": 1, "duplicate_labels_merged": 0,
                      "documents_left_out": 0}


def test_malformed_json_names_file_and_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "x",')
    with pytest.raises(DataError, match=r"broken\.json.*malformed JSON at line 1"):
        load_docred(path, REL2ID, labelled=True)


def test_gzip_is_read_by_content(tmp_path):
    path = tmp_path / "split.json.gz"
    path.write_bytes(gzip.compress(json.dumps([good_doc()]).encode()))
    (doc,), _ = load_docred(path, REL2ID, labelled=True)
    assert doc.title == "Doc A"


def test_mention_outside_its_sentence(tmp_path):
    doc = good_doc()
    doc["vertexSet"][1][0]["pos"] = [3, 9]
    with pytest.raises(DataError) as err:
        load(tmp_path, [doc])
    message = str(err.value)
    assert "split.json" in message and "'Doc A'" in message
    assert "vertexSet[1][0].pos" in message and "outside sentence 0" in message


def test_mention_in_a_missing_sentence(tmp_path):
    doc = good_doc()
    doc["vertexSet"][0][0]["sent_id"] = 4
    with pytest.raises(DataError, match=r"vertexSet\[0\]\[0\]\.sent_id"):
        load(tmp_path, [doc])


def test_entity_without_mentions(tmp_path):
    doc = good_doc()
    doc["vertexSet"].append([])
    with pytest.raises(DataError, match=r"'Doc A'.*vertexSet\[2\]: entity has no mentions"):
        load(tmp_path, [doc])


def test_empty_document(tmp_path):
    doc = good_doc()
    doc["sents"] = [[]]
    doc["vertexSet"] = []
    doc["labels"] = []
    with pytest.raises(DataError, match=r"'Doc A'.*field sents: empty document"):
        load(tmp_path, [doc])


def test_untitled_document_is_named_by_index(tmp_path):
    doc = good_doc()
    doc["title"] = ""
    del doc["vertexSet"]
    with pytest.raises(DataError, match=r"document #1.*field vertexSet: missing key"):
        load(tmp_path, [good_doc(), doc])


def test_duplicate_titles(tmp_path):
    with pytest.raises(DataError, match=r"document #1, field title: title also used by document #0"):
        load(tmp_path, [good_doc(), good_doc()])


def test_unknown_relation_and_bad_entity_index(tmp_path):
    doc = good_doc()
    doc["labels"][0]["r"] = "P999"
    with pytest.raises(DataError, match=r"labels\[0\]\.r: unknown relation 'P999'"):
        load(tmp_path, [doc])
    doc = good_doc()
    doc["labels"][0]["t"] = 5
    with pytest.raises(DataError, match=r"labels\[0\]\.t: entity index 5 out of range"):
        load(tmp_path, [doc])


def test_duplicate_labels_are_merged_and_counted(tmp_path):
    doc = good_doc()
    doc["labels"].append({"h": 0, "t": 1, "r": "P17", "evidence": []})
    (loaded,), counts = load(tmp_path, [doc])
    assert counts["duplicate_labels_merged"] == 1 and len(loaded.facts) == 1 and loaded.facts[0].evidence == (0,)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"nope\.json: file not found"):
        load_docred(tmp_path / "nope.json", REL2ID, labelled=True)


def test_rel2id_must_have_na(tmp_path):
    path = tmp_path / "rel2id.json"
    path.write_text(json.dumps({"P17": 0}))
    with pytest.raises(DataError, match="'Na': 0"):
        load_relation_ids(path)


def _mirror(tmp_path, content: bytes):
    mirror = tmp_path / "mirror"
    (mirror / "docred").mkdir(parents=True)
    (mirror / "docred" / "x.json.gz").write_bytes(gzip.compress(content))
    return mirror


def test_download_verifies_checksum_of_decompressed_bytes(tmp_path):
    import hashlib
    content = b'[{"a": 1}]'
    mirror = _mirror(tmp_path, content)
    sources = {"docred/x.json.gz": Source(frozenset({hashlib.sha256(content).hexdigest()}))}
    cfg = DownloadConfig(mirrors=(str(tmp_path / "absent"), str(mirror)), allow_network=False)
    entry = fetch("docred/x.json.gz", tmp_path / "raw", cfg, sources)
    assert entry["verified"] and entry["source"].endswith("docred/x.json.gz")
    assert gzip.decompress((tmp_path / "raw/docred/x.json.gz").read_bytes()) == content


def test_download_wrong_checksum(tmp_path):
    mirror = _mirror(tmp_path, b"tampered")
    sources = {"docred/x.json.gz": Source(frozenset({"0" * 64}))}
    cfg = DownloadConfig(mirrors=(str(mirror),), allow_network=False)
    with pytest.raises(DataError, match=r"mirror/docred/x\.json\.gz: wrong checksum"):
        fetch("docred/x.json.gz", tmp_path / "raw", cfg, sources)


def test_download_nowhere_to_get_it(tmp_path):
    cfg = DownloadConfig(mirrors=(str(tmp_path),), allow_network=False)
    with pytest.raises(DataError, match=r"(?s)docred/x\.json\.gz: could not obtain.*not found"
                                        r".*network disabled"):
        fetch("docred/x.json.gz", tmp_path / "raw", cfg,
              {"docred/x.json.gz": Source(frozenset({"0" * 64}), ("http://127.0.0.1:9/x",))})


def test_relative_mirrors_also_resolve_from_a_queued_experiment_copy(tmp_path):
    from pipeline.ingest.download import mirror_roots
    repo = tmp_path / "repo"
    assert mirror_roots(("../shared/data", "/abs/m"), repo) == ("../shared/data", "/abs/m")
    queued = repo / ".dvc" / "tmp" / "exps" / "tmpab12"
    assert mirror_roots(("../shared/data", "/abs/m"), queued) == (
        "../shared/data", str(repo / "../shared/data"), "/abs/m")


def test_an_empty_split_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"split\.json: empty split"):
        load(tmp_path, [])


def test_documents_left_out_by_max_docs_are_counted(tmp_path):
    second = {**good_doc(), "title": "Doc B"}
    path = tmp_path / "split.json"
    path.write_text(json.dumps([good_doc(), second]))
    docs, counts = load_docred(path, REL2ID, labelled=True, max_docs=1)
    assert len(docs) == 1 and counts["documents_left_out"] == 1


@pytest.mark.parametrize("change,field,message", [
    (lambda d: d.update(title=None), "title", "expected a non-empty string title, got None"),
    (lambda d: d["vertexSet"][0][0].update(pos=[0.0, 1.0]), "vertexSet[0][0].pos",
     "pos must be [start, end] as two integers"),               # not "lies outside"
    (lambda d: d["vertexSet"][0][0].update(sent_id=True), "vertexSet[0][0].sent_id",
     "sent_id True is not a sentence"),                          # a bool is no index
    (lambda d: d["vertexSet"][0][0].update(name=None), "vertexSet[0][0].name",
     "expected a string"),
    (lambda d: d["vertexSet"][0][0].update(type=7), "vertexSet[0][0].type", "expected a string"),
    (lambda d: d.update(labels={"h": 0}), "labels", "expected a list of labels"),
    (lambda d: d["labels"][0].update(r=["P17"]), "labels[0].r", "unknown relation"),
])
def test_malformed_fields_name_their_field(tmp_path, change, field, message):
    doc = good_doc()
    change(doc)
    with pytest.raises(DataError) as err:
        load(tmp_path, [doc])
    assert f"field {field}: {message}" in str(err.value) and "split.json" in str(err.value)


def test_an_id_table_with_a_non_integer_id(tmp_path):
    from pipeline.ingest.docred import load_id_table
    path = tmp_path / "ner2id.json"
    path.write_text(json.dumps({"BLANK": 0, "PER": "1"}))
    with pytest.raises(DataError, match=r"ner2id\.json, field PER: expected a non-negative"):
        load_id_table(path, "BLANK")


def test_a_truncated_gzip_download_names_the_file(tmp_path):
    mirror = _mirror(tmp_path, b'[{"a": 1}]' * 50)
    file = mirror / "docred" / "x.json.gz"
    file.write_bytes(file.read_bytes()[:-12])               # cut off: was a bare EOFError
    cfg = DownloadConfig(mirrors=(str(mirror),), allow_network=False)
    with pytest.raises(DataError, match=r"x\.json\.gz: corrupt gzip data"):
        fetch("docred/x.json.gz", tmp_path / "raw", cfg, {})


@pytest.mark.parametrize("content,message", [
    (b"", "no vectors"), (gzip.compress(b"the 0.1 0.2\n")[:-6], "unreadable GloVe file"),
    (b"the 0.1 0.2\nof\n", "line 2"), (b"\xff\xfe 0.1\n", "unreadable GloVe file")])
def test_bad_glove_files(tmp_path, content, message):
    from pipeline.ingest.glove import load_glove
    path = tmp_path / ("glove.txt.gz" if content[:2] == b"\x1f\x8b" else "glove.txt")
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_glove(str(path))


def raw_docred(tmp_path, docs: list[dict]):
    """A raw DocRED directory with `docs` as every split, and a two-word GloVe file."""
    raw = tmp_path / "raw"
    for name in ("train", "dev", "test"):
        (raw / f"{name}.json").parent.mkdir(parents=True, exist_ok=True)
        (raw / f"{name}.json").write_text(json.dumps(docs))
    (raw / "rel2id.json").write_text(json.dumps(REL2ID))
    (raw / "ner2id.json").write_text(json.dumps({"BLANK": 0, "PER": 1, "LOC": 2}))
    (tmp_path / "glove.txt").write_text("anna 0.1 0.2\nparis 0.3 0.4\n")
    from pipeline.ingest.prepare import DocREDConfig, DocREDFiles
    files = DocREDFiles(train="train.json", dev="dev.json", test="test.json",
                        rel2id="rel2id.json", ner2id="ner2id.json")
    return raw, DocREDConfig(files=files), str(tmp_path / "glove.txt")


def test_prepare_counts_what_it_maps_and_truncates(tmp_path):
    from pipeline.ingest.prepare import FeaturesConfig, prepare_docred
    doc = good_doc()
    doc["vertexSet"][0][0]["type"] = "ALIEN"          # not in ner2id: mapped to BLANK
    raw, cfg, glove = raw_docred(tmp_path, [doc])
    # 3 tokens kept of 5: Paris (token 3) loses its only mention, so the fact's tail too.
    stats = prepare_docred(raw, tmp_path / "out", cfg, FeaturesConfig(glove=glove, max_tokens=3))
    train = stats["train"]
    assert train["mentions_of_unknown_type"] == 1
    assert (train["tokens_truncated"], train["mentions_truncated"]) == (2, 1)
    assert train["facts_with_a_truncated_entity"] == 1
    assert train["documents_left_out"] == 0 and train["duplicate_labels_merged"] == 0


def test_too_many_entities_names_the_file(tmp_path):
    from pipeline.ingest.prepare import FeaturesConfig, prepare_docred
    raw, cfg, glove = raw_docred(tmp_path, [good_doc()])
    with pytest.raises(DataError, match=r"train\.json, document 'Doc A', field vertexSet: 2 "
                                        r"entities"):
        prepare_docred(raw, tmp_path / "out", cfg, FeaturesConfig(glove=glove, max_entities=1))
