"""Defaults against defaults: sknn, scikit-learn and RealMLP-TD on tables.

Each model is ``make_pipeline(StandardScaler(), model)`` with its default
parameters and ``random_state=0``, scored by the same shuffled, stratified
5-fold cross-validation (``random_state=0``) on scikit-learn's bundled
classification data sets and on a synthetic 20,000 x 50 table
(``make_classification``, 20 informative features). The contenders:

- ``sknn.MLPClassifier()``;
- ``sklearn.neural_network.MLPClassifier()``;
- pytabkit's ``RealMLP_TD_Classifier()``, the tuned-default MLP of
  Holzmüller et al. (NeurIPS 2024), when pytabkit is installed (the
  ``bench`` extra: ``pip install "sknn-torch[bench]"``); it is skipped with a
  note otherwise.

The table gives each data set's mean accuracy over the folds and the
seconds of the whole cross-validation; then, for the four small data sets
together, the mean accuracy, the total seconds and the ratio of sknn's time
to each other contender's, measured side by side in this run (one warm-up
fit of each contender first, so torch's first-call costs are not counted).

    python benchmarks/bench_defaults.py           # the full table (minutes)
    python benchmarks/bench_defaults.py --small   # a smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings

import numpy as np

SMALL_SETS = ("digits", "breast cancer", "wine", "iris")


def data_sets(small: bool) -> dict:
    from sklearn.datasets import (
        load_breast_cancer,
        load_digits,
        load_iris,
        load_wine,
        make_classification,
    )

    sets = {
        "digits": load_digits(return_X_y=True),
        "breast cancer": load_breast_cancer(return_X_y=True),
        "wine": load_wine(return_X_y=True),
        "iris": load_iris(return_X_y=True),
    }
    if small:
        return {"iris": sets["iris"]}
    sets["synthetic 20,000 x 50"] = make_classification(
        n_samples=20_000, n_features=50, n_informative=20, random_state=0
    )
    return sets


def contenders(small: bool) -> dict:
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from sknn import MLPClassifier

    models = {
        "sknn": lambda: MLPClassifier(random_state=0),
        "scikit-learn": lambda: SklearnMLP(random_state=0),
    }
    if small:
        print("--small: RealMLP-TD is left out of the smoke run.\n")
    elif importlib.util.find_spec("pytabkit") is None:
        print(
            "pytabkit is not installed: RealMLP-TD is skipped "
            "(pip install 'sknn-torch[bench]').\n"
        )
    else:
        from pytabkit import RealMLP_TD_Classifier

        models["RealMLP-TD"] = lambda: RealMLP_TD_Classifier(
            random_state=0, device="cpu", n_threads=2
        )
    return models


def evaluate(make, X, y, folds):
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarnings are part of defaults
        scores = cross_val_score(make_pipeline(StandardScaler(), make()), X, y, cv=cv)
    return float(np.mean(scores)), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    folds = 2 if args.small else 5
    sets = data_sets(args.small)
    models = contenders(args.small)
    X0, y0 = sets["iris"]
    for make in models.values():  # warm-up
        evaluate(make, X0, y0, 2)

    results = {}
    header = f"{'data set':<24}" + "".join(f"{name:>26}" for name in models)
    print(f"{folds}-fold accuracy (seconds)\n")
    print(header)
    print("-" * len(header))
    for data_name, (X, y) in sets.items():
        line = f"{data_name:<24}"
        for model_name, make in models.items():
            accuracy, seconds = evaluate(make, X, y, folds)
            results[data_name, model_name] = (accuracy, seconds)
            line += f"{accuracy:>18.4f} ({seconds:5.1f})"
        print(line, flush=True)

    small = [name for name in SMALL_SETS if name in sets]
    print(f"\n## The {len(small)} small data set(s) together\n")
    print(f"{'':<24}{'mean accuracy':>15}{'seconds':>10}{'sknn time / this':>18}")
    sknn_seconds = sum(results[name, "sknn"][1] for name in small)
    for model_name in models:
        accuracy = np.mean([results[name, model_name][0] for name in small])
        seconds = sum(results[name, model_name][1] for name in small)
        print(
            f"{model_name:<24}{accuracy:>15.4f}{seconds:>10.1f}"
            f"{sknn_seconds / seconds:>18.3f}"
        )


if __name__ == "__main__":
    main()
