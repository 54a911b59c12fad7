"""Export fitted sknn estimators, and pipelines that hold them, to ONNX."""

from __future__ import annotations

import importlib

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier
from sklearn.utils.validation import check_is_fitted

from .._base import _BaseNeuralNet
from .._named_data import as_inputs, is_named_inputs
from ..preprocessing import TensorScaler


def _public_converters() -> dict[str, dict]:
    """sknn's public classifiers, regressors and transformers (the package's
    one list), by kind, and the names skl2onnx knows their converters by.
    The classifiers share one converter, which exports the network with
    torch.onnx.export and computes labels and probabilities from its logits,
    and the regressors another, which maps the outputs back to the target's
    units; any estimator on sknn's base whose network takes ``(batch,
    *sample_shape)`` tensors fits them (subclasses of these are registered
    by ``to_onnx`` itself)."""
    from .. import _ESTIMATORS

    kinds = {"classifier": {}, "regressor": {}, "transformer": {}}
    for cls in _ESTIMATORS:
        kinds[_kind(cls)][cls] = f"Sknn{cls.__name__}"
    return kinds


def _kind(cls) -> str | None:
    """Which converter an sknn class takes, or None for other classes."""
    if not isinstance(cls, type):
        return None
    if issubclass(cls, TensorScaler):
        return "transformer"
    if issubclass(cls, _BaseNeuralNet):
        if issubclass(cls, ClassifierMixin):
            return "classifier"
        if issubclass(cls, RegressorMixin):
            return "regressor"
    return None


#: What the conversion imports, and why, for the message when one is missing.
_REQUIRED = {
    "onnx": "onnx",
    "skl2onnx": "skl2onnx",
    "onnxscript": "onnxscript (torch.onnx.export's exporter)",
}


def _require_onnx_packages() -> None:
    """Name every package the conversion needs that is not installed."""
    missing = []
    for module, what in _REQUIRED.items():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(what)
    if missing:
        raise ImportError(
            f"Converting to ONNX needs {', '.join(missing)}; install them with "
            "`pip install onnx onnxscript skl2onnx` (and onnxruntime to run "
            "the converted models)."
        )


def register_onnx_converters(*estimator_classes) -> None:
    """Register sknn's converters with skl2onnx.

    After this call, :func:`skl2onnx.to_onnx` and
    :func:`skl2onnx.convert_sklearn` convert sknn's classifiers, regressors
    and :class:`~sknn.preprocessing.TensorScaler`, alone or inside a
    :class:`~sklearn.pipeline.Pipeline` or
    :class:`~sklearn.compose.ColumnTransformer` with any step skl2onnx
    knows. :func:`to_onnx` calls it itself; calling it again changes
    nothing.

    The classifiers are registered as skl2onnx registers its own: a label
    output and a probability output, turned into a ZipMap unless the option
    ``zipmap`` is False (see :func:`to_onnx` for what each holds); the
    regressors as skl2onnx's, with one output ``variable``.

    Parameters
    ----------
    *estimator_classes : classes
        Subclasses of sknn's estimators or of ``TensorScaler`` to register
        too (skl2onnx finds converters by exact class). sknn's own classes
        are always registered.

    Returns
    -------
    None

    See Also
    --------
    to_onnx : Register and convert in one call, with float32 input types
        read off a sample of the input.

    Examples
    --------
    >>> import numpy as np
    >>> import skl2onnx
    >>> from sklearn.datasets import load_iris
    >>> from sknn import MLPClassifier, register_onnx_converters
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    >>> register_onnx_converters()
    >>> onx = skl2onnx.to_onnx(
    ...     clf, X[:1].astype(np.float32), options={"zipmap": False})
    >>> [output.name for output in onx.graph.output]
    ['label', 'probabilities']
    """
    _require_onnx_packages()
    from skl2onnx import update_registered_converter

    from ._classifier import (
        OPTIONS,
        classifier_shapes,
        convert_classifier,
        parse_classifier,
    )
    from ._regressor import convert_regressor, regressor_shapes
    from ._scaler import convert_scaler, scaler_shapes

    kinds = _public_converters()
    for cls in estimator_classes:
        kind = _kind(cls)
        if kind is None:
            raise TypeError(
                f"register_onnx_converters takes subclasses of sknn's "
                f"classifiers, regressors or of TensorScaler, got {cls!r}."
            )
        kinds[kind].setdefault(cls, f"Sknn_{cls.__module__}.{cls.__qualname__}")
    for cls, alias in kinds["classifier"].items():
        update_registered_converter(
            cls,
            alias,
            classifier_shapes,
            convert_classifier,
            parser=parse_classifier,
            options=OPTIONS,
        )
    for cls, alias in kinds["regressor"].items():
        update_registered_converter(cls, alias, regressor_shapes, convert_regressor)
    for cls, alias in kinds["transformer"].items():
        update_registered_converter(cls, alias, scaler_shapes, convert_scaler)


