"""Graph building blocks shared by sknn's skl2onnx converters.

* :func:`check_inputs` refuses, in a shape calculator, the inputs that the
  estimator's ``predict`` or ``transform`` would refuse;
* :func:`numeric_input` turns an operator's inputs into the one tensor its
  computation reads (cast, columns concatenated, reshaped);
* :func:`inline_graph` copies an ONNX graph (the network exported by torch)
  into skl2onnx's container, each of its names made unique in the scope;
* :func:`add_node` adds one node and returns the name of its output.

skl2onnx and onnx are imported inside the functions, so that this module
imports without them.
"""

from __future__ import annotations

import numpy as np

#: Element types that are numbers (onnx.TensorProto's values), by name.
_NUMERIC = (
    "FLOAT",
    "DOUBLE",
    "FLOAT16",
    "BFLOAT16",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "BOOL",
)


def elem_type(variable) -> int | None:
    """The ONNX element type of a skl2onnx variable; None if not a tensor."""
    from skl2onnx.common.data_types import TensorType

    if not isinstance(variable.type, TensorType):
        return None
    return variable.type.to_onnx_type().tensor_type.elem_type


def _type_name(variable) -> str:
    from onnx import TensorProto

    code = elem_type(variable)
    if code is None:
        return type(variable.type).__name__
    return f"a tensor of {TensorProto.DataType.Name(code).lower()}"


def _shape(variable) -> list | None:
    shape = getattr(variable.type, "shape", None)
    return None if not shape else list(shape)


def check_inputs(operator, estimator) -> None:
    """Refuse inputs whose samples do not have the fitted shape, or are not
    numbers; several inputs are columns to put side by side."""
    from onnx import TensorProto

    from ._categorical import categorical_positions

    name = type(estimator).__name__
    numeric = {getattr(TensorProto, kind) for kind in _NUMERIC}
    categorical = categorical_positions(operator, estimator)
    for index, variable in enumerate(operator.inputs):
        if index in categorical:
            continue  # its levels are coded in the graph (strings included)
        if elem_type(variable) not in numeric:
            raise TypeError(
                f"{name} takes numbers, but its ONNX input {variable.onnx_name!r} "
                f"is {_type_name(variable)}: encode such columns first, for "
                "example with a OneHotEncoder in a ColumnTransformer."
            )
    if getattr(estimator, "input_names_", None) is not None:
        _check_named_inputs(operator, estimator)
        return
    sample = tuple(estimator.input_shape_)
    if len(operator.inputs) == 1:
        shape = _shape(operator.inputs[0])
        if shape is None:
            return
        given = tuple(shape[1:])
        if len(given) != len(sample) or any(
            g is not None and g != s for g, s in zip(given, sample, strict=False)
        ):
            raise ValueError(
                f"{name} was fitted on samples of shape {sample}, but its ONNX "
                f"input {operator.inputs[0].onnx_name!r} has samples of shape "
                f"{_describe(given)}; declare the input as [None, "
                f"{', '.join(map(str, sample))}]."
            )
        return
    if len(sample) != 1:
        raise ValueError(
            f"{name} was fitted on samples of shape {sample}, which cannot come "
            f"from {len(operator.inputs)} separate ONNX inputs (columns); give it "
            "one input of that shape."
        )
    widths = []
    for variable in operator.inputs:
        shape = _shape(variable)
        if shape is not None and len(shape) != 2:
            raise ValueError(
                f"{name} puts its {len(operator.inputs)} ONNX inputs side by side "
                f"as columns, but {variable.onnx_name!r} has shape "
                f"{_describe(shape)}, not (None, n_columns)."
            )
        widths.append(None if shape is None else shape[1])
    if None not in widths and sum(widths) != estimator.n_features_in_:
        raise ValueError(
            f"{name} was fitted on {estimator.n_features_in_} features, but its "
            f"{len(widths)} ONNX inputs have {sum(widths)} columns in all."
        )


