"""The README's result tables are made from the committed results (commands/readme_tables)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from commands.readme_tables import ONE_BATCH_COLUMN, main, render, speed, time_budget

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_tables_are_the_committed_results(monkeypatch):
    monkeypatch.chdir(ROOT)
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    text = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert text.count("<!-- table: ") >= 5                       # the blocks are there
    assert "<!-- table: sief_effect -->" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert main(["--check"]) == 0, "run: python -m commands.readme_tables"


def test_check_fails_on_a_hand_edited_table(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- table: sief_effect -->")
    edited = text[:start] + text[start:].replace("one seed: undecided", "better", 1)
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


GPU_COLUMN = "peak GPU memory after training, reference / model (MB)"


def test_speed_block_from_a_kept_benchmark_run(tmp_path):
    """benchmarks.speed --out's summary.json: a reformulated model shows its speed-up, a
    model without a reference form (DialogRE) a dash; the SIEF / base interval is shown."""
    common = {"sief_over_base_95ci": [1.9, 2.1], "two_passes_over_base": 1.96,
              "sief_over_two_passes": 1.01, "eval_docs": 500, "eval_s": 7.66,
              "reference_train_peak_rss_mb": 1239.4, "train_peak_rss_mb": 705.2}
    runs = {"bilstm:glove": {**common, "has_reference": True, "train_speedup": 6.0,
                             "reference_train_docs_per_s": 10.0, "train_docs_per_s": 60.0,
                             "sief_over_base": 1.95, "robustness_s_per_doc": 0.04},
            "bert:transformer_instance": {**common, "has_reference": False,
                                          "train_speedup": 0.97,
                                          "reference_train_docs_per_s": 20.0,
                                          "train_docs_per_s": 19.4, "sief_over_base": 2.0}}
    (tmp_path / "summary.json").write_text(json.dumps(runs), encoding="utf-8")
    frame = speed(tmp_path).set_index("run")
    assert frame.loc["`bilstm:glove`", "speed-up"] == "**6.00x**"
    assert frame.loc["`bilstm:glove`", "SIEF / base [95% CI]"] == "1.95x [1.90, 2.10]"
    assert frame.loc["`bilstm:glove`", "two passes / base"] == "1.96x"
    assert frame.loc["`bilstm:glove`", "robustness per dev doc"] == "40 ms"
    assert frame.loc["`bilstm:glove`", "dev evaluation"] == "500 docs in 7.7 s"
    assert frame.loc["`bert:transformer_instance`", "speed-up"] == "-"
    assert frame.loc["`bert:transformer_instance`", "train docs/s, reference -> model"] == \
        "20.0 -> 19.4 (same model)"
    assert frame.loc["`bert:transformer_instance`", "robustness per dev doc"] == ""
    assert GPU_COLUMN not in frame                                   # a CPU run
    assert ONE_BATCH_COLUMN not in frame                             # timed with --one-batch only
    runs["bilstm:glove"].update(one_batch_over_two_passes=0.9912,
                                one_batch_over_two_passes_95ci=[0.983, 0.9994])
    (tmp_path / "summary.json").write_text(json.dumps(runs), encoding="utf-8")
    frame = speed(tmp_path).set_index("run")
    assert frame.loc["`bilstm:glove`", ONE_BATCH_COLUMN] == "0.991x [0.983, 0.999]"


def test_speed_block_of_a_gpu_run_shows_gpu_memory(tmp_path):
    run = {"sief_over_base_95ci": [1.5, 1.7], "two_passes_over_base": 1.6,
           "sief_over_two_passes": 1.0, "eval_docs": 500, "eval_s": 1.0,
           "reference_train_peak_rss_mb": 3000.0, "train_peak_rss_mb": 2900.0,
           "has_reference": True, "train_speedup": 3.0, "reference_train_docs_per_s": 100.0,
           "train_docs_per_s": 300.0, "sief_over_base": 1.6, "train_peak_gpu_mb": 812.4,
           "reference_train_peak_gpu_mb": 2047.6, "peak_gpu_mb": 900.0}
    (tmp_path / "summary.json").write_text(json.dumps({"gain:glove": run}), encoding="utf-8")
    frame = speed(tmp_path).set_index("run")
    assert frame.loc["`gain:glove`", GPU_COLUMN] == "2048 / 812"
