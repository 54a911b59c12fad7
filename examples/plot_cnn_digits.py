"""
A convolutional network on the digits images
============================================

scikit-learn's digits are 8x8 grayscale images. :class:`sknn.CNNClassifier`
takes them as they are, shaped ``(n, 8, 8, 1)`` (height, width, one channel),
and learns from the arrangement of the pixels; scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` sees the same pixels as 64
unrelated features. Both are scored by 5-fold cross-validation on the same
folds (``cross_val_score``'s default: stratified, not shuffled, so each fold
holds other writers) with their default parameters and a fixed seed; the
table shows the mean accuracy, its spread over the folds, and the seconds each
model took.
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import CNNClassifier


def evaluate(model, X, y):
    """Fold accuracies of 5-fold cross-validation, and the seconds it took."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(model, X, y, cv=5)
    return scores, time.perf_counter() - start


def main():
    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8, 1) / 16.0  # pixel values 0..16 -> 0..1
    runs = {
        "sknn CNNClassifier, (n, 8, 8, 1)": (CNNClassifier(random_state=0), images),
        "sklearn MLPClassifier, (n, 64)": (
            make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
            X,
        ),
    }
    header = f"{'model, input':<36}{'accuracy':>18}{'seconds':>10}"
    print(header)
    print("-" * len(header))
    for name, (model, inputs) in runs.items():
        scores, seconds = evaluate(model, inputs, y)
        accuracy = f"{scores.mean():.3f} +/- {scores.std():.3f}"
        print(f"{name:<36}{accuracy:>18}{seconds:>10.1f}")


if __name__ == "__main__":
    main()
