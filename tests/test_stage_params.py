"""Each stage's `params:` in dvc.yaml is exactly the sections its code can read."""
import importlib
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipeline.config import build
from pipeline.errors import ConfigError
from stages.common import load_sections, read_params

ROOT = Path(__file__).resolve().parents[1]
DVC = YAML(typ="safe", pure=True).load((ROOT / "dvc.yaml").read_text())


def _stage_module(cmd: str) -> str:
    return re.search(r"python -m (stages\.\w+)", cmd).group(1)


def _dvc_to_template(entry: str) -> str:
    # dvc.yaml writes ${item} / ${item.model}; stage modules write {dataset} / {model}.
    return (entry.replace("${item.dataset}", "{dataset}").replace("${item.model}", "{model}")
            .replace("${item.setting}", "{setting}").replace("${item}", "{dataset}"))


def _sections(cmd: str) -> dict[str, str]:
    """The training / SIEF sections a training stage's command names (--schedule, --sief)."""
    named = dict(re.findall(r"--(schedule|sief) (\w+)", cmd))
    return {"schedule": named.get("schedule", "train"), "sief": named.get("sief", "sief")}


def _fill_sections(template: str, sections: dict[str, str]) -> str:
    for key, value in sections.items():
        template = template.replace("{" + key + "}", value)
    return template


@pytest.mark.parametrize("name", sorted(DVC["stages"]))
def test_declared_params_match(name):
    stage = DVC["stages"][name]
    body = stage.get("do", stage)
    module = importlib.import_module(_stage_module(body["cmd"]))
    declared = [_dvc_to_template(p) for p in body.get("params", [])]
    expected = [_fill_sections(p, _sections(body["cmd"])) for p in module.PARAMS]
    assert sorted(declared) == sorted(expected), name


def test_stages_only_see_declared_sections(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train:\n  lr: 1e-3\nmodels:\n  bilstm: {hidden_size: 4}\n")
    seen = load_sections(("train", "models.{model}"), path, model="bilstm")
    assert seen == {"train": {"lr": 1e-3}, "models.bilstm": {"hidden_size": 4}}
    assert isinstance(seen["train"]["lr"], float)  # ruamel reads 1e-3 as a number
    with pytest.raises(ConfigError, match="missing section 'models.gain'"):
        load_sections(("models.{model}",), path, model="gain")


def test_params_yaml_builds_every_config():
    from pipeline.data.download import DownloadConfig
    from pipeline.data.prepare import DocREDConfig, GloveConfig
    from pipeline.evaluation.settings import EvaluateConfig
    from pipeline.models import MODELS
    from pipeline.training.loop import TrainConfig
    params = read_params(ROOT / "params.yaml")
    build(DownloadConfig, params["download"], "download")
    build(DocREDConfig, params["docred"], "docred")
    build(GloveConfig, params["glove"], "glove")
    build(TrainConfig, params["train"], "train")
    build(EvaluateConfig, params["evaluate"], "evaluate")
    from pipeline.data.dialogre import DialogREConfig
    from pipeline.evaluation.settings import DialogREEvaluateConfig
    from pipeline.sief.objective import SIEFConfig
    from pipeline.training.seeding import SeedsConfig
    build(DialogREConfig, params["dialogre"], "dialogre")
    build(DialogREEvaluateConfig, params["dialogre_evaluate"], "dialogre_evaluate")
    build(SeedsConfig, params["seeds"], "seeds")
    for section in ("train_bert", "dialogre_train"):
        build(TrainConfig, params[section], section)
    for section in ("sief", "sief_bert", "dialogre_sief"):
        build(SIEFConfig, params[section], section)
    for name, cls in MODELS.items():
        build(cls.config_class, params["models"][name], f"models.{name}")


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
    from stages.overrides import flatten, override_flags
    flags = override_flags(ROOT / "params.paper.yaml", ROOT / "params.yaml")
    assert "--set-param=train.epochs=200" in flags
    merged = read_params(ROOT / "params.yaml")
    for key, value in flatten(read_params(ROOT / "params.paper.yaml")).items():
        *parents, last = key.split(".")
        node = merged
        for p in parents:
            node = node[p]
        node[last] = value
    assert build(TrainConfig, merged["train"], "train").batch_size == 40


def test_overrides_refuse_unknown_keys(tmp_path):
    from stages.overrides import override_flags
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  epoch: 3\n")
    with pytest.raises(SystemExit, match=r"train\.epoch"):
        override_flags(bad, ROOT / "params.yaml")


def test_analysis_matrix_lists_every_setting():
    settings = DVC["stages"]["analysis"]["matrix"]["setting"]
    assert settings == list(read_params(ROOT / "params.yaml")["analysis"]["settings"])


def test_seeds_config_rejects_repeats_and_the_main_seed():
    from pipeline.training.seeding import SeedsConfig
    assert build(SeedsConfig, {"extra": [1, 2]}, "seeds").replicates(13) == (1, 2)
    with pytest.raises(ConfigError, match="repeated seed"):
        build(SeedsConfig, {"extra": [1, 1]}, "seeds")
    with pytest.raises(ConfigError, match="13 is train.seed"):
        build(SeedsConfig, {"extra": [13]}, "seeds").replicates(13)
