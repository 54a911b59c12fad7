"""Neural-network classifiers on PyTorch that behave like scikit-learn estimators."""

from . import modules
from ._cnn import CNNClassifier
from ._mlp import MLPClassifier
from ._neural_net import NeuralNetClassifier
from .preprocessing import TensorScaler

__version__ = "0.1.0.dev0"

__all__ = [
    "CNNClassifier",
    "MLPClassifier",
    "NeuralNetClassifier",
    "TensorScaler",
    "__version__",
    "modules",
]