def _check_named_inputs(operator, estimator) -> None:
    """One ONNX input per named input, by its name and of its sample shape."""
    name = type(estimator).__name__
    given = {variable.raw_name: variable for variable in operator.inputs}
    expected = list(estimator.input_names_)
    if sorted(given) != sorted(expected):
        raise ValueError(
            f"{name} was fitted on the named inputs {expected}, but its ONNX "
            f"inputs are {sorted(given)}: declare one input per named input, "
            "by its name."
        )
    for input_name in expected:
        shape = _shape(given[input_name])
        sample = tuple(estimator.input_shapes_[input_name])
        if shape is not None and (
            len(shape) - 1 != len(sample)
            or any(
                g is not None and g != s
                for g, s in zip(shape[1:], sample, strict=False)
            )
        ):
            raise ValueError(
                f"{name} was fitted on samples of shape {sample} for the input "
                f"{input_name!r}, but its ONNX input has samples of shape "
                f"{_describe(shape[1:])}; declare it as [None, "
                f"{', '.join(map(str, sample))}]."
            )


def _describe(shape) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"


def add_node(scope, container, op_type, *inputs, output=None, **attributes) -> str:
    """Add an ``op_type`` node of the main ONNX domain reading ``inputs``;
    return the name of its output (``output``, or a new one)."""
    if output is None:
        output = scope.get_unique_variable_name(op_type.lower())
    container.add_node(
        op_type,
        list(inputs),
        [output],
        name=scope.get_unique_operator_name(op_type),
        **attributes,
    )
    return output


def add_constant(scope, container, seed, values, onnx_type) -> str:
    """Add an initializer holding ``values``; return its name."""
    values = np.asarray(values)
    name = scope.get_unique_variable_name(seed)
    flat = values.ravel().tolist()
    container.add_initializer(name, onnx_type, list(values.shape), flat)
    return name


def cast(scope, container, name, from_type, to_type) -> str:
    """``name`` as ``to_type`` (itself when it is already of that type)."""
    if from_type == to_type:
        return name
    return add_node(scope, container, "Cast", name, to=to_type)


def numeric_input(scope, operator, container, to_type, sample_shape) -> str:
    """The operator's inputs as one tensor ``(batch, *sample_shape)`` of
    ``to_type``: each cast, several put side by side, then reshaped."""
    from onnx import TensorProto

    from ._categorical import coded_columns, is_categorical_model

    if is_categorical_model(operator.raw_operator):
        return coded_columns(scope, operator, container, to_type)
    names = [
        cast(scope, container, variable.full_name, elem_type(variable), to_type)
        for variable in operator.inputs
    ]
    if len(names) > 1:
        name = add_node(scope, container, "Concat", *names, axis=1)
        given = None
    else:
        name = names[0]
        shape = _shape(operator.inputs[0])
        given = None if shape is None else tuple(shape[1:])
    sample_shape = tuple(sample_shape)
    if given == sample_shape:
        return name
    if len(names) > 1 and len(sample_shape) == 1:
        return name  # the columns already are the rows the network takes
    target = add_constant(
        scope, container, "shape", [-1, *sample_shape], TensorProto.INT64
    )
    return add_node(scope, container, "Reshape", name, target)


def named_inputs(scope, operator, container, to_type) -> dict[str, str]:
    """The operator's inputs, one per named input of the estimator (matched
    by name), each cast to ``to_type``: the network's argument name to the
    name of its tensor."""
    by_name = {variable.raw_name: variable for variable in operator.inputs}
    return {
        name: cast(
            scope,
            container,
            by_name[name].full_name,
            elem_type(by_name[name]),
            to_type,
        )
        for name in operator.raw_operator.input_names_
    }


