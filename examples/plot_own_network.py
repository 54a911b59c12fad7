"""
Your own network: a residual MLP, tuned and compared with the presets
=====================================================================

:class:`sknn.NeuralNetClassifier` trains a network written in plain PyTorch
with the same machinery as sknn's presets. Here the network is a small
residual MLP (dense blocks with a skip connection and layer normalization);
its width and depth are ``module__`` hyperparameters, so
:class:`~sklearn.model_selection.GridSearchCV` tunes them together with the
learning rate. The tuned network is then scored on a held-out test set next
to :class:`sknn.MLPClassifier` and :class:`sknn.CNNClassifier` with their
defaults, on scikit-learn's 8x8 digits.

The network asks for ``n_features`` and ``n_outputs`` by name, and the
estimator passes them from the data: nothing in the code knows that the
digits have 64 pixels and 10 classes.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sknn import CNNClassifier, MLPClassifier, NeuralNetClassifier


class ResidualMLP(nn.Module):
    """An input layer, ``blocks`` residual blocks of ``width`` units, a head."""

    def __init__(self, n_features, n_outputs, width=64, blocks=2, dropout=0.1):
        super().__init__()
        self.inp = nn.Linear(n_features, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.LayerNorm(width),
                nn.Linear(width, width),
                nn.GELU(),
                nn.Dropout(dropout),
            )
            for _ in range(blocks)
        )
        self.out = nn.Linear(width, n_outputs)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h)


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    warnings.simplefilter("ignore", ConvergenceWarning)

    # Tune the user's network: width, depth and learning rate, 3-fold CV.
    search = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            NeuralNetClassifier(module=ResidualMLP, max_iter=30, random_state=0),
        ),
        {
            "neuralnetclassifier__module__width": [32, 128],
            "neuralnetclassifier__module__blocks": [1, 3],
            "neuralnetclassifier__learning_rate_init": [1e-3, 3e-3],
        },
        cv=3,
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    search_seconds = time.perf_counter() - start
    print(f"grid search: {len(search.cv_results_['params'])} candidates x 3 folds")
    print(f"in {search_seconds:.1f} s; best: {search.best_params_}")

    # The presets with their defaults, on the same split.
    images = X.reshape(-1, 8, 8, 1) / 16.0
    images_train, images_test = train_test_split(
        images, test_size=0.3, stratify=y, random_state=0
    )
    candidates = {
        "ResidualMLP (tuned)": (search.best_estimator_, X_train, X_test),
        "MLPClassifier": (
            make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
            X_train,
            X_test,
        ),
        "CNNClassifier": (CNNClassifier(random_state=0), images_train, images_test),
    }
    scores = {}
    print(f"\n{'model':<22}{'test accuracy':>15}{'fit seconds':>13}")
    for name, (model, train, test) in candidates.items():
        start = time.perf_counter()
        model.fit(train, y_train)
        seconds = time.perf_counter() - start
        scores[name] = model.score(test, y_test)
        print(f"{name:<22}{scores[name]:>15.3f}{seconds:>13.2f}")

    # Mean CV accuracy of each candidate of the search.
    results = search.cv_results_
    labels = [
        f"w={p['neuralnetclassifier__module__width']} "
        f"b={p['neuralnetclassifier__module__blocks']}\n"
        f"lr={p['neuralnetclassifier__learning_rate_init']:g}"
        for p in results["params"]
    ]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(3, 2))
    order = np.argsort(results["mean_test_score"])
    left.barh(
        [labels[i] for i in order],
        results["mean_test_score"][order],
        xerr=results["std_test_score"][order],
        color="tab:blue",
    )
    left.set_xlim(0.85, 1.0)
    left.set_xlabel("mean 3-fold accuracy")
    left.set_title("Grid search over module__ parameters")
    right.bar(list(scores), list(scores.values()), color="tab:green")
    right.set_ylim(0.85, 1.0)
    right.set_ylabel("test accuracy")
    right.set_title("Tuned network vs the presets")
    right.tick_params(axis="x", labelrotation=15)
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    main()
