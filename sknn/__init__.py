"""Neural networks on PyTorch that behave like scikit-learn estimators."""

from . import modules
from ._cnn import CNNClassifier, CNNRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._named_data import Inputs
from ._neural_net import NeuralNetClassifier, NeuralNetRegressor
from ._onnx import register_onnx_converters, to_onnx
from ._persistence import skops_trusted_types
from ._rnn import RNNClassifier, RNNRegressor
from ._version import __version__
from .preprocessing import TensorScaler

#: sknn's public estimators: the one list that skops's trusted types and the
#: ONNX converters read.
_ESTIMATORS = (
    CNNClassifier,
    CNNRegressor,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    NeuralNetRegressor,
    RNNClassifier,
    RNNRegressor,
    TensorScaler,
)

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "Inputs",
    "MLPClassifier",
    "MLPRegressor",
    "NeuralNetClassifier",
    "NeuralNetRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "TensorScaler",
    "__version__",
    "modules",
    "register_onnx_converters",
    "skops_trusted_types",
    "to_onnx",
]
