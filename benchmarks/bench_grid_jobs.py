"""GridSearchCV with n_jobs=2 against n_jobs=1 on the same grid.

Checks that sknn's fits do not oversubscribe the cores when joblib runs two of
them at once: with n_jobs=2 the search must be faster than with n_jobs=1.
Runs alternate (1, 2, 1, 2, ...) and medians are reported.

    python benchmarks/bench_grid_jobs.py [--repeats 3] [--small]
"""

import argparse
import statistics
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier


def run(n_jobs, X, y, max_iter):
    grid = {"mlpclassifier__alpha": [1e-4, 1e-3], "mlpclassifier__dropout": [0, 0.1]}
    model = make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=max_iter, random_state=0)
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(model, grid, cv=3, n_jobs=n_jobs).fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="tiny smoke run")
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    max_iter = 2 if args.small else 30
    if args.small:
        X, y = X[:300], y[:300]
    times = {1: [], 2: []}
    for _ in range(1 if args.small else args.repeats):
        for n_jobs in (1, 2):
            times[n_jobs].append(run(n_jobs, X, y, max_iter))
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"{'n_jobs':<8}{'median s':>10}")
    print(f"{1:<8}{one:>10.2f}")
    print(f"{2:<8}{two:>10.2f}")
    print(f"speed-up of n_jobs=2 over n_jobs=1: {one / two:.2f}x")


if __name__ == "__main__":
    main()
