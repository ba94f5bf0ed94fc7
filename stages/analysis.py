"""DVC stage `analysis@<dataset>-<model>-<encoder>-<setting>`: one SIEF variant for Tables 5,
6 and Figure 4, run as the comparison's `sief` arm with the setting's change.

Every setting trains exactly as the SIEF arm of its (model, encoder) (the schedule's
`finetune` block: start, budget, lr; every epoch evaluated, scored on all dev and
cross-fitted), with the `sief` section changed by `analysis.settings.<setting>` (e.g.
evidence_rule: no_mention), so a setting differs from the SIEF run of the same seed only in
that change. Seeds: the schedule's, then `analysis.extra_seeds`, each from its own base run
(seeds_base's replicate). dev.json, selection.csv and history.csv go beside --metrics (read
by the report).

    python -m stages.analysis --dataset docred --model bilstm --encoder glove --setting gtruth
        --data data/processed/docred --base data/runs/docred/bilstm/glove/base/model.pt
        --bases data/runs/docred/bilstm/glove/seeds/base
        --out data/runs/docred/bilstm/glove/analysis/gtruth
        --metrics data/results/docred/bilstm/glove/analysis/gtruth/dev.json
"""
from __future__ import annotations

from pipeline.comparison.arms import ComparisonConfig
from pipeline.config import build
from pipeline.comparison.analysis import analysis_run, setting_bases
from pipeline.sief.objective import SIEFConfig
from pipeline.training.seeding import SeedsConfig
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "analysis.settings.{setting}", "analysis.extra_seeds", "comparison", "runtime")


def setting_sief(args, params: dict) -> SIEFConfig:
    """params.yaml `sief` with the setting's own keys over it."""
    setting = f"analysis.settings.{args.setting}"
    return build(SIEFConfig, {**params["sief"], **(params[setting] or {})}, setting)


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "bases", "out", "metrics")
    p.add_argument("--setting", required=True, help="params.yaml analysis.settings.<setting>")
    run = run_configs(p, PARAMS, argv, sief=setting_sief)
    args, schedule = run.args, run.schedule
    extra = build(SeedsConfig, {"extra": run.params["analysis.extra_seeds"]},
                  "analysis.extra_seeds").replicates(schedule.base.seed)
    bases = setting_bases(schedule.base.seed, schedule.finetune.start(args.base), args.bases,
                          extra)
    analysis_run(args.setting, run.sief, run.model, schedule.finetuning(),
                 build(ComparisonConfig, run.params["comparison"], "comparison"), args.data,
                 bases, args.out, args.metrics, resume_file, run.device)


if __name__ == "__main__":
    cli(main)
