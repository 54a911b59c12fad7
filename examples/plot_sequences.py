"""
A recurrent network on a UCR time series: electricity demand in Italy
=====================================================================

ItalyPowerDemand, one of the data sets of the UCR time-series archive, holds
days of Italian electricity demand, 24 hourly values each; the task is to
tell the days from October to March from those from April to September. Its
published split is small (67 training days, 1,029 test days), as many real
sequence problems are.

The data set ships with the ``aeon`` package (the docs extra installs it;
nothing is downloaded). aeon gives sequences as ``(n, channels, timesteps)``,
so the pipeline says ``channels_first`` instead of moving axes:
:class:`~sknn.TensorScaler` standardizes the one channel over all days and
hours, and :class:`~sknn.RNNClassifier` reads each day hour by hour, with a
smaller network and a shorter training than its defaults (32 units, 150
epochs) so that the whole search takes well under a minute. A grid
search with 3-fold cross-validation on the training days chooses the
recurrent cell and the normalization inside the network (layer
normalization or none; batch statistics do not suit recurrent layers). The
chosen model is then scored once on the test days, beside the published
results of FCN and ResNet (Fawaz et al. 2019, mean of 10 runs).
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from aeon.datasets import load_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sknn import RNNClassifier, TensorScaler

PUBLISHED = {"FCN": 0.961, "ResNet": 0.963}


def main():
    X_train, y_train = load_classification("ItalyPowerDemand", split="train")
    X_test, y_test = load_classification("ItalyPowerDemand", split="test")
    print(f"train {X_train.shape}, test {X_test.shape} (n, channels, hours)")
    warnings.simplefilter("ignore", ConvergenceWarning)

    pipeline = make_pipeline(
        TensorScaler(mode="channel", channel_axis=1),
        RNNClassifier(
            data_format="channels_first", hidden_size=32, max_iter=150, random_state=0
        ),
    )
    search = GridSearchCV(
        pipeline,
        {
            "rnnclassifier__cell": ["lstm", "gru"],
            "rnnclassifier__normalization": [None, "layer"],
        },
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    print(f"\ngrid search, 4 candidates x 3 folds, in {seconds:.0f} s")
    print(f"{'cell':<6}{'normalization':<15}{'CV accuracy':>12}")
    for params, mean, std in zip(
        results["params"],
        results["mean_test_score"],
        results["std_test_score"],
        strict=True,
    ):
        norm = str(params["rnnclassifier__normalization"])
        print(f"{params['rnnclassifier__cell']:<6}{norm:<15}{mean:>7.3f} ± {std:.3f}")
    print(f"chosen: {search.best_params_}")

    test_score = search.score(X_test, y_test)
    print(f"\ntest accuracy of the chosen model: {test_score:.3f}")
    for name, score in PUBLISHED.items():
        print(f"published {name}: {score:.3f}")

    # Left: a few days of each class. Right: the test score and the published.
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(3, 2))
    hours = np.arange(X_train.shape[2])
    for label, color in zip(
        np.unique(y_train), ("tab:blue", "tab:orange"), strict=True
    ):
        days = X_train[y_train == label][:8, 0]
        for index, day in enumerate(days):
            left.plot(
                hours, day, color=color, alpha=0.6, label=None if index else label
            )
    left.set(xlabel="hour", ylabel="demand (standardized by aeon)")
    left.legend(title="class")
    names = ["sknn RNN (tuned)", *PUBLISHED]
    scores = [test_score, *PUBLISHED.values()]
    right.barh(names, scores, color=["tab:green", "tab:gray", "tab:gray"])
    right.set(xlim=(0.9, 1.0), xlabel="test accuracy")
    for row, score in enumerate(scores):
        right.text(score, row, f" {score:.3f}", va="center")
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    main()
