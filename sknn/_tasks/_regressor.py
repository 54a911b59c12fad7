"""What a regressor adds to the shared estimator: real targets, their
scaling, the regression losses, and scikit-learn's regressor attributes."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._utils import Interval, StrOptions
from ._regression import LOSSES, Regression, check_regression_target
from ._shared import stochastic_solver


class RegressorTaskMixin(RegressorMixin):
    """The regression side of an sknn estimator: put it left of an
    architecture (``class MLPRegressor(RegressorTaskMixin, _MLP)``)."""

    #: The task's own parameters, added to the architecture's.
    _task_constraints: dict = {
        "loss": [StrOptions(set(LOSSES))],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "scale_target": ["boolean"],
        "scoring": [StrOptions({"loss", "r2"})],
    }

    # -- hooks of the shared base ---------------------------------------------

    def _check_fitted_model(self, engine, task, train, y) -> None:
        """Nothing to check of a fitted regressor."""

    def _check_raw_target(self, y, name) -> None:
        """Nothing to check before conversion: a regression target of
        strings is refused once converted (:meth:`_check_target`)."""

    def _check_target(self, y):
        return check_regression_target(y)

    def _new_task(self, y, sample_weight, *, partial, classes) -> Regression:
        return Regression.from_target(
            y,
            sample_weight,
            loss=self.loss,
            scale_target=self.scale_target,
            huber_delta=self.huber_delta,
            quantile=self.quantile,
        )

    def _fitted_task(self) -> Regression:
        # The scaling is the first fit's; the loss's options may change
        # between warm fits, its link may not (see _check_warm_target).
        loss = self.loss
        if (loss == "poisson") != (self.out_activation_ == "exp"):
            loss = "poisson" if self.out_activation_ == "exp" else "squared_error"
        return Regression(
            loss=loss,
            n_outputs=self.n_outputs_,
            offset=self.target_offset_,
            scale=self.target_scale_,
            huber_delta=self.huber_delta,
            quantile=self.quantile,
        )

    def _check_warm_target(self, task, y, *, partial, classes) -> None:
        k = 1 if y.ndim == 1 else y.shape[1]
        if k != task.n_outputs:
            raise ValueError(
                f"y has {k} output(s), but the regressor was fitted on "
                f"{task.n_outputs}; {'partial_fit' if partial else 'warm_start'} "
                "goes on with the outputs of the first fit."
            )
        if (self.loss == "poisson") != (task.loss == "poisson"):
            raise ValueError(
                f"loss={self.loss!r}, but the network was trained with "
                f"loss={task.loss!r}: the Poisson loss predicts through a log "
                "link that the other losses do not have. Fit anew "
                "(warm_start=False) to change it."
            )

    def _set_task_attributes(self, task: Regression) -> None:
        self.n_outputs_ = task.n_outputs
        self.out_activation_ = task.out_activation
        self.target_offset_ = task.offset
        self.target_scale_ = task.scale

    def _task_sample_weight(self, sample_weight, y, task, *, partial):
        return sample_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = not self._single_output()
        return tags

    # -- public API -----------------------------------------------------------

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over ``X`` and ``y``, keeping the current weights.

        Only for the stochastic solvers (not ``"lbfgs"``), and without early
        stopping, as in scikit-learn. After ``fit``, training goes on from
        the fitted weights and optimizer state. The first call fixes the
        target's scaling (from its chunk) and the number of outputs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
            The updated regressor.
        """
        return self._partial_fit(X, y, sample_weight, classes=None)

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the target's original units, of the shape of the
            ``y`` given to ``fit`` (a column vector is raveled), as float64,
            or float32 for float32 inputs (as in scikit-learn).
        """
        check_is_fitted(self)
        y_pred = self._fitted_task().decode(self._outputs(X))
        return y_pred.astype(np.float32) if _float32_input(X) else y_pred


def _float32_input(X) -> bool:
    """Whether ``X`` holds float32 values only (an array, a sparse matrix or
    a data frame whose columns are all float32)."""
    dtype = getattr(X, "dtype", None)
    if dtype is not None:
        return dtype == np.float32
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None:
        return False
    dtypes = list(dtypes.values if hasattr(dtypes, "values") else dtypes)
    return bool(dtypes) and all(str(d).lower() == "float32" for d in dtypes)