def to_onnx(
    model, X=None, *, initial_types=None, target_opset=None, name=None, **options
):
    """Convert a fitted sknn estimator, or a pipeline holding sknn steps, to ONNX.

    The ONNX model computes ``predict`` (and ``predict_proba``) for any
    number of rows. A regressor's has one output, ``variable``, the
    predictions ``(N, n_outputs_)`` in the target's units. A classifier's
    label output holds the labels as ``predict`` returns them
    (strings, integers as int64, booleans, other numbers as double; a 0/1
    int64 matrix for multilabel targets) and its probability output the
    float32 probabilities of ``predict_proba``, one column per class in the
    order of ``classes_``. The network is exported by
    :func:`torch.onnx.export` with a dynamic batch axis and inlined into the
    graph that :mod:`skl2onnx` builds for the whole model, so pipelines may
    hold any step that skl2onnx converts (``StandardScaler``,
    ``MinMaxScaler``, ``ColumnTransformer``, ``OneHotEncoder``...) besides
    sknn's estimators and :class:`~sknn.preprocessing.TensorScaler`.

    An :class:`~sknn.RNNClassifier` is exported for sequences of its
    training length (``input_shape_``); shorter ones are padded at the end
    with NaN, as ``predict`` takes them, and the exported network masks the
    padding, so onnxruntime gives the probabilities of ``predict_proba``.
    Its sequences come as one array, not a list.

    Parameters
    ----------
    model : estimator or Pipeline
        A fitted sknn classifier or regressor, ``TensorScaler``, or scikit-learn
        composite (``Pipeline``, ``ColumnTransformer``) holding them.

    X : array-like or DataFrame of shape (n_samples, ...), default=None
        A few rows of input, from which the ONNX inputs are declared: one
        float32 tensor ``X`` of shape ``(None, *X.shape[1:])`` (strings
        give a string tensor), so images ``(n, 8, 8, 1)`` give ``[None, 8,
        8, 1]``; for a DataFrame, one ``(None, 1)`` input per column, named
        after it (float32 for numbers, strings otherwise), as skl2onnx
        expects for a ``ColumnTransformer`` (skl2onnx replaces characters
        other than letters, digits and ``_`` in the names by ``_``). Only
        the shape and dtypes of ``X`` are read.

    initial_types : list of (str, skl2onnx type), default=None
        The ONNX inputs, declared by hand (as in :func:`skl2onnx.to_onnx`),
        e.g. ``[("X", DoubleTensorType([None, 4]))]``; in place of ``X``.

    target_opset : int or dict, default=None
        ONNX opset of the model; None takes skl2onnx's latest tested opset.
        The networks need opset 18 or later, the earliest
        :func:`torch.onnx.export` writes.

    name : str, default=None
        Name of the ONNX graph.

    **options : dict
        skl2onnx's converter options, by name: ``zipmap`` (default False:
        the probabilities are a tensor ``probabilities`` next to ``label``;
        True gives skl2onnx's usual ``output_label`` and a list of
        dictionaries ``output_probability``, ``"columns"`` one output per
        class) and ``output_class_labels``. ``<step>__<option>`` sets the
        option of one step of a pipeline.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The converted model; save it with :func:`onnx.save` and run it with
        onnxruntime.

    Raises
    ------
    ValueError
        If the network cannot be exported (the message names the module),
        if ``target_opset`` is below 18, or if an input's shape does not
        match the fitted samples.
    TypeError
        If the classes or inputs are of a kind ONNX cannot hold.

    See Also
    --------
    register_onnx_converters : Register the converters for
        :func:`skl2onnx.to_onnx`.

    Notes
    -----
    ONNX computes in the precision of the network (float32 by default, so
    probabilities agree with ``predict_proba`` to about 1e-7) and of the
    input types. Feed the model float32 arrays (``X.astype(np.float32)``),
    one per input name. Modules of :class:`~sknn.NeuralNetClassifier` must
    be traceable by ``torch.export``, with one tensor in and one out; sparse
    input is not supported by ONNX and must be densified.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import MLPClassifier, to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = make_pipeline(
    ...     StandardScaler(), MLPClassifier(max_iter=5, random_state=0)).fit(X, y)
    >>> onx = to_onnx(clf, X[:1])
    >>> session = ort.InferenceSession(
    ...     onx.SerializeToString(), providers=["CPUExecutionProvider"])
    >>> [i.name for i in session.get_inputs()], [o.name for o in session.get_outputs()]
    (['X'], ['label', 'probabilities'])
    >>> label, proba = session.run(None, {"X": X})
    >>> bool((label == clf.predict(X)).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
    True
    """
    _require_onnx_packages()
    import skl2onnx

    check_is_fitted(model)
    register_onnx_converters(*_unregistered_classes(model))
    if initial_types is None:
        if X is None:
            raise ValueError(
                "to_onnx needs X, a sample of the input (a few rows suffice), or "
                "initial_types to declare the ONNX inputs."
            )
        initial_types = _input_types(X)
    if is_classifier(model) and "zipmap" not in options:
        options = {"zipmap": False, **options}
    return skl2onnx.to_onnx(
        model,
        initial_types=initial_types,
        target_opset=target_opset,
        options=options or None,
        name=name,
    )


