"""Neural-network classifiers on PyTorch that behave like scikit-learn estimators."""

from ._mlp import MLPClassifier

__version__ = "0.1.0.dev0"

__all__ = ["MLPClassifier", "__version__"]
