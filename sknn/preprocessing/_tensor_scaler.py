"""TensorScaler: standardize, min-max or rescale tables, images and volumes."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._named_data import is_named_inputs
from .._utils import Interval, IntInterval, StrOptions
from ._blocks import (
    Layout,
    Moments,
    Scratch,
    affine,
    block_extrema,
    block_moments,
    iter_blocks,
    scaled_block_moments,
)
from ._checks import (
    check_feature_range,
    time_content,
    time_data_error,
    time_objects,
)
from ._named import NamedInputsScaling

# Attributes that hold the statistics of each method, besides center_/scale_.
_METHOD_ATTRIBUTES = {
    "standard": ("mean_", "var_", "n_values_seen_"),
    "minmax": ("data_min_", "data_max_"),
    "scale": ("max_abs_",),
}


def _output_dtype(dtype: np.dtype) -> np.dtype:
    """Floating dtype of the transformed data for input of ``dtype``.

    float32 and float64 are kept. Integers of at most 16 bits (uint8 pixels),
    booleans and float16 become float32: every such value is exact in float32,
    which takes half the memory of float64 and is torch's default dtype, so a
    network consumes the result without another copy. Wider integers become
    float64, as in scikit-learn, because float32 would round values beyond
    2**24.
    """
    dtype = np.dtype(dtype)
    if dtype in (np.float32, np.float64):
        return dtype
    if dtype.itemsize <= 2 and dtype.kind in "biuf":
        return np.dtype(np.float32)
    return np.dtype(np.float64)


class TensorScaler(
    NamedInputsScaling, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Scale tables, images and volumes with statistics learned in ``fit``.

    The transformer of the input-normalization step: it computes ``(X -
    center_) / scale_`` with statistics taken from the training data only, so
    inside a :class:`~sklearn.pipeline.Pipeline` each cross-validation fold is
    scaled with its own training part. Unlike scikit-learn's scalers it also
    takes N-D arrays of shape ``(n_samples, ...)``, such as images
    ``(n, height, width, channels)``, with one statistic per channel.

    Parameters
    ----------
    method : {"standard", "minmax", "scale"}, default="standard"
        The statistics and the map:

        - ``"standard"``: subtract the mean and divide by the standard
          deviation (``ddof=0``), as :class:`~sklearn.preprocessing.StandardScaler`.
        - ``"minmax"``: map the ``[min, max]`` seen in ``fit`` linearly onto
          ``feature_range``, as :class:`~sklearn.preprocessing.MinMaxScaler`.
        - ``"scale"``: divide by ``divisor``, or by the largest absolute value
          seen in ``fit`` when ``divisor=None`` (as
          :class:`~sklearn.preprocessing.MaxAbsScaler`). No centring, so zeros
          stay zeros.

    mode : {"feature", "channel", "global"}, default="feature"
        Which values share one statistic:

        - ``"feature"``: one per position of a sample, i.e. per column of a
          table (scikit-learn's behaviour); for images, one per pixel and
          channel.
        - ``"channel"``: one per channel, over all samples and all spatial
          positions. The usual choice for images and volumes.
        - ``"global"``: a single statistic over all values.

    channel_axis : int, default=-1
        Axis of ``X`` that holds the channels when ``mode="channel"``: ``-1``
        for channels-last arrays ``(n, height, width, channels)`` (the
        course's 64x64x3 images, PIL and matplotlib), ``1`` for channels-first
        arrays ``(n, channels, height, width)`` (torch's convention). Axis 0
        holds the samples and cannot be the channel axis. Ignored by the other
        modes.

    feature_range : tuple (min, max), default=(0, 1)
        Target range of ``method="minmax"``: two finite numbers with ``min <
        max``. Ignored by the other methods (but checked all the same).

    divisor : float or None, default=None
        With ``method="scale"``, a positive constant to divide by, e.g. 255 for
        8-bit pixels (no statistic is then taken from the data); ``None``
        divides by the largest absolute value seen in ``fit``. Ignored by the
        other methods.

    copy : bool, default=True
        If False, :meth:`transform` and :meth:`inverse_transform` overwrite
        ``X`` when it is already a writeable float32 or float64 numpy array.
        Other input (integers, lists, read-only arrays) is always copied. If
        the result overflows (see Notes), ``X`` is left partly overwritten.

    Attributes
    ----------
    center_ : ndarray of float64
        Value subtracted by :meth:`transform`: ``mean_`` for ``"standard"``,
        ``data_min_ - feature_range[0] * scale_`` for ``"minmax"``, 0 for
        ``"scale"``. Like every statistic below, its shape is ``input_shape_``
        for ``mode="feature"`` (``(n_features,)`` for a table),
        ``(n_channels,)`` for ``mode="channel"`` and ``()`` for
        ``mode="global"``.

    scale_ : ndarray of float64
        Divisor applied after centring: :meth:`transform` returns ``(X -
        center_) / scale_`` for every method. Constant features or channels
        get ``scale_ = 1`` rather than a division by zero. Note that
        :class:`~sklearn.preprocessing.MinMaxScaler`'s ``scale_`` is the
        reciprocal (a multiplier).

    mean_ : ndarray of float64
        Mean of each group, NaNs ignored. Only with ``method="standard"``.

    var_ : ndarray of float64
        Variance (``ddof=0``) of each group, NaNs ignored. Only with
        ``method="standard"``. It is ``inf`` where it exceeds the float64
        range (a standard deviation above about ``1.3e154``) and subnormal or
        0 below it (one below about ``1e-154``), as numpy's ``var`` would be;
        ``scale_`` is exact all the same.

    n_values_seen_ : ndarray of int64
        Number of non-NaN values behind each mean and variance. For a table in
        ``mode="feature"`` it is the per-feature sample count. Only with
        ``method="standard"``.

    data_min_, data_max_ : ndarray of float64
        Minimum and maximum of each group, NaNs ignored. Only with
        ``method="minmax"``.

    max_abs_ : ndarray of float64
        Largest absolute value of each group. Only with ``method="scale"`` and
        ``divisor=None``.

    n_samples_seen_ : int
        Number of samples processed. Reset by :meth:`fit`, incremented by
        :meth:`partial_fit`.

    input_shape_ : tuple of int
        Shape of one sample, ``X.shape[1:]``, as seen in :meth:`fit`; later
        input must have the same.

    n_features_in_ : int
        Number of values in one sample, ``prod(input_shape_)``: the number of
        columns of a table, and the width of a flattened image.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`. Defined only when `X`
        has feature names that are all strings.

    inputs_ : dict of str to TensorScaler
        Only after fitting on named inputs (:class:`~sknn.Inputs`): a copy of
        the scaler fitted on each input, by name, which scales that input
        (the other attributes are then not set). ``transform`` returns an
        ``Inputs`` again, so the scaler goes before a network with several
        inputs in a Pipeline.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : Standardize the columns of a table.
    sklearn.preprocessing.MinMaxScaler : Scale the columns of a table to a range.
    sklearn.preprocessing.MaxAbsScaler : Divide each column by its maximum.

    Notes
    -----
    NaNs are treated as missing values, as by scikit-learn's scalers:
    disregarded in :meth:`fit`, kept in :meth:`transform`. Infinite values are
    refused with a ``ValueError``, and so are datetime and timedelta data
    (numpy ``datetime64`` / ``timedelta64``, pandas datetime columns,
    ``Timestamp`` objects): convert them to numbers first.

    :meth:`transform` never turns finite input into ``inf`` or NaN.
    Statistics of values near the ends of the float64 range (beyond about
    ``1e154``, whose squares overflow, or all below about ``1e-154``, whose
    squares underflow) are computed on the data divided by a power of two,
    which is exact; this second pass is taken only when the first one needs
    it. Where a result is
    not representable in the output dtype, a ``ValueError`` says so: in
    :meth:`fit` when ``method="minmax"`` cannot express the map onto
    ``feature_range`` (e.g. ``[-1e308, 1e308]`` onto ``(0, 1)`` needs a
    ``scale_`` of ``2e308``), in :meth:`transform` when ``(X - center_) /
    scale_`` overflows, e.g. for data far outside the range seen in fit or a
    ``divisor`` such as ``1e-310``.

    Statistics are computed in float64 over blocks of about 1 MiB of samples
    and the blocks are merged with the pairwise formulas of Chan, Golub &
    LeVeque (1979), which are also used by :meth:`partial_fit`; so fitting
    costs no copy of ``X``, even for ``uint8`` images, and ``partial_fit`` on
    chunks equals ``fit`` on their concatenation to float precision.

    The output dtype is float32 for float32 input and float64 for float64
    input. Integer input of at most 16 bits (e.g. ``uint8`` images), booleans
    and float16 give float32: float32 holds all their values exactly, needs
    half the memory of float64 and is what a torch network consumes. Wider
    integers give float64, as in scikit-learn.

    Examples
    --------
    A table whose columns have very different ranges (age, income):

    >>> import numpy as np
    >>> from sknn.preprocessing import TensorScaler
    >>> X = np.array([[25, 20_000.0], [35, 40_000.0], [45, 90_000.0]])
    >>> scaler = TensorScaler().fit(X)
    >>> scaler.mean_.tolist(), scaler.scale_.round(1).tolist()
    ([35.0, 50000.0], [8.2, 29439.2])
    >>> scaler.transform(X).round(2)
    array([[-1.22, -1.02],
           [ 0.  , -0.34],
           [ 1.22,  1.36]])
    >>> TensorScaler(method="minmax").fit_transform(X).round(2)
    array([[0.  , 0.  ],
           [0.5 , 0.29],
           [1.  , 1.  ]])

    Images of shape ``(n, height, width, channels)`` with one mean and
    standard deviation per channel; ``uint8`` pixels give float32:

    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(20, 64, 64, 3), dtype=np.uint8)
    >>> scaler = TensorScaler(mode="channel").fit(images)
    >>> scaler.mean_.shape
    (3,)
    >>> Xt = scaler.transform(images)
    >>> Xt.shape, Xt.dtype
    ((20, 64, 64, 3), dtype('float32'))
    >>> Xt.mean(axis=(0, 1, 2)).round(4) + 0.0, Xt.std(axis=(0, 1, 2)).round(4)
    (array([0., 0., 0.], dtype=float32), array([1., 1., 1.], dtype=float32))

    Channels-first images, and pixels divided by 255:

    >>> first = images.transpose(0, 3, 1, 2)
    >>> TensorScaler(mode="channel", channel_axis=1).fit(first).mean_.round(2)
    array([126.93, 127.27, 127.32])
    >>> TensorScaler(method="scale", divisor=255).fit_transform(images).max()
    np.float32(1.0)
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"standard", "minmax", "scale"})],
        "mode": [StrOptions({"feature", "channel", "global"})],
        "channel_axis": [IntInterval(Integral, None, None, closed="neither")],
        "feature_range": [tuple],
        "divisor": [Interval(Real, 0, None, closed="neither"), None],
        "copy": ["boolean"],
    }

    def __init__(
        self,
        *,
        method="standard",
        mode="feature",
        channel_axis=-1,
        feature_range=(0, 1),
        divisor=None,
        copy=True,
    ):
        self.method = method
        self.mode = mode
        self.channel_axis = channel_axis
        self.feature_range = feature_range
        self.divisor = divisor
        self.copy = copy

    # -- fitting -----------------------------------------------------------------------

    def fit(self, X, y=None):
        """Compute the statistics used for later scaling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            A table, or an N-D array with samples along the first axis, such
            as images ``(n_samples, height, width, channels)``.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        if is_named_inputs(X):
            self._validate_params()
            return self._fit_named(X, partial=False)
        self._reset()
        self.__dict__.pop("inputs_", None)
        return self.partial_fit(X, y)

    def partial_fit(self, X, y=None):
        """Update the statistics with one more chunk of samples.

        For data that does not fit in memory or arrives as a stream. Means and
        variances are merged with the formulas of Chan, Golub & LeVeque, so
        ``partial_fit`` on the chunks equals ``fit`` on their concatenation to
        float precision.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            The next chunk; every chunk must have samples of the same shape.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        self._validate_params()
        if is_named_inputs(X):
            return self._fit_named(X, partial=True)
        self._refuse_single_after_named()
        check_feature_range(self.feature_range)

        first_call = not hasattr(self, "n_samples_seen_")
        X = self._validate_X(X, reset=first_call)
        try:
            layout = self._layout()
            if not first_call:
                self._check_state_matches(layout)
            fitted = self._statistics(X, layout, first_call, _output_dtype(X.dtype))
        except ValueError:
            if first_call:  # leave no half-fitted state behind
                self._reset()
                for name in ("n_features_in_", "feature_names_in_"):
                    self.__dict__.pop(name, None)
            raise
        self.__dict__.update(fitted)
        self.n_samples_seen_ = X.shape[0] + (0 if first_call else self.n_samples_seen_)
        return self

    def _reset(self):
        """Forget the fitted state; the parameters are left alone."""
        for name in (
            "center_",
            "scale_",
            "n_samples_seen_",
            "input_shape_",
            *(a for attributes in _METHOD_ATTRIBUTES.values() for a in attributes),
        ):
            if hasattr(self, name):
                delattr(self, name)

    def _statistics(self, X, layout, first_call, dtype):
        """The fitted attributes after seeing ``X``, as a dict (nothing is set,
        so that a refused fit changes nothing)."""
        shape = self._statistics_shape()
        if self.method == "scale" and self.divisor is not None:
            return {
                "center_": np.zeros(shape),
                "scale_": np.full(shape, float(self.divisor)),
            }
        if self.method == "standard":
            moments = self._merged_moments(X, layout, first_call)
            return self._standard_statistics(moments, shape)
        low, high = self._merged_extrema(X, layout, first_call)
        return self._range_statistics(low, high, shape, dtype)

    def _merged_moments(self, X, layout, first_call):
        """Moments of the groups over X and, after the first call, earlier data."""
        earlier = Moments.empty(layout.groups) if first_call else self._fitted_moments()
        # Overflow shows in the moments themselves (an inf or NaN stays one
        # through every later merge), not as a warning.
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            if earlier.exponent is None:
                moments = self._accumulate(X, layout, earlier, safely=False)
                if moments.is_exact():
                    return moments
            # Values beyond about 1e154 (or all below 1e-154), whose squares
            # overflow (or underflow) float64: a second pass, which scales
            # the blocks that need it.
            return self._accumulate(X, layout, earlier, safely=True)

    @staticmethod
    def _accumulate(X, layout, moments, *, safely):
        scratch = Scratch(X.shape[0], layout.size)
        for start, stop, fold in iter_blocks(X.shape[0], layout.size):
            block = scratch.load(X[start:stop], fold)
            part = block_moments(block, layout, fold)
            if not safely:
                moments = moments.merge(part)
                continue
            if not part.is_exact():
                block = scratch.load(X[start:stop], fold)
                part = scaled_block_moments(block, layout, fold)
            moments = moments.merge_safely(part)
        return moments

    def _fitted_moments(self):
        """The moments behind ``mean_`` and ``var_``, to merge new data into."""
        count = self.n_values_seen_.reshape(-1)
        seen = count > 0
        mean = np.where(seen, self.mean_.reshape(-1), 0.0)
        var = self.var_.reshape(-1)
        scale = self.scale_.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            m2 = np.where(seen, var * count, 0.0)
        # var_ overflows for standard deviations beyond about 1e154 and is
        # subnormal (or 0) below about 1e-154; scale_ then holds the deviation
        # exactly, unless the group counts as constant (scale_ = 1).
        inexact = seen & (
            ~np.isfinite(m2) | ((var < np.finfo(np.float64).tiny) & (scale != 1.0))
        )
        if not inexact.any():
            return Moments(count, mean, m2)
        # Rebuild those groups from the standard deviation, in units of a
        # power of two.
        std = np.where(inexact, scale, np.sqrt(np.where(seen, var, 0.0)))
        exponent = np.where(inexact, np.frexp(np.fmax(np.abs(mean), std))[1], 0)
        with np.errstate(under="ignore"):
            mean = np.ldexp(mean, -exponent)
            m2 = np.where(inexact, count * np.ldexp(std, -exponent) ** 2, m2)
        return Moments(count, mean, m2, exponent.astype(np.int32))

    def _merged_extrema(self, X, layout, first_call):
        """Minimum and maximum of the groups over X and earlier data."""
        low = np.full(layout.groups, np.nan)
        high = np.full(layout.groups, np.nan)
        if not first_call and self.method == "minmax":
            low, high = self.data_min_.reshape(-1), self.data_max_.reshape(-1)
        elif not first_call:
            # max(|earlier values|) bounds the earlier minimum's magnitude too.
            high = self.max_abs_.reshape(-1)
        scratch = Scratch(X.shape[0], layout.size)
        for start, stop, fold in iter_blocks(X.shape[0], layout.size):
            block = scratch.load(X[start:stop], fold)
            block_low, block_high = block_extrema(block, layout)
            low, high = np.fmin(low, block_low), np.fmax(high, block_high)
        return low, high

    def _range_statistics(self, low, high, shape, dtype):
        # Near-zero ranges count as constant, with scikit-learn's threshold
        # (_handle_zeros_in_scale) in the precision of the transformed data.
        tiny = 10 * np.finfo(dtype).eps
        if self.method == "scale":
            max_abs = np.fmax(np.abs(low), np.abs(high))
            return {
                "max_abs_": max_abs.reshape(shape),
                "center_": np.zeros(shape),
                "scale_": np.where(max_abs < tiny, 1.0, max_abs).reshape(shape),
            }
        range_low, range_high = check_feature_range(self.feature_range)
        with np.errstate(over="ignore", invalid="ignore"):
            span = high - low
            span = np.where(span < tiny, 1.0, span)
            scale = span / (range_high - range_low)
            center = low - range_low * scale
        # max - min, the width of feature_range or range_low * scale can
        # overflow where scale_ and center_ do not: redo those groups on
        # halved values (exact), doubling at the end. A scale_ below the
        # normal range would have lost its precision.
        smallest = np.finfo(np.float64).tiny
        bad = np.isfinite(low) & ~(np.isfinite(center) & (scale >= smallest))
        if bad.any():
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                half_span = high[bad] * 0.5 - low[bad] * 0.5
                half_span = np.where(half_span < tiny / 2, 0.5, half_span)
                scale[bad] = half_span / (range_high * 0.5 - range_low * 0.5)
                center[bad] = (low[bad] * 0.5 - (range_low * 0.5) * scale[bad]) * 2
            bad = np.isfinite(low) & ~(np.isfinite(center) & (scale >= smallest))
            if bad.any():
                raise self._unrepresentable_range(np.flatnonzero(bad)[0], low, high)
        return {
            "data_min_": low.reshape(shape),
            "data_max_": high.reshape(shape),
            "center_": center.reshape(shape),
            "scale_": scale.reshape(shape),
        }

    def _unrepresentable_range(self, index, low, high):
        where = "X" if self.mode == "global" else f"{self.mode} {index}"
        return ValueError(
            f"method='minmax' cannot map the range [{low[index]:.6g}, "
            f"{high[index]:.6g}] of {where} onto feature_range="
            f"{self.feature_range!r}: the map's scale_ (max - min over the "
            "width of feature_range) or center_ is not representable in float64 "
            f"(beyond {np.finfo(np.float64).max:.3g}, or a scale_ below "
            f"{np.finfo(np.float64).tiny:.3g}). Choose a feature_range nearer to "
            "0 whose width is nearer to the data's range, such as (-1, 1), or "
            "rescale X by a constant first."
        )

    def _standard_statistics(self, moments, shape):
        count = moments.count
        seen = count > 0
        # scikit-learn's _is_constant_feature: a variance within the rounding
        # error bound of the two-pass algorithm means a constant feature. Both
        # sides scale alike, so the test holds in the units of the moments.
        eps = np.finfo(np.float64).eps
        scaled_var = moments.m2 / np.maximum(count, 1)
        scaled_mean = moments.mean
        constant = (
            scaled_var <= count * eps * scaled_var + (count * scaled_mean * eps) ** 2
        )
        mean, var, std = moments.unscaled()
        mean = np.where(seen, mean, np.nan).reshape(shape)
        # A group without any value keeps NaN statistics, scale_ included.
        scale = np.where(seen, np.where(constant, 1.0, std), np.nan)
        return {
            "mean_": mean,
            "var_": np.where(seen, var, np.nan).reshape(shape),
            "n_values_seen_": count.reshape(shape),
            "center_": mean,
            "scale_": scale.reshape(shape),
        }

    # -- inference ---------------------------------------------------------------------

    def transform(self, X, copy=None):
        """Scale ``X`` with the statistics learned in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Data with samples of the shape seen in :meth:`fit`.

        copy : bool, default=None
            Whether to leave ``X`` untouched; ``None`` uses ``self.copy``.

        Returns
        -------
        X_tr : ndarray of the shape of ``X``
            ``(X - center_) / scale_``, float32 or float64 (see Notes of the
            class).
        """
        check_is_fitted(self)
        if is_named_inputs(X):
            return self._transform_named(X, copy=copy, inverse=False)
        self._refuse_single_after_named()
        X = self._validate_X(X, reset=False)
        return self._apply(X, copy=self.copy if copy is None else copy, inverse=False)

    def inverse_transform(self, X, copy=None):
        """Map scaled data back to the original representation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Scaled data, e.g. the output of :meth:`transform`.

        copy : bool, default=None
            Whether to leave ``X`` untouched; ``None`` uses ``self.copy``.

        Returns
        -------
        X_original : ndarray of the shape of ``X``
            ``X * scale_ + center_``.
        """
        check_is_fitted(self)
        if is_named_inputs(X):
            return self._transform_named(X, copy=copy, inverse=True)
        self._refuse_single_after_named()
        X = self._validate_X(X, reset=False, check_names=False)
        return self._apply(X, copy=self.copy if copy is None else copy, inverse=True)

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation (2-D input only).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input features. If ``None``, ``feature_names_in_`` is used, or,
            without it, ``["x0", "x1", ..., "x(n_features_in_ - 1)"]``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The input feature names: scaling keeps the columns.
        """
        check_is_fitted(self, "input_shape_")
        if len(self.input_shape_) != 1:
            raise ValueError(
                "Feature names, and so set_output(transform='pandas'), are only "
                f"defined for 2-D input; {type(self).__name__} was fitted on "
                f"samples of shape {self.input_shape_}."
            )
        return super().get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # -- helpers -----------------------------------------------------------------------

    def _apply(self, X, *, copy, inverse):
        dtype = _output_dtype(X.dtype)
        if not copy and X.dtype == dtype and X.flags.writeable:
            out = X
        else:
            out = np.empty(X.shape, dtype=dtype)
        center = None if self.method == "scale" else self.center_.reshape(-1)
        layout = self._layout()
        self._check_state_matches(layout)
        scale = self.scale_.reshape(-1)
        try:
            affine(X, out, layout, center, scale, inverse=inverse)
        except FloatingPointError:
            raise self._overflow_error(dtype, scale, inverse=inverse) from None
        return out

    def _overflow_error(self, dtype, scale, *, inverse):
        if inverse:
            what = "inverse-transformed values X * scale_ + center_"
        else:
            formula = (
                "X / scale_" if self.method == "scale" else "(X - center_) / scale_"
            )
            what = (
                f"scaled values {formula} (the smallest scale_ is "
                f"{np.fmin.reduce(scale):.3g})"
            )
        return ValueError(
            f"The {what} overflow {dtype}: X holds values too large for the "
            f"statistics of this {type(self).__name__}, so the result is not "
            f"representable (beyond {np.finfo(dtype).max:.3g}). Divide X by a "
            "constant first, or fit on data of its range."
        )

    def _validate_X(self, X, *, reset, check_names=True):
        """Validate ``X``; on ``reset`` record its sample shape, else check it."""
        shape = getattr(X, "shape", None)
        if shape is None:  # lists and other array-likes: their shape is needed
            try:
                X = np.asarray(X)
            except ValueError as error:
                raise ValueError(
                    f"{type(self).__name__} takes samples of one shape, but X is "
                    "a list of samples of unequal shapes. Sequences of unequal "
                    "lengths go in one array, padded at the end with NaN: NaN is "
                    "left out of the statistics and kept in the output, as "
                    "sknn's sequence classifiers read it."
                ) from error
            shape = X.shape
        shape = tuple(shape)
        # numpy would take datetime64 and timedelta64 as numbers, or fail deep
        # inside the scaling: refuse them up front (their dtypes tell).
        found = time_content(X)
        if found is not None:
            raise time_data_error(self, found)
        if not reset and len(shape) > 1 and tuple(shape[1:]) != self.input_shape_:
            # Before validate_data, whose message would count only X.shape[1].
            raise self._shape_error(shape)
        params = {
            "allow_nd": True,
            # Tables get scikit-learn's checks (and its n_features_in_); N-D
            # input skips the X.shape[1] count, as n_features_in_ counts all
            # the values of a sample there.
            "ensure_2d": len(shape) <= 2,
            "dtype": "numeric",
            "ensure_all_finite": "allow-nan",
        }
        try:
            # scikit-learn's finiteness test sums X first: for finite values
            # near the end of the float64 range that sum is inf - inf, whose
            # "invalid value" warning would be about nothing wrong.
            with np.errstate(invalid="ignore"):
                if check_names:
                    X = validate_data(self, X, reset=reset, **params)
                else:
                    X = check_array(X, estimator=self, **params)
        except (TypeError, ValueError) as error:
            # Objects such as pandas Timestamps fail the conversion to float
            # with a message about float(); say what the data is instead.
            found = time_objects(X)
            if found is not None:
                raise time_data_error(self, found) from error
            raise
        if not reset:
            if X.shape[1:] != self.input_shape_:
                raise self._shape_error(X.shape)
            return X
        if X.ndim > 2:
            if 0 in X.shape[1:]:
                raise ValueError(
                    f"Found array with samples of shape {X.shape[1:]} (no values) "
                    f"while a minimum of 1 is required by {type(self).__name__}."
                )
            self.n_features_in_ = math.prod(X.shape[1:])
        self.input_shape_ = tuple(int(d) for d in X.shape[1:])
        return X

    def _shape_error(self, shape):
        name = type(self).__name__
        if len(shape) == 2 and len(self.input_shape_) == 1:
            return ValueError(
                f"X has {shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return ValueError(
            f"X has samples of shape {tuple(shape[1:])}, but {name} was fitted "
            f"on samples of shape {self.input_shape_}."
        )

    def _channel_index(self):
        """Position of the channel axis within ``input_shape_``."""
        ndim = len(self.input_shape_) + 1
        axis = self.channel_axis + ndim if self.channel_axis < 0 else self.channel_axis
        if not 1 <= axis < ndim:
            raise ValueError(
                f"channel_axis={self.channel_axis} does not name a channel axis of "
                f"X with {ndim} dimensions: axis 0 holds the samples, so it must "
                f"be in [1, {ndim - 1}] or [-{ndim - 1}, -1]."
            )
        return axis - 1

    def _layout(self):
        size = math.prod(self.input_shape_)
        if self.mode == "feature":
            return Layout(1, size, 1)
        if self.mode == "global":
            return Layout(size, 1, 1)
        index = self._channel_index()
        shape = self.input_shape_
        return Layout(
            math.prod(shape[:index]), shape[index], math.prod(shape[index + 1 :])
        )

    def _statistics_shape(self):
        if self.mode == "feature":
            return self.input_shape_
        if self.mode == "global":
            return ()
        return (self.input_shape_[self._channel_index()],)

    def _check_state_matches(self, layout):
        """Refuse parameters changed since fit (the statistics would not fit)."""
        missing = [a for a in _METHOD_ATTRIBUTES[self.method] if not hasattr(self, a)]
        if self.method == "scale" and self.divisor is not None:
            missing = []
        if self.scale_.size != layout.groups or missing:
            raise ValueError(
                f"The statistics of this {type(self).__name__} do not match its "
                f"parameters (method={self.method!r}, mode={self.mode!r}, "
                f"channel_axis={self.channel_axis}); they were changed after "
                "fitting. Call fit again."
            )
