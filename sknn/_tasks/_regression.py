"""The regression task: real targets, their scaling, the losses and R².

The network learns a standardized target: each output column ``y_k`` is
encoded as ``(y_k - offset_k) / scale_k`` (its weighted mean and standard
deviation, or 0 and 1 without scaling), so that targets in the thousands
train as well as targets near 1, and predictions are decoded back to the
original units. The Poisson loss keeps its log link and the target's sign:
its scaling divides by the weighted mean and shifts nothing.

Every loss is homogeneous in the scale of the residuals, so its value in
the original units is the scaled value times a factor per output
(``scale_k ** 2`` for the squared error and Huber's loss, whose ``delta`` is
divided by ``scale_k``; ``scale_k`` for the absolute error, the pinball loss
and the Poisson deviance): the reported losses are in the original units
and compare with scikit-learn's. The L2 term is reported times the mean
factor of the outputs, so that a single output's reported loss is the
training objective times its factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._shared import check_outputs, column_or_1d_target

#: The losses, with scikit-learn's names.
LOSSES = ("squared_error", "poisson", "absolute_error", "huber", "quantile")

#: Per output: how the loss in original units relates to the scaled one
#: (the power of the scale it is multiplied by).
_SCALE_POWER = {
    "squared_error": 2,
    "huber": 2,
    "absolute_error": 1,
    "quantile": 1,
    "poisson": 1,
}


def check_regression_target(y: np.ndarray) -> np.ndarray:
    """``y`` (validated by ``validate_data``) as a float64 array of shape
    ``(n,)`` or ``(n, k)``: strings are refused with a pointer to the
    classifiers, a column vector is raveled with scikit-learn's warning."""
    if y.dtype.kind in "OUSa":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(
                "Unknown label type: y holds strings or other non-numeric "
                f"values ({np.ravel(y)[:3].tolist()!r}...), but a regressor "
                "predicts numbers. For class labels use a classifier "
                "(sknn.MLPClassifier and the other *Classifier estimators)."
            ) from error
    elif y.dtype.kind == "c":
        raise ValueError("Complex data not supported: y must hold real numbers.")
    y = np.asarray(y, dtype=np.float64)
    if not np.isfinite(y).all():
        raise ValueError("Input y contains NaN or infinity.")
    if y.ndim > 2:
        raise ValueError(
            f"y must be of shape (n_samples,) or (n_samples, n_outputs), got "
            f"an array of shape {y.shape}."
        )
    return column_or_1d_target(y)


def _weighted_moments(y: np.ndarray, weight: np.ndarray | None):
    """Weighted mean and standard deviation of each column of ``y``."""
    mean = np.average(y, axis=0, weights=weight)
    variance = np.average((y - mean) ** 2, axis=0, weights=weight)
    return mean, np.sqrt(variance)


