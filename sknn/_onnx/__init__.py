"""Export to ONNX: sknn's estimators as skl2onnx converters.

:func:`to_onnx` converts a fitted classifier or regressor, or a pipeline that
holds sknn steps among steps skl2onnx knows, to an ``onnx.ModelProto`` that
computes the labels and probabilities, or the predictions;
:func:`register_onnx_converters` registers the converters for users of
:func:`skl2onnx.to_onnx`. The modules:

* ``_api.py``: the two public functions and the list of estimators;
* ``_classifier.py``: the classifiers' parser, shape calculator and converter;
* ``_regressor.py``: the regressors' shape calculator and converter;
* ``_scaler.py``: TensorScaler's shape calculator and converter;
* ``_export.py``: the network, exported by ``torch.onnx.export``;
* ``_graph.py``: input checks and graph building blocks.

onnx, onnxscript and skl2onnx are imported only when a function needs them.
"""

from ._api import register_onnx_converters, to_onnx

__all__ = ["register_onnx_converters", "to_onnx"]
