"""Neural-network classifiers on PyTorch that behave like scikit-learn estimators."""

from . import modules
from ._cnn import CNNClassifier
from ._mlp import MLPClassifier
from ._neural_net import NeuralNetClassifier
from ._onnx import register_onnx_converters, to_onnx
from ._persistence import skops_trusted_types
from ._rnn import RNNClassifier
from ._version import __version__
from .preprocessing import TensorScaler

__all__ = [
    "CNNClassifier",
    "MLPClassifier",
    "NeuralNetClassifier",
    "RNNClassifier",
    "TensorScaler",
    "__version__",
    "modules",
    "register_onnx_converters",
    "skops_trusted_types",
    "to_onnx",
]
