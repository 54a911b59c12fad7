"""skl2onnx's parser, shape calculator and converter for sknn's classifiers.

One converter serves every classifier built on sknn's estimator base: it
inlines the network that ``torch.onnx.export`` writes (see ``_export.py``),
then computes what ``predict_proba`` and ``predict`` compute from the logits:

* binary: one logit ``z``; probabilities ``[sigmoid(-z), sigmoid(z)]``,
  label ``classes_[z > 0]``;
* multiclass: a softmax over the logits, label ``classes_[argmax]`` (the
  first of equal maxima, as in torch);
* multilabel: one sigmoid per label, labels ``z > 0`` as an int64 matrix.

The outputs follow skl2onnx's classifiers: a label and a probability tensor
(``label`` and ``probabilities``), turned by skl2onnx into
``output_label`` and a ZipMap ``output_probability`` unless the option
``zipmap`` is False. Labels keep the kind ``predict`` returns: strings,
int64 for integers, bool, double for other numbers; with a ZipMap, whose
keys are int64 or strings, numbers are int64 as in skl2onnx.
"""

from __future__ import annotations

import functools

import numpy as np

from .._tasks._classification import BINARY, MULTICLASS, MULTILABEL, MULTIOUTPUT
from ._export import inline_network
from ._graph import (
    add_constant,
    add_node,
    check_inputs,
    elem_type,
)

#: The converter's options: skl2onnx's for classifiers (``nocl``: labels
#: are the indices of the classes).
OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [False, True],
    "output_class_labels": [False, True],
}


def _options(operator) -> dict:
    """The options of the operator's estimator, with skl2onnx's defaults."""
    defaults = {"zipmap": True, "nocl": False}
    return operator.scope_inst.get_options(operator.raw_operator, defaults)


def _typed_classes(estimator) -> np.ndarray:
    """``classes_`` as numpy types them (an object array of strings becomes a
    string array), refusing kinds of labels ONNX has no tensor for."""
    classes = np.asarray(estimator.classes_)
    if classes.dtype.kind == "O":
        classes = np.array(classes.tolist())
    if classes.dtype.kind not in "biufUS":
        raise TypeError(
            f"{type(estimator).__name__} has classes of type {classes.dtype} "
            f"({estimator.classes_[:3]!r}...), which no ONNX tensor holds; "
            "fit it on labels that are numbers or strings."
        )
    return classes


def _label_kind(estimator, options: dict) -> str:
    """The ONNX element type of the labels: "string", "int64", "bool" or
    "double" (int64 for numbers under a ZipMap, whose keys are int64, and
    for the indices of ``nocl``)."""
    if estimator.target_type_ == MULTILABEL or options["nocl"]:
        return "int64"
    zipmap = options["zipmap"] is not False
    kind = _typed_classes(estimator).dtype.kind
    if kind in "US":
        return "string"
    if kind in "iu" or zipmap:
        return "int64"
    return "bool" if kind == "b" else "double"


def _check_options(estimator, options: dict) -> None:
    """Refuse, with the reason, the options skl2onnx cannot apply to these
    classes (it would fail later with a less helpful message)."""
    name = type(estimator).__name__
    raw = np.asarray(estimator.classes_)
    classes = _typed_classes(estimator)
    if options.get("output_class_labels", False):
        integers = raw.dtype in (np.int32, np.int64)
        if not (integers or classes.dtype.kind in "US"):
            raise ValueError(
                "output_class_labels=True needs int32, int64 or string classes, "
                f"but {name} has classes of dtype {raw.dtype}."
            )
        if options.get("nocl", False) and not integers:
            raise ValueError(
                "output_class_labels=True with nocl=True needs integer classes: "
                f"skl2onnx would declare the string classes of {name} but "
                "write their indices."
            )


def parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's parser for classifiers, after checking the options."""
    # skl2onnx's default classifier parser is private; it is imported here
    # only, so a move in a future release is fixed in one place.
    from skl2onnx._parse import _parse_sklearn_classifier

    if model.target_type_ == MULTIOUTPUT:
        raise NotImplementedError(
            f"to_onnx does not export a {type(model).__name__} fitted on a "
            "multiclass-multioutput target (one output per column of y) yet: "
            "its labels and probabilities are one output per column, which "
            "skl2onnx's classifier outputs cannot hold."
        )
    options = scope.get_options(model, {"zipmap": True})
    _check_options(model, options)
    return _parse_sklearn_classifier(
        scope, model, inputs, custom_parsers=custom_parsers
    )


def classifier_shapes(operator) -> None:
    """Shape calculator: labels ``(N,)`` (``(N, n_labels)`` for multilabel
    targets) and probabilities ``(N, n_classes)``."""
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers

    estimator = operator.raw_operator
    check_input_and_output_numbers(operator, output_count_range=2)
    check_inputs(operator, estimator)
    kind = _label_kind(estimator, _options(operator))
    label_type = {
        "string": StringTensorType,
        "int64": Int64TensorType,
        "bool": BooleanTensorType,
        "double": DoubleTensorType,
    }[kind]
    n = operator.inputs[0].get_first_dimension()
    width = len(estimator.classes_)
    multilabel = estimator.target_type_ == MULTILABEL
    operator.outputs[0].type = label_type([n, width] if multilabel else [n])
    double = all(isinstance(v.type, DoubleTensorType) for v in operator.inputs)
    proba_type = DoubleTensorType if double else FloatTensorType
    operator.outputs[1].type = proba_type([n, width])


def convert_classifier(scope, operator, container) -> None:
    """Converter: the network, then the labels and probabilities."""
    estimator = operator.raw_operator
    logits, net_type = inline_network(scope, operator, container, "logits")

    label, proba = operator.outputs
    _write_probabilities(scope, container, estimator, logits, net_type, proba)
    nocl = _options(operator)["nocl"]
    _write_labels(scope, container, estimator, logits, net_type, label, nocl)


def _write_probabilities(scope, container, estimator, logits, net_type, proba):
    """``predict_proba``, computed in the network's precision."""
    node = functools.partial(add_node, scope, container)
    proba_type = elem_type(proba)
    output = proba.full_name if proba_type == net_type else None
    if estimator.target_type_ == MULTICLASS:
        scores = node("Softmax", logits, output=output, axis=1)
    elif estimator.target_type_ == BINARY:
        negative = node("Sigmoid", node("Neg", logits))
        positive = node("Sigmoid", logits)
        scores = node("Concat", negative, positive, output=output, axis=1)
    else:
        scores = node("Sigmoid", logits, output=output)
    if output is None:
        node("Cast", scores, output=proba.full_name, to=proba_type)


def _write_labels(scope, container, estimator, logits, net_type, label, nocl):
    """``predict``: the classes at the predicted indices (the indices with
    ``nocl``), or the indicator matrix of a multilabel target."""
    from onnx import TensorProto

    node = functools.partial(add_node, scope, container)
    if estimator.target_type_ == MULTICLASS:
        index = node("ArgMax", logits, axis=1, keepdims=0)
    else:
        zero = add_constant(scope, container, "zero", 0.0, net_type)
        above = node("Greater", logits, zero)
        if estimator.target_type_ == MULTILABEL:
            node("Cast", above, output=label.full_name, to=TensorProto.INT64)
            return
        flat = add_constant(scope, container, "flat", [-1], TensorProto.INT64)
        index = node("Reshape", node("Cast", above, to=TensorProto.INT64), flat)
    if nocl:
        node("Identity", index, output=label.full_name)
        return
    label_type = elem_type(label)
    classes = add_constant(
        scope, container, "classes", _label_values(estimator, label_type), label_type
    )
    node("Gather", classes, index, output=label.full_name, axis=0)


def _label_values(estimator, label_type: int) -> list:
    """The classes as values of the label tensor's element type."""
    from onnx import TensorProto

    classes = _typed_classes(estimator)
    if label_type == TensorProto.STRING:
        return [str(c).encode("utf-8") for c in classes.tolist()]
    dtype = {TensorProto.INT64: np.int64, TensorProto.BOOL: bool}.get(
        label_type, np.float64
    )
    return classes.astype(dtype).tolist()
