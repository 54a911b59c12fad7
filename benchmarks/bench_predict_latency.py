"""Prediction latency: one row (serving), 100 and 10,000 rows.

sknn's ``predict_proba`` and ``predict`` against scikit-learn's
MLPClassifier with the same weights (copied into it, so both compute the same
function) and against a bare ``torch.inference_mode()`` forward of sknn's own
network plus a softmax, the limit. The contenders alternate call by call; the
table gives medians in microseconds and ratios to scikit-learn and to the
bare forward.

    python benchmarks/bench_predict_latency.py           # the full table
    python benchmarks/bench_predict_latency.py --small   # a smoke run
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier


def fitted_pair(hidden: tuple[int, ...]):
    """sknn's and scikit-learn's MLP with identical weights, on digits."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPClassifier(
            hidden_layer_sizes=hidden, max_iter=5, random_state=0, device="cpu"
        ).fit(X, y)
        theirs = SklearnMLP(hidden_layer_sizes=hidden, max_iter=1, random_state=0)
        theirs.fit(X, y)
    # the same function: sknn's float32 weights in scikit-learn's float64 MLP
    theirs.coefs_ = [c.astype(np.float64) for c in ours.coefs_]
    theirs.intercepts_ = [b.astype(np.float64) for b in ours.intercepts_]
    np.testing.assert_allclose(
        theirs.predict_proba(X[:50]), ours.predict_proba(X[:50]), atol=1e-4
    )
    return ours, theirs, X


def bare_forward(module: torch.nn.Module):
    def predict_proba(X):
        with torch.inference_mode():
            logits = module(torch.from_numpy(X.astype(np.float32, copy=False)))
            return torch.softmax(logits, dim=1).numpy()

    return predict_proba


def timed(fn, X, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(X)
        out.append(time.perf_counter() - start)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a smoke run")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    ours, theirs, X = fitted_pair((100,))
    bare = bare_forward(ours.module_)
    rows_list = (1, 100) if args.small else (1, 100, 10_000)
    rounds = 20 if args.small else 300
    rng = np.random.RandomState(0)
    contenders = {
        "sknn predict_proba": ours.predict_proba,
        "sknn predict": ours.predict,
        "sklearn predict_proba": theirs.predict_proba,
        "sklearn predict": theirs.predict,
        "bare forward + softmax": bare,
    }
    print(
        f"torch {torch.__version__}, {args.threads} torch threads; digits, "
        f"64-100-10 network; medians of {rounds} alternated calls"
    )
    for rows in rows_list:
        data = X[rng.randint(len(X), size=rows)]
        repeats = max(1, rounds // max(1, rows // 100))
        times = {name: [] for name in contenders}
        for _ in range(3):  # warm-up
            for fn in contenders.values():
                fn(data)
        for _ in range(repeats):
            for name, fn in contenders.items():
                times[name] += timed(fn, data, 1)
        median = {name: statistics.median(t) * 1e6 for name, t in times.items()}
        print(f"\n## {rows:,} row(s)")
        print(f"{'contender':<24}{'µs':>10}{'x sklearn':>11}{'x bare':>9}")
        for name, value in median.items():
            kind = "predict_proba" if "proba" in name or "bare" in name else "predict"
            sklearn = median[f"sklearn {kind}"]
            print(
                f"{name:<24}{value:>10.1f}{value / sklearn:>11.2f}"
                f"{value / median['bare forward + softmax']:>9.2f}"
            )


if __name__ == "__main__":
    main()
