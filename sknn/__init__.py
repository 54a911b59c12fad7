"""Neural-network classifiers on PyTorch that behave like scikit-learn estimators."""

from ._cnn import CNNClassifier
from ._mlp import MLPClassifier
from .preprocessing import TensorScaler

__version__ = "0.1.0.dev0"

__all__ = ["CNNClassifier", "MLPClassifier", "TensorScaler", "__version__"]