def inline_graph(scope, container, model, input_name, output_name, seed) -> None:
    """Add the graph of ``model`` (one output) to ``container``, reading
    ``input_name`` (for a graph of several inputs, a dict from each input's
    name in the graph to the tensor it reads) and writing ``output_name``.

    Every other name (of its initializers, intermediate values and nodes,
    subgraphs included) is replaced by a name unique in ``scope`` that
    starts with ``seed``. The nodes are copied as they are, attributes
    included; the opsets of their domains are those of ``model``.
    """
    from onnx import NodeProto, numpy_helper

    graph = model.graph
    if len(graph.sparse_initializer):
        raise ValueError(
            "The exported network holds sparse initializers, which sknn does "
            "not convert."
        )
    constants = {tensor.name for tensor in graph.initializer}
    sources = [value.name for value in graph.input if value.name not in constants]
    (result,) = [value.name for value in graph.output]
    if isinstance(input_name, dict):
        names = {"": "", **{source: input_name[source] for source in sources}}
    else:
        (source,) = sources
        names = {"": "", source: input_name}

    def rename(name: str) -> str:
        if name not in names:
            names[name] = scope.get_unique_variable_name(f"{seed}_{name}")
        return names[name]

    names[result] = output_name
    for tensor in graph.initializer:
        array = numpy_helper.to_array(tensor)
        copied = numpy_helper.from_array(array, rename(tensor.name))
        container.add_initializer(
            copied.name, copied.data_type, list(copied.dims), copied
        )
    versions = {_domain(entry.domain): entry.version for entry in model.opset_import}
    for node in graph.node:
        copied = NodeProto()
        copied.CopyFrom(node)
        _rename_node(copied, rename)
        _fill_omitted_inputs(scope, container, copied)
        copied.name = scope.get_unique_operator_name(
            f"{seed}_{node.name or node.op_type}"
        )
        domain = copied.domain = _domain(node.domain)
        container.check_white_black_list(copied.op_type)
        # Appended as they are: container.add_node would rebuild each node
        # from Python values (losing nothing only most of the time) and
        # refuses some operators (Clip) outside skl2onnx's own helpers.
        container.nodes.append(copied)
        container.node_domain_version_pair_sets.add((domain, versions[domain]))


#: Recurrent operators and the position of their optional ``sequence_lens``.
_SEQUENCE_LENS = {"LSTM": 4, "GRU": 4, "RNN": 4}


def _fill_omitted_inputs(scope, container, node) -> None:
    """Give an omitted optional input that comes before given ones a value.

    ONNX writes an omitted input as the empty name; skl2onnx, which orders
    the nodes of the whole graph, takes it for a value nobody computes.
    torch exports its recurrent layers so (no ``sequence_lens``, then the
    initial states): their ``sequence_lens`` becomes the full length of
    every sequence, which is what an omitted one means.
    """
    from onnx import TensorProto

    inputs = list(node.input)
    while inputs and not inputs[-1]:
        inputs.pop()  # omitted at the end: simply left out
    position = _SEQUENCE_LENS.get(node.op_type) if not node.domain else None
    if position is not None and position < len(inputs) and not inputs[position]:
        shape = add_node(scope, container, "Shape", inputs[0])  # (time, batch, in)
        steps, batch = (
            add_node(
                scope,
                container,
                "Gather",
                shape,
                add_constant(scope, container, "axis", [axis], TensorProto.INT64),
            )
            for axis in (0, 1)
        )
        steps = add_node(scope, container, "Cast", steps, to=TensorProto.INT32)
        inputs[position] = add_node(scope, container, "Expand", steps, batch)
    omitted = [i for i, name in enumerate(inputs) if not name]
    if omitted:
        raise ValueError(
            f"The exported network has a {node.op_type} node that omits its "
            f"optional input {omitted[0]} but gives later ones, which skl2onnx "
            "cannot order in a graph; sknn does not convert such a network."
        )
    node.input[:] = inputs


def _domain(name: str) -> str:
    """The main ONNX domain under skl2onnx's name for it, others as they are."""
    return "" if name == "ai.onnx" else name


def _rename_node(node, rename) -> None:
    from onnx import AttributeProto

    node.input[:] = [rename(name) for name in node.input]
    node.output[:] = [rename(name) for name in node.output]
    for attribute in node.attribute:
        if attribute.type == AttributeProto.GRAPH:
            _rename_graph(attribute.g, rename)
        elif attribute.type == AttributeProto.GRAPHS:
            for graph in attribute.graphs:
                _rename_graph(graph, rename)


def _rename_graph(graph, rename) -> None:
    """Rename a subgraph in place: its own names, and the names of the outer
    graph it reads, the same way as everywhere else."""
    for value in (*graph.input, *graph.output, *graph.value_info):
        value.name = rename(value.name)
    for tensor in graph.initializer:
        tensor.name = rename(tensor.name)
    for node in graph.node:
        _rename_node(node, rename)
