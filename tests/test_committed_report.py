"""The committed report is the one the committed results make.

`dvc status` compares hashes in dvc.lock, so it cannot see a report whose lock entry was
updated without the stage running: a results file re-made by a re-run stage (a history's
train seconds) and the report left as it was. Re-running the report stage on the committed
`data/results` must give the committed tables cell for cell.
"""
import json
from pathlib import Path

from stages import report

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "reports" / "docred"


def _stub_stats(processed: Path) -> None:
    """The counts of the page's data section (index.md only, in no table): the processed
    data is a DVC output that a fresh clone does not have."""
    docred = {split: {"documents": 0, "facts": 0} for split in ("train", "dev")}
    dialogre = {split: {"instances": 0, "dialogues": 0, "instances_skipped": 0}
                for split in ("train", "dev", "test")}
    for dataset, stats in (("docred", docred), ("dialogre", dialogre)):
        (processed / dataset).mkdir(parents=True)
        (processed / dataset / "stats.json").write_text(json.dumps(stats))


def test_committed_report_tables_are_made_from_the_committed_results(tmp_path, monkeypatch):
    committed = sorted(p for p in COMMITTED.glob("*.*")
                       if p.suffix in (".csv", ".md") and p.name != "index.md")
    assert any(p.name == "training.csv" for p in committed)
    _stub_stats(tmp_path / "data" / "processed")
    # The repository's layout, so that Table 1's paths to the leaderboard files, relative
    # to the report, come out the same.
    (tmp_path / "data" / "results").symlink_to(ROOT / "data" / "results")
    out = tmp_path / "data" / "reports" / "docred"
    monkeypatch.chdir(ROOT)  # the stage reads params.yaml from the working directory
    report.main(["--dataset", "docred", "--results", str(tmp_path / "data" / "results"),
                 "--processed", str(tmp_path / "data" / "processed"), "--out", str(out),
                 "--analysis-encoder", "glove"])
    stale = [p.name for p in committed
             if (out / p.name).read_text(encoding="utf-8") != p.read_text(encoding="utf-8")]
    assert not stale, f"re-run `dvc repro -f -s report@docred`: stale {stale}"
    made = {p.name for p in out.glob("*.*") if p.suffix in (".csv", ".md")} - {"index.md"}
    assert made == {p.name for p in committed}

