"""The base of sknn's presets: estimators that train one of its own networks.

A preset architecture (dense, convolutional, recurrent) picks a network of
:mod:`sknn.modules` and validates its inputs; on top of the shared
training parameters it exposes the network's activation, dropout and
normalization, whose options are resolved here for each run.
"""

from __future__ import annotations

import math
import os
from numbers import Real

import numpy as np
import torch

from ._base import _BaseNeuralNet
from ._training.device import resolve_device
from ._utils import Interval, StrOptions, warn
from .modules._activations import ACTIVATIONS
from .normalization import (
    NORMALIZATION_METHODS,
    batch_renorm_schedule,
    check_normalization,
    uses_batch_statistics,
)
from .normalization._registry import describe_options

#: Forward multiply-accumulates that a run with ``max_iter="auto"`` may
#: spend: 1,500 optimizer steps of an FCN (128-256-128 filters) on batches of
#: 16 sequences of 150 steps, under a minute on two CPU cores.
AUTO_BUDGET_MACS = 1.0e12

#: The fewest and the most optimizer steps of such a run.
AUTO_STEPS = (200, 1500)


def auto_epochs(steps_per_epoch: int, step_macs: int) -> int:
    """Epochs of a run of ``max_iter="auto"``: as many steps as the compute
    budget allows a step of ``step_macs``, within ``AUTO_STEPS``."""
    steps = int(np.clip(AUTO_BUDGET_MACS / max(step_macs, 1), *AUTO_STEPS))
    return max(1, math.ceil(steps / steps_per_epoch))


class _BasePreset(_BaseNeuralNet):
    """Shared base of the estimators that build their own network."""

    _parameter_constraints: dict = {
        **_BaseNeuralNet._parameter_constraints,
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "normalization": [str, None],
        "normalization_kwargs": [dict, None],
    }

    #: Below this batch size, batch statistics are too noisy to rely on.
    SMALL_BATCH = 16

    def _normalization_spatial_dims(self) -> int:
        """Spatial axes of the normalized activations (0 for dense layers)."""
        return 0

    def _network_kwargs(self, steps_per_epoch: int, batch_size: int) -> dict:
        """The module keywords every preset network takes (a recurrent one
        has no activation parameter)."""
        kwargs = {
            "dropout": self._dropout(),
            "normalization": self.normalization,
            "normalization_kwargs": self._normalization_options(
                steps_per_epoch, batch_size
            ),
        }
        if "activation" in self._parameter_constraints:
            kwargs["activation"] = self.activation
        return kwargs

    def _dropout(self) -> float:
        return self.dropout

    def _planned_steps(self, steps_per_epoch: int) -> int:
        """Optimizer steps the run will take at most (for schedules that must
        be set before the network exists, whose cost a budget of
        ``max_iter="auto"`` would weigh: none is assumed)."""
        return self._max_epochs(steps_per_epoch, step_macs=0) * steps_per_epoch

    def _check_network_size(self, n_parameters: int, parameter: str) -> None:
        """Refuse, before anything is allocated, a network that cannot fit in
        the memory of the device it would train on."""
        itemsize = np.dtype(self.dtype).itemsize
        # the weights, their gradients and Adam's two moments
        need = 4 * n_parameters * itemsize
        memory = _device_memory(resolve_device(self.device))
        if memory is not None and need > memory:
            raise ValueError(
                f"{parameter}={getattr(self, parameter)!r} makes a network of "
                f"{n_parameters:,} parameters, which needs about "
                f"{_bytes(need)} to train ({self.dtype} weights, their gradients "
                f"and the optimizer's state), more than the {_bytes(memory)} of "
                f"memory this machine has; choose a smaller {parameter}."
            )

    def _normalization_options(self, steps_per_epoch: int, batch_size: int) -> dict:
        """The chosen method's options for this run.

        ``normalization_kwargs`` is either the options of the chosen method or
        a dict keyed by method names (so one grid can search several methods,
        each with its own options). Batch renormalization's warm-up and ramp
        are scaled to the run's number of steps unless given.
        """
        method = self.normalization
        kwargs = dict(self.normalization_kwargs or {})
        if kwargs and all(key in NORMALIZATION_METHODS for key in kwargs):
            for key, value in kwargs.items():
                if not (value is None or isinstance(value, dict)):
                    raise ValueError(
                        f"normalization_kwargs={self.normalization_kwargs!r} is "
                        "keyed by method names, so each value must be a dict "
                        f"of that method's options, but {key!r} maps to "
                        f"{value!r}. The options of the chosen method are "
                        "given directly; "
                        f"{describe_options(method)}."
                    )
            kwargs = dict(kwargs.get(method) or {})
        check_normalization(
            method, spatial_dims=self._normalization_spatial_dims(), options=kwargs
        )
        if method == "batch_renorm":
            steps = self._planned_steps(steps_per_epoch)
            kwargs = {**batch_renorm_schedule(steps), **kwargs}
        if uses_batch_statistics(method) and batch_size < self.SMALL_BATCH:
            warn(
                f"normalization={method!r} normalizes with statistics of each "
                f"batch, which are unreliable with batch_size={batch_size}; "
                "'layer', 'group' or 'weight' normalization do not depend on "
                "the batch.",
                UserWarning,
            )
        return kwargs


def _device_memory(device: torch.device) -> int | None:
    """Total memory of a device in bytes, if it can be read."""
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).total_memory
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def _bytes(n: int) -> str:
    """``n`` bytes for people: 1.5 GiB, 37 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError  # pragma: no cover
