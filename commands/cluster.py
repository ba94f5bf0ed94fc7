"""The run grid as jobs for a cluster: which stage instances can run side by side, and how
long the grid takes on N nodes.

    python -m commands.cluster plan                  # waves of stage instances, from DVC's graph
    python -m commands.cluster simulate --nodes 1 8 32 128 --out docs/cluster-projection.md
    python -m commands.cluster submit --engine slurm --remote /shared/dvc-remote [STAGE ...]
    python -m commands.cluster status
    python -m commands.cluster gather --remote /shared/dvc-remote

`plan` reads the stage graph from DVC itself (`dvc.repo.Repo(...).index.graph`, the graph
`dvc repro` runs), one node per stage instance (`train@docred-gain-glove`), and groups the
instances into waves: every instance of a wave depends only on earlier waves, so a wave is
one job array. `simulate` schedules the same graph on N identical nodes, one job per node at
a time, longest remaining path first (list scheduling), from measured per-stage wall times
(benchmarks/results/repro_times.csv): makespan, critical path, utilisation. `--seeds N`
also projects the replicate stages as one job per seed (what a cluster run would submit),
with N - 1 extra seeds per replicated model, each taking the measured per-seed time.
Per-job overheads on a real cluster (a clone, `dvc pull`, `dvc push`) are not in the
measured times; `--overhead-s` adds a guess per job.

`submit` runs the grid on a cluster engine, one job per stage instance, with the engine's
own dependencies: SLURM (`sbatch --dependency=afterok:...`, the jobs' ids kept) or Ray (one
task per instance, a task's inputs the tasks it needs). Every job works in its own clone of
the committed HEAD: it fetches the run cache from the DVC remote, `dvc repro --pull`s its
stage (whatever it needs upstream comes back from the run cache, not re-run), and pushes its
outputs and run-cache entry (`dvc push --run-cache`) with the objects of its `cache: false`
outputs, which DVC's push leaves out (`push_stage`); a failed repro is retried
(`--retries`), and a job whose node died is started again by the engine (SLURM
`--requeue`, Ray `max_retries`) in the same clone, where its stage resumes from its state.
`gather` then does the same in this workspace for what was submitted (`.cluster/run.json`):
every stage comes back from the run cache and dvc.lock is written once.
"""
from __future__ import annotations

import argparse
import datetime
import heapq
import json
import os
import re
import shutil
import subprocess
import sys
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd

TIMES = (Path("benchmarks/results/repro_times.csv"),)
"""The measured default run (`time dvc repro` in a fresh clone, per stage)."""
REPLICATED = ("seeds_base", "arms", "arms_sief")
"""The stage kinds that run one run per seed."""
MEASURED_EXTRA_SEEDS = 2
"""params.yaml seeds.extra of the measured run (14, 15)."""
MAIN_ARMS = ("control", "sief")
"""Arms whose schedule seed is the main run's (stages control, sief), not the arms stage's."""


def measured_seeds(stage: str) -> range:
    """The seeds a measured replicated instance ran, as indices (0: the schedule's seed,
    which starts from train's base; k > 0: the k-th extra seed, from its seeds_base run)."""
    kind, item = stage.split("@")
    extras_only = kind == "seeds_base" or item.rsplit("-", 1)[-1] in MAIN_ARMS
    return range(1 if extras_only else 0, MEASURED_EXTRA_SEEDS + 1)


