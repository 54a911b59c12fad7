"""What the tasks share: checks of the network's output, of a column-vector
``y``, and when ``partial_fit`` applies."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.exceptions import DataConversionWarning

from .._utils import warn


def check_outputs(
    outputs,
    n_samples: int,
    n_outputs: int,
    needs: str,
    dtype: torch.dtype,
    *,
    training: bool = False,
    what: str = "logits",
) -> None:
    """Refuse a network output that the task's loss cannot take.

    ``outputs`` is what the network returned for a batch of ``n_samples``; it
    must be a tensor of shape ``(n_samples, n_outputs)`` (``needs`` says why,
    in words) in the network's ``dtype``. In ``training`` mode it must also
    carry gradients back to the weights. ``what`` names the outputs in the
    messages ("logits" for a classifier).
    """
    mode = " in train mode" if training else ""
    if not isinstance(outputs, torch.Tensor):
        raise TypeError(
            f"The module must return a tensor of {what}, but it returned an "
            f"object of type {type(outputs).__name__}{mode}."
        )
    shape = tuple(outputs.shape)
    expected = (n_samples, n_outputs)
    if shape != expected:
        parts = getattr(outputs, "_sknn_parts", None)
        joined = (
            ""
            if parts is None
            else f" (a tuple of {len(parts)} tensors of widths {parts}, side by side)"
        )
        raise ValueError(
            f"The module returned {what} of shape {shape}{joined} for a batch of "
            f"{n_samples} samples{mode}; {needs}, i.e. {what} of shape {expected}."
        )
    if training and not outputs.requires_grad:
        raise ValueError(
            f"The module's {what} do not depend on its trainable weights (they "
            "do not require grad): its forward detaches them or runs under "
            "torch.no_grad(), so training cannot change the network."
        )
    if outputs.dtype != dtype:
        name = str(dtype).removeprefix("torch.")
        raise TypeError(
            f"The module returned {what} of dtype "
            f"{str(outputs.dtype).removeprefix('torch.')}, but it trains in "
            f"{name} (dtype={name!r}); return {what} in the dtype of its inputs."
        )


def column_or_1d_target(y: np.ndarray) -> np.ndarray:
    """Ravel a column-vector target with scikit-learn's conversion warning."""
    if y.ndim == 2 and y.shape[1] == 1:
        warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
        )
        return y.ravel()
    return y


def stochastic_solver(estimator) -> bool:
    """Whether ``partial_fit`` applies: scikit-learn's rule and message."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True
