"""The run grid through real cluster engines (commands.cluster submit / gather): a small DVC
project of four stages (a -> b, c -> d) run one job per stage on SLURM and on a local Ray
cluster, each job in its own clone, then gathered here from the shared remote's run cache.
Stage b's output is `cache: false` (as the pipeline's dev.json and metrics.json): DVC writes
no run-cache entry for such a stage and pushes no such object, so the jobs must. The gather
must re-run nothing, and every output and dvc.lock entry must equal those of a plain `dvc
repro`. Skipped where the engine is not running (.ci/run starts SLURM)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEP = "import pathlib, sys; a = sys.argv[1:-1]; pathlib.Path(sys.argv[-1]).write_text(" \
       "''.join(pathlib.Path(p).read_text() for p in a) + sys.argv[-1] + chr(10))"
DVC_YAML = f"""stages:
  a:
    cmd: python -c "{STEP}" params.yaml a.txt
    deps: [params.yaml]
    params: [x]
    outs: [a.txt]
  b:
    cmd: python -c "{STEP}" a.txt b.txt
    deps: [a.txt]
    outs: [{{b.txt: {{cache: false}}}}]
  c:
    cmd: python -c "{STEP}" a.txt c.txt
    deps: [a.txt]
    outs: [c.txt]
  d:
    cmd: python -c "{STEP}" b.txt c.txt d.txt
    deps: [b.txt, c.txt]
    outs: [d.txt]
"""
OUTS = ["a.txt", "b.txt", "c.txt", "d.txt"]


def sh(*args, cwd, env=None):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


def toy_repo(root: Path) -> Path:
    repo = root / "toy"
    repo.mkdir()
    (repo / "dvc.yaml").write_text(DVC_YAML)
    (repo / "params.yaml").write_text("x: 1\n")
    sh("git", "init", "-q", cwd=repo)
    sh("git", "config", "user.email", "t@t", cwd=repo)
    sh("git", "config", "user.name", "t", cwd=repo)
    sh("dvc", "init", "-q", cwd=repo)
    sh("dvc", "config", "core.analytics", "false", cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "commit", "-qm", "toy", cwd=repo)
    return repo


def plain_repro(repo: Path, root: Path) -> tuple[dict, dict]:
    clone = root / "plain"
    sh("git", "clone", "-q", str(repo), str(clone), cwd=root)
    sh("dvc", "repro", cwd=clone)
    return outputs(clone)


def outputs(repo: Path) -> tuple[dict, dict]:
    from ruamel.yaml import YAML
    lock = YAML(typ="safe").load((repo / "dvc.lock").read_text())["stages"]
    return {o: (repo / o).read_text() for o in OUTS}, lock


def cluster(repo: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DVC_NO_ANALYTICS": "1"}
    return sh(sys.executable, "-m", "commands.cluster", *args, cwd=repo, env=env)


def slurm_up() -> bool:
    if not shutil.which("sinfo"):
        return False
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return state.returncode == 0 and any(s in state.stdout for s in ("idle", "mix", "alloc"))


def ray_installed() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


ENGINES = [pytest.param("slurm", marks=pytest.mark.skipif(not slurm_up(), reason="no SLURM "
                                                           "node up (.ci/slurm.sh starts one)")),
           pytest.param("ray", marks=pytest.mark.skipif(not ray_installed(),
                                                        reason="ray is not installed"))]


def wait_for(repo: Path, timeout: float = 300) -> list[str]:
    for _ in range(int(timeout)):
        states = cluster(repo, "status").split()
        if not any(s in states for s in ("pending", "running", "configuring", "not")):
            return states
        time.sleep(1)
    raise AssertionError(f"jobs still running after {timeout} s: {states}")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_grid_runs_one_job_per_stage_and_gathers_without_re_running(engine, tmp_path):
    repo = toy_repo(tmp_path)
    expected = plain_repro(repo, tmp_path)
    remote = tmp_path / "remote"
    cluster(repo, "submit", "--engine", engine, "--remote", str(remote), "--cpus", "1")
    run = json.loads((repo / ".cluster/run.json").read_text())
    assert run["engine"] == engine and run["stages"] == ["a", "b", "c", "d"]
    if engine == "slurm":
        assert len(set(run["ids"].values())) == 4       # one SLURM job per stage
        wait_for(repo)
    status = cluster(repo, "status")
    assert status.split().count("done") == 4, status
    assert not any((repo / o).exists() for o in OUTS)  # nothing ran in the workspace
    gathered = cluster(repo, "gather", "--remote", str(remote))
    assert "restored from the run cache: 4; ran: []" in gathered, gathered
    assert outputs(repo) == expected


def test_a_failing_job_is_retried_and_reported(tmp_path):
    if not ray_installed():
        pytest.skip("ray is not installed")
    repo = toy_repo(tmp_path)
    (repo / "dvc.yaml").write_text(DVC_YAML.replace('params.yaml a.txt', 'params.yaml a.txt '
                                                    '&& python -c "raise SystemExit(1)"'))
    sh("git", "commit", "-qam", "a fails", cwd=repo)
    cluster(repo, "submit", "--engine", "ray", "--remote", str(tmp_path / "remote"),
            "--retries", "2", "--cpus", "1")
    status = cluster(repo, "status")
    assert "failed  a  (log:" in status and status.split().count("done") == 0
    log = next((repo / ".cluster").glob("*/logs/a.out")).read_text()
    assert log.count("attempt ") == 2                    # bounded retries, both tried


SLOW_STEP = """import json, pathlib, sys, time
state = pathlib.Path("data/resume/slow.json")   # outside DVC's outputs, as the stages keep it
start = json.loads(state.read_text())["steps"] if state.exists() else 0
for step in range(start + 1, 7):
    time.sleep(1)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"steps": step}))
