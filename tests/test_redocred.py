"""Re-DocRED as the DocRED dataset: its official files known with checksums, and a test
split with labels scored by the official definitions (small labelled files made here; the
mirror holds only Re-DocRED's dev split)."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipeline.ingest.download import DownloadConfig, fetch, git_blob_id
from pipeline.data.jsonio import read_json
from pipeline.data.processed import labelled_splits, load_meta
from pipeline.ingest.sources import SOURCES, Source
from pipeline.errors import DataError
from pipeline.reporting.tables import NOT_AVAILABLE, RunResults, table1
from tests.helpers import tiny_run_repo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path("data/results/docred/bilstm/glove/sief")


def evaluate(root: Path, monkeypatch) -> dict:
    """The evaluate stage, in process, on tiny_run_repo's run; its metrics.json."""
    from stages.evaluate import main
    shutil.copy2(ROOT / "params.yaml", root / "params.yaml")
    monkeypatch.chdir(root)
    main(["--data", "data/processed/docred", "--checkpoint",
          "data/runs/docred/bilstm/glove/sief/model.pt", "--out", str(RESULTS)])
    return read_json(root / RESULTS / "metrics.json")


def test_a_labelled_test_split_is_scored_at_the_dev_theta(tmp_path, monkeypatch):
    root = tiny_run_repo(tmp_path, test_labels=True)
    assert labelled_splits(load_meta(root / "data/processed/docred")) == ["train", "dev", "test"]
    metrics = evaluate(root, monkeypatch)
    # The test document is the dev document under another title: at the same theta the
    # same predictions, so the same official scores.
    test, dev = metrics["test"], metrics["dev"]["at_theta"]
    assert test["labelled"] is True
    assert (test["f1"], test["ign_f1"], test["predictions"]) == \
        (dev["f1"], dev["ign_f1"], dev["predictions"])
    row = table1({("bilstm", "glove", "sief"): RunResults(metrics, {}, "result.json")}).frame
    assert row.loc[0, "test F1"] == round(100 * test["f1"], 2)


def test_an_unlabelled_test_split_is_not_available(tmp_path, monkeypatch):
    root = tiny_run_repo(tmp_path, test_labels=False)
    assert labelled_splits(load_meta(root / "data/processed/docred")) == ["train", "dev"]
    metrics = evaluate(root, monkeypatch)
    assert metrics["test"] == {"predictions": metrics["test"]["predictions"], "labelled": False}
    row = table1({("bilstm", "glove", "sief"): RunResults(metrics, {}, "result.json")}).frame
    assert (row.loc[0, "test F1"], row.loc[0, "test Ign F1"]) == (NOT_AVAILABLE, NOT_AVAILABLE)
    assert (root / RESULTS / "result.json").is_file()       # the leaderboard file stays


def test_the_override_set_names_known_files_with_checksums():
    files = YAML(typ="safe").load((ROOT / "experiments/redocred/params.yaml").read_text())["docred"]["files"]
    for role in ("train", "dev", "test"):
        source = SOURCES[files[role]]
        assert source.urls and (source.sha256 or source.git_blob), files[role]


def test_a_file_known_by_its_git_blob_id_is_verified(tmp_path):
    content = json.dumps([{"title": "T"}]).encode()
    mirror = tmp_path / "mirror" / "redocred"
    mirror.mkdir(parents=True)
    (mirror / "train_revised.json.gz").write_bytes(gzip.compress(content, mtime=0))
    cfg = DownloadConfig(mirrors=(str(tmp_path / "mirror"),), allow_network=False)
    known = {"redocred/train_revised.json.gz": Source(frozenset(),
                                                      git_blob=frozenset({git_blob_id(content)}))}
    entry = fetch("redocred/train_revised.json.gz", tmp_path / "raw", cfg, known)
    assert entry["verified"] is True
    wrong = {"redocred/train_revised.json.gz": Source(frozenset(),
                                                      git_blob=frozenset({"0" * 40}))}
    with pytest.raises(DataError, match=f"git blob {git_blob_id(content)}, is not one of the "
                                        r"accepted \['git blob 0000"):
        fetch("redocred/train_revised.json.gz", tmp_path / "raw2", cfg, wrong)
