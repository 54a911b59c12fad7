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


#: A group whose mean is below this and whose deviations are below
#: ``_TINY_DEVIATION`` (root mean square) may have lost its squares to
#: underflow: float64 squares below 2**-1022 are subnormal, or zero.
_TINY_MEAN = 2.0**-420
_TINY_DEVIATION = 2.0**-480

#: The exponent of the units of a group without values: finer than any other,
#: so that it never decides the units of a merge.
_NO_VALUES = -2000


class Moments(NamedTuple):
    """Per-group count of non-NaN values, mean and sum of squared deviations.

    ``exponent`` is None for moments stored as they are. Moments of data whose
    squares overflow or underflow float64 are stored in units of
    ``2**exponent`` (one exponent per group): the mean is ``ldexp(mean,
    exponent)`` and the sum of squared deviations ``ldexp(m2, 2 * exponent)``.
    Dividing by a power of two is exact, so these units cost no accuracy.
    """

    count: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    exponent: np.ndarray | None = None

    @classmethod
    def empty(cls, groups: int) -> Moments:
        zeros = np.zeros(groups)
        return cls(np.zeros(groups, dtype=np.int64), zeros, zeros.copy())

    def is_exact(self) -> bool:
        """Whether no sum overflowed (NaNs never enter the sums) and no group's
        squares may have underflowed: otherwise the data need scaling."""
        if not (np.isfinite(self.mean).all() and np.isfinite(self.m2).all()):
            return False
        if self.exponent is not None:
            return True
        # Groups of all zeros (mean 0) are common and exact: no second pass.
        tiny = (np.abs(self.mean) < _TINY_MEAN) & (self.mean != 0)
        return not (tiny & (self.m2 < self.count * _TINY_DEVIATION**2)).any()

    def merge(self, other: Moments) -> Moments:
        """Combine with the moments of other data (Chan, Golub & LeVeque, 1979).

        ``delta = mean_b - mean_a``; ``mean = mean_a + delta * n_b / n``;
        ``m2 = m2_a + m2_b + delta**2 * n_a * n_b / n``. Unlike summing raw
        squares, this never subtracts two large, nearly equal numbers. For
        moments stored as they are; the result is not finite where it
        overflows (see :meth:`merge_safely`).
        """
        return _chan(self, other)

    def merge_safely(self, other: Moments) -> Moments:
        """:meth:`merge` for any moments, also where the result overflows.

        Where it would, or where either side is in units of a power of two,
        both sides are first brought to the units in which the larger of their
        means and deviations is below 1.
        """
        if self.exponent is None and other.exponent is None:
            with np.errstate(over="ignore", invalid="ignore"):
                merged = _chan(self, other)
            if np.isfinite(merged.mean).all() and np.isfinite(merged.m2).all():
                return merged
        exponent = np.maximum(self._span(), other._span())
        merged = _chan(self._rebase(exponent), other._rebase(exponent))
        return merged._replace(exponent=exponent)

    def _span(self) -> np.ndarray:
        """Exponent of the units in which the mean and deviation are below 1.

        In those units, the merge formulas cannot overflow.
        """
        exponent = 0 if self.exponent is None else self.exponent
        rms = np.sqrt(self.m2 / np.maximum(self.count, 1))
        span = np.frexp(np.fmax(np.abs(self.mean), rms))[1] + exponent
        return np.where(self.count > 0, span, _NO_VALUES).astype(np.int32)

    def _rebase(self, exponent: np.ndarray) -> Moments:
        """The same moments in units of ``2**exponent``, at least as coarse
        as their :meth:`_span` (so nothing overflows)."""
        shift = (0 if self.exponent is None else self.exponent) - exponent
        with np.errstate(under="ignore"):
            mean = np.ldexp(self.mean, shift)
            m2 = np.ldexp(self.m2, 2 * shift)
        return Moments(self.count, mean, m2)

    def unscaled(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, variance (``ddof=0``) and standard deviation in data units.

        Mean and standard deviation never exceed the largest absolute value of
        the data, so they are finite. The variance can overflow to ``inf``
        (standard deviations beyond about ``1.3e154``) or underflow (below
        about ``1e-154``), where the standard deviation is exact all the same.
        """
        var = self.m2 / np.maximum(self.count, 1)
        std = np.sqrt(var)
        if self.exponent is None:
            return self.mean, var, std
        largest = np.finfo(np.float64).max
        with np.errstate(over="ignore", under="ignore"):
            # Clipped: a mean or deviation of values at the very edge of the
            # float64 range can round up past it by one unit in the last place.
            mean = np.clip(np.ldexp(self.mean, self.exponent), -largest, largest)
            std = np.minimum(np.ldexp(std, self.exponent), largest)
            var = np.ldexp(var, 2 * self.exponent)
        return mean, var, std


def _chan(a: Moments, b: Moments) -> Moments:
    """The formulas of :meth:`Moments.merge`, on moments in equal units."""
    count = a.count + b.count
    safe = np.maximum(count, 1)
    delta = b.mean - a.mean
    mean = a.mean + delta * (b.count / safe)
    m2 = a.m2 + b.m2 + delta**2 * (a.count * (b.count / safe))
    return Moments(count, mean, m2)


def block_moments(folded: np.ndarray, layout: Layout, fold: int) -> Moments:
    """Moments of one folded float64 block, which is overwritten.

    Two passes within the block (mean, then squared deviations, with the
    rounding-error correction of the "corrected two-pass" algorithm); NaNs are
    left out of every sum and count. Values beyond about ``1e154`` overflow
    the sums and values below about ``1e-154`` underflow their squares: the
    result then fails :meth:`Moments.is_exact`, and
    :func:`scaled_block_moments` is the way to go.
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
    # (correction / n) * correction, not correction**2 / n: the square alone
    # can overflow where the deviations' squares do not (Cauchy-Schwarz bounds
    # the product by ``squares``).
    m2 = np.maximum(squares - (correction / safe) * correction, 0.0)
    return Moments(count, mean, m2)


def scaled_block_moments(folded: np.ndarray, layout: Layout, fold: int) -> Moments:
    """:func:`block_moments` of a block whose sums overflow or underflow.

    Each group is first divided by the power of two just above its largest
    absolute value (exact, except for values that become subnormal, far below
    the rounding error of the sums), so every sum stays finite and every
    square normal; the moments come back in those units.
    """
    with np.errstate(invalid="ignore"):
        peak = layout.reduce(np.fmax.reduce(np.abs(folded), axis=0), np.fmax)
    exponent = np.frexp(np.nan_to_num(peak))[1]  # an all-NaN group: 0
    with np.errstate(over="ignore", under="ignore"):
        np.ldexp(folded, -layout.expand(exponent, fold), out=folded)
    return block_moments(folded, layout, fold)._replace(exponent=exponent)


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

    Raises ``FloatingPointError`` when a result is not representable in
    ``out.dtype`` (it overflows); ``out`` is then partly written. A block that
    overflows is redone by :func:`_wide_affine`, unless it was computed in
    place, so that results overflowing by rounding only are kept.
    """
    if not _fits(out.dtype, center, scale):
        _wide_affine(source, out, layout, center, scale, inverse=inverse)
        return
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

    # The floating-point overflow flag, checked by numpy after each operation,
    # reports overflow for free; no pass over the result is needed.
    with np.errstate(over="raise"):
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
            try:
                if inverse:
                    np.multiply(src, factor, out=dst)
                    if shift is not None:
                        np.add(dst, shift, out=dst)
                elif shift is None:
                    np.divide(src, factor, out=dst)
                else:
                    np.subtract(src, shift, out=dst)
                    np.divide(dst, factor, out=dst)
            except FloatingPointError:
                if np.may_share_memory(source, out):
                    raise  # the block's input is gone
                rest = slice(start, None)
                _wide_affine(
                    source[rest], out[rest], layout, center, scale, inverse=inverse
                )
                return


def _fits(dtype: np.dtype, center: np.ndarray | None, scale: np.ndarray) -> bool:
    """Whether computing in ``dtype`` overflows only where the result must.

    It does when the factors are normal numbers of ``dtype`` and every shift is
    below half a unit in the last place of its largest value: ``x - center``
    then rounds to at most that value for any finite ``x``, and in the
    inverse ``x * scale`` can only overflow where ``x * scale + center`` does.
    Checked on one value per group, so it costs nothing.
    """
    info = np.finfo(dtype)
    # float64 factors are used as they are, so a subnormal one is exact.
    smallest = info.tiny if dtype.itemsize < 8 else 0.0
    normal = (scale > smallest) & (scale <= info.max)
    if not (normal | np.isnan(scale)).all():  # NaN: a group without values
        return False
    return center is None or not (np.abs(center) >= info.max * info.eps / 4).any()


def _wide_affine(source, out, layout, center, scale, *, inverse):
    """:func:`affine` for results at the edge of the range of ``out.dtype``.

    Computed in float64 on halved values, ``((x / 2 - center / 2) / scale) *
    2``: halving is exact, so this is ``(x - center) / scale`` as rounded in
    float64, yet no intermediate overflows unless the result does. A result
    beyond the largest float64 by a few units in the last place only (the
    round trip of data at the very end of the range) is clipped to it.
    Slower than :func:`affine`'s path, and taken only for huge centres,
    factors outside the normal range of float32 or blocks that overflow.
    """
    size = layout.size
    half_shift = None if center is None else 0.5 * layout.expand(center, 1)
    factor = layout.expand(scale, 1)
    info = np.finfo(np.float64)
    half_max = info.max / 2
    scratch = Scratch(source.shape[0], size)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for start, stop, _ in iter_blocks(source.shape[0], size):
            values = scratch.load(source[start:stop], 1)
            values *= 0.5
            if inverse:
                values *= factor
                if half_shift is not None:
                    values += half_shift
            else:
                if half_shift is not None:
                    values -= half_shift
                values /= factor
            beyond = np.abs(values) > half_max
            if beyond.any():
                if (np.abs(values[beyond]) > half_max * (1 + 8 * info.eps)).any():
                    raise FloatingPointError("overflow encountered in the results")
                np.clip(values, -half_max, half_max, out=values)
            values *= 2.0
            with np.errstate(over="raise"):  # float64 results beyond float32
                np.copyto(
                    out[start:stop],
                    values.reshape(out[start:stop].shape),
                    casting="same_kind",
                )