pathlib.Path(sys.argv[1]).write_text(f"6 steps, resumed after {start}" + chr(10))
"""


def test_a_job_that_lost_its_node_resumes_from_its_state(tmp_path, monkeypatch):
    """A job killed outright (its node lost: no trap, no clean-up runs) and started again by
    the engine finds its clone and the stage's resume state, and goes on from there."""
    import signal
    from commands.cluster import JobResources, job_scripts
    repo = toy_repo(tmp_path)
    (repo / "slow.py").write_text(SLOW_STEP)
    (repo / "dvc.yaml").write_text("stages:\n  slow:\n    cmd: python slow.py out.txt\n"
                                   "    deps: [slow.py]\n    outs: [out.txt]\n")
    sh("git", "add", "-A", cwd=repo)
    sh("git", "commit", "-qm", "a slow, resumable stage", cwd=repo)
    monkeypatch.chdir(repo)
    remote, folder = tmp_path / "remote", repo / ".cluster" / "run"
    script = job_scripts(["slow"], folder, remote, retries=1,
                         resources={"slow": JobResources(cpus=1)})["slow"]
    state = folder / "jobs" / "slow" / "repo" / "data" / "resume" / "slow.json"
    first = subprocess.Popen(["bash", str(script)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if state.exists() and json.loads(state.read_text())["steps"] >= 2:
            break
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)                   # the node is gone
    first.wait()
    kept = json.loads(state.read_text())["steps"]
    assert 2 <= kept < 6
    again = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "slow: resuming in" in again.stdout
    assert not (folder / "jobs" / "slow").exists()        # a finished job's clone is removed
    gathered = cluster(repo, "gather", "--remote", str(remote))
    assert "restored from the run cache: 1; ran: []" in gathered, gathered
    resumed_after = int((repo / "out.txt").read_text().split()[-1])
    assert resumed_after == kept                          # from where it was, not step 0


def test_a_jobs_torch_threads_are_the_cpus_it_asked_for(tmp_path, monkeypatch):
    """A job of 3 CPUs runs torch (OpenMP, MKL) on 3 threads whatever the node's cores, unless
    the user set the thread count: the script's own environment line, run by bash."""
    from commands.cluster import JobResources, job_scripts
    repo = toy_repo(tmp_path)
    monkeypatch.chdir(repo)
    script = job_scripts(["b"], repo / ".cluster" / "run", tmp_path / "remote", retries=1,
                         resources={"b": JobResources(cpus=3)})["b"]
    line = next(text for text in script.read_text().splitlines()
                if text.startswith("export OMP_NUM_THREADS"))
    show = f'{line}; echo "$OMP_NUM_THREADS $MKL_NUM_THREADS"'
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    assert subprocess.run(["bash", "-c", show], env=env, capture_output=True, text=True
                          ).stdout.split() == ["3", "3"]
    assert subprocess.run(["bash", "-c", show], env={**env, "OMP_NUM_THREADS": "5"},
                          capture_output=True, text=True).stdout.split() == ["5", "3"]
