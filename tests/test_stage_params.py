"""Each stage's `params:` in dvc.yaml is exactly the sections its code can read."""
import importlib
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipeline.config import build
from pipeline.errors import ConfigError
from stages.common import load_sections, read_params
from commands.overlay import merged_params

ROOT = Path(__file__).resolve().parents[1]
PARAMS_YAML = ROOT / "params.yaml"
DVC = YAML(typ="safe", pure=True).load((ROOT / "dvc.yaml").read_text())


def _stage_module(cmd: str) -> str:
    return re.search(r"python -m (stages\.\w+)", cmd).group(1)


def _dvc_to_template(entry: str) -> str:
    # dvc.yaml writes ${item} / ${item.model}; stage modules write {dataset} / {model}.
    for axis in ("dataset", "model", "encoder", "setting"):
        entry = entry.replace("${item.%s}" % axis, "{%s}" % axis)
    return entry.replace("${item}", "{dataset}")


@pytest.mark.parametrize("name", sorted(DVC["stages"]))
def test_declared_params_match(name):
    stage = DVC["stages"][name]
    body = stage.get("do", stage)
    module = importlib.import_module(_stage_module(body["cmd"]))
    declared = [_dvc_to_template(p) for p in body.get("params", [])]
    assert sorted(declared) == sorted(module.PARAMS), name


