"""skl2onnx's shape calculator and converter for sknn's regressors.

One converter serves every regressor built on sknn's estimator base: it
inlines the network that ``torch.onnx.export`` writes (see ``_export.py``),
then computes what ``predict`` computes from the network's outputs: the
scaled targets mapped back to the original units,
``outputs * target_scale_ + target_offset_``, or for the Poisson loss
``exp(outputs) * target_scale_``. The output is skl2onnx's for
regressors: a tensor ``variable`` of shape ``(N, n_outputs_)``.
"""

from __future__ import annotations

import functools

from ._export import inline_network
from ._graph import add_constant, add_node, check_inputs, elem_type


def regressor_shapes(operator) -> None:
    """Shape calculator: predictions ``(N, n_outputs)``, in double when the
    inputs are double, else float."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
    from skl2onnx.common.utils import check_input_and_output_numbers

    estimator = operator.raw_operator
    check_input_and_output_numbers(operator, output_count_range=1)
    check_inputs(operator, estimator)
    n = operator.inputs[0].get_first_dimension()
    double = all(isinstance(v.type, DoubleTensorType) for v in operator.inputs)
    tensor = DoubleTensorType if double else FloatTensorType
    operator.outputs[0].type = tensor([n, estimator.n_outputs_])


def convert_regressor(scope, operator, container) -> None:
    """Converter: the network, then the predictions in the target's units."""
    estimator = operator.raw_operator
    outputs, net_type = inline_network(scope, operator, container, "outputs")

    node = functools.partial(add_node, scope, container)
    (prediction,) = operator.outputs
    out_type = elem_type(prediction)
    scale = add_constant(
        scope, container, "scale", estimator.target_scale_.tolist(), net_type
    )
    if estimator.out_activation_ == "exp":
        values = node("Mul", node("Exp", outputs), scale)
    else:
        offset = add_constant(
            scope, container, "offset", estimator.target_offset_.tolist(), net_type
        )
        values = node("Add", node("Mul", outputs, scale), offset)
    if out_type == net_type:
        node("Identity", values, output=prediction.full_name)
    else:
        node("Cast", values, output=prediction.full_name, to=out_type)
