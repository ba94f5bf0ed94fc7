"""The committed report's tables of the runs' own metrics are the ones the committed results
make.

`dvc status` compares hashes in dvc.lock, so it cannot see a report whose lock entry was
updated without the stage running: a results file re-made by a re-run stage (a history's
train seconds) and the report left as it was. Table 1, sief_effect and training are made
from files git holds (metrics, histories, per-document counts), so a fresh clone can re-make
them as the report stage does and compare them cell for cell; the robustness table and the
figures need DVC's cache (robustness points), which a fresh clone lacks.
"""
from pathlib import Path

from pipeline.reporting.collect import docred_runs, run_tables
from pipeline.reporting.tables import write_table
from stages.common import read_params
from stages.report import report_grid

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "reports" / "docred"


def test_committed_report_tables_are_made_from_the_committed_results(tmp_path):
    grid = report_grid(read_params(ROOT / "params.yaml"), "docred")
    # The committed report directory as `out`: Table 1's paths to the leaderboard files are
    # relative to it.
    tables = run_tables(*docred_runs(ROOT / "data" / "results" / "docred", COMMITTED, grid),
                        grid.kinds)
    made = [path for table in tables for path in write_table(table, tmp_path)]
    assert sorted(path.name for path in made) == sorted(
        f"{name}.{suffix}" for name in ("table1", "sief_effect", "training")
        for suffix in ("csv", "md"))
    stale = [path.name for path in made
             if path.read_text(encoding="utf-8") != (COMMITTED / path.name).read_text(
                 encoding="utf-8")]
    assert not stale, f"re-run `dvc repro -f -s report@docred`: stale {stale}"
