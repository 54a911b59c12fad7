"""Categorical columns: sknn's embeddings against one-hot encoding and
HistGradientBoosting's native categories.

sknn's ``MLPClassifier`` learns one embedding per categorical column of a
DataFrame (pandas ``category`` dtype, ``categorical_features="from_dtype"``
by default). This script measures, side by side in one run, what that buys
over the usual way of feeding categories to a network, one-hot encoding.
The contenders, all with their defaults and ``random_state=0``:

- ``sknn embeddings``: a ``ColumnTransformer`` that standardizes the numeric
  columns and passes the categorical ones through
  (``.set_output(transform="pandas")``, so they keep their dtype), then
  ``sknn.MLPClassifier()``, which embeds them;
- ``sknn one-hot``: ``OneHotEncoder(handle_unknown="ignore")`` on the
  categorical columns and ``StandardScaler`` on the numeric ones in a
  ``ColumnTransformer`` (its default output: sparse when the one-hot columns
  make the table mostly zeros, as on the 2,000-level table), then the same
  ``sknn.MLPClassifier()``: the only difference from the first is embedding
  against one-hot;
- ``HistGradientBoosting``: scikit-learn's
  ``HistGradientBoostingClassifier(categorical_features="from_dtype")`` on
  the raw DataFrame, with native categories. These take at most ``max_bins``
  (255) levels; a column of more (the 2,000-level one) is encoded by
  ``TargetEncoder`` (cross-fitted, scikit-learn's way for many levels)
  instead, the others staying native, and the script shows the native
  error first.

The data sets:

- the Palmer penguins (``palmerpenguins.load_penguins()``, the ``bench``
  extra; skipped with a note without it): the species from the four body
  measurements and the ``island`` and ``sex`` columns as categories; the
  two rows without measurements are dropped, a missing ``sex`` (9 rows)
  stays a missing value of its categorical column. Stratified, shuffled
  5-fold cross-validation (``random_state=0``);
- a generated table (:func:`high_cardinality`) of 50,000 rows: a column of
  2,000 levels, each with a random effect, and four numeric columns, two of
  which add a small part; the label is a noisy threshold of their sum.
  Stratified, shuffled 3-fold cross-validation (``random_state=0``).
  Knowing every level's effect and the numeric part exactly (without the
  noise) gives the accuracy printed as its ceiling.

Printed for each: accuracy (mean over the folds), seconds of one pipeline
``fit`` (median over the folds, each passed ``--repeats`` times) and its
ratio to one-hot's (median of the per-fit ratios), and the peak memory of
one ``fit`` on the first training split, measured in a fresh process per
contender (Linux's peak-RSS counter reset just before ``fit``, as
``bench_fit.py`` does; torch's first fit in a process is in it; ``--small``
measures the generated table only). The contenders alternate (A B C A B C
...) and one warm-up fit of each, not counted, comes first.

The goals: embeddings at least as accurate as one-hot on both tables, and
on the 2,000-level table faster and with less memory.

    pip install "sknn-torch[bench]"                  # palmerpenguins
    python benchmarks/bench_categorical.py           # both tables (minutes)
    python benchmarks/bench_categorical.py --small   # a smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
import warnings

import numpy as np
from _fresh_process import reset_peak_rss, run_fresh, status_kb

EMBEDDINGS = "sknn embeddings"
ONE_HOT = "sknn one-hot"
HGB = "HistGradientBoosting"
CONTENDERS = (EMBEDDINGS, ONE_HOT, HGB)

PENGUINS = "penguins"
GENERATED = "generated"
MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
#: HistGradientBoosting's native categories take at most this many levels
#: (its ``max_bins``).
HGB_LEVELS = 255


def load_penguins():
    """The penguins' measurements, island and sex (categorical, a missing
    sex kept missing), and their species."""
    from palmerpenguins import load_penguins

    data = load_penguins().dropna(subset=MEASUREMENTS).reset_index(drop=True)
    X = data[MEASUREMENTS + ["island", "sex"]].copy()
    for column in ("island", "sex"):
        X[column] = X[column].astype("category")
    return X, data["species"].to_numpy()


def high_cardinality(n_samples=50_000, n_levels=2_000, random_state=0):
    """A table whose signal is mostly in one column of ``n_levels`` levels.

    Each level has a standard normal effect; the label is 1 where the
    effect of the row's level, plus ``0.5 * (x0 - x1) / sqrt(2)``, plus
    normal noise of standard deviation 0.5, is positive. ``x2`` and ``x3``
    are noise. Returns the DataFrame, the labels and the noise-free labels
    (the ceiling: what knowing every effect exactly predicts)."""
    import pandas as pd

    rng = np.random.RandomState(random_state)
    effect = rng.normal(size=n_levels)
    level = rng.randint(n_levels, size=n_samples)
    numeric = rng.normal(size=(n_samples, 4))
    signal = effect[level] + 0.5 * (numeric[:, 0] - numeric[:, 1]) / np.sqrt(2)
    y = (signal + rng.normal(scale=0.5, size=n_samples) > 0).astype(int)
    X = pd.DataFrame(numeric, columns=[f"x{i}" for i in range(4)])
    names = np.array([f"L{i:04d}" for i in range(n_levels)])
    X["level"] = pd.Categorical(names[level], categories=names)
    return X, y, (signal > 0).astype(int)


def data_set(name: str, small: bool):
    """``(X, y, splits, ceiling)`` of a data set: its table, labels, list of
    (train, test) row indices, and the noise-free labels or None."""
    from sklearn.model_selection import StratifiedKFold

    if name == PENGUINS:
        X, y = load_penguins()
        ceiling, folds = None, 5
    else:
        X, y, ceiling = (
            high_cardinality(n_samples=2_000, n_levels=300)
            if small
            else high_cardinality()
        )
        folds = 3
    cv = StratifiedKFold(2 if small else folds, shuffle=True, random_state=0)
    return X, y, list(cv.split(X, y)), ceiling


def columns(X):
    """The numeric and the categorical columns of a DataFrame."""
    categorical = [c for c in X.columns if X[c].dtype == "category"]
    return [c for c in X.columns if c not in categorical], categorical


def make_contender(name: str, X, small: bool):
    """A pipeline of contender ``name`` for the columns of ``X``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

    from sknn import MLPClassifier

    numeric, categorical = columns(X)
    # both networks alike: sknn's defaults (a couple of epochs in the smoke run)
    options = {"random_state": 0, **({"max_iter": 2} if small else {})}
    if name == EMBEDDINGS:
        scale = ColumnTransformer(
            [("numbers", StandardScaler(), numeric)],
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        return make_pipeline(scale, MLPClassifier(**options))
    if name == ONE_HOT:
        encode = ColumnTransformer(
            [
                ("numbers", StandardScaler(), numeric),
                ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        )
        return make_pipeline(encode, MLPClassifier(**options))
    if name == HGB:
        many = [c for c in categorical if len(X[c].cat.categories) > HGB_LEVELS]
        hgb = HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0
        )
        if not many:
            return hgb
        encode = ColumnTransformer(
            [("many levels", TargetEncoder(random_state=0), many)],
            remainder="passthrough",
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        return make_pipeline(encode, hgb)
    raise ValueError(name)


def fit(model, X, y):
    """Fit ``model``; its seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarnings are part of defaults
        model.fit(X, y)
    return time.perf_counter() - start


def fit_peak_rss(case: dict) -> float:
    """Extra peak RSS (MB) of one fit on the first training split, run by
    :func:`run_fresh` in a fresh process."""
    import torch

    torch.set_num_threads(2)
    X, y, splits, _ = data_set(case["data"], case["small"])
    train = splits[0][0]
    X_train, y_train = X.iloc[train], y[train]
    model = make_contender(case["name"], X, case["small"])
    before = status_kb("VmRSS:")
    reset_peak_rss()
    fit(model, X_train, y_train)
    return (status_kb("VmHWM:") - before) / 1024


def native_categories_note(X, y) -> None:
    """Show what HistGradientBoosting's native categories say to a column
    of more than 255 levels (it counts the levels seen, and refuses at
    once)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    _, categorical = columns(X)
    if all(len(X[c].cat.categories) <= HGB_LEVELS for c in categorical):
        return
    try:
        HistGradientBoostingClassifier(categorical_features="from_dtype").fit(X, y)
    except ValueError as error:
        print(f"HistGradientBoosting with native categories: {error}")
        print(
            "so its row below encodes that column with TargetEncoder and keeps "
            "the others native.\n"
        )


def describe(name: str, X, splits) -> str:
    numeric, categorical = columns(X)
    levels = ", ".join(
        f"{c} ({len(X[c].cat.categories):,} levels"
        + (f", {int(X[c].isna().sum())} missing" if X[c].isna().any() else "")
        + ")"
        for c in categorical
    )
    how = f"stratified {len(splits)}-fold"
    return f"{name}: {len(X):,} rows, {len(numeric)} numeric columns, {levels}; {how}"


def run(name: str, small: bool, repeats: int, memory: bool) -> dict:
    """Time, score and measure the contenders on one data set; print its
    table and return its figures."""
    X, y, splits, ceiling = data_set(name, small)
    print(f"## {describe(name, X, splits)}\n")
    if name == GENERATED:
        native_categories_note(X, y)
    rounds = splits * repeats  # a round per fold, each contender in turn
    train, _ = rounds[0]
    for contender in CONTENDERS:  # warm-up, not counted
        rows = train[:500]
        fit(make_contender(contender, X, small), X.iloc[rows], y[rows])

    seconds = {c: [] for c in CONTENDERS}
    correct = {c: [] for c in CONTENDERS}
    details = {}
    for train, test in rounds:
        for contender in CONTENDERS:
            model = make_contender(contender, X, small)
            seconds[contender].append(fit(model, X.iloc[train], y[train]))
            correct[contender].append(model.score(X.iloc[test], y[test]))
            if contender == EMBEDDINGS and "embeddings" not in details:
                mlp = model[-1]
                details["embeddings"] = mlp.embedding_dims_
                details["rows"] = [len(levels) + 2 for levels in mlp.categories_]
                details["numeric"] = int(np.sum(~mlp.is_categorical_))
            if contender == ONE_HOT and "one-hot" not in details:
                details["one-hot"] = model[-1].n_features_in_
    peak = {}
    if memory and not (small and name != GENERATED):  # the smoke run: one table
        peak = {
            c: run_fresh(
                "bench_categorical",
                "fit_peak_rss",
                {"data": name, "name": c, "small": small},
            )
            for c in CONTENDERS
        }

    accuracy = {c: float(np.mean(correct[c])) for c in CONTENDERS}
    ratio = {
        c: statistics.median(
            a / b for a, b in zip(seconds[c], seconds[ONE_HOT], strict=True)
        )
        for c in CONTENDERS
    }
    print(
        f"{'contender':<22}{'accuracy':>10}{'fit s':>9}{'x one-hot':>11}"
        f"{'fit peak MB':>13}{'x one-hot':>11}"
    )
    for c in CONTENDERS:
        mem = (
            f"{peak[c]:>13.0f}{peak[c] / peak[ONE_HOT]:>11.2f}"
            if c in peak
            else f"{'-':>13}{'-':>11}"
        )
        print(
            f"{c:<22}{accuracy[c]:>10.4f}{statistics.median(seconds[c]):>9.2f}"
            f"{ratio[c]:>11.3f}{mem}"
        )
    if ceiling is not None:
        print(f"{'ceiling (no noise)':<22}{np.mean(ceiling == y):>10.4f}")
    dims = details["embeddings"]
    print(
        "the networks' first layer (first fold): "
        f"{details['one-hot']:,} inputs one-hot, "
        f"{details['numeric'] + sum(dims):,} with the embeddings "
        f"({details['numeric']} numeric + embeddings of length "
        f"{' + '.join(map(str, dims))}, of "
        f"{', '.join(f'{r:,}' for r in details['rows'])} rows)\n",
        flush=True,
    )
    return {"accuracy": accuracy, "ratio": ratio, "peak": peak}


def goals(results: dict) -> None:
    print("## Goals\n")
    for name, r in results.items():
        a, b = r["accuracy"][EMBEDDINGS], r["accuracy"][ONE_HOT]
        print(
            f"{name}: embeddings accuracy >= one-hot: "
            f"{'yes' if a >= b else 'no'} ({a:.4f} against {b:.4f})"
        )
    if GENERATED not in results:
        return
    r = results[GENERATED]
    ratio = r["ratio"][EMBEDDINGS]
    print(
        f"{GENERATED}: embeddings fit faster than one-hot: "
        f"{'yes' if ratio < 1 else 'no'} (time ratio embeddings / one-hot "
        f"{ratio:.3f})"
    )
    if r["peak"]:
        memory = r["peak"][EMBEDDINGS] / r["peak"][ONE_HOT]
        print(
            f"{GENERATED}: embeddings fit with less memory than one-hot: "
            f"{'yes' if memory < 1 else 'no'} (peak ratio embeddings / one-hot "
            f"{memory:.3f})"
        )
    else:
        print(f"{GENERATED}: peak memory not measured (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="passes over the folds, for more timed fits",
    )
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    memory = not args.no_memory and sys.platform.startswith("linux")
    names = [GENERATED]
    if importlib.util.find_spec("palmerpenguins") is None:
        print(
            "palmerpenguins is not installed: the penguins table is skipped "
            "(pip install 'sknn-torch[bench]').\n"
        )
    else:
        names.insert(0, PENGUINS)
    results = {name: run(name, args.small, args.repeats, memory) for name in names}
    goals(results)


if __name__ == "__main__":
    main()
