"""Bad input gets a clear error naming file, document and field."""
import gzip
import json

import pytest

from pipeline.data.docred import load_docred, load_relation_ids
from pipeline.data.download import DownloadConfig, fetch
from pipeline.data.sources import Source
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
    (doc,), merged = load(tmp_path, [good_doc()])
    assert doc.entities[1][0].start == 3 and doc.facts[0].r == 1 and merged == 0


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
    (loaded,), merged = load(tmp_path, [doc])
    assert merged == 1 and len(loaded.facts) == 1 and loaded.facts[0].evidence == (0,)


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
    from pipeline.data.download import mirror_roots
    repo = tmp_path / "repo"
    assert mirror_roots(("../shared/data", "/abs/m"), repo) == ("../shared/data", "/abs/m")
    queued = repo / ".dvc" / "tmp" / "exps" / "tmpab12"
    assert mirror_roots(("../shared/data", "/abs/m"), queued) == (
        "../shared/data", str(repo / "../shared/data"), "/abs/m")
