"""The network of a fitted sknn classifier, exported by ``torch.onnx.export``.

The export is torch's own (the ``torch.export``-based exporter, ONNX opset 18
and later), with a dynamic batch axis, from a copy of the network in eval
mode on the CPU: the estimator's module is never changed. What comes back is
a plain ONNX graph of one input, ``(batch, *network_input_shape(estimator))``
in the network's dtype, and one output, the logits ``(batch, n_outputs)``.

Nothing here imports onnx or skl2onnx at import time: sknn works without them.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import logging
import re
import warnings

import numpy as np
import torch

from .._module_params import qualified_name

#: The oldest ONNX opset ``torch.onnx.export`` writes (its exporter converts
#: down to no earlier version).
MIN_OPSET = 18

#: Rows of the example batch the network is traced with: more than one, so
#: that torch does not specialize the batch axis to a constant.
_EXAMPLE_ROWS = 2


def network_input_shape(estimator) -> tuple[int, ...]:
    """Shape of one sample as the estimator's network takes it.

    The estimator's own rule, read off an empty batch: MLPClassifier
    flattens samples to rows, CNNClassifier gives them their channel axis,
    RNNClassifier gives univariate sequences their feature axis,
    NeuralNetClassifier keeps ``input_shape_``.
    """
    one = np.zeros((1, *estimator.input_shape_), dtype=np.float32)
    return tuple(int(d) for d in estimator._shape_for_module(one).shape[1:])


def inline_network(scope, operator, container, name: str) -> tuple[str, int]:
    """The operator's estimator's network, exported and inlined after its
    inputs (cast and reshaped as the network takes them): the name of the
    network's output tensor (made from ``name``) and its ONNX element type."""
    from skl2onnx import get_latest_tested_opset_version

    from ._graph import inline_graph, named_inputs, numeric_input

    estimator = operator.raw_operator
    opset = container.target_opset or get_latest_tested_opset_version()
    network = export_network(estimator, opset)
    net_type = network.graph.output[0].type.tensor_type.elem_type
    if named_input_shapes(estimator) is not None:
        x = named_inputs(scope, operator, container, net_type)
    else:
        x = numeric_input(
            scope, operator, container, net_type, network_input_shape(estimator)
        )
    seed = f"{type(estimator).__name__.lower()}_network"
    output = scope.get_unique_variable_name(name)
    inline_graph(scope, container, network, x, output, seed)
    return output, net_type


def export_network(estimator, opset: int):
    """The estimator's network as an ``onnx.ModelProto`` of opset ``opset``.

    Raises ``ValueError`` naming the module when torch cannot export it, or
    when the graph it exports is not one input to one output of logits.
    """
    import onnx

    if "dynamic_shapes" not in inspect.signature(torch.onnx.export).parameters:
        raise ImportError(
            f"Converting to ONNX needs torch.onnx.export(dynamo=True, "
            f"dynamic_shapes=...), which torch {torch.__version__} does not "
            "have; upgrade torch (2.5 or later)."
        )
    if opset < MIN_OPSET:
        raise ValueError(
            f"target_opset={opset}: the network of {type(estimator).__name__} is "
            f"exported by torch.onnx.export, which writes ONNX opset {MIN_OPSET} "
            f"or later; use target_opset >= {MIN_OPSET}."
        )
    module = copy.deepcopy(estimator.module_).cpu().eval()
    parameter = next(module.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    batch = torch.export.Dim("batch")
    shapes = named_input_shapes(estimator)
    if shapes is None:
        example = torch.zeros(
            (_EXAMPLE_ROWS, *network_input_shape(estimator)), dtype=dtype
        )
        args, kwargs, dynamic = (example,), None, ({0: batch},)
    else:  # one graph input per named input, by the name of its argument
        args = ()
        kwargs = {
            name: torch.zeros((_EXAMPLE_ROWS, *shape), dtype=dtype)
            for name, shape in shapes.items()
        }
        dynamic = {name: {0: batch} for name in shapes}
    described = (
        f"the module {qualified_name(type(module))} of {type(estimator).__name__}"
    )
    try:
        with _quiet_exporter():
            program = torch.onnx.export(
                module,
                args,
                kwargs=kwargs,
                dynamo=True,
                opset_version=opset,
                dynamic_shapes=dynamic,
                verbose=False,
            )
    except Exception as error:
        raise ValueError(
            f"torch.onnx.export cannot export {described} with a dynamic batch "
            f"axis, so it cannot be converted to ONNX: {_gist(error)}. Its "
            "forward must be traceable by torch.export: tensor operations only "
            "(no numpy or Python numbers taken from tensors), no control flow "
            "on the values of tensors (torch.cond can express it), no fixed "
            "batch size."
        ) from error
    model = program.model_proto
    if len(model.functions):
        model = onnx.inliner.inline_local_functions(model)
    _check_exported(model, described, opset, 1 if shapes is None else len(shapes))
    return model


def named_input_shapes(estimator) -> dict | None:
    """The shape of one sample of each named input (None for one input)."""
    shapes = getattr(estimator, "input_shapes_", None)
    if getattr(estimator, "input_names_", None) is None or shapes is None:
        return None
    return {name: tuple(shapes[name]) for name in estimator.input_names_}


def _gist(error: Exception) -> str:
    """The gist of torch's long export error: its exception summary and the
    line of the user's code that raised it, where torch gives them."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # terminal colours
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    gist = lines[0]
    for marker, span in (
        ("## Exception summary", 1),
        ("The following call raised this error:", 2),
    ):
        if marker in lines[:-span]:
            start = lines.index(marker) + 1
            found = " ".join(lines[start : start + span])
            gist = found if marker.startswith("##") else f"{gist} ({found})"
    return gist


def _check_exported(model, described: str, opset: int, n_inputs: int = 1) -> None:
    """Refuse a graph the converter cannot take: other than ``n_inputs``
    inputs, several outputs, outputs that are not floating-point logits,
    another opset."""
    from onnx import TensorProto

    constants = {tensor.name for tensor in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in constants]
    outputs = list(model.graph.output)
    if len(inputs) != n_inputs or len(outputs) != 1:
        raise ValueError(
            f"torch.onnx.export exported {described} as a graph of "
            f"{len(inputs)} input(s) and {len(outputs)} output(s); sknn converts "
            f"networks that take {n_inputs} tensor(s) of samples and return one "
            "tensor of logits."
        )
    elem_type = outputs[0].type.tensor_type.elem_type
    if elem_type not in (TensorProto.FLOAT, TensorProto.DOUBLE):
        name = TensorProto.DataType.Name(elem_type).lower()
        raise ValueError(
            f"torch.onnx.export exported {described} with logits of type {name}; "
            "sknn converts float32 and float64 logits."
        )
    versions = {entry.domain: entry.version for entry in model.opset_import}
    main = versions.get("", versions.get("ai.onnx", opset))
    if main != opset:
        raise ValueError(
            f"torch.onnx.export exported {described} in ONNX opset "
            f"{main} instead of the target opset {opset}; choose "
            "a target_opset that this version of torch exports."
        )


@contextlib.contextmanager
def _quiet_exporter():
    """Keep the exporter's progress messages, warnings and log lines out of
    the user's output: a failure is reported by the exception, with torch's
    own (chained) explanation."""
    loggers = [logging.getLogger(name) for name in ("torch", "onnxscript")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
