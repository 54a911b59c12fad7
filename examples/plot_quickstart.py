"""
Quick start: cross-validate an sknn classifier on bundled data
==============================================================

Trains :class:`sknn.MLPClassifier` inside a scikit-learn ``Pipeline`` on three
data sets that ship with scikit-learn, scores it with 5-fold cross-validation
(``cross_val_score``, stratified folds), and prints a table next to
scikit-learn's own ``MLPClassifier`` on the same folds.
"""

import time
import warnings

from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier


def evaluate(model, X, y):
    """Mean and spread of 5-fold accuracy, and the seconds it took."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5)
    return scores.mean(), scores.std(), time.perf_counter() - start


def main():
    datasets = {
        "digits": load_digits,
        "breast_cancer": load_breast_cancer,
        "wine": load_wine,
    }
    models = {
        "sknn MLPClassifier": lambda: MLPClassifier(random_state=0),
        "sklearn MLPClassifier": lambda: SklearnMLP(random_state=0),
    }
    header = f"{'data set':<15}{'model':<24}{'accuracy':>18}{'seconds':>10}"
    print(header)
    print("-" * len(header))
    for data_name, loader in datasets.items():
        X, y = loader(return_X_y=True)
        for model_name, make_model in models.items():
            mean, std, seconds = evaluate(make_model(), X, y)
            accuracy = f"{mean:.3f} +/- {std:.3f}"
            print(f"{data_name:<15}{model_name:<24}{accuracy:>18}{seconds:>10.2f}")


if __name__ == "__main__":
    main()
