"""Nothing read from a file runs as code: a checkpoint, resume state or feature file whose
pickle asks for a function is refused before the function is touched, with a one-line
error naming the file."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.errors import DataError
from tests.helpers import raw_doc, tiny_run_repo

ROOT = Path(__file__).resolve().parents[1]


class Payload:
    """Unpickling this calls os.system: what a shared model.pt could carry."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def malicious(path: Path, marker: Path, contents=None) -> Path:
    torch.save(contents(Payload(marker)) if contents else {"model": Payload(marker)}, path)
    return path


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return tiny_run_repo(tmp_path_factory.mktemp("repo"))


def test_a_malicious_checkpoint_runs_no_code_and_says_what_it_is(tmp_path):
    from pipeline.models.checkpoint import load_checkpoint
    marker = tmp_path / "ran"
    evil = malicious(tmp_path / "model.pt", marker)
    with pytest.raises(DataError, match=r"model.pt: not a checkpoint of this project \(it "
                                        r"asks for posix.system, which is refused\)") as err:
        load_checkpoint(evil)
    assert not marker.exists()
    assert "\n" not in str(err.value)


def test_sief_predict_on_a_malicious_checkpoint_exits_2_without_running_it(repo, tmp_path):
    marker = tmp_path / "ran"
    run = tmp_path / "run"
    run.mkdir()
    malicious(run / "model.pt", marker)
    docs = tmp_path / "docs.json"
    docs.write_text(json.dumps([raw_doc("a")]))
    done = subprocess.run([sys.executable, "-m", "commands.predict", str(run / "model.pt"),
                           str(docs), "--data", str(repo / "data/processed/docred"),
                           "--out", str(tmp_path / "result.json")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not a checkpoint of this project" in lines[0]
    assert str(run / "model.pt") in lines[0]
    assert not marker.exists() and not (tmp_path / "result.json").exists()


def test_a_malicious_resume_state_is_refused(tmp_path):
    from pipeline.training.loop import _load_resume
    marker = tmp_path / "ran"
    state = malicious(tmp_path / "resume.pt", marker,
                      lambda payload: {"fingerprint": "x", "epoch": 1, "model": payload})
    model = torch.nn.Linear(2, 2)
    with pytest.raises(DataError, match="resume.pt: not a resume state of this project"):
        _load_resume(state, "x", model, torch.optim.Adam(model.parameters()), print)
    assert not marker.exists()


def test_a_malicious_feature_file_is_refused(tmp_path):
    from pipeline.data.processed import load_split
    marker = tmp_path / "ran"
    with gzip.open(tmp_path / "dev.docs.json.gz", "wt") as handle:
        json.dump([], handle)
    malicious(tmp_path / "features.dev.pt", marker, lambda payload: [{"word_ids": payload}])
    with pytest.raises(DataError, match="features.dev.pt: not a feature file of this project"):
        load_split(tmp_path, "dev")
    assert not marker.exists()


def test_the_project_files_still_load_numpy_arrays_included(repo, tmp_path):
    from pipeline.data.processed import load_split
    from pipeline.data.torchfile import load_pt
    checkpoint = load_pt(repo / "data/runs/docred/bilstm/glove/sief/model.pt", "checkpoint")
    assert {"model", "state_dict", "dev"} <= set(checkpoint)
    dev = load_split(repo / "data/processed/docred", "dev")
    assert isinstance(dev.features[0].word_ids, np.ndarray)
    arrays = {"ints": np.arange(3), "floats": np.ones((2, 2), dtype=np.float32),
              "bools": np.array([True, False])}
    torch.save(arrays, tmp_path / "arrays.pt")
    back = load_pt(tmp_path / "arrays.pt", "feature file")
    assert all(np.array_equal(back[k], v) and back[k].dtype == v.dtype
               for k, v in arrays.items())


def test_a_file_that_is_not_torch_says_so_in_one_line(tmp_path):
    from pipeline.data.torchfile import load_pt
    (tmp_path / "model.pt").write_text("hello")
    with pytest.raises(DataError, match=r"model.pt: not a checkpoint of this project") as err:
        load_pt(tmp_path / "model.pt", "checkpoint")
    assert "\n" not in str(err.value)
    with pytest.raises(DataError, match="missing.pt: no such checkpoint"):
        load_pt(tmp_path / "missing.pt", "checkpoint")
