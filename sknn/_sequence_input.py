"""Input validation of the classifiers that read sequences.

Sequences come as a 3-D array ``(n, timesteps, features)`` (channels first:
``(n, features, timesteps)``), padded at the end with NaN where they are of
unequal lengths, or as a list of 2-D arrays; :func:`sknn._sequences.as_padded`
brings both to one NaN-padded array, whose padding is then checked.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._base import _is_data_frame, _is_streamed
from ._sequences import as_padded, is_sequence_list, sequence_lengths


def array_ndim(X) -> int:
    """Dimensions of an array-like, without numpy's array function protocol."""
    shape = getattr(X, "shape", None)
    return len(shape) if shape is not None else np.asarray(X).ndim


def is_sequences(X) -> bool:
    """Whether ``X`` holds sequences: a list of per-sample arrays, or a 3-D
    array (not a data frame, whose rows are a table's)."""
    return is_sequence_list(X) or (array_ndim(X) == 3 and not _is_data_frame(X))


class SequenceInputMixin:
    """``_validate_sequences`` for an estimator with a ``data_format``."""

    def _refuse_unreadable(self, X):
        """Sparse and streamed data get an error; a memory map is read whole."""
        if sp.issparse(X):
            raise TypeError(
                "Sparse data was passed for X, but dense data is required: "
                f"{type(self).__name__} reads sequences. Use X.toarray() to "
                "convert to a dense numpy array."
            )
        if isinstance(X, np.memmap):
            return np.asarray(X)
        if _is_streamed(X):
            raise TypeError(
                f"{type(self).__name__} takes sequences in memory: a numpy array "
                f"or a list of arrays, not {type(X).__name__}."
            )
        return X

    def _validate_sequences(self, X, y="no_validation", *, reset):
        """``(X, lengths, y)``: the sequences as one float64 array ``(n,
        timesteps, features)`` padded with NaN, their lengths, and the
        checked ``y`` (or ``"no_validation"``).

        Raises a ``ValueError`` that says where for NaN inside a sequence,
        infinity, a sequence of length 0, ragged feature counts, no samples,
        and a different number of features than in fit.
        """
        X = as_padded(X, channels_last=self.data_format == "channels_last")
        if len(X) == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(self).__name__}."
            )
        lengths = sequence_lengths(X)
        if not (isinstance(y, str) and y == "no_validation"):
            y = self._validate_target(y, len(X))
        if reset:
            self.__dict__.pop("feature_names_in_", None)
        elif X.shape[2] != self._features_per_step():
            layout = self.data_format.replace("_", " ")
            hint = ""
            if X.shape[1] == self._features_per_step():
                other = "first" if layout.endswith("last") else "last"
                hint = f" Are the sequences channels {other}? Set data_format."
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but "
                f"{type(self).__name__} was fitted on sequences of "
                f"{self._features_per_step()} ({layout}).{hint}"
            )
        return X, lengths, y
