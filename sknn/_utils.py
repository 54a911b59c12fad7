"""Leaf helpers shared by the estimators; imports nothing else from sknn."""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import torch

# scikit-learn's parameter validation is private API; it is imported here only,
# so a change of location in a future release is fixed in one place.
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    Options,
    StrOptions,
)


class IntInterval(Interval):
    """scikit-learn's ``Interval`` for integers, without the booleans.

    ``True`` is an ``Integral`` in Python, so ``Interval(Integral, ...)``
    takes it; sknn refuses a boolean for every integer hyperparameter (a
    ``kernel_size=True`` is a slip, not a size), with scikit-learn's message.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


def is_int(value) -> bool:
    """Whether ``value`` is an integer and not a boolean."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def seed_from_random_state(rng: np.random.RandomState) -> int:
    """Draw one torch seed from a numpy ``RandomState``."""
    return int(rng.randint(np.iinfo(np.int32).max))


#: Held while torch's global generators serve one fit: fits running at the
#: same time in other threads (a threaded search, a web server) wait, so that
#: none draws from another's stream.
RNG_LOCK = threading.RLock()


@contextmanager
def forked_torch_rng(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch inside a block and restore the caller's RNG state after it.

    The caller's global CPU (and CUDA, when used) generator is left exactly as it
    was, so fitting a model never changes the random numbers the caller draws
    next; the block holds :data:`RNG_LOCK`.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with RNG_LOCK, torch.random.fork_rng(devices=devices):
        # not torch.manual_seed, which also seeds every other kind of device
        # torch knows (each call costs a traceback per kind)
        torch.default_generator.manual_seed(seed)
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(seed)
        yield


def _from_numpy(array: np.ndarray) -> torch.Tensor:
    """``torch.from_numpy`` that also wraps read-only arrays (memory maps)
    quietly: sknn only reads its inputs, so torch's warning about
    non-writable arrays does not apply."""
    if array.flags.writeable:
        return torch.from_numpy(array)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not")
        return torch.from_numpy(array)


def as_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """Wrap a validated numpy array as a tensor on ``device`` without copying on
    CPU."""
    device = torch.device(device)
    return _from_numpy(array).to(device, non_blocking=device.type == "cuda")


def numeric_tensor(array: np.ndarray) -> torch.Tensor:
    """Wrap an array that validation left in a native numeric dtype as a CPU
    tensor, copying only when torch cannot wrap it: strides that are negative
    (a reversed view) or not a whole number of elements (a field of a
    structured array), or an unsigned type older torch releases lack."""
    if any(stride < 0 or stride % array.itemsize for stride in array.strides):
        array = np.ascontiguousarray(array)
    try:
        return _from_numpy(array)
    except TypeError:
        return _from_numpy(array.astype(np.float64))


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first caller outside sknn: the
    user's line (or the scikit-learn code that called sknn for them), however
    deep inside sknn the warning arises."""
    # warnings.warn counts itself as level 1, and this function as 2
    frame, level = sys._getframe(1), 2
    while frame is not None and _in_sknn(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _in_sknn(frame) -> bool:
    return frame.f_globals.get("__name__", "").split(".")[0] == "sknn"