@dataclass(frozen=True)
class JobResources:
    """What one job asks its engine for."""
    BOUNDS: ClassVar[dict[str, str]] = {"cpus": ">= 1", "gpus": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    cpus: int = 2
    """CPU cores of the job (SLURM --cpus-per-task, Ray num_cpus)."""
    gpus: int = 0
    """GPUs of the job (SLURM --gres=gpu:N, Ray num_gpus); 0 = none."""


@dataclass(frozen=True)
class ClusterConfig:
    """params.yaml `cluster`: read by this command only (no stage declares it, so changing it
    re-runs nothing)."""
    gpu_stages: tuple[str, ...] = ("transformer",)
    """An instance whose name holds one of these texts is a GPU job (`transformer`: every
    run with a pretrained encoder, DocRED's and DialogRE's)."""
    gpu_job: JobResources = JobResources(cpus=8, gpus=1)
    """What a GPU job asks for."""
    cpu_job: JobResources = JobResources()
    """What every other job asks for."""

    def of(self, stage: str) -> JobResources:
        return self.gpu_job if any(text in stage for text in self.gpu_stages) else self.cpu_job


def job_resources(stages: list[str], params: Path = Path("params.yaml"),
                  cpus: int | None = None, gpus: int | None = None) -> dict[str, JobResources]:
    """Each instance's resources from `params`' `cluster` section (ClusterConfig's defaults
    where it has none); `cpus` or `gpus` given replaces every job's count."""
    from pipeline.config import build
    from stages.common import read_params
    section = read_params(params).get("cluster", {}) if params.exists() else {}
    config = build(ClusterConfig, section, "cluster")
    chosen = {stage: config.of(stage) for stage in stages}
    given = {key: count for key, count in (("cpus", cpus), ("gpus", gpus)) if count is not None}
    return {stage: dataclasses.replace(job, **given) for stage, job in chosen.items()}


@dataclass(frozen=True)
class Graph:
    """Stage instances, what each needs first (its dependencies) and its wall seconds."""
    needs: dict[str, frozenset[str]]
    seconds: dict[str, float]


def dvc_graph(root: Path = Path(".")) -> dict[str, frozenset[str]]:
    """instance -> the instances it depends on, as DVC resolves dvc.yaml and params.yaml."""
    from dvc.repo import Repo
    with Repo(str(root)) as repo:
        graph = repo.index.graph  # edges run from a stage to what it depends on
        return {stage.addressing: frozenset(dep.addressing for dep in graph.successors(stage))
                for stage in graph.nodes}


def waves(needs: dict[str, frozenset[str]]) -> list[list[str]]:
    """Instances grouped so that each depends only on earlier groups (topological levels)."""
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((depth(dep) for dep in needs[name]), default=-1)
        return level[name]

    for name in needs:
        depth(name)
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for name in sorted(needs):
        out[level[name]].append(name)
    return out


def measured_seconds(needs: dict[str, frozenset[str]], times: pd.DataFrame) -> dict[str, float]:
    """Each instance's last measured wall time; an error names those never measured."""
    last = times.drop_duplicates("stage", keep="last").set_index("stage")["seconds"]
    missing = sorted(set(needs) - set(last.index))
    if missing:
        raise SystemExit(f"no measured time for {missing} (repro_times.csv)")
    return {name: float(last[name]) for name in needs}


def with_seed_jobs(graph: Graph, seeds: int) -> Graph:
    """The replicated stages as one job per seed: `seeds` seeds per replicated model (the
    schedule's and `seeds` - 1 extra), each with the measured per-seed time. An extra seed
    k's jobs need seed k's seeds_base job only; an arm's seed 0 (the schedule's) needs the
    train stage's base; whatever needed a replicated stage needs all of its seed jobs."""
    needs = {k: set(v) for k, v in graph.needs.items()}
    seconds = dict(graph.seconds)
    for stage in [s for s in graph.needs if s.split("@")[0] in REPLICATED]:
        kind, item = stage.split("@")
        run = "-".join(item.split("-")[:3])                 # dataset-model-encoder
        measured = measured_seeds(stage)
        first = measured.start
        jobs = [f"{stage}#seed{k}" for k in range(first, seeds)]
        for k, job in zip(range(first, seeds), jobs):
            own = ({f"seeds_base@{run}#seed{k}"} if kind != "seeds_base" and k > 0 else set())
            needs[job] = {d for d in graph.needs[stage]
                          if not d.startswith("seeds_") and (k == 0 or not
                                                             d.startswith("train@"))} | own
            seconds[job] = graph.seconds[stage] / len(measured)
        for other in needs.values():
            if stage in other:
                other.discard(stage)
                other.update(jobs)
        del needs[stage], seconds[stage]
    return Graph({k: frozenset(v) for k, v in needs.items()}, seconds)


def users_of(needs: dict[str, frozenset[str]]) -> dict[str, list[str]]:
    """instance -> the instances that need it (the graph's edges turned round)."""
    users: dict[str, list[str]] = {name: [] for name in needs}
    for name, deps in needs.items():
        for dep in deps:
            users[dep].append(name)
    return users


def critical_path(graph: Graph) -> dict[str, float]:
    """instance -> the longest chain of seconds from it to the end of the grid (itself
    included): list scheduling's priority, and at the first instance, the critical path."""
    users = users_of(graph.needs)
    memo: dict[str, float] = {}

    def tail(name: str) -> float:
        if name not in memo:
            memo[name] = graph.seconds[name] + max((tail(u) for u in users[name]), default=0.0)
        return memo[name]

    return {name: tail(name) for name in graph.needs}


def simulate(graph: Graph, nodes: int, overhead_s: float = 0.0) -> dict[str, float]:
    """Schedule every instance on `nodes` identical nodes (one job per node at a time; a job
    starts once all it needs has finished; the ready job with the longest remaining path
    goes first). Returns makespan, critical path, total work and utilisation (seconds)."""
    cost = {name: graph.seconds[name] + overhead_s for name in graph.needs}
    priority = critical_path(Graph(graph.needs, cost))
    waiting = {name: set(deps) for name, deps in graph.needs.items()}
    users = users_of(graph.needs)
    ready = [(-priority[n], n) for n, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    running: list[tuple[float, str]] = []   # (finish time, instance)
    now, free = 0.0, nodes
    while ready or running:
        while ready and free:
            _, name = heapq.heappop(ready)
            heapq.heappush(running, (now + cost[name], name))
            free -= 1
        now, done = heapq.heappop(running)
        free += 1
        for user in users[done]:
            waiting[user].discard(done)
            if not waiting[user]:
                heapq.heappush(ready, (-priority[user], user))
    work = sum(cost.values())
    return {"nodes": nodes, "jobs": len(cost), "makespan_s": now,
            "critical_path_s": max(priority.values(), default=0.0), "work_s": work,
            "utilisation": work / (nodes * now) if now else 0.0}


def projection_table(graphs: dict[str, Graph], nodes: list[int], overhead_s: float
                     ) -> pd.DataFrame:
    rows = []
    for label, graph in graphs.items():
        for n in nodes:
            r = simulate(graph, n, overhead_s)
            rows.append({"grid": label, "nodes": n, "jobs": r["jobs"],
                         "makespan (min)": round(r["makespan_s"] / 60, 1),
                         "critical path (min)": round(r["critical_path_s"] / 60, 1),
                         "work (min)": round(r["work_s"] / 60, 1),
                         "utilisation (%)": round(100 * r["utilisation"], 1)})
    return pd.DataFrame(rows)


RUN_FILE = Path(".cluster/run.json")
NODE_LOSS_RETRIES = 2
"""How often Ray runs a task again after its worker or node died (SLURM: --requeue)."""
JOB_SCRIPT = """#!/usr/bin/env bash
# {stage}: one stage instance in its own clone of {commit} (commands/cluster.py)
set -uo pipefail
export PATH={bin}:$PATH DVC_NO_ANALYTICS=1 SIEF_NO_PROGRESS=1
# torch's threads: the CPUs the job asked for, not the node's cores (two jobs of one CPU on
# a 2-core node would each start two threads, which spin against each other: 7x slower).
# params.yaml runtime.threads > 0 overrides it, and the count is part of the arithmetic.
export OMP_NUM_THREADS=${{OMP_NUM_THREADS:-{cpus}}} MKL_NUM_THREADS=${{MKL_NUM_THREADS:-{cpus}}}
# The clone lives at one path per job on the shared folder: when an attempt dies with its
# node (the engine re-queues the job), the next one finds it and the stage resumes from the
# resume state its training left under data/resume/ (outside DVC's outputs).
work={work}/jobs/{name}
if [ -d "$work/repo/.git" ]; then
  echo "{stage}: resuming in $work (an earlier attempt did not finish)"
  cd "$work/repo" || exit 3
  # The dead attempt's DVC locks name its PID, which this node cannot check (another host's,
  # or a zombie): the engine starts a job only once its last attempt has ended.
  rm -f .dvc/tmp/rwlock .dvc/tmp/lock
else
  rm -rf "$work" && mkdir -p "$work" || exit 3
  git clone -q {repo} "$work/repo" && cd "$work/repo" && git checkout -q {commit} || exit 3
fi
[ -d {repo}/../shared ] && ln -sfn {repo}/../shared "$work/shared"   # the data mirror
dvc remote add -d -f --local cluster {remote} || exit 3
rc=1
for attempt in $(seq {retries}); do
  echo "attempt $attempt of {stage}"
  dvc fetch --run-cache -q
  if dvc repro --pull {stage} && python {helper} push {stage}; then rc=0; break; fi
done
echo $rc > {logs}/{name}.rc
[ $rc = 0 ] && rm -rf "$work"     # a failed job's clone stays, for its resume state and a look
exit $rc
"""


def job_scripts(stages: list[str], folder: Path, remote: Path, retries: int,
                resources: dict[str, JobResources]) -> dict[str, Path]:
    """One bash script per stage instance (JOB_SCRIPT), in `folder`, for the committed HEAD,
    its torch threads the CPUs its job asks for (`resources`)."""
    commit = _git("rev-parse", "HEAD")
    if _git("status", "--porcelain", "--untracked-files=no"):
        print("cluster: uncommitted changes are not seen by the jobs (they clone HEAD)",
              file=sys.stderr)
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    # The jobs' `push` step: this file as submitted (a clone of another project has no
    # commands/ package, and a later edit here must not change a queued job).
    helper = folder / "cluster.py"
    shutil.copyfile(__file__, helper)
    scripts = {}
    for stage in stages:
        name = stage.replace("@", "__")
        script = folder / f"{name}.sh"
        script.write_text(JOB_SCRIPT.format(
            stage=stage, name=name, commit=commit, bin=Path(sys.executable).parent,
            work=folder.resolve(), repo=Path.cwd().resolve(), remote=remote.resolve(),
            retries=retries, logs=(folder / "logs").resolve(), cpus=resources[stage].cpus,
            helper=helper.resolve()))
        scripts[stage] = script.resolve()
    return scripts


def submit_slurm(needs: dict[str, frozenset[str]], scripts: dict[str, Path], logs: Path,
                 resources: dict[str, JobResources]) -> dict[str, str]:
    """sbatch every instance after what it needs (afterok): instance -> SLURM job id."""
    ids: dict[str, str] = {}
    for stage in [name for wave in waves(needs) for name in wave]:
        command = sbatch_command(stage, scripts[stage], logs,
                                 [ids[dep] for dep in sorted(needs[stage])], resources[stage])
        ids[stage] = subprocess.run(command, capture_output=True, text=True,
                                    check=True).stdout.strip().split(";")[0]
    return ids


def sbatch_command(stage: str, script: Path, logs: Path, after: list[str],
                   resources: JobResources) -> list[str]:
    """The sbatch line of one instance: its resources, its log, the jobs it waits for."""
    # --requeue: a job whose node fails goes back to the queue (and resumes: JOB_SCRIPT).
    return ["sbatch", "--parsable", "--requeue", f"--job-name={stage}",
            f"--cpus-per-task={resources.cpus}",
            *([f"--gres=gpu:{resources.gpus}"] if resources.gpus else []),
            f"--output={logs / script.with_suffix('.out').name}",
            *([f"--dependency=afterok:{':'.join(after)}", "--kill-on-invalid-dep=yes"]
              if after else []), str(script)]


def run_ray(needs: dict[str, frozenset[str]], scripts: dict[str, Path], logs: Path,
            resources: dict[str, JobResources], address: str | None) -> dict[str, int]:
    """One Ray task per instance, its inputs the tasks it needs (Ray starts it when they
    have finished); waits for all. Returns instance -> exit status."""
    import ray
    ray.init(address=address, num_cpus=None if address else os.cpu_count(),
             include_dashboard=False, log_to_driver=False)

    @ray.remote
    def job(script: str, out: str, *needed: int) -> int:
        if any(needed):
            return 4                                   # something it needs failed
        with open(out, "w") as handle:
            return subprocess.run(["bash", script], stdout=handle, stderr=subprocess.STDOUT
                                  ).returncode

    refs = {}
    for stage in [name for wave in waves(needs) for name in wave]:
        asks = resources[stage]
        # max_retries: Ray runs a task again when its worker or node dies (JOB_SCRIPT resumes).
        refs[stage] = job.options(num_cpus=asks.cpus, num_gpus=asks.gpus,
                                  max_retries=NODE_LOSS_RETRIES).remote(
            str(scripts[stage]), str(logs / scripts[stage].with_suffix(".out").name),
            *[refs[dep] for dep in sorted(needs[stage])])
    codes = dict(zip(refs, ray.get(list(refs.values()))))
    ray.shutdown()
    return codes


def job_status(run: dict) -> list[dict]:
    """Each submitted instance: done / failed (its exit status file) or the engine's state."""
    logs = Path(run["folder"]) / "logs"
    queued = {}
    if run["engine"] == "slurm" and shutil.which("squeue"):
        out = subprocess.run(["squeue", "-h", "-o", "%i %T", "-j", ",".join(run["ids"].values())],
                             capture_output=True, text=True).stdout
        queued = dict(line.split() for line in out.splitlines() if line.strip())
    rows = []
    for stage in run["stages"]:
        name = stage.replace("@", "__")
        rc = logs / f"{name}.rc"
        state = ("done" if rc.read_text().strip() == "0" else "failed") if rc.is_file() else \
            queued.get(run.get("ids", {}).get(stage, ""), "not run").lower()
        rows.append({"stage": stage, "state": state, "log": str(logs / f"{name}.out")})
    return rows


def gather(remote: Path, stages: list[str] | tuple[str, ...] = ()) -> dict[str, list[str]]:
    """`dvc repro --pull` of `stages` (none: the whole grid) here after fetching the run
    cache: every finished stage comes back from it. Returns the stages that ran and those
    restored."""
    _dvc("remote", "add", "-d", "-f", "--local", "cluster", str(remote.resolve()))
    _dvc("fetch", "--run-cache", "-q")
    out = _dvc("repro", "--pull", *stages)
    return {"ran": re.findall(r"^Running stage '([^']+)'", out, re.M),
            "restored": re.findall(r"^Stage '([^']+)' is cached - skipping run", out, re.M)}


def push_stage(stage_name: str) -> int:
    """Send `stage_name`'s run-cache entry and every object it names to the default remote,
    so that any other clone (a job downstream, the gather) restores the stage instead of
    running it. DVC alone does not: it writes no entry for a stage with a `cache: false`
    output that is neither a metric nor a plot (DVC PR 8738: such files live in Git), and
    `dvc push --run-cache` sends the entries but not the objects of the `cache: false`
    outputs they name. Returns the objects sent."""
    from dvc.repo import Repo
    # DVC's own run-cache key and value of a stage (dvc/stage/cache.py, what `save` writes).
    from dvc.stage.cache import _get_cache_hash, _get_stage_hash
    from dvc.stage.serialize import to_single_stage_lockfile
    with Repo() as repo:
        (stage,) = repo.stage.collect(stage_name)
        # Writes the entry where DVC did not, and copies the stage's cache: false outputs
        # into the local cache either way (a no-op for an entry that is there).
        repo.stage_cache.save(stage)
        entry = (_get_stage_hash(stage), _get_cache_hash(to_single_stage_lockfile(stage)))
        if repo.stage_cache._load_cache(*entry) is None:
            raise SystemExit(f"cluster push: DVC cannot run-cache {stage_name} (an output "
                             "outside the repository, persist: true, or no dependency)")
        objects = set().union(*repo.stage_cache.get_used_objs([entry]).values())
        failed = repo.cloud.push(objects).failed
        if failed:
            raise SystemExit(f"cluster push: {len(failed)} objects of {stage_name} not sent")
        repo.push(run_cache=True)          # the entry, and the workspace's cached outputs
    return len(objects)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def _dvc(*args: str) -> str:
    done = subprocess.run(["dvc", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"dvc {' '.join(args)} failed:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("plan", help="waves of stage instances")
    sim = sub.add_parser("simulate", help="the grid on N nodes, from measured stage times")
    sim.add_argument("--times", type=Path, nargs="+", default=list(TIMES),
                     help="measured runs' repro_times.csv (a stage's last row counts)")
    sim.add_argument("--nodes", type=int, nargs="+", default=[1, 8, 32, 128])
    sim.add_argument("--seeds", type=int, default=10,
                     help="seeds per replicated model in the projected seed grid")
    sim.add_argument("--overhead-s", type=float, default=0.0, help="added to every job")
    sim.add_argument("--out", type=Path, help="write the table (Markdown) here too")
    run = sub.add_parser("submit", help="one job per stage instance on SLURM or Ray")
    run.add_argument("stages", nargs="*", help="instances to run (default: every one); "
                                                "what they need upstream is run too")
    run.add_argument("--engine", choices=["slurm", "ray"], required=True)
    run.add_argument("--remote", type=Path, required=True,
                     help="the DVC remote every job shares (a folder on a shared filesystem "
                          "here; an S3 or SSH remote needs the dvc extra)")
    run.add_argument("--retries", type=int, default=2, help="attempts per job")
    run.add_argument("--cpus", type=int, help="CPUs of every job (default: params.yaml "
                                               "cluster section, per stage kind)")
    run.add_argument("--gpus", type=int, help="GPUs of every job (default: params.yaml "
                                               "cluster section; 0: the whole grid on CPUs)")
    run.add_argument("--ray-address", help="an existing Ray cluster (default: start one here)")
    sub.add_parser("status", help="what the last submit is doing")
    push = sub.add_parser("push", help="(in a job) send a stage's run-cache entry and every "
                                       "object it names, cache: false outputs included")
    push.add_argument("stage")
    back = sub.add_parser("gather", help="restore every finished stage here from the run cache")
    back.add_argument("--remote", type=Path, required=True)
    args = p.parse_args(argv)
    if args.command == "status":
        for row in job_status(json.loads(RUN_FILE.read_text())):
            print(f"{row['state']:>10}  {row['stage']}" + (f"  (log: {row['log']})"
                                                           if row["state"] == "failed" else ""))
        return 0
    if args.command == "push":
        print(f"{args.stage}: {push_stage(args.stage)} objects pushed with its run-cache entry")
        return 0
    if args.command == "gather":
        # What was submitted (and what it needs), or the whole grid without a run file.
        submitted = json.loads(RUN_FILE.read_text())["stages"] if RUN_FILE.is_file() else []
        result = gather(args.remote, submitted)
        print(f"restored from the run cache: {len(result['restored'])}; ran: {result['ran']}")
        return 0
    needs = dvc_graph()
    if args.command == "plan":
        for k, wave in enumerate(waves(needs), 1):
            print(f"wave {k} ({len(wave)}): {' '.join(wave)}")
        return 0
    if args.command == "submit":
        return submit(args, needs)
    graph = Graph(needs, measured_seconds(needs, pd.concat(map(pd.read_csv, args.times))))
    grids = {"default (as measured)": graph,
             f"{args.seeds} seeds per replicated model, one job per seed":
                 with_seed_jobs(graph, args.seeds)}
    table = projection_table(grids, args.nodes, args.overhead_s)
    from pipeline.reporting.tables import markdown_rows
    text = "\n".join(markdown_rows(table)) + "\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


def submit(args: argparse.Namespace, needs: dict[str, frozenset[str]]) -> int:
    """Submit `args.stages` and what they need (all when none) to the engine; the run is
    kept in RUN_FILE for status and gather."""
    wanted = set(args.stages) or set(needs)
    unknown = sorted(wanted - set(needs))
    if unknown:
        raise SystemExit(f"cluster: no stage instances {unknown}")
    chosen = set()
    for stage in wanted:
        chosen |= upstream(needs, stage)
    needs = {stage: needs[stage] for stage in chosen}
    folder = RUN_FILE.parent / datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    resources = job_resources(sorted(needs), cpus=args.cpus, gpus=args.gpus)
    scripts = job_scripts(sorted(needs), folder, args.remote, args.retries, resources)
    run = {"engine": args.engine, "folder": str(folder), "remote": str(args.remote),
           "stages": [name for wave in waves(needs) for name in wave],
           "resources": {stage: [job.cpus, job.gpus] for stage, job in resources.items()}}
    if args.engine == "slurm":
        run["ids"] = submit_slurm(needs, scripts, folder / "logs", resources)
        print(f"submitted {len(needs)} jobs to SLURM: {' '.join(run['ids'].values())}")
    else:
        codes = run_ray(needs, scripts, folder / "logs", resources, args.ray_address)
        print(f"ran {len(needs)} Ray tasks: {sum(c == 0 for c in codes.values())} done")
    RUN_FILE.parent.mkdir(exist_ok=True)
    RUN_FILE.write_text(json.dumps(run, indent=1) + "\n")
    return 0


def upstream(needs: dict[str, frozenset[str]], stage: str) -> set[str]:
    """The instance and everything it needs, transitively."""
    seen, todo = set(), [stage]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(needs[name])
    return seen


if __name__ == "__main__":
    sys.exit(main())
