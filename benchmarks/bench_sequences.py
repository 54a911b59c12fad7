"""Sequence classifiers with their defaults on UCR / UEA data sets.

For each data set, the published train / test split as the ``aeon`` package
ships it (nothing is downloaded): the test accuracy and the fit seconds of
``RNNClassifier()`` and ``CNNClassifier()`` with their defaults (only
``data_format="channels_first"``, aeon's layout, and ``random_state``) for
seeds 0, 1 and 2, beside the published figures of FCN and ResNet (Fawaz et
al., "Deep learning for time series classification: a review", 2019, mean
of 10 runs; BasicMotions from InceptionTime's UEA results). The goal: the
better of the two sknn defaults reaches the FCN figure on every data set,
each fit in at most 60 seconds on 2 CPU cores.

JapaneseVowels has sequences of unequal lengths (7 to 26 steps in train, up
to 29 in test): aeon gives them as a list, which both classifiers take as
is.

    pip install "sknn-torch[bench]"            # aeon
    python benchmarks/bench_sequences.py       # the table (about 20 minutes)
    python benchmarks/bench_sequences.py --small

``--small`` is a smoke run of a few epochs on part of GunPoint; without
aeon it runs on generated sequences instead, and says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings

import numpy as np

#: name: (published FCN accuracy, published ResNet accuracy or None)
PUBLISHED = {
    "GunPoint": (1.000, 0.991),
    "ItalyPowerDemand": (0.961, 0.963),
    "BasicMotions": (1.000, None),
    "JapaneseVowels": (0.993, 0.992),
}


def load(name):
    """Train and test split of a UCR / UEA data set, as aeon ships it."""
    from aeon.datasets import load_classification

    X_train, y_train = load_classification(name, split="train")
    X_test, y_test = load_classification(name, split="test")
    return X_train, y_train, X_test, y_test


def generated(rng):
    """A stand-in when aeon is absent: two classes of noisy sine waves that
    differ in frequency, ``(n, channels, length)`` as aeon gives them."""
    t = np.linspace(0, 1, 40)
    y = np.arange(60) % 2
    X = np.sin(2 * np.pi * (2 + y[:, None]) * t)[:, None, :]
    X = X + rng.normal(scale=0.3, size=X.shape)
    return X[:40], y[:40], X[40:], y[40:]


def describe(X):
    lengths = sorted({x.shape[-1] for x in X})
    length = str(lengths[0]) if len(lengths) == 1 else f"{lengths[0]}–{lengths[-1]}"
    return f"{len(X)} × {length} × {X[0].shape[0]}"


def run(make, X_train, y_train, X_test, y_test):
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is not the point
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds, model.n_iter_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    args = parser.parse_args()

    import torch

    from sknn import CNNClassifier, RNNClassifier

    torch.set_num_threads(2)
    have_aeon = importlib.util.find_spec("aeon") is not None
    options = {"data_format": "channels_first"}
    if args.small:
        options["max_iter"] = 2
        seeds = [0]
        if have_aeon:
            X_train, y_train, X_test, y_test = load("GunPoint")
            sets = {"GunPoint": (X_train[:20], y_train[:20], X_test, y_test)}
        else:
            print("aeon is not installed: generated sequences stand in.\n")
            sets = {"generated": generated(np.random.RandomState(0))}
    else:
        if not have_aeon:
            raise SystemExit(
                "The data sets ship with aeon: pip install 'sknn-torch[bench]'."
            )
        seeds = [0, 1, 2]
        sets = {name: load(name) for name in PUBLISHED}
    models = {"RNNClassifier": RNNClassifier, "CNNClassifier": CNNClassifier}

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print(
        "| data set | train | model | accuracy (seeds) | mean | fit s (mean) "
        "| epochs | FCN | ResNet |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    best = {}
    for name, (X_train, y_train, X_test, y_test) in sets.items():
        fcn, resnet = PUBLISHED.get(name, (None, None))
        for label, cls in models.items():
            results = [
                run(
                    lambda cls=cls, seed=seed: cls(random_state=seed, **options),
                    X_train,
                    y_train,
                    X_test,
                    y_test,
                )
                for seed in seeds
            ]
            scores = [r[0] for r in results]
            mean = float(np.mean(scores))
            best[name] = max(best.get(name, 0.0), mean)
            print(
                f"| {name} | {describe(X_train)} | {label} "
                f"| {' '.join(f'{s:.3f}' for s in scores)} | {mean:.3f} "
                f"| {np.mean([r[1] for r in results]):.1f} "
                f"| {results[0][2]} "
                f"| {'' if fcn is None else f'{fcn:.3f}'} "
                f"| {'' if resnet is None else f'{resnet:.3f}'} |",
                flush=True,
            )
    print("\n## The better sknn default against FCN\n")
    print("| data set | sknn | FCN | reached |")
    print("|---|---|---|---|")
    for name, score in best.items():
        fcn = PUBLISHED.get(name, (None,))[0]
        reached = "" if fcn is None else ("yes" if score >= fcn - 1e-9 else "no")
        print(
            f"| {name} | {score:.4f} | {'' if fcn is None else f'{fcn:.3f}'} "
            f"| {reached} |"
        )


if __name__ == "__main__":
    main()
