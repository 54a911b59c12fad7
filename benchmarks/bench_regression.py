"""Regressors' defaults against defaults: tables and sequences.

**Tables.** Each model is ``make_pipeline(StandardScaler(), model)`` with its
default parameters and ``random_state=0``, scored by the same shuffled
5-fold cross-validation (``KFold(5, shuffle=True, random_state=0)``, R²,
averaged over the outputs where there are several) on scikit-learn's
diabetes (442 x 10) and linnerud (20 x 3, three outputs) data sets, on
``make_friedman1(n_samples=2000, noise=1.0, random_state=0)`` and on a
synthetic 20,000 x 50 table (:func:`synthetic`: 21 of the 50 standard normal
features matter, through a linear part, two products, a sine, squares and an
absolute value, plus noise; its best possible R² is about 0.93). The
contenders:

- ``sknn.MLPRegressor()``;
- ``sklearn.neural_network.MLPRegressor()``;
- pytabkit's ``RealMLP_TD_Regressor()``, the tuned-default MLP of Holzmüller
  et al. (NeurIPS 2024), when pytabkit is installed (the ``bench`` extra:
  ``pip install "sknn-torch[bench]"``; skipped with a note otherwise). It
  takes several outputs at once. On the 20,000-row table it is fitted on
  the first fold only, unless ``--realmlp-large`` is given: one fit of its
  256 epochs takes about two minutes there on 2 idle CPU cores, five would
  take longer than the rest of the script together (``*`` in the table;
  every contender's R² on that fold is printed beside it, and the means and
  time ratios against RealMLP-TD are on that fold);
- ``HistGradientBoostingRegressor()`` (one model per output on linnerud,
  through ``MultiOutputRegressor``, as it takes a single output);
- the training folds' mean (``DummyRegressor()``), for reference.

Linnerud's 20 rows leave four test rows per fold, whose R² swings by whole
units (the mean predictor's is -1.6), so the mean over the data sets is
also printed without it.

The table gives each data set's mean R² over the folds and the seconds spent
in ``fit`` over all folds (one warm-up fit of each contender first, so
first-call costs are not counted); then the mean R² over the data sets,
and the ratios of sknn's fit seconds to the others', in all and per data
set. The goals: sknn's R² at
least scikit-learn's on every data set, its mean at least RealMLP-TD's, in
at most a third of scikit-learn's time.

**Sequences.** ``RNNRegressor()`` and ``CNNRegressor()`` with their defaults
(only ``data_format="channels_first"``, aeon's layout, and ``random_state``
0 to ``--repeats - 1``) on Covid3Month (140 train, 61 test series of 84
steps, one channel; the published split as the ``aeon`` package ships it,
nothing is downloaded), beside aeon's ``RocketRegressor()`` (same seeds) and
a mean predictor (``DummyRegressor``): the RMSE on the test split and the
fit seconds. The goal: the better of the two sknn defaults at most
RocketRegressor's RMSE. Without aeon, generated sequences stand in, without
RocketRegressor, and the script says so.

    pip install "sknn-torch[bench]"                 # aeon, pytabkit
    python benchmarks/bench_regression.py           # both parts (7 minutes)
    python benchmarks/bench_regression.py --small   # a smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings

import numpy as np
from bench_sequences import describe

#: The reference without a model: the training folds' mean.
MEAN = "mean predictor"
#: Linnerud's folds have four test rows: their R² swings by whole units.
NOISY = "linnerud (3 outputs)"
#: RealMLP-TD is fitted on the first fold only of tables of more rows than
#: this, unless ``--realmlp-large``.
LARGE = 5_000


def synthetic(n_samples=20_000, n_features=50, random_state=0):
    """A non-linear regression table: standard normal features, of which
    21 enter the target (a linear part of variance 1 in ten features, a
    sine times a feature, a product of two, the mean of six squares, an
    absolute value) plus normal noise of standard deviation 0.5."""
    rng = np.random.RandomState(random_state)
    X = rng.normal(size=(n_samples, n_features))
    w = rng.normal(size=10)
    y = (
        X[:, :10] @ w / np.sqrt(10)
        + np.sin(2 * X[:, 10]) * X[:, 11]
        + X[:, 12] * X[:, 13]
        + (X[:, 14:20] ** 2).mean(axis=1)
        + np.abs(X[:, 20])
        + rng.normal(scale=0.5, size=n_samples)
    )
    return X, y


def table_sets(small: bool) -> dict:
    from sklearn.datasets import load_diabetes, load_linnerud, make_friedman1

    sets = {
        "diabetes": load_diabetes(return_X_y=True),
        "linnerud (3 outputs)": load_linnerud(return_X_y=True),
    }
    if small:
        return sets
    sets["friedman1 2,000 x 10"] = make_friedman1(
        n_samples=2000, noise=1.0, random_state=0
    )
    sets["synthetic 20,000 x 50"] = synthetic()
    return sets


def table_contenders(small: bool) -> dict:
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neural_network import MLPRegressor as SklearnMLP

    from sknn import MLPRegressor

    def hgb(n_outputs):
        model = HistGradientBoostingRegressor(random_state=0)
        return model if n_outputs == 1 else MultiOutputRegressor(model)

    models = {
        "sknn": lambda n_outputs: MLPRegressor(random_state=0),
        "scikit-learn": lambda n_outputs: SklearnMLP(random_state=0),
    }
    if small:
        print("--small: RealMLP-TD is left out of the smoke run.\n")
    elif importlib.util.find_spec("pytabkit") is None:
        print(
            "pytabkit is not installed: RealMLP-TD is skipped "
            "(pip install 'sknn-torch[bench]').\n"
        )
    else:
        from pytabkit import RealMLP_TD_Regressor

        models["RealMLP-TD"] = lambda n_outputs: RealMLP_TD_Regressor(
            random_state=0, device="cpu", n_threads=2
        )
    models["HistGradientBoosting"] = hgb
    models[MEAN] = lambda n_outputs: DummyRegressor()
    return models


def evaluate(make, X, y, folds, n_folds=None):
    """The R² and the seconds of ``fit`` of each fold (of the first
    ``n_folds`` only, if given)."""
    from sklearn.model_selection import KFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    splits = list(KFold(folds, shuffle=True, random_state=0).split(X))[:n_folds]
    n_outputs = 1 if y.ndim == 1 else y.shape[1]
    model = make_pipeline(StandardScaler(), make(n_outputs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarnings are part of defaults
        result = cross_validate(model, X, y, cv=splits, scoring="r2")
    return result["test_score"], result["fit_time"]


def tables(small: bool, realmlp_large: bool) -> None:
    folds = 2 if small else 5
    sets = table_sets(small)
    models = table_contenders(small)
    X0, y0 = sets["diabetes"]
    for make in models.values():  # warm-up
        evaluate(make, X0[:100], y0[:100], 2)

    print(f"## Tables: {folds}-fold R² (seconds of fit)\n")
    header = f"{'data set':<24}" + "".join(f"{name:>24}" for name in models)
    print(header)
    print("-" * len(header))
    results = {}  # (data set, contender): (R² of each fold, fit seconds of each)
    cut = []
    for data_name, (X, y) in sets.items():
        line = f"{data_name:<24}"
        for model_name, make in models.items():
            one = model_name == "RealMLP-TD" and len(X) > LARGE and not realmlp_large
            scores, times = evaluate(make, X, y, folds, 1 if one else None)
            results[data_name, model_name] = scores, times
            mark = "*" if one else " "
            line += f"{np.mean(scores):>15.4f}{mark}({np.sum(times):6.1f})"
            if one:
                cut.append(data_name)
        print(line, flush=True)
    for data_name in cut:
        first = ", ".join(
            f"{m} {results[data_name, m][0][0]:.4f}" for m in models if m != MEAN
        )
        print(
            f"* {data_name}: RealMLP-TD on the first fold only (minutes per fit; "
            f"--realmlp-large fits all {folds}). First fold: {first}"
        )

    def common(data_name, names):
        """How many folds, from the first, all of ``names`` ran."""
        return min(len(results[data_name, m][0]) for m in names)

    def together(model_name, data_names):
        r2 = np.mean(
            [
                np.mean(results[d, model_name][0][: common(d, models)])
                for d in data_names
            ]
        )
        seconds = sum(
            np.sum(results[d, model_name][1][: common(d, models)]) for d in data_names
        )
        return r2, seconds

    calm = [d for d in sets if d != NOISY]
    print(f"\n## Tables: the {len(sets)} data sets together\n")
    if cut:
        print(f"(on the first fold only of: {', '.join(cut)})\n")
    print(
        f"{'':<24}{'mean R²':>10}{'without linnerud':>18}{'fit seconds':>14}"
        f"{'sknn time / this':>18}"
    )
    mean_r2, calm_r2, seconds = {}, {}, {}
    for model_name in models:
        mean_r2[model_name], seconds[model_name] = together(model_name, sets)
        calm_r2[model_name] = together(model_name, calm)[0]
    for model_name in models:
        ratio = seconds["sknn"] / seconds[model_name]
        print(
            f"{model_name:<24}{mean_r2[model_name]:>10.4f}"
            f"{calm_r2[model_name]:>18.4f}{seconds[model_name]:>14.1f}"
            + (f"{'-':>18}" if model_name == MEAN else f"{ratio:>18.3f}")
        )

    others = [m for m in models if m not in ("sknn", MEAN)]
    print("\n## Tables: fit-time ratio sknn time / this, per data set\n")
    print(f"{'data set':<24}" + "".join(f"{name:>24}" for name in others))
    for data_name in sets:
        line = f"{data_name:<24}"
        for model_name in others:
            k = common(data_name, ("sknn", model_name))
            ratio = np.sum(results[data_name, "sknn"][1][:k]) / np.sum(
                results[data_name, model_name][1][:k]
            )
            line += f"{ratio:>23.3f}{'*' if k < folds else ' '}"
        print(line)
    if cut:
        print("* on the first fold only")

    print("\n## Tables: goals\n")
    r2 = {key: np.mean(scores) for key, (scores, _) in results.items()}
    behind = [
        f"{d} ({r2[d, 'sknn']:.4f} < {r2[d, 'scikit-learn']:.4f})"
        for d in sets
        if r2[d, "sknn"] < r2[d, "scikit-learn"]
    ]
    print(
        "R² >= scikit-learn's MLPRegressor on every data set: "
        + ("yes" if not behind else "no: " + ", ".join(behind))
    )
    if "RealMLP-TD" in models:
        sknn_mean, real_mean = mean_r2["sknn"], mean_r2["RealMLP-TD"]
        print(
            "mean R² >= RealMLP-TD's: "
            f"{'yes' if sknn_mean >= real_mean else 'no'} "
            f"({sknn_mean:.4f} against {real_mean:.4f}; without linnerud "
            f"{calm_r2['sknn']:.4f} against {calm_r2['RealMLP-TD']:.4f})"
        )
    else:
        print("mean R² >= RealMLP-TD's: not measured (RealMLP-TD left out)")
    ratio = sum(np.sum(results[d, "sknn"][1]) for d in sets) / sum(
        np.sum(results[d, "scikit-learn"][1]) for d in sets
    )
    print(
        f"fit time <= 1/3 of scikit-learn's (all {len(sets)} data sets): "
        f"{'yes' if ratio <= 1 / 3 else 'no'} ({ratio:.3f})"
    )


def generated(rng):
    """A stand-in when aeon is absent: noisy sine waves whose frequency is
    the target, ``(n, channels, length)`` as aeon gives them."""
    t = np.linspace(0, 1, 40)
    y = rng.uniform(1, 4, size=60)
    X = np.sin(2 * np.pi * y[:, None] * t)[:, None, :]
    X = X + rng.normal(scale=0.3, size=X.shape)
    return X[:40], y[:40], X[40:], y[40:]


def load_covid():
    """Covid3Month's published train and test split, as aeon ships it."""
    from aeon.datasets import load_regression

    X_train, y_train = load_regression("Covid3Month", split="train")
    X_test, y_test = load_regression("Covid3Month", split="test")
    return X_train, y_train, X_test, y_test


