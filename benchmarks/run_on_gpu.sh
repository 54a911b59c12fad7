#!/usr/bin/env bash
# The one prepared call for a session that is lent the GPU machine (an
# H200; see ../shared/gpu/README.md for the wheels to carry in .whl/):
#
#   run(command="bash benchmarks/run_on_gpu.sh", carry=[".whl"], timeout_s=600)
#
# It installs the carried wheels, runs the whole suite on the GPU (where
# device="auto" is CUDA) with the warnings named in issue 23 turned into
# errors, then bench_gpu.py, each with a timeout that leaves room for the
# other, and writes everything under $OUT. Never part of CI.
set -u
OUT=${OUT:-/tmp/sknn-gpu}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/device.txt" 2>&1
python3 -c "import torch, sklearn; print(torch.__version__, torch.version.cuda, sklearn.__version__)" >> "$OUT/device.txt"
# torch's warnings about read-only and sparse input must not reach users
timeout 330 python3 -m pytest tests -q -n 14 -p no:cacheprovider -p no:benchmark \
  --timeout 280 --tb=short -rfE \
  -W "error:The given NumPy array is not writable" \
  -W "error:Sparse invariant checks are implicitly disabled" \
  > "$OUT/pytest_gpu.txt" 2>&1
tail -3 "$OUT/pytest_gpu.txt"
timeout 220 python3 benchmarks/bench_gpu.py --budget 160 2>&1 | tee "$OUT/bench_gpu.txt"
