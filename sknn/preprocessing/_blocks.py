"""Block-wise statistics and affine maps behind :class:`TensorScaler`.

Everything here walks the samples in blocks of a few MiB, so neither fitting
nor transforming ever holds more than one block-sized float64 scratch buffer
besides the output. Each sample is seen as a flat vector of ``pre * groups *
post`` values (C order) in which value ``j`` belongs to group ``(j // post) %
groups``: one group per feature, per channel, or a single global group.

Narrow blocks (few values per sample, e.g. a 3-column table) make numpy's
reductions and broadcasts crawl over a short inner axis, so a block of ``b``
contiguous samples is *folded* into ``b / fold`` rows of ``fold`` samples each:
the same memory, seen as a wide matrix whose columns map to groups with period
``pre * groups * post``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

#: Bytes of float64 scratch per block: about half of a core's L2 cache here, so
#: the passes over a block after the first one hit the cache, not memory.
BLOCK_BYTES = 1 << 20

#: Folded rows are made at least this many values wide (see module docstring).
MIN_ROW_WIDTH = 256


class Layout(NamedTuple):
    """How the values of one sample map to groups of statistics."""

    pre: int
    groups: int
    post: int

    @property
    def size(self) -> int:
        """Number of values in one sample."""
        return self.pre * self.groups * self.post

    def expand(self, values: np.ndarray, fold: int) -> np.ndarray:
        """Repeat one value per group into one value per column of a folded row."""
        per_sample = np.broadcast_to(
            values.reshape(1, self.groups, 1), (self.pre, self.groups, self.post)
        )
        return np.tile(per_sample.reshape(-1), fold)

    def reduce(self, columns: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
        """Combine per-column results of a folded block into one per group."""
        shaped = columns.reshape(-1, self.groups, self.post)
        return ufunc.reduce(ufunc.reduce(shaped, axis=2), axis=0)


def _plan(sample_size: int, itemsize: int) -> tuple[int, int]:
    """Samples per block and fold factor for samples of ``sample_size`` values."""
    fold = max(1, -(-MIN_ROW_WIDTH // sample_size))
    rows = max(fold, BLOCK_BYTES // (sample_size * itemsize) // fold * fold)
    return rows, fold


def iter_blocks(
    n_samples: int, sample_size: int, itemsize: int = 8
) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, stop, fold)`` covering all samples in bounded blocks.

    ``stop - start`` is a multiple of ``fold``; only a short tail of fewer than
    ``fold`` samples is left unfolded (``fold=1``).
    """
    rows, fold = _plan(sample_size, itemsize)
    start = 0
    while start < n_samples:
        stop = min(start + rows, n_samples)
        if (stop - start) % fold:
            if stop - start > fold:
                stop = start + (stop - start) // fold * fold
            else:
                fold = 1
        yield start, stop, fold
        start = stop


class Scratch:
    """A reusable float64 buffer into which blocks are copied (and upcast)."""

    def __init__(self, n_samples: int, sample_size: int) -> None:
        rows = min(n_samples, _plan(sample_size, 8)[0])
        self._buffer = np.empty(rows * sample_size, dtype=np.float64)

    def load(self, block: np.ndarray, fold: int) -> np.ndarray:
        """Copy ``block`` into the buffer and return it folded, as float64."""
        n_rows = block.shape[0]
        size = block[:1].size
        flat = self._buffer[: n_rows * size]
        np.copyto(flat.reshape(block.shape), block, casting="unsafe")
        return flat.reshape(n_rows // fold, fold * size)


class Moments(NamedTuple):
    """Per-group count of non-NaN values, mean and sum of squared deviations."""

    count: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def empty(cls, groups: int) -> Moments:
        zeros = np.zeros(groups)
        return cls(np.zeros(groups, dtype=np.int64), zeros, zeros.copy())

    def merge(self, other: Moments) -> Moments:
        """Combine with the moments of other data (Chan, Golub & LeVeque, 1979).

        ``delta = mean_b - mean_a``; ``mean = mean_a + delta * n_b / n``;
        ``m2 = m2_a + m2_b + delta**2 * n_a * n_b / n``. Unlike summing raw
        squares, this never subtracts two large, nearly equal numbers.
        """
        count = self.count + other.count
        safe = np.maximum(count, 1)
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.count / safe)
        m2 = self.m2 + other.m2 + delta**2 * (self.count * (other.count / safe))
        return Moments(count, mean, m2)


