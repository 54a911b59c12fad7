"""Sparse input: fit time and peak memory on a large sparse table.

A 1,000,000 x 100,000 CSR matrix at density 1e-4 (10 million stored values,
about 120 MB as CSR, 400 GB if it were dense float32) is fed to
MLPClassifier, whose first layer multiplies sparse batches as they are, and
a smaller one (200,000 rows) to NeuralNetClassifier with a user's network,
which gets each batch densified. Each fit runs in a fresh process whose
peak resident memory (Linux's counter, reset before fit) is compared with the
matrix's CSR and dense sizes.

    python benchmarks/bench_sparse.py           # the full table (minutes)
    python benchmarks/bench_sparse.py --small   # a tiny smoke run
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from _fresh_process import reset_peak_rss, run_fresh, status_kb


class SparseNet(torch.nn.Module):
    """A user's network for NeuralNetClassifier: it gets dense batches."""

    def __init__(self, n_features, n_outputs, hidden=16):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(n_features, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, n_outputs),
        )

    def forward(self, x):
        return self.layers(x)


def make_data(n_samples: int, n_features: int, density: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = sp.random(
        n_samples,
        n_features,
        density=density,
        format="csr",
        dtype=np.float32,
        random_state=rng,
    )
    # a label that depends on the features: a sparse linear score
    w = rng.standard_normal(n_features).astype(np.float32)
    score = X @ w
    y = (score > np.median(score)).astype(np.int64)
    return X, y


def run_one(case: dict) -> dict:
    """Fit one case in this process: seconds, peak MB over the start."""
    from sknn import MLPClassifier, NeuralNetClassifier

    X, y = make_data(case["n_samples"], case["n_features"], case["density"])
    common = {"max_iter": 1, "batch_size": case["batch_size"], "random_state": 0}
    if case["estimator"] == "MLPClassifier":
        model = MLPClassifier(hidden_layer_sizes=(16,), **common)
    else:
        model = NeuralNetClassifier(module=SparseNet, **common)
    with warnings.catch_warnings():
        # a tiny fit first: torch's and the allocator's one-time set-up is
        # not the fit's memory
        warnings.simplefilter("ignore")
        model.__class__(**model.get_params()).fit(X[:300], y[:300])
    before = status_kb("VmRSS:")
    reset_peak_rss()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    seconds = time.perf_counter() - start
    peak_mb = (status_kb("VmHWM:") - before) / 1024
    csr_mb = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
    dense_mb = X.shape[0] * X.shape[1] * 4 / 2**20
    accuracy = float((model.predict(X[:20_000]) == y[:20_000]).mean())
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "csr_mb": csr_mb,
        "dense_mb": dense_mb,
        "accuracy": accuracy,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny smoke run")
    args = parser.parse_args(argv)
    if args.small:
        cases = [
            {"estimator": "MLPClassifier", "n_samples": 2_000, "n_features": 5_000},
            {
                "estimator": "NeuralNetClassifier",
                "n_samples": 2_000,
                "n_features": 5_000,
            },
        ]
        density, batch_sizes = 1e-3, {"MLPClassifier": 256, "NeuralNetClassifier": 64}
    else:
        cases = [
            {"estimator": "MLPClassifier", "n_samples": 1_000_000},
            {"estimator": "NeuralNetClassifier", "n_samples": 200_000},
        ]
        for case in cases:
            case["n_features"] = 100_000
        density = 1e-4
        batch_sizes = {"MLPClassifier": 4096, "NeuralNetClassifier": 256}
    print(
        f"torch {torch.__version__}, {os.cpu_count()} cores; one epoch, "
        "hidden layer of 16, peak memory of fit over the process's start"
    )
    header = (
        f"{'estimator':<21}{'shape':>22}{'CSR MB':>9}{'dense MB':>12}"
        f"{'fit peak MB':>13}{'x CSR':>8}{'x dense':>10}{'fit s':>8}{'accuracy':>10}"
    )
    print(header)
    for case in cases:
        case.update(density=density, batch_size=batch_sizes[case["estimator"]])
        r = run_fresh("bench_sparse", "run_one", case)
        shape = f"{case['n_samples']:,} x {case['n_features']:,}"
        print(
            f"{case['estimator']:<21}{shape:>22}{r['csr_mb']:>9.1f}"
            f"{r['dense_mb']:>12.0f}{r['peak_mb']:>13.1f}"
            f"{r['peak_mb'] / r['csr_mb']:>8.2f}{r['peak_mb'] / r['dense_mb']:>10.5f}"
            f"{r['seconds']:>8.1f}{r['accuracy']:>10.3f}"
        )


if __name__ == "__main__":
    main()
