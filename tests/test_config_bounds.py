"""Every config checks its ranges when built, and the error names the params key as written,
before a stage reads any data."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import build, within
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value,bound,ok", [
    (1, ">= 1", True), (0, ">= 1", False), (0.0, "> 0", False), (1e-9, "> 0", True),
    (0.0, "in [0, 1)", True), (1.0, "in [0, 1)", False), (1.0, "in [0, 1]", True),
    (-0.1, "in [0, 1]", False)])
def test_within(value, bound, ok):
    assert within(value, bound) is ok


def test_a_value_out_of_range_names_its_key():
    from pipeline.training.loop import ScheduleConfig
    with pytest.raises(ConfigError, match=r"^schedules.docred.glove.base.batch_size must be "
                                          r">= 1, got 0$"):
        build(ScheduleConfig, {"base": {"batch_size": 0}}, "schedules.docred.glove")
    with pytest.raises(ConfigError, match=r"finetune.lr must be > 0, got -0.001"):
        build(ScheduleConfig, {"finetune": {"lr": -1e-3}}, "schedules.docred.glove")


@pytest.mark.parametrize("section,cls_path,values,message", [
    ("docred", "pipeline.ingest.prepare:DocREDConfig", {"max_docs": -5},
     "docred.max_docs must be >= 0, got -5"),
    ("dialogre", "pipeline.ingest.dialogre:DialogREConfig", {"max_instances": -1},
     "dialogre.max_instances must be >= 0, got -1"),
    ("robustness", "pipeline.diagnostics.robustness:RobustnessConfig", {"max_docs": -1},
     "robustness.max_docs must be >= 0, got -1"),
    ("sief", "pipeline.sief.objective:SIEFConfig", {"beta": -0.5},
     "sief.beta must be >= 0, got -0.5"),
    ("schedules.docred.glove.base", "pipeline.training.loop:TrainConfig", {"epochs": 0},
     "schedules.docred.glove.base.epochs must be >= 1, got 0"),
    ("features", "pipeline.ingest.prepare:FeaturesConfig", {"max_tokens": 0},
     "features.max_tokens must be >= 1, got 0"),
    ("runtime", "pipeline.runtime:RuntimeConfig", {"device": "gpu"},
     "runtime: device must be auto, cpu, cuda or cuda:N, got 'gpu'"),
    ("download", "pipeline.ingest.download:DownloadConfig", {"timeout_s": 0},
     "download.timeout_s must be > 0, got 0.0"),
    ("evaluate.dialogre", "pipeline.diagnostics.settings:DialogREEvaluateConfig",
     {"f1c_instances": -2}, "evaluate.dialogre.f1c_instances must be >= 0, got -2"),
])
def test_every_section_rejects_what_its_meaning_forbids(section, cls_path, values, message):
    import importlib
    module, name = cls_path.split(":")
    cls = getattr(importlib.import_module(module), name)
    with pytest.raises(ConfigError) as err:
        build(cls, values, section)
    assert str(err.value) == message


def test_a_model_and_its_encoder_are_named_where_the_user_wrote_them():
    from pipeline.models import build_model_config
    with pytest.raises(ConfigError, match=r"^models.gain.dropout must be in \[0, 1\), got 1.5$"):
        build_model_config({"arch": "gain", "dropout": 1.5}, {"kind": "glove"}, "models.gain",
                           "encoders.glove")
    with pytest.raises(ConfigError, match=r"encoders.transformer: .*overlap 200 must be in"):
        build_model_config({"arch": "gain"}, {"kind": "transformer", "window": 128,
                                              "overlap": 200}, "models.gain",
                           "encoders.transformer")


def test_a_stage_refuses_bad_params_before_it_reads_data(tmp_path, monkeypatch):
    # The data directory does not exist: a stage that read it first would fail otherwise.
    from stages import train
    from commands.overlay import write_params
    shutil.copy2(ROOT / "params.yaml", tmp_path / "params.yaml")
    write_params(tmp_path / "params.yaml", {"schedules.docred.glove.base.batch_size": 0})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="schedules.docred.glove.base.batch_size must be >= 1"):
        train.main(["--dataset", "docred", "--model", "bilstm", "--encoder", "glove",
                    "--data", "data/processed/docred", "--out", "data/runs/x",
                    "--history", "data/results/x/history.csv"])


def test_a_stage_run_elsewhere_says_where_to_run_it(tmp_path, monkeypatch):
    from stages import train
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="run the stages from the repository's root"):
        train.main(["--dataset", "docred", "--model", "bilstm", "--encoder", "glove",
                    "--data", "d", "--out", "o", "--history", "h"])


def test_every_bad_key_of_a_section_is_named_in_one_error():
    from pipeline.training.loop import TrainConfig
    with pytest.raises(ConfigError) as err:
        build(TrainConfig, {"batch_size": 0, "lr": -1.0, "warmup": 3, "epochs": "ten"},
              "schedules.docred.glove.base")
    message = str(err.value)
    for part in ["unknown key(s) ['warmup']", "base.batch_size must be >= 1, got 0",
                 "base.lr must be > 0, got -1.0", "base.epochs: expected an integer, got 'ten'"]:
        assert part in message
    assert "\n" not in message


def test_the_bad_keys_of_every_section_a_stage_reads_come_out_together(tmp_path):
    # A real command line: exit 2, one line naming each bad key, no traceback.
    from commands.overlay import write_params
    shutil.copy2(ROOT / "params.yaml", tmp_path / "params.yaml")
    write_params(tmp_path / "params.yaml", {"schedules.docred.glove.finetune.epochs": 0,
                                            "models.bilstm.dropout": 2.0,
                                            "runtime.numerics": "fast", "sief.beta": -1.0})
    done = subprocess.run(
        [sys.executable, "-m", "stages.sief", "--dataset", "docred", "--model", "bilstm",
         "--encoder", "glove", "--data", "d", "--base", "b.pt", "--out", "o",
         "--metrics", "dev.json"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for key in ["schedules.docred.glove.finetune.epochs must be >= 1, got 0",
                "models.bilstm.dropout must be in [0, 1), got 2.0",
                "runtime.numerics: 'fast' is not one of ['native', 'portable']",
                "sief.beta must be >= 0, got -1.0"]:
        assert key in lines[0]
