"""Categorical columns in ONNX: each column's values turned into the codes
the network's embeddings take, as :mod:`sknn._categorical` codes them.

A categorical column of strings arrives as a string input, one of numbers
as a number input (or as a column of the one input of an array). ONNX-ML's
``LabelEncoder`` maps each level to its code (``2 + i``) and anything else
to the code of an unseen level; a missing number (NaN) gets the code of a
missing value. (A string input has no missing value: an empty string is an
unseen level.)
"""

from __future__ import annotations

import numpy as np

from .._categorical import MISSING, RESERVED, UNSEEN
from ._graph import _shape, add_constant, add_node, cast, elem_type

#: ai.onnx.ml's LabelEncoder version with float keys and values.
_LABEL_ENCODER_VERSION = 2


def is_categorical_model(estimator) -> bool:
    return getattr(estimator, "is_categorical_", None) is not None


def categorical_positions(operator, estimator) -> set[int]:
    """The indices of the operator's inputs that are categorical columns
    (one input per column), for :func:`~._graph.check_inputs`."""
    if not is_categorical_model(estimator):
        return set()
    if len(operator.inputs) != len(estimator.is_categorical_):
        return set()
    return set(np.flatnonzero(estimator.is_categorical_).tolist())


def coded_columns(scope, operator, container, to_type) -> str:
    """The operator's inputs as one ``(batch, n_features)`` tensor of
    ``to_type`` with each categorical column replaced by its codes."""
    from onnx import TensorProto

    estimator = operator.raw_operator
    mask = estimator.is_categorical_
    inputs = list(operator.inputs)
    if len(inputs) == len(mask):
        columns = [(v.full_name, elem_type(v)) for v in inputs]
    else:
        if len(inputs) != 1 or (_shape(inputs[0]) or [None, None])[1:] not in (
            [None],
            [len(mask)],
        ):
            raise ValueError(
                f"{type(estimator).__name__} has categorical columns: give it one "
                f"ONNX input per column ({len(mask)}), or one input of "
                f"{len(mask)} columns."
            )
        whole, kind = inputs[0].full_name, elem_type(inputs[0])
        columns = []
        for j in range(len(mask)):
            index = add_constant(scope, container, "column", [j], TensorProto.INT64)
            columns.append(
                (add_node(scope, container, "Gather", whole, index, axis=1), kind)
            )
    levels = iter(estimator.categories_)
    coded = []
    for j, (name, kind) in enumerate(columns):
        if mask[j]:
            name = _codes(scope, container, name, kind, next(levels))
            kind = TensorProto.FLOAT
        coded.append(cast(scope, container, name, kind, to_type))
    return (
        coded[0]
        if len(coded) == 1
        else add_node(scope, container, "Concat", *coded, axis=1)
    )


def _codes(scope, container, name: str, kind: int, levels: np.ndarray) -> str:
    """The codes of one column's values, as floats."""
    from onnx import TensorProto

    codes = [float(RESERVED + i) for i in range(len(levels))]
    output = scope.get_unique_variable_name("codes")
    attributes = {"values_floats": codes, "default_float": float(UNSEEN)}
    if kind == TensorProto.STRING:
        attributes["keys_strings"] = [str(level) for level in levels]
        source = name
    else:
        try:
            keys = np.asarray(levels, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"A categorical column of strings ({levels[:3].tolist()}...) is "
                "declared in ONNX as numbers: declare it a string input."
            ) from None
        attributes["keys_floats"] = keys.astype(np.float32).tolist()
        source = cast(scope, container, name, kind, TensorProto.FLOAT)
    container.add_node(
        "LabelEncoder",
        [source],
        [output],
        op_domain="ai.onnx.ml",
        op_version=_LABEL_ENCODER_VERSION,
        name=scope.get_unique_operator_name("LabelEncoder"),
        **attributes,
    )
    if kind == TensorProto.STRING:
        return output
    missing = add_node(scope, container, "IsNaN", source)
    value = add_constant(
        scope, container, "missing", [float(MISSING)], TensorProto.FLOAT
    )
    return add_node(scope, container, "Where", missing, value, output)
