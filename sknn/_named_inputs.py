"""How :class:`~sknn.NeuralNetClassifier` and :class:`~sknn.NeuralNetRegressor`
validate named inputs (:class:`~sknn.Inputs`) and size a network from them.

A network that looks at pictures and at a table of the same samples takes
both in its ``forward``, by name.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from sklearn.utils.validation import check_array

from ._inputs import check_no_temporal_columns, is_data_frame
from ._named_data import (
    as_inputs,
    check_input_kind,
    check_input_names,
    is_named_inputs,
)
from ._training.named import NamedArrays


class NamedInputsMixin:
    """Named inputs for an estimator over a user's module: validation of
    each input, and the sizes of each for the module's arguments."""

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        named = is_named_inputs(X)
        if not reset:
            fitted = getattr(self, "input_names_", None)
            check_input_kind(type(self).__name__, named, fitted)
        if not named:
            if reset:
                for name in ("input_names_", "input_shapes_", "input_feature_names_"):
                    self.__dict__.pop(name, None)
            return super()._validate_inputs(X, y, reset=reset, **check_params)
        arrays = self._validate_named(X, reset=reset)
        if isinstance(y, str) and y == "no_validation":
            return arrays
        return arrays, self._validate_target(y, len(arrays))

    def _validate_named(self, X, *, reset) -> NamedArrays:
        """Each input checked as a single ``X`` would be (numbers, finite,
        at least one row, the sample shape and column names of fit), in the
        network's dtype; messages name the input."""
        X = as_inputs(X)
        fitted = None if reset else self.input_shapes_
        if fitted is not None:
            check_input_names(type(self).__name__, X.names, fitted)
        arrays, shapes, names = {}, {}, {}
        for name, value in X.items():
            label = f"X[{name!r}]"
            if is_data_frame(value):
                check_no_temporal_columns(value)
                names[name] = np.asarray([str(c) for c in value.columns], dtype=object)
            array = check_array(
                value,
                dtype=np.dtype(self.dtype),
                order="C",
                allow_nd=True,
                ensure_min_features=1,
                input_name=label,
                estimator=self,
            )
            shape = tuple(array.shape[1:])
            if fitted is not None:
                if shape != tuple(fitted[name]):
                    raise ValueError(
                        f"{label} has samples of shape {shape}, but "
                        f"{type(self).__name__} was fitted on samples of shape "
                        f"{tuple(fitted[name])} for that input."
                    )
                known = self.input_feature_names_.get(name)
                if (known is None) != (name not in names) or (
                    known is not None and list(known) != list(names[name])
                ):
                    raise ValueError(
                        f"The column names of {label} should match those that "
                        "were passed during fit."
                    )
            arrays[name], shapes[name] = array, shape
        if reset:
            self.input_names_ = tuple(X.names)
            self.input_shapes_ = shapes
            self.input_feature_names_ = names
            self.n_features_in_ = sum(math.prod(s) for s in shapes.values())
            self.input_shape_ = (self.n_features_in_,)
            self.__dict__.pop("feature_names_in_", None)
        return NamedArrays(arrays)

    def _build_module(self, kwargs):
        module = super()._build_module(kwargs)
        self._check_forward_takes_inputs(module)
        return module

    def _named_sizes(self) -> dict | None:
        """The sizes a module's arguments named after an input receive:
        ``<name>_n_features`` (values in one sample of it) and
        ``<name>_shape`` (the shape of one sample)."""
        shapes = getattr(self, "input_shapes_", None)
        if shapes is None:
            return None
        sizes = {}
        for name, shape in shapes.items():
            sizes[f"{name}_n_features"] = (
                math.prod(shape),
                f"X[{name!r}] has {math.prod(shape)} values per sample",
            )
            sizes[f"{name}_shape"] = (
                tuple(shape),
                f"the samples of X[{name!r}] have shape {tuple(shape)}",
            )
        return sizes

    def _check_forward_takes_inputs(self, module) -> None:
        """Refuse inputs the module's ``forward`` has no parameter for, and
        parameters without a default that no input fills."""
        names = getattr(self, "input_names_", None)
        if names is None:
            return
        forward = type(module).forward
        try:
            parameters = list(inspect.signature(forward).parameters.values())[1:]
        except (TypeError, ValueError):
            return
        kinds = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        )
        accepted = [p.name for p in parameters if p.kind in kinds]
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
        unknown = [n for n in names if n not in accepted]
        if unknown and not takes_any:
            raise ValueError(
                f"X has inputs {unknown} that {type(module).__name__}.forward has "
                f"no parameter for (it takes {accepted}): name each input after "
                "the forward parameter it goes to."
            )
        needed = [
            p.name
            for p in parameters
            if p.kind in kinds and p.default is p.empty and p.name not in names
        ]
        if needed:
            raise ValueError(
                f"{type(module).__name__}.forward needs {needed}, which X does not "
                f"have (its inputs are {list(names)})."
            )
