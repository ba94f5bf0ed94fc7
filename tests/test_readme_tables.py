"""The README's result tables are made from the committed results (commands/readme_tables)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from commands.readme_tables import main, render, time_budget

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_tables_are_the_committed_results(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("<!-- table: ") >= 5                       # the blocks are there
    assert main(["--check"]) == 0, "run: python -m commands.readme_tables"


def test_check_fails_on_a_hand_edited_table(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- table: sief_effect -->")
    edited = text[:start] + text[start:].replace("within noise", "better", 1)
    readme.write_text(edited, encoding="utf-8")
    assert main(["--readme", str(readme), "--check"]) == 1
    assert main(["--readme", str(readme)]) == 0                  # remade ...
    assert readme.read_text(encoding="utf-8") == text           # ... as committed


def test_time_budget_sums_stages_by_definition(tmp_path):
    times = tmp_path / "repro_times.csv"
    pd.DataFrame({"stage": ["train@a", "train@b", "report"], "seconds": [60.0, 120.0, 60.0],
                  "completed": True, "cpu": "x", "date": "d"}).to_csv(times, index=False)
    frame = time_budget(tmp_path).set_index("stage")
    assert frame.loc["`train`", "instances"] == 2 and frame.loc["`train`", "minutes"] == 3.0
    assert frame.loc["`train`", "share (%)"] == 75.0 and frame.loc["`train`", "each (s)"] == "60-120"
    assert frame.loc["**total**", "minutes"] == 4.0 and frame.loc["**total**", "instances"] == 3


def test_an_unknown_block_is_an_error():
    with pytest.raises(KeyError, match="'nonsense' is not one of"):
        render("<!-- table: nonsense -->\nx\n<!-- /table -->\n")


def test_a_block_with_a_folder_is_made_from_that_folder(tmp_path):
    """An override run's report kept in its own folder: its block reads that folder only."""
    kept = tmp_path / "kept"
    kept.mkdir()
    pd.DataFrame({"model": ["GAIN"], "method": ["+SIEF"], "dev Ign F1": [1.5],
                  "dev F1": [2.0]}).to_csv(kept / "training.csv", index=False)
    text = f"a\n<!-- table: training {kept} -->\nold\n<!-- /table -->\nb\n"
    assert render(text, reports=tmp_path / "elsewhere") == (
        f"a\n<!-- table: training {kept} -->\n"
        "| model | method | dev Ign F1 | dev F1 |\n| --- | --- | --- | --- |\n"
        "| GAIN | +SIEF | 1.50 | 2.00 |\n<!-- /table -->\nb\n")
