"""DVC stage `seeds_base@<dataset>-<model>-<encoder>`: the base run again for every seed in
`seeds.extra`, for Table 1's mean, standard deviation and paired intervals over seeds.

Every arm of every seed fine-tunes these (stages arms, arms_sief), so that a SIEF change
(e.g. beta) re-runs only the SIEF arms. With no extra seeds, the metrics file lists no runs.

    python -m stages.seeds_base --dataset docred --model gain --encoder glove
        --data data/processed/docred --out data/runs/docred/gain/glove/seeds/base
        --metrics data/results/docred/gain/glove/seeds/base/dev.json
"""
from __future__ import annotations

import dataclasses

from pipeline.training.run import replicate, train_run
from stages.common import cli, resume_file
from stages.run_configs import replica_seeds, run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}.base", "models.{model}", "encoders.{encoder}",
          "seeds.extra", "runtime")


def main(argv: list[str] | None = None) -> None:
    run = run_configs(run_parser(__doc__, "out", "metrics"), PARAMS, argv)
    base = run.schedule.base
    replicate(replica_seeds(run), run.args.out, run.args.metrics, "base",
              lambda seed, out: train_run(run.model, dataclasses.replace(base, seed=seed),
                                          run.args.data, out, resume=resume_file(out),
                                          device=run.device))


if __name__ == "__main__":
    cli(main)
