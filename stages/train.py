"""DVC stage `train@<dataset>-<model>`: the base model, best checkpoint by dev Ign F1."""
from __future__ import annotations

from pipeline.config import build, to_dict
from pipeline.data.glove_view import make_collate
from pipeline.data.prepare import load_meta, load_split, load_vectors
from pipeline.training.loop import TrainConfig
from pipeline.training.objectives import RelationObjective
from pipeline.training.run import fit, new_model
from stages.common import (device_from, fingerprint, load_sections, model_config, parse_args,
                           processed_dir, resume_path, run_dir)

PARAMS = ("train", "models.{model}", "runtime")


def main() -> None:
    args = parse_args(__doc__)
    params = load_sections(PARAMS, model=args.model)
    cfg = build(TrainConfig, params["train"], "train")
    model_cfg = model_config(args.model, params)
    device = device_from(params)
    data = processed_dir(args.dataset)
    meta = load_meta(data)
    train_set, dev = load_split(data, "train"), load_split(data, "dev")
    model = new_model(args.model, model_cfg, meta["dims"], load_vectors(data), cfg.seed, device)
    batcher = make_collate(meta["dims"]["num_relations"], device)
    configs = {"train": to_dict(cfg), "model": to_dict(model_cfg)}
    result = fit(model, args.model, train_set, dev, RelationObjective(batcher), cfg, batcher,
                 run_dir(args.dataset, args.model, "base"),
                 resume_path(args.dataset, args.model, "base"),
                 fingerprint(configs, [data / "train.docs.json.gz", data / "glove.train.pt"]),
                 extra=configs)
    print(f"best epoch {result.best_epoch}: dev F1 {result.best_dev['f1']:.4f} "
          f"Ign F1 {result.best_dev['ign_f1']:.4f}")


if __name__ == "__main__":
    main()
