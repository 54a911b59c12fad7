"""Leaf helpers shared by the estimators; imports nothing else from sknn."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

# scikit-learn's parameter validation is private API; it is imported here only,
# so a change of location in a future release is fixed in one place.
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    StrOptions,
)


def seed_from_random_state(rng: np.random.RandomState) -> int:
    """Draw one torch seed from a numpy ``RandomState``."""
    return int(rng.randint(np.iinfo(np.int32).max))


@contextmanager
def forked_torch_rng(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch inside a block and restore the caller's RNG state after it.

    The caller's global CPU (and CUDA, when used) generator is left exactly as it
    was, so fitting a model never changes the random numbers the caller draws
    next.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def as_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """Wrap a validated numpy array as a tensor on ``device`` without copying on CPU.

    Read-only arrays (memory maps) are wrapped too: sknn only reads its inputs,
    so torch's warning about non-writable arrays does not apply.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not")
        tensor = torch.from_numpy(array)
    device = torch.device(device)
    return tensor.to(device, non_blocking=device.type == "cuda")
