"""commands.cluster: the grid's waves from DVC's own graph, and its schedule on N nodes,
checked on hand-made graphs whose numbers can be worked out by hand."""
from __future__ import annotations

from pathlib import Path

import pytest

from commands.cluster import Graph, critical_path, simulate, waves, with_seed_jobs

ROOT = Path(__file__).resolve().parents[1]

# a (10 s) -> b (5 s), c (7 s) -> d (1 s)
DIAMOND = Graph({"a": frozenset(), "b": frozenset({"a"}), "c": frozenset({"a"}),
                 "d": frozenset({"b", "c"})}, {"a": 10.0, "b": 5.0, "c": 7.0, "d": 1.0})


def test_waves_put_each_instance_after_what_it_needs():
    assert waves(DIAMOND.needs) == [["a"], ["b", "c"], ["d"]]


def test_the_critical_path_is_the_longest_chain():
    assert critical_path(DIAMOND) == {"a": 18.0, "b": 6.0, "c": 8.0, "d": 1.0}


@pytest.mark.parametrize("nodes,makespan", [(1, 23.0), (2, 18.0), (3, 18.0)])
def test_a_schedule_on_n_nodes(nodes, makespan):
    run = simulate(DIAMOND, nodes)
    assert run["makespan_s"] == makespan and run["critical_path_s"] == 18.0
    assert run["work_s"] == 23.0
    assert run["utilisation"] == pytest.approx(23.0 / (nodes * makespan))


def test_the_longest_path_goes_first_when_nodes_are_short():
    # x (1 s) and a long chain y (2 s) -> z (10 s) on one node... and on two: y first.
    graph = Graph({"x": frozenset(), "y": frozenset(), "z": frozenset({"y"})},
                  {"x": 1.0, "y": 2.0, "z": 10.0})
    assert simulate(graph, 2)["makespan_s"] == 12.0
    assert simulate(graph, 1)["makespan_s"] == 13.0
    assert simulate(graph, 1, overhead_s=1.0)["makespan_s"] == 16.0


def test_replicate_stages_become_one_job_per_seed():
    # sief's arm: its schedule seed is the main run, so the stage ran the two extra seeds
    base, sief = "seeds_base@docred-bilstm-glove", "arms_sief@docred-bilstm-glove-sief"
    graph = Graph({"prepare": frozenset(), base: frozenset({"prepare"}),
                   sief: frozenset({base, "prepare"}), "report": frozenset({sief})},
                  {"prepare": 1.0, base: 100.0, sief: 60.0, "report": 2.0})
    seeds = with_seed_jobs(graph, 4)                  # 3 extra seeds, each half a stage
    assert seeds.needs[f"{sief}#seed2"] == {"prepare", f"{base}#seed2"}
    assert seeds.needs["report"] == {f"{sief}#seed{k}" for k in (1, 2, 3)}
    assert seeds.seconds[f"{base}#seed3"] == 50.0 and seeds.seconds[f"{sief}#seed1"] == 30.0
    assert simulate(seeds, 3)["makespan_s"] == 1.0 + 50.0 + 30.0 + 2.0
    assert simulate(seeds, 1)["makespan_s"] == 1.0 + 3 * 80.0 + 2.0


def test_plan_reads_the_real_graph_from_dvc(monkeypatch):
    from commands.cluster import dvc_graph
    monkeypatch.chdir(ROOT)
    needs = dvc_graph()
    levels = waves(needs)
    assert set(levels[0]) == {"download@docred", "download@dialogre"}
    seen: set[str] = set()
    for wave in levels:
        assert all(needs[name] <= seen for name in wave)
        seen |= set(wave)
    assert seen == set(needs) and "report@docred" in levels[-1]


def test_arms_become_one_job_per_seed_the_first_from_the_trained_base():
    train, base = "train@docred-bilstm-glove", "seeds_base@docred-bilstm-glove"
    arm = "arms@docred-bilstm-glove-augment"  # no main run: the schedule's seed too
    graph = Graph({"prepare": frozenset(), train: frozenset({"prepare"}),
                   base: frozenset({"prepare"}), arm: frozenset({"prepare", train, base}),
                   "report": frozenset({arm})},
                  {"prepare": 1.0, train: 40.0, base: 100.0, arm: 90.0, "report": 2.0})
    seeds = with_seed_jobs(graph, 3)           # the schedule's seed and two extra
    assert seeds.needs[f"{arm}#seed0"] == {"prepare", train}
    assert seeds.needs[f"{arm}#seed2"] == {"prepare", f"{base}#seed2"}
    assert seeds.needs["report"] == {f"{arm}#seed{k}" for k in (0, 1, 2)}
    assert seeds.seconds[f"{arm}#seed1"] == 30.0 and seeds.seconds[f"{base}#seed1"] == 50.0
    # on three nodes: prepare, then the longest chain, a base replicate and its arm
    assert simulate(seeds, 3)["makespan_s"] == 1.0 + 50.0 + 30.0 + 2.0


def test_each_stage_kind_gets_its_resources_from_params(tmp_path):
    from commands.cluster import JobResources, job_resources, sbatch_command
    from pipeline.errors import ConfigError
    params = tmp_path / "params.yaml"
    params.write_text("cluster:\n  gpu_stages: [transformer]\n"
                      "  gpu_job: {cpus: 8, gpus: 1}\n  cpu_job: {cpus: 2, gpus: 0}\n")
    stages = ["train@docred-gain-transformer", "train@docred-gain-glove",
              "sief_dialogre@dialogre-bert-transformer_instance"]
    asked = job_resources(stages, params)
    assert [(asked[s].cpus, asked[s].gpus) for s in stages] == [(8, 1), (2, 0), (8, 1)]
    assert job_resources(stages, params, cpus=1)[stages[0]] == JobResources(1, 1)
    assert job_resources(stages, params, gpus=0)[stages[0]] == JobResources(8, 0)
    assert job_resources(stages, tmp_path / "none.yaml")[stages[1]] == JobResources()
    line = sbatch_command(stages[0], tmp_path / "job.sh", tmp_path, ["11", "12"], asked[stages[0]])
    assert "--cpus-per-task=8" in line and "--gres=gpu:1" in line
    assert "--requeue" in line                  # a lost node's job goes back to the queue
    assert "--dependency=afterok:11:12" in line
    assert not any(arg.startswith("--gres") for arg in
                   sbatch_command(stages[1], tmp_path / "job.sh", tmp_path, [], asked[stages[1]]))
    params.write_text("cluster:\n  cpu_job: {cpus: 0}\n  gpu: 1\n")
    with pytest.raises(ConfigError, match="unknown key.*gpu.*cluster.cpu_job.cpus must be >= 1"):
        job_resources(stages, params)


def test_the_repositorys_params_give_transformer_runs_a_gpu(monkeypatch):
    from commands.cluster import job_resources
    monkeypatch.chdir(ROOT)
    asked = job_resources(["train@docred-gain-transformer", "train@docred-gain-glove"])
    assert asked["train@docred-gain-transformer"].gpus == 1
    assert asked["train@docred-gain-glove"].gpus == 0
