"""Argument and input checks shared by the normalization modules and registry.

Every check raises with a message that names the offending argument, so that an
estimator calling the registry can pass the message straight to its user.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import torch

#: The activation layout that each value of ``spatial_dims`` stands for.
LAYOUTS = {0: "(N, C)", 1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}


def check_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``.

    ``bool`` is refused although it is an ``int`` subclass: ``groups=True`` is a
    mistake, not a request for one group.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_real(
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
) -> float:
    """Return ``value`` as a ``float`` if it lies in ``[low, high]``.

    With ``low_open=True`` the interval is ``(low, high]``. NaN is refused.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type "
            f"{type(value).__name__}."
        )
    value = float(value)
    too_low = value <= low if low_open else value < low
    if math.isnan(value) or too_low or value > high:
        left = "(" if low_open else "["
        right = ")" if math.isinf(high) else "]"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}, got {value}.")
    return value


def check_spatial_dims(
    value: object, *, allowed: tuple[int, ...] = (0, 1, 2, 3)
) -> int:
    """Return ``spatial_dims`` if it is one of ``allowed``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"spatial_dims must be an integer in {allowed}, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value not in allowed:
        raise ValueError(f"spatial_dims must be one of {allowed}, got {value!r}.")
    return int(value)


def check_input(
    x: torch.Tensor, *, num_features: int, spatial_dims: int, owner: str
) -> None:
    """Refuse a tensor that is not ``(N, num_features, *spatial)``.

    torch's own layers guess at unbatched inputs (``InstanceNorm1d`` reads
    ``(N, C)`` as one sample); these modules never guess.
    """
    expected = 2 + spatial_dims
    if x.dim() != expected:
        raise ValueError(
            f"{owner} with spatial_dims={spatial_dims} expects a {expected}-D input "
            f"{LAYOUTS[spatial_dims]}, got shape {tuple(x.shape)}."
        )
    if x.shape[1] != num_features:
        raise ValueError(
            f"{owner} was built for {num_features} channels, got an input with "
            f"{x.shape[1]} channels (shape {tuple(x.shape)})."
        )


def check_batch_statistics(x: torch.Tensor, *, owner: str) -> None:
    """Refuse, in training, a batch with one value per channel.

    Batch statistics of a single value are meaningless (variance 0), and torch's
    batch norm raises ``ValueError`` in the same case; raising the same error
    keeps the caller's handling of a last batch of one sample uniform.
    """
    values_per_channel = x.numel() // x.shape[1] if x.shape[1] else 0
    if values_per_channel <= 1:
        raise ValueError(
            f"{owner} expected more than 1 value per channel when training, got "
            f"input size {tuple(x.shape)}: batch statistics need at least two "
            "samples (or spatial positions)."
        )
