"""sknn against a hand-written PyTorch loop, skorch and scikit-learn.

One run prints side-by-side tables. Timings alternate the contenders
(A B C D A B C D ...) and report medians and per-pair ratios to the
hand-written loop, which is the limit. ``sknn-net`` is NeuralNetClassifier
with a user's module of the same architecture as MLPClassifier's (``sknn``);
each table ends with its fit time over MLPClassifier's. Every contender
trains the same network
(n_features -> hidden -> hidden -> n_classes, ReLU) with Adam on the same
standardized data for the same epochs and batch size; each one's test accuracy
is printed so nobody wins by training less. Peak memory of fit is measured in
a fresh subprocess per contender (Linux's peak-RSS counter, reset before fit).

    python benchmarks/bench_fit.py            # the full tables (several minutes)
    python benchmarks/bench_fit.py --small    # a tiny smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from _fresh_process import reset_peak_rss, run_fresh, status_kb
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

CONTENDERS = ("hand", "sknn", "sknn-net", "skorch", "sklearn")


@dataclass
class Setup:
    n_samples: int
    n_features: int = 100
    n_classes: int = 5
    hidden: int = 256
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    n_predict: int = 200_000


def make_data(setup: Setup, seed: int = 0):
    X, y = make_classification(
        n_samples=setup.n_samples + 10_000,
        n_features=setup.n_features,
        n_informative=setup.n_features // 2,
        n_classes=setup.n_classes,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=10_000, random_state=seed)


def _network(setup: Setup) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Linear(setup.n_features, setup.hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(setup.hidden, setup.hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(setup.hidden, setup.n_classes),
    )


class BenchNet(torch.nn.Module):
    """The benchmark's network as a user writes it for NeuralNetClassifier."""

    def __init__(self, n_features, n_outputs, hidden):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(n_features, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, n_outputs),
        )

    def forward(self, X):
        return self.body(X)


class HandLoop:
    """What a PyTorch expert writes by hand: tensors made once, index slices."""

    def __init__(self, setup: Setup):
        self.setup = setup

    def fit(self, X, y):
        s = self.setup
        torch.manual_seed(0)
        self.model = _network(s)
        optimizer = torch.optim.Adam(self.model.parameters(), lr=s.lr)
        X_t = torch.as_tensor(X, dtype=torch.float32)
        y_t = torch.as_tensor(y, dtype=torch.int64)
        n = len(X_t)
        for _ in range(s.epochs):
            order = torch.randperm(n)
            for start in range(0, n, s.batch_size):
                rows = order[start : start + s.batch_size]
                optimizer.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(
                    self.model(X_t[rows]), y_t[rows]
                )
                loss.backward()
                optimizer.step()
        return self

    def predict_proba(self, X):
        X_t = torch.as_tensor(X, dtype=torch.float32)
        with torch.no_grad():
            out = [
                torch.softmax(self.model(X_t[i : i + 8192]), 1)
                for i in range(0, len(X_t), 8192)
            ]
        return torch.cat(out).numpy()


def make_contender(name: str, setup: Setup):
    if name == "hand":
        return HandLoop(setup)
    # sknn's two estimators train alike: no penalty, no early stop
    sknn_training = {
        "batch_size": setup.batch_size,
        "max_iter": setup.epochs,
        "learning_rate_init": setup.lr,
        "alpha": 0.0,
        "tol": 0.0,
        "n_iter_no_change": setup.epochs + 1,
        "random_state": 0,
        "device": "cpu",
    }
    if name == "sknn":
        from sknn import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(setup.hidden, setup.hidden), **sknn_training
        )
    if name == "sknn-net":
        from sknn import NeuralNetClassifier

        return NeuralNetClassifier(
            module=BenchNet, module__hidden=setup.hidden, **sknn_training
        )
    if name == "skorch":
        from skorch import NeuralNetClassifier

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = _network(setup)

            def forward(self, X):
                return self.body(X)

        # the way skorch's documentation shows it: a plain module, default
        # DataLoader; float32 inputs as its docs require
        class Skorch(NeuralNetClassifier):
            def fit(self, X, y, **kwargs):
                return super().fit(X.astype(np.float32), y.astype(np.int64), **kwargs)

            def predict_proba(self, X):
                return super().predict_proba(X.astype(np.float32))

        return Skorch(
            Net,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            lr=setup.lr,
            max_epochs=setup.epochs,
            batch_size=setup.batch_size,
            train_split=None,
            iterator_train__shuffle=True,
            verbose=0,
        )
    if name == "sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(setup.hidden, setup.hidden),
            solver="adam",
            batch_size=setup.batch_size,
            max_iter=setup.epochs,
            learning_rate_init=setup.lr,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=setup.epochs + 1,
            random_state=0,
        )
    raise ValueError(name)


