"""DVC stage `continued@<dataset>-<model>`: the control run for SIEF.

Same start, epochs and learning rate as the SIEF stage but with the base loss only, so
that "base+SIEF vs base" is not confounded by SIEF's extra epochs. It reads only the SIEF
keys that shape its schedule, so changing beta or a SIEF variant never re-runs it.
"""
from __future__ import annotations

from pipeline.sief.objective import SIEFConfig
from pipeline.training.objectives import RelationObjective
from stages.common import load_sections, parse_args
from stages.sief import finetune

PARAMS = ("train", "models.{model}", "sief.init", "sief.epochs", "sief.lr", "runtime")


def main() -> None:
    args = parse_args(__doc__)
    params = load_sections(PARAMS, model=args.model)
    schedule = SIEFConfig(init=params["sief.init"], epochs=params["sief.epochs"],
                          lr=float(params["sief.lr"]))
    finetune(args.dataset, args.model, "continued", params, schedule,
             lambda featurize, batcher: RelationObjective(batcher))


if __name__ == "__main__":
    main()
