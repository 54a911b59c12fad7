"""skl2onnx's shape calculator and converter for TensorScaler.

``transform`` is ``(X - center_) / scale_`` with one statistic per feature,
per channel or for all values; the converter writes the same two operations
with the statistics shaped to broadcast over ``(N, *input_shape_)``, in the
output's precision (float32 for float32 input, as ``transform`` computes).
"""

from __future__ import annotations

import numpy as np

from ._graph import add_constant, add_node, check_inputs, elem_type, numeric_input

#: Input element types (onnx.TensorProto names) that transform turns into
#: float64: float64 and integers wider than 16 bits; the others give float32.
_TO_DOUBLE = ("DOUBLE", "INT32", "INT64", "UINT32", "UINT64")


def _broadcast_shape(scaler) -> tuple[int, ...]:
    """Shape of the statistics, broadcasting over one sample."""
    if scaler.mode == "feature":
        return tuple(scaler.input_shape_)
    if scaler.mode == "global":
        return ()
    index = scaler._channel_index()
    trailing = len(scaler.input_shape_) - index - 1
    return (scaler.input_shape_[index],) + (1,) * trailing


def scaler_shapes(operator) -> None:
    """Shape calculator: the output has the input's shape, in float32 or
    float64 as ``transform`` returns it."""
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
    from skl2onnx.common.utils import check_input_and_output_numbers

    scaler = operator.raw_operator
    if "inputs_" in vars(scaler):
        raise NotImplementedError(
            "to_onnx does not convert a TensorScaler fitted on named inputs "
            "(sknn.Inputs); convert the network alone, which takes one ONNX "
            "input per named input, and scale its inputs before it."
        )
    check_input_and_output_numbers(operator, output_count_range=1)
    check_inputs(operator, scaler)
    wide = {getattr(TensorProto, name) for name in _TO_DOUBLE}
    double = any(elem_type(variable) in wide for variable in operator.inputs)
    n = operator.inputs[0].get_first_dimension()
    output_type = DoubleTensorType if double else FloatTensorType
    operator.outputs[0].type = output_type([n, *scaler.input_shape_])


def convert_scaler(scope, operator, container) -> None:
    """Converter: ``Sub`` the centre (unless there is none), ``Div`` the scale."""
    from onnx import TensorProto

    scaler = operator.raw_operator
    output = operator.outputs[0]
    to_type = elem_type(output)
    dtype = np.float64 if to_type == TensorProto.DOUBLE else np.float32
    x = numeric_input(scope, operator, container, to_type, scaler.input_shape_)
    shape = _broadcast_shape(scaler)
    # Cast to the output's precision first, as transform does.
    scale = np.asarray(scaler.scale_, dtype=np.float64).astype(dtype).reshape(shape)
    divisor = add_constant(scope, container, "scale", scale, to_type)
    if scaler.method != "scale":
        center = np.asarray(scaler.center_, dtype=np.float64).astype(dtype)
        shift = add_constant(scope, container, "center", center.reshape(shape), to_type)
        x = add_node(scope, container, "Sub", x, shift)
    add_node(scope, container, "Div", x, divisor, output=output.full_name)
