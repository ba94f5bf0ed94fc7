#!/usr/bin/env bash
# Issue 11's GPU check and figures, in one call of the lent machine (after bash
# benchmarks/pack_gpu_check.sh here):
#   run(command="bash benchmarks/gpu_check.sh 2>&1 | tee $OUT/log.txt", carry=[".gpu-check"])
# The benchmark at the paper's sizes (experiments/paper), with benchmarks/gpu_check.yaml's changes
# (carried data, offline stand-ins of GloVe 100d and bert-base-uncased of the same shapes:
# benchmarks/stand_ins.py). It works in a copy of the repository, since it rewrites
# params.yaml. Arguments go to benchmarks.speed (e.g. --runs bilstm:glove, --device cpu
# for a dry run); $OUT/speed gets report.md and summary.json after every run.
set -euo pipefail
if [ ! -d .gpu-check/wheels ]; then
  echo "no .gpu-check/ here: run bash benchmarks/pack_gpu_check.sh first, then carry .gpu-check" >&2
  exit 2
fi
out=${OUT:-/tmp/gpu-check-out}
repo=$PWD
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/gpu-check-site .gpu-check/wheels/*.whl
export PYTHONPATH=/tmp/gpu-check-site HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 SIEF_NO_PROGRESS=1
python3 -c "import torch, transformers, torch_geometric as g, platform; print('python', \
platform.python_version(), 'torch', torch.__version__, 'transformers', transformers.__version__, \
'torch_geometric', g.__version__, 'cuda', torch.cuda.is_available())"
# runtime.device cuda first: every model, SIEF, training, prediction and robustness on the
# GPU against the CPU (a failure is reported, and the timings still run)
python3 -m pytest -q -p no:cacheprovider tests/test_cuda.py || echo "tests/test_cuda.py FAILED"
tree=$(mktemp -d)
tar -C "$repo" --exclude=./.venv --exclude=./.git --exclude=./data -cf - . | tar -C "$tree" -xf -
cd "$tree"
python3 -m commands.experiment apply paper
python3 -m commands.experiment apply benchmarks/gpu_check.yaml
python3 -m benchmarks.stand_ins glove --words .gpu-check/words/*.json --dim 100 \
  --out .gpu-check/stand-ins/glove.100d.txt   # experiments/paper: glove.6B.100d.txt
python3 -m benchmarks.stand_ins bert --tokenizer .gpu-check/tokenizer \
  --out .gpu-check/stand-ins/bert-base-uncased
for dataset in docred dialogre; do
  python3 -m stages.download --dataset $dataset --out data/raw/$dataset
  python3 -m stages.prepare --dataset $dataset --raw data/raw/$dataset --out data/processed/$dataset
done
python3 -m benchmarks.speed --device cuda --out "$out/speed" \
  --label "experiments/paper + benchmarks/gpu_check.yaml (stand-in weights)" "$@"