def run(make, X_train, y_train, X_test, y_test):
    from sklearn.metrics import root_mean_squared_error

    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is not the point
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    rmse = root_mean_squared_error(y_test, model.predict(X_test))
    return rmse, seconds, getattr(model, "n_iter_", "")


def sequences(small: bool, repeats: int) -> None:
    from sklearn.dummy import DummyRegressor

    from sknn import CNNRegressor, RNNRegressor

    have_aeon = importlib.util.find_spec("aeon") is not None
    options = {"data_format": "channels_first"}
    seeds = list(range(repeats))
    print("\n## Sequences: test RMSE on the published split\n")
    if not have_aeon:
        print(
            "aeon is not installed: generated sequences stand in, without "
            "RocketRegressor (pip install 'sknn-torch[bench]').\n"
        )
        name, data = "generated", generated(np.random.RandomState(0))
    else:
        name, data = "Covid3Month", load_covid()
    rocket_options = {}
    if small:
        options["max_iter"] = 2
        rocket_options["n_kernels"] = 100
        X_train, y_train, X_test, y_test = data
        data = X_train[:40], y_train[:40], X_test, y_test

    def flat(X):  # DummyRegressor ignores X; it only needs a 2-D one
        return np.zeros((len(X), 1))

    models = {
        "RNNRegressor": lambda seed: RNNRegressor(random_state=seed, **options),
        "CNNRegressor": lambda seed: CNNRegressor(random_state=seed, **options),
    }
    if have_aeon:
        from aeon.regression.convolution_based import RocketRegressor

        models["RocketRegressor"] = lambda seed: RocketRegressor(
            random_state=seed, **rocket_options
        )
        # warm-up: numba compiles ROCKET's kernels on their first call
        X_train, y_train = data[0][:10], data[1][:10]
        RocketRegressor(n_kernels=100, random_state=0).fit(X_train, y_train)

    X_train, y_train, X_test, y_test = data
    print("| data set | train | model | RMSE (seeds) | mean | fit s (mean) | epochs |")
    print("|---|---|---|---|---|---|---|")
    means = {}
    for label, make in models.items():
        results = [
            run(
                lambda make=make, seed=seed: make(seed),
                X_train,
                y_train,
                X_test,
                y_test,
            )
            for seed in seeds
        ]
        rmses = [r[0] for r in results]
        means[label] = float(np.mean(rmses))
        print(
            f"| {name} | {describe(X_train)} | {label} "
            f"| {' '.join(f'{r:.4f}' for r in rmses)} | {means[label]:.4f} "
            f"| {np.mean([r[1] for r in results]):.1f} | {results[0][2]} |",
            flush=True,
        )
    dummy, seconds, _ = run(
        DummyRegressor, flat(X_train), y_train, flat(X_test), y_test
    )
    means["mean predictor"] = dummy
    print(
        f"| {name} | {describe(X_train)} | mean predictor | {dummy:.4f} "
        f"| {dummy:.4f} | {seconds:.1f} | |"
    )

    best_label = min(("RNNRegressor", "CNNRegressor"), key=means.get)
    print("\n## Sequences: the better sknn default against RocketRegressor\n")
    print(
        "| data set | better sknn default | RMSE | RocketRegressor "
        "| mean predictor | reached |"
    )
    print("|---|---|---|---|---|---|")
    rocket = means.get("RocketRegressor")
    reached = "" if rocket is None else ("yes" if means[best_label] <= rocket else "no")
    print(
        f"| {name} | {best_label} | {means[best_label]:.4f} "
        f"| {'' if rocket is None else f'{rocket:.4f}'} | {dummy:.4f} | {reached} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    parser.add_argument(
        "--repeats", type=int, default=3, help="seeds of the sequence models"
    )
    parser.add_argument(
        "--realmlp-large",
        action="store_true",
        help="fit RealMLP-TD on every fold of the 20,000-row table (+8 minutes)",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    tables(args.small, args.realmlp_large)
    sequences(args.small, 1 if args.small else args.repeats)


if __name__ == "__main__":
    main()
