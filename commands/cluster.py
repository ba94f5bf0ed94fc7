"""The run grid as jobs for a cluster: which stage instances can run side by side, and how
long the grid takes on N nodes.

    python -m commands.cluster plan                  # waves of stage instances, from DVC's graph
    python -m commands.cluster simulate --nodes 1 8 32 128 --out docs/cluster-projection.md

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
"""
from __future__ import annotations

import argparse
import heapq
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TIMES = Path("benchmarks/results/repro_times.csv")
SEEDS_STAGES = ("seeds_base", "seeds_sief", "seeds_control")
SEEDS_PER_STAGE = 2
"""Seeds each measured seeds stage ran (params.yaml seeds.extra): its time over this is one
seed's."""


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
    """The replicate stages as one job per seed: `seeds` - 1 extra seeds per replicated
    model, each with the measured per-seed time; seed k's SIEF and control need seed k's
    base only; whatever needed a seeds stage needs all of its seed jobs."""
    needs = {k: set(v) for k, v in graph.needs.items()}
    seconds = dict(graph.seconds)
    for stage in [s for s in graph.needs if s.split("@")[0] in SEEDS_STAGES]:
        kind, item = stage.split("@")
        jobs = [f"{stage}#seed{k}" for k in range(1, seeds)]
        for k, job in enumerate(jobs, 1):
            own = {f"seeds_base@{item}#seed{k}"} if kind != "seeds_base" else set()
            needs[job] = {d for d in graph.needs[stage] if not d.startswith("seeds_")} | own
            seconds[job] = graph.seconds[stage] / SEEDS_PER_STAGE
        for other in needs.values():
            if stage in other:
                other.discard(stage)
                other.update(jobs)
        del needs[stage], seconds[stage]
    return Graph({k: frozenset(v) for k, v in needs.items()}, seconds)


def critical_path(graph: Graph) -> dict[str, float]:
    """instance -> the longest chain of seconds from it to the end of the grid (itself
    included): list scheduling's priority, and at the first instance, the critical path."""
    users: dict[str, list[str]] = {name: [] for name in graph.needs}
    for name, deps in graph.needs.items():
        for dep in deps:
            users[dep].append(name)
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
    users: dict[str, list[str]] = {name: [] for name in graph.needs}
    for name, deps in graph.needs.items():
        for dep in deps:
            users[dep].append(name)
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("plan", help="waves of stage instances")
    sim = sub.add_parser("simulate", help="the grid on N nodes, from measured stage times")
    sim.add_argument("--times", type=Path, default=TIMES)
    sim.add_argument("--nodes", type=int, nargs="+", default=[1, 8, 32, 128])
    sim.add_argument("--seeds", type=int, default=10,
                     help="seeds per replicated model in the projected seed grid")
    sim.add_argument("--overhead-s", type=float, default=0.0, help="added to every job")
    sim.add_argument("--out", type=Path, help="write the table (Markdown) here too")
    args = p.parse_args(argv)
    needs = dvc_graph()
    if args.command == "plan":
        for k, wave in enumerate(waves(needs), 1):
            print(f"wave {k} ({len(wave)}): {' '.join(wave)}")
        return 0
    graph = Graph(needs, measured_seconds(needs, pd.read_csv(args.times)))
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


if __name__ == "__main__":
    sys.exit(main())
