"""The arms' results as the arms stages write them (run_arms) and as the report reads them:
tables arms_effect and selection_bias and the arms' learning curves, on hand-made counts."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.comparison.arms import ArmResult, run_arms
from pipeline.errors import DataError
from pipeline.evaluation.evaluators import DOCUMENTS
from pipeline.reporting import paper
from pipeline.reporting.collect import ARMS, MAIN_ARMS, Grid, arm_results
from pipeline.reporting.figures import arm_curves
from pipeline.evaluation.significance import f1_from_counts
from pipeline.reporting.tables import arms_effect_table, selection_table
from pipeline.training.loop import TrainResult

# Three documents: [gold, predicted, correct, correct in train] each.
GOOD = np.array([[2, 2, 2, 0], [2, 0, 0, 0], [1, 1, 0, 0]])   # sums 5, 3, 2, 0: F1 = 0.5
POOR = np.array([[2, 2, 1, 0], [2, 2, 0, 0], [1, 1, 0, 0]])   # sums 5, 5, 1, 0: F1 = 0.2


def arm_result(chosen_on_all: np.ndarray, cross_fitted: np.ndarray) -> ArmResult:
    history = [{"epoch": e, "train_loss": 1.0 / e, "dev_ign_f1": 0.1 * e} for e in (1, 2)]
    f1, ign_f1 = f1_from_counts(chosen_on_all.sum(axis=0))       # what dev.json reports
    best = {"f1": float(f1), "ign_f1": float(ign_f1), DOCUMENTS: chosen_on_all}
    return ArmResult(TrainResult({}, 2, best, history), cross_fitted,
                     {"A": {"epoch": 2, "theta": 0.3}, "B": {"epoch": 1, "theta": 0.4}})


def write_arms(root: Path, counts: dict[str, tuple[np.ndarray, np.ndarray]],
               seeds=(13, 14)) -> Path:
    """Each arm (arm -> (counts chosen on all dev, cross-fitted)) for `seeds`, as the stages
    write it under root/docred/bilstm/glove/: the first seed of control and sief in
    <arm>/ (stages control, sief), every other run in arms/<arm>/."""
    model = root / "docred" / "bilstm" / "glove"
    for arm, (on_all, crossed) in counts.items():
        split = {model / arm: seeds[:1], model / "arms" / arm: seeds[1:]} if arm in MAIN_ARMS \
            else {model / "arms" / arm: seeds}
        for folder, its_seeds in split.items():
            run_arms(arm, {seed: Path("base.pt") for seed in its_seeds},
                     lambda seed: root / "runs" / arm, folder / "dev.json",
                     lambda seed, base, out: arm_result(on_all, crossed))
    return root / "docred"


GRID = Grid(("bilstm",), ("glove",), (), (), {"glove": "glove"}, ("bilstm",), "glove", 10)


def test_selection_bias_by_hand(tmp_path):
    root = write_arms(tmp_path, {arm: (GOOD, POOR) for arm in ARMS})
    arms = arm_results(root, GRID)
    assert arms[("bilstm", "glove", "sief")].chosen_epochs == [(2, 1), (2, 1)]
    frame = selection_table(arms).frame
    assert len(frame) == len(ARMS)
    row = frame.iloc[0]
    assert row["dev F1, chosen on all dev"] == 50.0 and row["dev F1, cross-fitted"] == 20.0
    assert row["optimism F1"] == 30.0 and row["epochs chosen (A / B)"] == "2/1, 2/1"


def test_arms_effect_by_hand(tmp_path):
    # SIEF's cross-fitted counts are GOOD, every other arm's POOR: +30 points on both seeds.
    root = write_arms(tmp_path, {arm: (GOOD, GOOD if arm == "sief" else POOR) for arm in ARMS})
    arms = arm_results(root, GRID)
    table = arms_effect_table({run: runs.seed_runs() for run, runs in arms.items()}, 10,
                              resamples=200)
    frame = table.frame.set_index(["difference", "metric"])
    assert len(frame) == 10                                    # five differences, two metrics
    assert frame.loc[("+SIEF - control", "dev F1"), "mean difference"] == 30.0
    assert frame.loc[("+SIEF - augment", "dev F1"), "mean difference"] == 30.0
    assert frame.loc[("augment - control", "dev F1"), "mean difference"] == 0.0
    claimed = paper.TABLE1[("bilstm", "glove", "sief")][1] - paper.TABLE1[("bilstm", "glove",
                                                                           "base")][1]
    assert frame.loc[("+SIEF - +Rand", "dev F1"), "paper difference"] == round(claimed, 2)
    assert pd.isna(frame.loc[("+Rand - control", "dev F1"), "paper difference"])
    assert "10 epochs" in table.notes[0]


def test_arms_with_other_seeds_are_refused(tmp_path):
    write_arms(tmp_path, {arm: (GOOD, POOR) for arm in ARMS[:-1]})
    root = write_arms(tmp_path, {ARMS[-1]: (GOOD, POOR)}, seeds=(13, 15))
    with pytest.raises(DataError, match="not paired"):
        arm_results(root, GRID)


def test_arm_curves_png(tmp_path):
    root = write_arms(tmp_path, {arm: (GOOD, POOR) for arm in ARMS})
    histories = {run: runs.history for run, runs in arm_results(root, GRID).items()}
    assert list(histories[("bilstm", "glove", "sief")]["seed"]) == [13, 13, 14, 14]
    png = arm_curves(histories, tmp_path / "arm_curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_kept_arms_experiment_is_remade_and_checked(tmp_path):
    from commands import experiment
    results = write_arms(tmp_path / "made", {arm: (GOOD, GOOD if arm == "sief" else POOR)
                                             for arm in ARMS}).parent
    folder = tmp_path / "experiment"
    folder.mkdir()
    (folder / "params.yaml").write_text("schedules:\n  docred:\n    glove:\n      finetune:\n"
                                        "        epochs: 7\n")
    assert experiment.kind(folder) == "none"
    experiment.keep(folder, "bilstm", results=results)
    run = folder / "results" / "docred" / "bilstm" / "glove"
    assert not (run / "augment").exists()  # only control, sief: the main runs
    assert experiment.kind(folder) == "arms"
    assert experiment.main(["tables", str(folder)]) == 0
    effect = pd.read_csv(folder / "arms_effect.csv").set_index(["difference", "metric"])
    assert effect.loc[("+SIEF - control", "dev F1"), "mean difference"] == 30.0
    assert "7 epochs" in (folder / "arms_effect.md").read_text()
    assert (folder / "selection_bias.csv").is_file() and (folder / "arm_curves.png").is_file()
    assert experiment.main(["check", str(folder)]) == 0
    documents = run / "arms" / "sief" / "selection.csv"
    frame = pd.read_csv(documents)
    frame.loc[frame["selection"] == "cross_fit", "correct"] = 0    # SIEF loses every fact
    frame.to_csv(documents, index=False)
    assert experiment.main(["check", str(folder)]) == 1


def test_the_report_reads_every_arm_the_stages_train():
    # collect.ARMS is written apart from pipeline.comparison (the report stage imports no
    # torch); dvc.yaml's two arms matrices and the library must name the same four.
    from ruamel.yaml import YAML
    from pipeline.comparison.arms import ARMS as TRAINED
    root = Path(__file__).resolve().parents[1]
    stages = YAML(typ="safe", pure=True).load((root / "dvc.yaml").read_text())["stages"]
    from pipeline.comparison.arms import MAIN_ARMS as TRAINED_MAIN
    in_dvc = [*stages["arms"]["matrix"]["arm"], *stages["arms_sief"]["matrix"]["arm"]]
    assert ARMS == TRAINED and sorted(in_dvc) == sorted(ARMS)
    assert MAIN_ARMS == TRAINED_MAIN and all(arm in stages for arm in MAIN_ARMS)


def test_the_headline_metrics_are_the_tables_numbers():
    from pipeline.reporting.summary import headline
    from pipeline.reporting.tables import RunResults, Table
    scored = {("bilstm", "glove", job): RunResults({"dev": {"ign_f1": value}}, {}, "")
              for job, value in (("base", 0.35), ("control", 0.37), ("sief", 0.381234))}
    histories = {run: pd.DataFrame({"train_seconds": [60.0, 30.0]}) for run in scored}
    effect = Table("sief_effect", "", pd.DataFrame([
        {"model": "BiLSTM", "difference": "+SIEF - control", "metric": "dev Ign F1",
         "mean difference": 1.12, "95% CI": "[-1.90, +2.88]", "verdict": "undecided"},
        {"model": "BiLSTM", "difference": "+SIEF - control", "metric": "dev F1",
         "mean difference": 9.0, "95% CI": "[+1.00, +2.00]", "verdict": "better"}]))
    arms = Table("arms_effect", "", pd.DataFrame([
        {"model": "BiLSTM", "difference": "+SIEF - augment", "metric": "dev Ign F1",
         "mean difference": -0.01, "95% CI": "[-1.37, +1.34]", "verdict": "undecided"}]))
    entry = headline(scored, histories, {"glove": "glove"}, effect, arms)["bilstm"]["glove"]
    assert entry == {"train_min": 4.5, "base": 35.0, "control": 37.0, "sief": 38.12,
                     "sief_control": 1.12, "sief_control_low": -1.9, "sief_control_high": 2.88,
                     "verdict": "undecided", "arms": {"sief_augment": -0.01}}


def write_setting(root: Path, setting: str, counts: tuple[np.ndarray, np.ndarray],
                  seeds=(13, 14), **sief) -> None:
    """An analysis setting's runs as the analysis stage writes them (an arm's files, its
    dev.json naming the setting and its SIEF config) under root/docred/bilstm/glove/."""
    from pipeline.comparison.analysis import name_setting
    from pipeline.sief.objective import SIEFConfig
    metrics = root / "docred" / "bilstm" / "glove" / "analysis" / setting / "dev.json"
    run_arms("sief", {seed: Path("base.pt") for seed in seeds}, lambda seed: root / "runs",
             metrics, lambda seed, base, out: arm_result(*counts))
    name_setting(metrics, setting, SIEFConfig(**sief))


def analysed(tmp_path: Path, arm_seeds=(13, 14, 15), setting_seeds=(13, 14)):
    """Tables 5, 6, heuristics_effect and Figure 4's points of hand-made runs: the sief arm
    GOOD, rand POOR (seed 15 of both is no partner: the settings have 13 and 14), the
    settings nomention POOR, gtruth GOOD on all dev but POOR cross-fitted, beta 0.4 the
    other way round; base dev F1 0.3 (seed 13) and 0.4 (seed 14)."""
    from pipeline.data.jsonio import write_json
    from pipeline.reporting.collect import Analysis, analysis_results
    from pipeline.reporting.tables import RunResults
    write_arms(tmp_path, {"sief": (GOOD, GOOD), "rand": (POOR, POOR)}, seeds=arm_seeds)
    write_setting(tmp_path, "nomention", (POOR, POOR), setting_seeds,
                  evidence_rule="no_mention")
    write_setting(tmp_path, "gtruth", (GOOD, POOR), setting_seeds, target="gold")
    write_setting(tmp_path, "beta04", (POOR, GOOD), setting_seeds, beta=0.4)
    write_json(tmp_path / "docred/bilstm/glove/seeds/base/dev.json",
               {"runs": [{"seed": 14, "dev": {"f1": 0.4, "ign_f1": 0.35}},
                         {"seed": 15, "dev": {"f1": 0.9, "ign_f1": 0.9}}]})
    results = {("bilstm", "glove", "base"): RunResults({"dev": {"f1": 0.3, "ign_f1": 0.25}},
                                                       {}, "")}
    return analysis_results(tmp_path / "docred", GRID,
                            Analysis(("bilstm",), ("beta04", "nomention", "gtruth"), 0.8, 9),
                            results)


def test_tables_5_6_pair_each_setting_with_the_arms_of_its_seeds(tmp_path):
    (table5, table6, effect), sweep = analysed(tmp_path)
    rows = table5.frame.set_index("method")
    assert rows.index.tolist() == ["Base", "+SIEF", "+Rand", "+NoMention"]
    assert rows["seeds"].tolist() == [2, 2, 2, 2]
    assert rows["dev F1"].tolist() == [35.0, 50.0, 20.0, 20.0]   # Base: (0.3 + 0.4) / 2
    assert rows.loc["+Rand", "paper dev F1"] == paper.TABLE5[("bilstm", "rand")][1]
    assert table6.frame["method"].tolist() == ["Base", "+SIEF", "+GTruth"]
    assert table6.frame.set_index("method").loc["+GTruth", "dev F1"] == 50.0  # on all dev
    # The differences are cross-fitted: GTruth is POOR there, beta 0.4 GOOD.
    f1 = effect.frame[effect.frame["metric"] == "dev F1"].set_index("difference")
    assert f1["mean difference"].to_dict() == {"+SIEF - +Rand": 30.0,
                                               "+SIEF - +NoMention": 30.0,
                                               "+SIEF - +GTruth": 30.0,
                                               "+SIEF - beta=0.4": 0.0}
    assert set(f1["seeds"]) == {2}
    paper_rand = paper.TABLE1[("bilstm", "glove", "sief")][1] - paper.TABLE5[("bilstm", "rand")][1]
    assert f1.loc["+SIEF - +Rand", "paper difference"] == round(paper_rand, 2)
    assert sweep[["beta", "seeds", "f1"]].values.tolist() == [[0.4, 2, 20.0], [0.8, 2, 50.0]]
    assert (sweep["f1_low"] < sweep["f1"]).all() and (sweep["f1"] < sweep["f1_high"]).all()


def test_a_setting_seed_without_its_sief_arm_run_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"no run of seed\(s\) \[16\]"):
        analysed(tmp_path, setting_seeds=(13, 16))


def test_figure4_draws_error_bars(tmp_path):
    from pipeline.reporting.figures import figure4
    _, sweep = analysed(tmp_path)
    assert figure4(sweep, tmp_path / "f4.png").read_bytes()[:4] == b"\x89PNG"
