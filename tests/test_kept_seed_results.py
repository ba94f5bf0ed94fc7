"""The archived seed experiments (benchmarks/results/gain-seeds/, .../more-seeds/: the
early-stopping protocol) are what the runs they keep make (commands/kept_seeds), so the
tables of them cannot drift from their per-seed metrics."""
import json
import shutil
from pathlib import Path

import pytest

from commands.kept_seeds import main

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "benchmarks" / "results"


@pytest.mark.parametrize("folder", ["gain-seeds", "more-seeds"])
def test_kept_sief_effect_is_made_from_the_kept_seeds(monkeypatch, folder):
    assert (KEPT / folder / "params.yaml").is_file()  # the override set it ran
    assert main([str(KEPT / folder), "--check"]) == 0, \
        f"run: python -m commands.kept_seeds benchmarks/results/{folder}"


def test_check_fails_when_a_replicate_changes_and_the_rewrite_mends_it(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    folder = tmp_path / "more-seeds"
    shutil.copytree(KEPT / "more-seeds", folder)
    dev = folder / "seeds" / "hetergsan" / "sief" / "dev.json"
    runs = json.loads(dev.read_text())
    runs["runs"][0]["dev"]["ign_f1"] -= 0.01              # seed 14's SIEF run, one point lower
    dev.write_text(json.dumps(runs))
    assert main([str(folder), "--check"]) == 1
    assert main([str(folder)]) == 0
    assert main([str(folder), "--check"]) == 0
    rows = (folder / "sief_effect.csv").read_text().splitlines()
    kept = (KEPT / "more-seeds" / "sief_effect.csv").read_text().splitlines()
    changed = [row.split(",")[:3] for row, old in zip(rows, kept) if row != old]
    assert changed == [["HeterGSAN", "+SIEF - control", "dev Ign F1"],
                       ["HeterGSAN", "+SIEF - Base", "dev Ign F1"]]


def test_a_folder_without_replicates_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit, match="no seeds/ folder"):
        main([str(tmp_path)])