@dataclass(frozen=True)
class Regression:
    """What a regressor's network predicts, and how targets are encoded for
    it. The task object that the shared machinery asks about targets (see
    :mod:`sknn._tasks`)."""

    loss: str
    n_outputs: int
    offset: np.ndarray
    scale: np.ndarray
    huber_delta: float = 1.0
    quantile: float = 0.5

    #: The validation metric, as the history names it (``valid_r2``).
    metric_name = "r2"

    @classmethod
    def from_target(
        cls, y, sample_weight, *, loss, scale_target, huber_delta, quantile
    ) -> Regression:
        """The task for a checked target ``y`` (see
        :func:`check_regression_target`) and its weights."""
        y2 = y.reshape(len(y), -1)
        k = y2.shape[1]
        if loss == "poisson" and (y2 < 0).any():
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression."
            )
        offset, scale = np.zeros(k), np.ones(k)
        if scale_target:
            weight = None if sample_weight is None else sample_weight
            mean, std = _weighted_moments(y2, weight)
            if loss == "poisson":
                scale = np.where(mean > 0, mean, 1.0)
            else:
                offset = mean
                # a column constant up to rounding keeps its unit
                tiny = 10 * np.finfo(np.float64).eps * np.abs(mean)
                scale = np.where((std > tiny) & (std > 0), std, 1.0)
        return cls(
            loss=loss,
            n_outputs=k,
            offset=offset,
            scale=scale,
            huber_delta=float(huber_delta),
            quantile=float(quantile),
        )

    @property
    def module_outputs(self) -> int:
        """What a user's module receives as ``n_outputs``."""
        return self.n_outputs

    @property
    def out_activation(self) -> str:
        """The output's activation, as scikit-learn names it."""
        return "exp" if self.loss == "poisson" else "identity"

    def describe_outputs(self) -> str:
        k = self.n_outputs
        return f"a target of {k} output(s) needs {k} output(s), one per target"

    def encode(self, y: np.ndarray, dtype=np.float32, name: str = "y") -> np.ndarray:
        """The scaled targets as the loss takes them, ``(n, n_outputs)``
        (``name``: what the messages call ``y``)."""
        y2 = y.reshape(len(y), -1)
        if y2.shape[1] != self.n_outputs:
            raise ValueError(
                f"{name} has {y2.shape[1]} output(s), but the regressor was fitted "
                f"on {self.n_outputs}."
            )
        if self.loss == "poisson" and (y2 < 0).any():
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression."
            )
        return np.ascontiguousarray((y2 - self.offset) / self.scale, dtype=dtype)

    def criterion(self, dtype: torch.dtype) -> nn.Module:
        """The loss the engine minimizes (in the scaled units) and reports
        (in the original ones)."""
        # in float64: a large target's squared scale overflows float32
        factor = self.scale ** _SCALE_POWER[self.loss]
        return RegressionLoss(
            self.loss,
            factor=torch.as_tensor(factor, dtype=torch.float64),
            delta=torch.as_tensor(self.huber_delta / self.scale, dtype=dtype),
            quantile=self.quantile,
        )

    def metric(self) -> R2:
        return R2(log_link=self.loss == "poisson")

    def check_outputs(self, outputs, n_samples, dtype, *, training=False) -> None:
        check_outputs(
            outputs,
            n_samples,
            self.n_outputs,
            self.describe_outputs(),
            dtype,
            training=training,
            what="outputs",
        )

    def stratify(self, y: np.ndarray) -> None:
        return None  # a random split

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Predictions in the original units, float64, of the fitted shape."""
        values = outputs.detach().double().cpu().numpy()
        if self.loss == "poisson":
            with np.errstate(over="ignore"):
                values = np.exp(values) * self.scale
        else:
            values = values * self.scale + self.offset
        return values.ravel() if self.n_outputs == 1 else values


def regression_losses(
    outputs: torch.Tensor,
    target: torch.Tensor,
    loss: str,
    *,
    delta: torch.Tensor,
    quantile: float,
) -> torch.Tensor:
    """Elementwise loss, ``(n, n_outputs)``: half the squared error, the
    absolute error, Huber's loss, the pinball loss, or half the Poisson
    deviance of ``exp(outputs)`` (the log link)."""
    if loss == "poisson":
        return (
            torch.xlogy(target, target) - target * outputs - target + torch.exp(outputs)
        )
    residual = target - outputs
    if loss == "squared_error":
        return 0.5 * residual.square()
    if loss == "absolute_error":
        return residual.abs()
    if loss == "huber":
        size = residual.abs()
        return torch.where(
            size <= delta, 0.5 * size.square(), delta * (size - 0.5 * delta)
        )
    if loss == "quantile":
        return torch.maximum(quantile * residual, (quantile - 1) * residual)
    raise ValueError(f"Unknown regression loss {loss!r}.")


class RegressionLoss(nn.Module):
    """The engine's criterion for regression.

    A sample's loss is the mean of its outputs' losses (the sum for the
    Poisson deviance, as in scikit-learn); a batch's is the weighted mean of
    its samples'. :meth:`forward` works in the scaled units the network
    learns; :meth:`report` gives the same loss in the target's original
    units, for ``loss_`` and the history.
    """

    def __init__(self, loss: str, *, factor, delta, quantile: float) -> None:
        super().__init__()
        self.loss = loss
        self.quantile = quantile
        self.register_buffer("factor", factor)
        self.register_buffer("delta", delta)
        #: whether :meth:`report` differs from :meth:`forward`
        self.reports = bool((factor != 1).any())
        #: the L2 term's factor to the original units: the outputs' mean
        #: factor (exactly the loss's for a single output)
        self.penalty_factor = float(factor.mean())

    def _reduce(self, elementwise, weight):
        if self.loss == "poisson":
            per_sample = elementwise.sum(dim=1)
        else:
            per_sample = elementwise.mean(dim=1)
        if weight is None:
            return per_sample.mean()
        return (per_sample * weight).sum() / weight.sum().clamp_min(1e-12)

    def _elementwise(self, outputs, target):
        return regression_losses(
            outputs, target, self.loss, delta=self.delta, quantile=self.quantile
        )

    def forward(self, outputs, target, weight=None):
        return self._reduce(self._elementwise(outputs, target), weight)

    def report(self, outputs, target, weight=None):
        with torch.no_grad():
            elementwise = self._elementwise(outputs, target).double() * self.factor
            return self._reduce(
                elementwise, None if weight is None else weight.double()
            )


class R2:
    """The validation R² (uniform average over outputs), accumulated batch
    by batch on the device.

    Each batch gives its total weight, and per output its weighted mean, its
    weighted sum of squares about that mean and its weighted residual sum of
    squares; :meth:`value` combines the batches on the host (the parallel
    formula for the total sum of squares, stable in float32). R² does not
    change under the per-output scaling of the targets, so it is computed on
    the scaled ones. As in :func:`sklearn.metrics.r2_score`, a constant
    output scores 1 if it is predicted exactly and 0 otherwise.
    """

    name = "r2"

    def __init__(self, *, log_link: bool) -> None:
        self.log_link = log_link

    def batch(self, outputs, target, weight) -> torch.Tensor:
        predicted = torch.exp(outputs) if self.log_link else outputs
        if weight is None:
            weight = target.new_ones(len(target))
        w = weight.reshape(-1, 1).to(target.dtype)
        total = w.sum()
        mean = (w * target).sum(dim=0) / total.clamp_min(1e-12)
        spread = (w * (target - mean).square()).sum(dim=0)
        residual = (w * (target - predicted).square()).sum(dim=0)
        return torch.cat([total.reshape(1), mean, spread, residual])

    def value(self, rows: np.ndarray) -> float:
        k = (rows.shape[1] - 1) // 3
        weight = rows[:, 0]
        means = rows[:, 1 : 1 + k]
        spread = rows[:, 1 + k : 1 + 2 * k].sum(axis=0)
        residual = rows[:, 1 + 2 * k :].sum(axis=0)
        mean = weight @ means / weight.sum()
        total = spread + weight @ (means - mean) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(
                total > 0,
                1 - residual / np.where(total > 0, total, 1),
                np.where(residual == 0, 1.0, 0.0),
            )
        return float(scores.mean())
