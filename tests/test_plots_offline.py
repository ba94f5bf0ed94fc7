"""`python -m commands.plots diff`: DVC's plots page with Vega inside, so that it draws on a
machine without the internet; on a real DVC repository with a curve at two revisions."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_pages import CHROMIUM, assert_renders, render

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("vl_convert")


def run(*args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DVC_NO_ANALYTICS": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def curve(repo: Path, values: list[float]) -> None:
    lines = ["epoch,dev_ign_f1", *(f"{e},{v}" for e, v in enumerate(values, 1))]
    (repo / "history.csv").write_text("\n".join(lines) + "\n")


@pytest.fixture
def page(tmp_path) -> Path:
    """dvc plots diff HEAD of a curve committed at 0.31, 0.37 and changed to 0.29, 0.41."""
    repo = tmp_path / "repo"
    repo.mkdir()
    run("git", "init", "-q", cwd=repo)
    run(sys.executable, "-m", "dvc", "init", "-q", cwd=repo)
    (repo / "dvc.yaml").write_text("plots:\n  - history.csv:\n      x: epoch\n"
                                   "      y: dev_ign_f1\n")
    curve(repo, [0.31, 0.37])
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-qm", "baseline", cwd=repo)
    curve(repo, [0.29, 0.41])
    out = run(sys.executable, "-m", "commands.plots", "diff", "HEAD", "-o", "out", cwd=repo)
    assert "index.html" in out
    return repo / "out" / "index.html"


def test_the_page_holds_vega_and_both_revisions(page):
    html = page.read_text()
    assert "<script src" not in html and "cdn.jsdelivr" not in html
    assert "vegaEmbed" in html
    for value in ("0.31", "0.37", "0.29", "0.41", "HEAD", "workspace"):
        assert value in html, value


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")
def test_the_page_draws_without_the_network(page, tmp_path):
    result = render(page, tmp_path)
    assert_renders(result)                     # not blank, no request, no script error
    assert "<svg" in result["dom"] or "<canvas" in result["dom"]


def test_without_a_subcommand_it_says_how():
    from commands.plots import main
    assert main([]) == 2 and main(["--help"]) == 0