def time_round(setup: Setup, data, predict_X, repeats: int):
    X_tr, X_te, y_tr, y_te = data
    fit_s = {name: [] for name in CONTENDERS}
    pred_s = {name: [] for name in CONTENDERS}
    accuracy = {}
    # round 0 warms up (imports, allocator, thread pools) and is not counted
    for round_ in range(repeats + 1):
        for name in CONTENDERS:
            model = make_contender(name, setup)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_tr, y_tr)
            fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            model.predict_proba(predict_X)
            predict_seconds = time.perf_counter() - start
            if round_ == 0:
                continue
            fit_s[name].append(fit_seconds)
            pred_s[name].append(predict_seconds)
            accuracy[name] = float((model.predict_proba(X_te).argmax(1) == y_te).mean())
    return fit_s, pred_s, accuracy


def peak_fit_memory(name: str, setup: Setup) -> float:
    """Extra peak RSS (MB) of one fit, measured in a fresh process."""
    return run_fresh(
        "bench_fit", "fit_peak_rss", {"name": name, "setup": setup.__dict__}
    )


def fit_peak_rss(case: dict) -> float:
    setup = Setup(**case["setup"])
    X_tr, _, y_tr, _ = make_data(setup)
    model = make_contender(case["name"], setup)
    before = status_kb("VmRSS:")
    reset_peak_rss()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_tr, y_tr)
    return (status_kb("VmHWM:") - before) / 1024


def memory_table(small: bool):
    """Peak memory of one epoch of fit on a large float64 table, vs its size."""
    n = 2_000 if small else 1_000_000
    setup = Setup(n_samples=n, epochs=1, hidden=16 if small else 256)
    input_mb = n * setup.n_features * 8 / 2**20
    print(f"\n## Peak memory of fit, {n:,} x {setup.n_features} float64, 1 epoch")
    print(f"{'contender':<10}{'input MB':>10}{'fit peak MB':>13}{'x input':>9}")
    for name in ("hand", "sknn"):
        peak = peak_fit_memory(name, setup)
        print(f"{name:<10}{input_mb:>10.0f}{peak:>13.0f}{peak / input_mb:>9.2f}")


def print_table(title, setup, fit_s, pred_s, accuracy, memory, input_mb):
    print(f"\n## {title}")
    print(
        f"{'contender':<10}{'fit s':>9}{'x hand':>9}{'predict s':>11}"
        f"{'x hand':>9}{'fit peak MB':>13}{'x input':>9}{'accuracy':>10}"
    )
    hand_fit = statistics.median(fit_s["hand"])
    hand_pred = statistics.median(pred_s["hand"])
    for name in CONTENDERS:
        f = statistics.median(fit_s[name])
        p = statistics.median(pred_s[name])
        ratios_fit = statistics.median(
            a / b for a, b in zip(fit_s[name], fit_s["hand"], strict=True)
        )
        ratios_pred = statistics.median(
            a / b for a, b in zip(pred_s[name], pred_s["hand"], strict=True)
        )
        mem = memory.get(name)
        mem_s = f"{mem:>13.0f}{mem / input_mb:>9.2f}" if mem is not None else " " * 22
        print(
            f"{name:<10}{f:>9.2f}{ratios_fit:>9.2f}{p:>11.2f}{ratios_pred:>9.2f}"
            f"{mem_s}{accuracy[name]:>10.3f}"
        )
    del hand_fit, hand_pred
    net_over_mlp = statistics.median(
        a / b for a, b in zip(fit_s["sknn-net"], fit_s["sknn"], strict=True)
    )
    print(f"sknn-net fit / sknn fit: {net_over_mlp:.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.small:
        setups = [
            ("tiny", Setup(n_samples=500, hidden=16, epochs=2, n_predict=1000)),
        ]
        repeats = 1
    else:
        setups = [
            ("50,000 x 100, 256-256, batch 128, 10 epochs", Setup(n_samples=50_000)),
            (
                "500,000 x 100, 256-256, batch 128, 2 epochs",
                Setup(n_samples=500_000, epochs=2),
            ),
            (
                "small network: 20,000 x 100, 64-64, batch 32, 5 epochs",
                Setup(n_samples=20_000, hidden=64, batch_size=32, epochs=5),
            ),
        ]
        repeats = args.repeats
    print(
        f"torch {torch.__version__}, {args.threads} torch threads, "
        f"{os.cpu_count()} cores, device cpu, {repeats} timed rounds after "
        "one warm-up round"
    )
    for title, setup in setups:
        data = make_data(setup)
        rng = np.random.RandomState(1)
        predict_X = rng.standard_normal((setup.n_predict, setup.n_features))
        fit_s, pred_s, accuracy = time_round(setup, data, predict_X, repeats)
        memory = {}
        if not args.no_memory and sys.platform.startswith("linux"):
            memory = {name: peak_fit_memory(name, setup) for name in CONTENDERS}
        input_mb = data[0].nbytes / 2**20
        print_table(title, setup, fit_s, pred_s, accuracy, memory, input_mb)
    if not args.no_memory and sys.platform.startswith("linux"):
        memory_table(args.small)


if __name__ == "__main__":
    main()
