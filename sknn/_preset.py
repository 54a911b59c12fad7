"""The base of sknn's presets: classifiers that train one of its own networks.

A preset (:class:`~sknn.MLPClassifier`, :class:`~sknn.CNNClassifier`) picks a
network of :mod:`sknn.modules` and validates its inputs; on top of the shared
training parameters it exposes the network's activation, dropout and
normalization, whose options are resolved here for each run.
"""

from __future__ import annotations

import math
from numbers import Real

from ._base import _BaseNeuralNet
from ._utils import Interval, StrOptions, warn
from .modules._activations import ACTIVATIONS
from .normalization import (
    NORMALIZATION_METHODS,
    batch_renorm_schedule,
    check_normalization,
    uses_batch_statistics,
)


class _BasePreset(_BaseNeuralNet):
    """Shared base of the classifiers that build their own network."""

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

    def _network_kwargs(self, n_train: int, batch_size: int) -> dict:
        """The module keywords every preset network takes."""
        return {
            "activation": self.activation,
            "dropout": self.dropout,
            "normalization": self.normalization,
            "normalization_kwargs": self._normalization_options(n_train, batch_size),
        }

    def _normalization_options(self, n_train: int, batch_size: int) -> dict:
        """The chosen method's options for this run.

        ``normalization_kwargs`` is either the options of the chosen method or
        a dict keyed by method names (so one grid can search several methods,
        each with its own options). Batch renormalization's warm-up and ramp
        are scaled to the run's number of steps unless given.
        """
        method = self.normalization
        kwargs = dict(self.normalization_kwargs or {})
        if kwargs and all(key in NORMALIZATION_METHODS for key in kwargs):
            kwargs = dict(kwargs.get(method) or {})
        check_normalization(
            method, spatial_dims=self._normalization_spatial_dims(), options=kwargs
        )
        if method == "batch_renorm":
            steps = self.max_iter * math.ceil(n_train / batch_size)
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