def _estimators(model):
    """``model`` and every estimator inside it (pipeline steps, transformers
    of a ColumnTransformer, estimators of meta-estimators)."""
    yield model
    if hasattr(model, "get_params") and not isinstance(model, type):
        for value in model.get_params(deep=True).values():
            if hasattr(value, "get_params") and not isinstance(value, type):
                yield value


def _unregistered_classes(model) -> list[type]:
    """Subclasses of sknn's estimators found in ``model``: skl2onnx looks
    converters up by exact class, so each is registered on its own."""
    known = {cls for kind in _public_converters().values() for cls in kind}
    found = []
    for estimator in _estimators(model):
        cls = type(estimator)
        sknn = isinstance(estimator, (_BaseNeuralNet, TensorScaler))
        if sknn and cls not in known and cls not in found:
            found.append(cls)
    return found


def _input_types(X) -> list:
    """The ONNX inputs for samples like ``X``: float32 for numbers, strings
    for anything else."""
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    def tensor_type(dtype, shape):
        numeric = getattr(dtype, "kind", "O") in "biuf"
        return (FloatTensorType if numeric else StringTensorType)(shape)

    if is_named_inputs(X):  # one input per named input, by its name
        X = as_inputs(X)
        return [
            (
                name,
                tensor_type(_sample_dtype(value), [None, *map(int, value.shape[1:])]),
            )
            for name, value in X.items()
        ]
    if hasattr(X, "columns") and hasattr(X, "shape"):  # a data frame
        return [
            (str(column), tensor_type(np.asarray(X[column]).dtype, [None, 1]))
            for column in X.columns
        ]
    if not (hasattr(X, "shape") and hasattr(X, "dtype")):
        X = np.asarray(X)
    if len(X.shape) < 2:
        raise ValueError(
            f"X must hold samples along its first axis, of shape (n_samples, "
            f"n_features) or (n_samples, ...); got an array of shape {X.shape}."
        )
    return [("X", tensor_type(X.dtype, [None, *map(int, X.shape[1:])]))]


def _sample_dtype(value) -> np.dtype:
    """The dtype of an input's values (a data frame's: numbers when every
    column holds numbers)."""
    if hasattr(value, "columns"):
        kinds = {np.asarray(value[c]).dtype.kind for c in value.columns}
        return np.dtype(np.float64) if kinds <= set("biuf") else np.dtype(object)
    return np.asarray(value).dtype