def block_moments(folded: np.ndarray, layout: Layout, fold: int) -> Moments:
    """Moments of one folded float64 block, which is overwritten.

    Two passes within the block (mean, then squared deviations, with the
    rounding-error correction of the "corrected two-pass" algorithm); NaNs are
    left out of every sum and count.
    """
    n_rows = folded.shape[0]
    ones = np.ones(n_rows)
    # ones @ block runs in BLAS; np.sum(axis=0) is several times slower here.
    column_sum = ones @ folded
    if np.isnan(column_sum).any():
        missing = np.isnan(folded)
        folded[missing] = 0.0
        column_sum = ones @ folded
        count = layout.reduce(n_rows - missing.sum(axis=0), np.add)
    else:
        missing = None
        per_group = n_rows * fold * layout.pre * layout.post
        count = np.full(layout.groups, per_group, dtype=np.int64)
    safe = np.maximum(count, 1)
    mean = layout.reduce(column_sum, np.add) / safe
    np.subtract(folded, layout.expand(mean, fold), out=folded)
    if missing is not None:
        folded[missing] = 0.0
    correction = layout.reduce(ones @ folded, np.add)
    squares = layout.reduce(np.einsum("ij,ij->j", folded, folded), np.add)
    m2 = np.maximum(squares - correction**2 / safe, 0.0)
    return Moments(count, mean, m2)


def block_extrema(folded: np.ndarray, layout: Layout) -> tuple[np.ndarray, ...]:
    """Per-group minimum and maximum of a folded block, ignoring NaN."""
    low = layout.reduce(np.fmin.reduce(folded, axis=0), np.fmin)
    high = layout.reduce(np.fmax.reduce(folded, axis=0), np.fmax)
    return low, high


def affine(
    source: np.ndarray,
    out: np.ndarray,
    layout: Layout,
    center: np.ndarray | None,
    scale: np.ndarray,
    *,
    inverse: bool,
) -> None:
    """Write ``(source - center) / scale`` (or its inverse) into ``out``.

    ``center`` and ``scale`` hold one float64 value per group; ``center=None``
    means no shift. They are cast to ``out.dtype`` first, so float32 data is
    computed in float32, exactly as scikit-learn's scalers do. ``out`` may be
    ``source`` itself (in-place).
    """
    dtype = out.dtype
    size = layout.size
    patterns: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}

    def pattern(fold: int, shape: tuple[int, ...]):
        # One row of shifts and factors, built once per fold and call.
        if fold not in patterns:
            shift = None if center is None else layout.expand(center, max(fold, 1))
            patterns[fold] = (
                None if shift is None else shift.astype(dtype).reshape(shape),
                layout.expand(scale, max(fold, 1)).astype(dtype).reshape(shape),
            )
        return patterns[fold]

    for start, stop, fold in iter_blocks(source.shape[0], size, dtype.itemsize):
        src, dst = source[start:stop], out[start:stop]
        if src.flags.c_contiguous and dst.flags.c_contiguous:
            src = src.reshape(-1, fold * size)
            dst = dst.reshape(-1, fold * size)
            shift, factor = pattern(fold, (fold * size,))
        else:
            # A strided block (e.g. a Fortran-ordered table): broadcast the
            # per-sample pattern over it instead (key 0 marks this layout).
            shift, factor = pattern(0, (1, *source.shape[1:]))
        if inverse:
            np.multiply(src, factor, out=dst)
            if shift is not None:
                np.add(dst, shift, out=dst)
        elif shift is None:
            np.divide(src, factor, out=dst)
        else:
            np.subtract(src, shift, out=dst)
            np.divide(dst, factor, out=dst)
