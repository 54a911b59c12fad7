"""TensorScaler over named inputs: one fitted copy per input."""

from __future__ import annotations

from sklearn.base import clone

from .._named_data import Inputs, as_inputs, check_input_kind, check_input_names


class NamedInputsScaling:
    """What :class:`~sknn.preprocessing.TensorScaler` does with an
    :class:`~sknn.Inputs`: each input is scaled by its own copy of the
    scaler, fitted on that input (kept in ``inputs_``), and the result is
    an ``Inputs`` again, so a Pipeline can put the scaler before a network
    with several inputs."""

    def _fit_named(self, X, *, partial: bool):
        X = as_inputs(X)
        fitted = self.__dict__.get("inputs_")
        if not partial or fitted is None:
            self._reset()
            for name in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(name, None)
            fitted = {name: clone(self) for name in X.names}
        else:
            self._check_names(X)
        scalers = {}
        for name, value in X.items():
            try:
                scalers[name] = fitted[name].partial_fit(value)
            except (ValueError, TypeError) as error:
                raise type(error)(f"Input {name!r}: {error}") from error
        self.inputs_ = scalers
        return self

    def _check_names(self, X: Inputs) -> None:
        check_input_names(type(self).__name__, X.names, self.inputs_)

    def _transform_named(self, X, *, copy, inverse: bool) -> Inputs:
        X = as_inputs(X)
        check_input_kind(type(self).__name__, True, self.__dict__.get("inputs_"))
        self._check_names(X)
        method = "inverse_transform" if inverse else "transform"
        return Inputs(
            **{
                name: getattr(self.inputs_[name], method)(value, copy=copy)
                for name, value in X.items()
            }
        )

    def _refuse_single_after_named(self) -> None:
        check_input_kind(type(self).__name__, False, self.__dict__.get("inputs_"))
