"""DVC stage `train@<dataset>-<model>`: the base model, best checkpoint by dev Ign F1."""
from __future__ import annotations

import dataclasses

from pipeline.config import build, to_dict
from pipeline.data.glove_view import make_collate
from pipeline.data.prepare import load_meta, load_split, load_vectors
from pipeline.training.loop import TrainConfig, TrainResult
from pipeline.training.objectives import RelationObjective
from pipeline.training.run import fit, new_model
from stages.common import (fingerprint, load_sections, parse_args, processed_dir, resume_path,
                           run_dir)
from stages.runs import dev_evaluation, dev_summary, device_from, model_config

PARAMS = ("{schedule}", "models.{model}", "runtime")


def train_base(dataset: str, model_name: str, params: dict, variant: str = "base",
               seed: int | None = None, schedule: str = "train") -> TrainResult:
    """Train the base model into data/runs/<dataset>/<model>/<variant> with the training
    section `schedule` (train; train_bert for the transformer models, dialogre_train);
    `seed` replaces its seed (the seeds_base stage's replicates)."""
    cfg = build(TrainConfig, params[schedule], schedule)
    if seed is not None:
        cfg = dataclasses.replace(cfg, seed=seed)
    model_cfg = model_config(model_name, params)
    device = device_from(params)
    data = processed_dir(dataset)
    meta = load_meta(data)
    train_set, dev = load_split(data, "train"), load_split(data, "dev")
    model = new_model(model_name, model_cfg, meta["dims"], load_vectors(data), cfg.seed, device)
    batcher = make_collate(meta["dims"]["num_relations"], device)
    configs = {"train": to_dict(cfg), "model": to_dict(model_cfg)}
    result = fit(model, model_name, train_set, dev, RelationObjective(batcher), cfg, batcher,
                 run_dir(dataset, model_name, variant), resume_path(dataset, model_name, variant),
                 fingerprint(configs, [data / "train.docs.json.gz", data / "glove.train.pt"]),
                 extra=configs, evaluate=dev_evaluation(data, meta, dev, batcher, cfg))
    print(f"{variant}: best epoch {result.best_epoch}: {dev_summary(result.best_dev)}")
    return result


def main() -> None:
    args = parse_args(__doc__, schedule=True)
    train_base(args.dataset, args.model,
               load_sections(PARAMS, model=args.model, schedule=args.schedule),
               schedule=args.schedule)


if __name__ == "__main__":
    main()