def test_stages_only_see_declared_sections(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train:\n  lr: 1e-3\nmodels:\n  bilstm: {hidden_size: 4}\n")
    seen = load_sections(("train", "models.{model}"), path, model="bilstm")
    assert seen == {"train": {"lr": 1e-3}, "models.bilstm": {"hidden_size": 4}}
    assert isinstance(seen["train"]["lr"], float)  # ruamel reads 1e-3 as a number
    with pytest.raises(ConfigError, match="missing section 'models.gain'"):
        load_sections(("models.{model}",), path, model="gain")


EXPERIMENT_OVERLAYS = sorted(ROOT.glob("experiments/*/params.yaml"))
OVERRIDE_FILES = [*sorted(str(path.relative_to(ROOT)) for path in EXPERIMENT_OVERLAYS),
                  # the benchmarks' own sets (gpu_check.yaml: the lent GPU machine's changes)
                  *sorted(str(path.relative_to(ROOT))
                          for path in ROOT.glob("benchmarks/*.yaml"))]


def experiment_name(path: Path) -> str:
    return path.parent.name


@pytest.mark.parametrize("overrides", [None, *OVERRIDE_FILES])
def test_params_build_every_config(overrides):
    """params.yaml, alone and with each override set applied (every key of an override set
    must exist in params.yaml), builds every typed config of every run of its grid."""
    from pipeline.ingest.dialogre import DialogREConfig
    from pipeline.ingest.download import DownloadConfig
    from pipeline.ingest.prepare import DocREDConfig, FeaturesConfig
    from pipeline.diagnostics.settings import DialogREEvaluateConfig, EvaluateConfig
    from pipeline.models import build_model_config
    from pipeline.sief.objective import SIEFConfig
    from pipeline.training.loop import ScheduleConfig
    from pipeline.training.seeding import SeedsConfig
    from pipeline.comparison.arms import ComparisonConfig
    from commands.cluster import ClusterConfig
    params = merged_params(ROOT / overrides, PARAMS_YAML) if overrides \
        else read_params(PARAMS_YAML)
    build(DownloadConfig, params["download"], "download")
    build(DocREDConfig, params["docred"], "docred")
    build(DialogREConfig, params["dialogre"], "dialogre")
    build(FeaturesConfig, params["features"], "features")
    build(EvaluateConfig, params["evaluate"]["docred"], "evaluate.docred")
    build(DialogREEvaluateConfig, params["evaluate"]["dialogre"], "evaluate.dialogre")
    build(SeedsConfig, params["seeds"], "seeds")
    build(ComparisonConfig, params["comparison"], "comparison")
    build(ClusterConfig, params["cluster"], "cluster")
    build(SIEFConfig, params["sief"], "sief")
    for dataset, grid in params["grid"].items():
        for encoder in grid["encoders"]:
            build(ScheduleConfig, params["schedules"][dataset][encoder],
                  f"schedules.{dataset}.{encoder}")
            for model in grid["models"]:
                build_model_config(params["models"][model], params["encoders"][encoder],
                                   f"models.{model}")


def test_the_grid_is_written_once():
    # dvc.yaml's matrices read the grid from params.yaml; no model list is typed there.
    text = (ROOT / "dvc.yaml").read_text()
    assert "bilstm" not in text and "hetergsan" not in text and "transformer_instance" not in text
    assert DVC["stages"]["train"]["matrix"]["model"] == "${grid.docred.models}"
    assert DVC["stages"]["analysis"]["matrix"]["setting"] == "${analysis.settings}"


def test_unknown_keys_are_rejected():
    from pipeline.training.loop import TrainConfig
    with pytest.raises(ConfigError, match=r"train: unknown key\(s\) \['lr_rate'\]"):
        build(TrainConfig, {"lr_rate": 1.0}, "train")
    with pytest.raises(ConfigError, match="train.epochs: expected an integer"):
        build(TrainConfig, {"epochs": "ten"}, "train")
    with pytest.raises(ConfigError, match="train.optimizer: 'sgd' is not one of"):
        build(TrainConfig, {"optimizer": "sgd"}, "train")
    assert build(TrainConfig, {"lr": 1}, "train").lr == 1.0


def test_paper_overrides_name_existing_keys_and_build():
    from pipeline.training.loop import TrainConfig
    from commands.overlay import override_flags
    flags = override_flags(ROOT / "experiments/paper/params.yaml", ROOT / "params.yaml")
    assert "--set-param=schedules.docred.glove.base.epochs=200" in flags
    paper = merged_params(ROOT / "experiments/paper/params.yaml", PARAMS_YAML)
    glove = paper["schedules"]["docred"]["glove"]["base"]
    assert build(TrainConfig, glove, "schedules.docred.glove.base").batch_size == 40


def test_smoke_overrides_shrink_every_schedule(tmp_path):
    from pipeline.training.loop import ScheduleConfig
    from commands.overlay import apply_overrides
    smoke = merged_params(ROOT / "experiments/smoke/params.yaml", PARAMS_YAML)
    assert smoke["docred"]["max_docs"] == 6
    for dataset, grid in smoke["grid"].items():
        for encoder in grid["encoders"]:
            schedule = build(ScheduleConfig, smoke["schedules"][dataset][encoder], "s")
            assert schedule.base.epochs <= 2 and schedule.finetune.epochs <= 2
    # --apply writes the same values into params.yaml, its comments kept.
    target = tmp_path / "params.yaml"
    target.write_text((ROOT / "params.yaml").read_text())
    apply_overrides(ROOT / "experiments/smoke/params.yaml", target)
    assert read_params(target) == smoke
    assert "# Every hyper-parameter" in target.read_text()


@pytest.mark.parametrize("overrides", EXPERIMENT_OVERLAYS, ids=experiment_name)
def test_apply_changes_only_the_overridden_lines(tmp_path, overrides):
    """--apply keeps params.yaml's layout: as many lines, and every line it changes is one
    of an overridden key (a list stays on its line, in flow style, its comment beside it)."""
    from commands.overlay import apply_overrides, checked_overrides
    target = tmp_path / "params.yaml"
    target.write_text(PARAMS_YAML.read_text())
    apply_overrides(overrides, target)
    before, after = PARAMS_YAML.read_text().splitlines(), target.read_text().splitlines()
    assert len(after) == len(before)
    keys = {dotted.rsplit(".", 1)[-1] for dotted in checked_overrides(overrides, PARAMS_YAML)}
    changed = [line for old, line in zip(before, after) if line != old]
    assert {line.split(":", 1)[0].strip() for line in changed} <= keys, changed


def test_overrides_refuse_unknown_keys(tmp_path):
    from commands.overlay import override_flags
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  epoch: 3\n")
    with pytest.raises(SystemExit, match=r"train\.epoch"):
        override_flags(bad, ROOT / "params.yaml")


def test_seeds_config_rejects_repeats_and_the_main_seed():
    from pipeline.training.seeding import SeedsConfig
    assert build(SeedsConfig, {"extra": [1, 2]}, "seeds").replicates(13) == (1, 2)
    with pytest.raises(ConfigError, match="repeated seed"):
        build(SeedsConfig, {"extra": [1, 1]}, "seeds")
    with pytest.raises(ConfigError, match="13 is the schedule's seed"):
        build(SeedsConfig, {"extra": [13]}, "seeds").replicates(13)


@pytest.mark.parametrize("overrides", [PARAMS_YAML, *EXPERIMENT_OVERLAYS],
                         ids=lambda path: "default" if path == PARAMS_YAML else path.parent.name)
def test_every_override_set_names_existing_keys_and_its_schedules_build(overrides):
    from pipeline.training.loop import ScheduleConfig
    merged = merged_params(overrides, PARAMS_YAML)
    for dataset, grid in merged["grid"].items():
        for encoder in grid["encoders"]:
            key = f"schedules.{dataset}.{encoder}"
            build(ScheduleConfig, merged["schedules"][dataset][encoder], key)
    assert set(merged["seeds"]["models"]) <= set(merged["grid"]["docred"]["models"])
    # The analysis stages start their extra seeds from seeds_base's runs (a dependency).
    assert set(merged["analysis"]["models"]) <= set(merged["seeds"]["models"])
    assert set(merged["analysis"]["extra_seeds"]) <= set(merged["seeds"]["extra"])
