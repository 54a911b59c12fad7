"""Sequences of unequal lengths: NaN padding, its checks, and resampling.

Sequence classifiers take a list of arrays ``(timesteps_i, features)`` or a
3-D array padded at the end with NaN (the convention of aeon and sktime).
Both become one float array ``(n, max_timesteps, features)`` whose padding is
NaN; a NaN anywhere else is an error that says where.
"""

from __future__ import annotations

import numpy as np


def is_sequence_list(X) -> bool:
    """A list (or tuple, or object array) of per-sample arrays: 2-D ones, or
    1-D ones of unequal lengths (1-D ones of one length are a table's rows)."""
    if isinstance(X, (list, tuple)):
        if not X or not all(np.ndim(x) in (1, 2) for x in X):
            return False
        # rows of one length are a table, as in scikit-learn
        return any(np.ndim(x) == 2 for x in X) or len({len(x) for x in X}) > 1
    return isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1


def as_padded(X, *, channels_last: bool) -> np.ndarray:
    """``(n, timesteps, features)`` float64, padded at the end with NaN.

    ``X`` is a list of sequences ``(timesteps_i, features)`` (``(features,
    timesteps_i)`` unless ``channels_last``), or ``(timesteps_i,)`` for
    univariate ones; or a 3-D array in the same layout.
    """
    if not is_sequence_list(X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError(
                "Expected sequences as a 3-D array (n_samples, timesteps, "
                f"features) or a list of 2-D arrays, got an array of shape "
                f"{X.shape}."
            )
        X = X if channels_last else np.ascontiguousarray(X.transpose(0, 2, 1))
        if X.shape[1] == 0 and len(X):
            raise ValueError(f"X holds sequences of length 0 (shape={X.shape}).")
        return X
    sequences = []
    for index, sequence in enumerate(X):
        try:
            sequence = np.asarray(sequence, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"X[{index}] is not an array of numbers: {error}"
            ) from error
        if sequence.ndim == 1:
            sequence = sequence[:, None]
        elif not channels_last:
            sequence = sequence.T
        sequences.append(sequence)
    features = {s.shape[1] for s in sequences}
    if len(features) > 1:
        counts = [s.shape[1] for s in sequences]
        first = counts[0]
        other = next(i for i, c in enumerate(counts) if c != first)
        raise ValueError(
            "All sequences must have the same number of features: X[0] has "
            f"{first}, X[{other}] has {counts[other]}."
        )
    for index, sequence in enumerate(sequences):
        if len(sequence) == 0:
            raise ValueError(f"X[{index}] is a sequence of length 0.")
    longest = max(len(s) for s in sequences)
    padded = np.full((len(sequences), longest, features.pop()), np.nan)
    for index, sequence in enumerate(sequences):
        padded[index, : len(sequence)] = sequence
    return padded


def sequence_lengths(X: np.ndarray) -> np.ndarray:
    """The length of each NaN-padded sequence, after checking the padding.

    Raises
    ------
    ValueError
        For an infinite value, a NaN inside a sequence (followed by real
        values, or beside real values in the same time step), or a sequence
        of length 0, saying which sample and time step.
    """
    if np.isinf(X).any():
        n, t, _ = np.argwhere(np.isinf(X))[0]
        raise ValueError(f"Input X contains infinity (X[{n}] at time step {t}).")
    missing = np.isnan(X)
    empty_steps = missing.all(axis=2)
    partial = missing.any(axis=2) & ~empty_steps
    if partial.any():
        n, t = np.argwhere(partial)[0]
        raise ValueError(
            f"Input X contains NaN: X[{n}] has a missing value at time step "
            f"{t} beside real values. Only whole time steps of NaN at the end "
            "of a sequence mark it as shorter (padding)."
        )
    lengths = (~empty_steps).sum(axis=1)
    # padding is a suffix: every step from the length on is empty
    steps = np.arange(X.shape[1])[None, :]
    inside = empty_steps & (steps < lengths[:, None])
    if inside.any():
        n, t = np.argwhere(inside)[0]
        last = np.nonzero(~empty_steps[n])[0][-1]
        raise ValueError(
            f"Input X contains NaN: X[{n}] has missing values at time step {t} "
            f"followed by real values (at step {last}). Only NaN at the end of "
            "a sequence marks it as shorter (padding)."
        )
    if (lengths == 0).any():
        n = int(np.argmax(lengths == 0))
        raise ValueError(f"X[{n}] is a sequence of length 0 (all NaN).")
    return lengths


def resample(X: np.ndarray, lengths: np.ndarray, length: int) -> np.ndarray:
    """Each sequence's real part linearly resampled to ``length`` steps:
    ``(n, length, features)``, without padding."""
    out = np.empty((len(X), length, X.shape[2]))
    grid = np.linspace(0.0, 1.0, length)
    for n, steps in enumerate(lengths):
        steps = int(steps)
        if steps == length:
            out[n] = X[n, :steps]
            continue
        source = np.linspace(0.0, 1.0, steps) if steps > 1 else np.zeros(1)
        for f in range(X.shape[2]):
            out[n, :, f] = np.interp(grid, source, X[n, :steps, f])
    return out
