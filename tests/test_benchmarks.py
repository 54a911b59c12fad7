"""Smoke runs of the benchmark scripts on tiny sizes, so they cannot rot.

Benchmarks are not tests: nothing here checks a time, only that each script
runs to the end and prints its tables.
"""

import subprocess
import sys
from pathlib import Path

import pytest

#: Each benchmark's smoke run starts a Python process and trains: seconds each.
pytestmark = pytest.mark.slow

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "bench_fit.py",
            [
                "## tiny",
                "sknn-net fit / sknn fit",
                "## Peak memory of fit",
            ],
        ),
        ("bench_grid_jobs.py", ["speed-up of n_jobs=2"]),
        ("bench_scaler.py", ["StandardScaler"]),
        ("bench_sparse.py", ["MLPClassifier", "NeuralNetClassifier"]),
        ("bench_predict_latency.py", ["## 1 row(s)", "bare forward"]),
        ("bench_dask.py", ["speed-up of the dask backend", "memory map"]),
        ("bench_sequences.py", ["RNNClassifier", "The better sknn default"]),
        ("bench_rnn_defaults.py", ["downsample=1", "CNNClassifier()"]),
        ("bench_defaults.py", ["scikit-learn", "sknn time / this"]),
        (
            "bench_regression.py",
            ["## Tables: goals", "sknn time / this", "RNNRegressor"],
        ),
        (
            "bench_categorical.py",
            ["## generated", "x one-hot", "embeddings accuracy >= one-hot"],
        ),
        (
            "bench_gpu.py",
            ["## 1. MLP", "x hand same prec.", "bitwise identical", "bare forward"],
        ),
    ],
)
def test_benchmark_smoke_run(script, expected):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--small"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout, result.stdout
