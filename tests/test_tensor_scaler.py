"""Tests of sknn.preprocessing.TensorScaler against scikit-learn and numpy."""

import datetime
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    StandardScaler,
)
from sklearn.utils.estimator_checks import check_estimator

import sknn.preprocessing._blocks as blocks
import sknn.preprocessing._tensor_scaler as tensor_scaler
from sknn.preprocessing import TensorScaler

ROOT = Path(__file__).resolve().parents[1]

# Tolerances for "equal to float precision": statistics are float64 in both
# implementations, the results of float32 data are float32.
RTOL = {np.float32: 1e-6, np.float64: 1e-12}


def assert_scaled_close(actual, desired, X, scale, dtype):
    """Compare two computations of ``(X - m) / s``.

    They differ by the rounding of ``m`` (a different summation order), which
    the division amplifies by ``|X| / s``: the tolerance follows that
    conditioning instead of pretending the results must agree bitwise.
    """
    factor = scale / np.nanmax(np.abs(X), axis=0)
    assert_allclose(actual * factor, desired * factor, rtol=0, atol=RTOL[dtype])


def make_table(n_samples=300, n_features=5, seed=0, dtype=np.float64):
    """Columns with very different means and spreads (age next to income)."""
    rng = np.random.default_rng(seed)
    loc = rng.uniform(-1e3, 1e3, n_features)
    spread = np.geomspace(0.1, 1e4, n_features)
    return rng.normal(loc, spread, (n_samples, n_features)).astype(dtype)


def make_images(shape, channel_axis=-1, seed=0, dtype=np.float64):
    """Images whose channels differ in offset and scale, so that a scaler that
    pools channels, or does nothing, gets caught."""
    rng = np.random.default_rng(seed)
    n_channels = shape[channel_axis]
    bshape = [1] * len(shape)
    bshape[channel_axis] = n_channels
    offset = np.linspace(-50.0, 200.0, n_channels).reshape(bshape)
    scale = np.geomspace(0.5, 40.0, n_channels).reshape(bshape)
    return (offset + scale * rng.standard_normal(shape)).astype(dtype)


def channel_reference(X, channel_axis):
    """Per-channel (mean, std, min, max, max|x|) by numpy, shaped to broadcast."""
    axes = tuple(a for a in range(X.ndim) if a != channel_axis % X.ndim)
    return (
        np.nanmean(X, axis=axes, dtype=np.float64, keepdims=True),
        np.nanstd(X, axis=axes, dtype=np.float64, keepdims=True),
        np.nanmin(X, axis=axes, keepdims=True).astype(np.float64),
        np.nanmax(X, axis=axes, keepdims=True).astype(np.float64),
        np.nanmax(np.abs(X), axis=axes, keepdims=True).astype(np.float64),
    )


@pytest.fixture(params=["default", "tiny"])
def block_bytes(request, monkeypatch):
    """Run with the real block size and with tiny blocks (many blocks, folds
    with tails, merges between blocks)."""
    if request.param == "tiny":
        monkeypatch.setattr(blocks, "BLOCK_BYTES", 4096)
    return request.param


# -- tables: equal to scikit-learn's scalers -------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_features", [1, 3, 40])
def test_tensor_scaler_standard_equals_standard_scaler(dtype, n_features, block_bytes):
    X = make_table(n_samples=1003, n_features=n_features, dtype=dtype)
    ours = TensorScaler().fit(X)
    ref = StandardScaler().fit(X)

    assert_allclose(ours.mean_, ref.mean_, rtol=1e-12)
    assert_allclose(ours.var_, ref.var_, rtol=1e-11)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-11)
    Xt = ours.transform(X)
    assert Xt.dtype == dtype
    assert_scaled_close(Xt, ref.transform(X), X, ref.scale_, dtype)
    assert_array_equal(ours.n_values_seen_, ref.n_samples_seen_)
    assert ours.n_samples_seen_ == X.shape[0] and ours.n_features_in_ == n_features


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 2.5)])
def test_tensor_scaler_minmax_equals_minmax_scaler(dtype, feature_range, block_bytes):
    X = make_table(n_samples=1003, n_features=7, dtype=dtype)
    X_new = make_table(n_samples=50, n_features=7, seed=1, dtype=dtype)
    ours = TensorScaler(method="minmax", feature_range=feature_range).fit(X)
    ref = MinMaxScaler(feature_range=feature_range).fit(X)

    assert_array_equal(ours.data_min_, ref.data_min_)
    assert_array_equal(ours.data_max_, ref.data_max_)
    for data in (X, X_new):
        Xt = ours.transform(data)
        assert Xt.dtype == dtype
        assert_scaled_close(Xt, ref.transform(data), data, ours.scale_, dtype)
    Xt = ours.transform(X)
    for got, want in (
        (Xt.min(axis=0), feature_range[0]),
        (Xt.max(axis=0), feature_range[1]),
    ):
        assert_scaled_close(got, np.full(7, want), X, ours.scale_, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_scaler_scale_equals_max_abs_scaler(dtype):
    X = make_table(n_samples=500, n_features=6, dtype=dtype)
    ours = TensorScaler(method="scale").fit(X)
    ref = MaxAbsScaler().fit(X)

    assert_array_equal(ours.max_abs_, ref.max_abs_)
    assert_allclose(ours.transform(X), ref.transform(X), rtol=RTOL[dtype])
    assert_array_equal(ours.center_, 0.0)


def test_tensor_scaler_feature_mode_on_images_equals_flattened_standard_scaler():
    X = make_images((60, 4, 5, 3))
    ours = TensorScaler().fit(X)
    ref = StandardScaler().fit(X.reshape(len(X), -1))

    assert ours.mean_.shape == (4, 5, 3)
    assert_allclose(ours.mean_.ravel(), ref.mean_, rtol=1e-12)
    assert_allclose(
        ours.transform(X).reshape(len(X), -1), ref.transform(X.reshape(len(X), -1))
    )
    assert ours.n_features_in_ == 60 and ours.input_shape_ == (4, 5, 3)


# -- N-D: per channel and global -------------------------------------------------------


@pytest.mark.parametrize(
    "shape, channel_axis",
    [
        ((40, 6, 7, 3), -1),  # images, channels last
        ((40, 3, 6, 7), 1),  # images, channels first
        ((12, 4, 5, 6, 2), -1),  # volumes, channels last
        ((12, 2, 4, 5, 6), 1),  # volumes, channels first
        ((30, 5, 4, 6), 2),  # channels in the middle
        ((30, 5, 4, 6), -2),
    ],
)
@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
def test_tensor_scaler_channel_mode_matches_numpy(
    shape, channel_axis, method, block_bytes
):
    X = make_images(shape, channel_axis)
    mean, std, low, high, max_abs = channel_reference(X, channel_axis)
    scaler = TensorScaler(method=method, mode="channel", channel_axis=channel_axis)
    Xt = scaler.fit_transform(X)

    n_channels = shape[channel_axis]
    assert scaler.center_.shape == scaler.scale_.shape == (n_channels,)
    if method == "standard":
        assert_allclose(scaler.mean_, mean.ravel(), rtol=1e-12)
        assert_allclose(scaler.var_, std.ravel() ** 2, rtol=1e-11)
        expected = (X - mean) / std
    elif method == "minmax":
        assert_array_equal(scaler.data_min_, low.ravel())
        assert_array_equal(scaler.data_max_, high.ravel())
        expected = (X - low) / (high - low)
    else:
        assert_array_equal(scaler.max_abs_, max_abs.ravel())
        expected = X / max_abs
    assert Xt.shape == X.shape
    assert_allclose(Xt, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
def test_tensor_scaler_global_mode_uses_one_statistic(method):
    X = make_images((20, 5, 5, 3))
    scaler = TensorScaler(method=method, mode="global").fit(X)
    Xt = scaler.transform(X)

    assert scaler.center_.shape == scaler.scale_.shape == ()
    expected = {
        "standard": (X - X.mean()) / X.std(),
        "minmax": (X - X.min()) / (X.max() - X.min()),
        "scale": X / np.abs(X).max(),
    }[method]
    assert_allclose(Xt, expected, rtol=1e-10, atol=1e-12)


def test_tensor_scaler_scale_divides_pixels_by_constant_or_observed_max():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 8, 8, 3), dtype=np.uint8)
    images[..., 2] //= 2  # channel maxima 255, 255, 127

    by_255 = TensorScaler(method="scale", divisor=255).fit_transform(images)
    assert by_255.dtype == np.float32
    assert_array_equal(by_255, images.astype(np.float32) / np.float32(255))

    scaler = TensorScaler(method="scale", mode="channel").fit(images)
    assert_array_equal(scaler.max_abs_, images.reshape(-1, 3).max(axis=0))
    assert_allclose(
        scaler.transform(images).max(axis=(0, 1, 2)), [1.0, 1.0, 1.0], rtol=1e-7
    )


# -- inverse, partial_fit --------------------------------------------------------------


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
@pytest.mark.parametrize("mode", ["feature", "channel", "global"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_scaler_inverse_transform_round_trip(method, mode, dtype):
    X = make_images((25, 4, 4, 3), dtype=dtype)
    scaler = TensorScaler(method=method, mode=mode).fit(X)
    Xt = scaler.transform(X)
    back = scaler.inverse_transform(Xt)

    assert back.dtype == dtype
    assert not np.allclose(Xt, X)
    assert_allclose(back, X, rtol=RTOL[dtype], atol=10 * RTOL[dtype] * np.abs(X).max())


def test_tensor_scaler_inverse_transform_recovers_uint8_images_exactly():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 16, 16, 3), dtype=np.uint8)
    for scaler in (
        TensorScaler(mode="channel"),
        TensorScaler(method="minmax", mode="channel"),
        TensorScaler(method="scale", divisor=255),
    ):
        back = scaler.inverse_transform(scaler.fit_transform(images))
        assert_array_equal(np.rint(back).astype(np.uint8), images)


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
@pytest.mark.parametrize("mode", ["feature", "channel", "global"])
@pytest.mark.parametrize("splits", [[1], [50], [7, 13, 40], list(range(5, 100, 10))])
def test_tensor_scaler_partial_fit_equals_fit_on_concatenation(method, mode, splits):
    X = make_images((100, 3, 4, 2))
    X[X < -80] = np.nan  # missing values must be merged consistently too
    full = TensorScaler(method=method, mode=mode).fit(X)
    chunked = TensorScaler(method=method, mode=mode)
    for chunk in np.split(X, splits):
        chunked.partial_fit(chunk)

    assert chunked.n_samples_seen_ == full.n_samples_seen_ == 100
    for name in ("center_", "scale_", "mean_", "var_", "data_min_", "data_max_"):
        if hasattr(full, name):
            assert_allclose(getattr(chunked, name), getattr(full, name), rtol=1e-12)
    if method == "standard":
        assert_array_equal(chunked.n_values_seen_, full.n_values_seen_)
    assert_allclose(chunked.transform(X), full.transform(X), rtol=1e-11, atol=1e-13)


def test_tensor_scaler_variance_is_stable_for_large_offsets():
    # Summing raw squares (E[x^2] - E[x]^2) returns 0 or garbage here. At 1e9
    # the data itself is rounded to 1.2e-7, which bounds any merged variance's
    # accuracy to about that: rtol=1e-6 is tight for this conditioning.
    rng = np.random.default_rng(0)
    X = 1e9 + rng.standard_normal((20_000, 3))
    naive = (X**2).mean(axis=0) - X.mean(axis=0) ** 2
    assert not np.allclose(naive, X.var(axis=0), rtol=1e-2)
    chunked = TensorScaler()
    for chunk in np.array_split(X, 7):
        chunked.partial_fit(chunk)
    for scaler in (TensorScaler().fit(X), chunked):
        assert_allclose(scaler.var_, X.var(axis=0), rtol=1e-6)
        assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-14)


# -- dtypes, copies, memory ------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.uint8, np.float32),
        (np.int16, np.float32),
        (np.bool_, np.float32),
        (np.float16, np.float32),
        (np.int64, np.float64),
    ],
)
def test_tensor_scaler_output_dtype(dtype, expected):
    X = np.random.default_rng(0).integers(0, 200, size=(20, 4, 4, 3))
    X = (X > 100 if dtype == np.bool_ else X).astype(dtype)
    scaler = TensorScaler(mode="channel").fit(X)
    Xt = scaler.transform(X)
    assert Xt.dtype == expected
    assert scaler.inverse_transform(Xt).dtype == expected
    assert scaler.mean_.dtype == np.float64
    assert_allclose(Xt, (X - scaler.mean_) / scaler.scale_, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("order", ["C", "F"])
def test_tensor_scaler_copy_false_scales_in_place(order):
    X = np.asarray(make_table(), order=order)
    original = X.copy()
    scaler = TensorScaler(copy=False).fit(X)
    Xt = scaler.transform(X)
    assert Xt is X
    expected = StandardScaler().fit_transform(original)
    assert_scaled_close(X, expected, original, scaler.scale_, np.float64)

    back = scaler.inverse_transform(Xt)
    assert back is X
    assert_allclose(X, original, rtol=1e-12)


def test_tensor_scaler_copy_true_leaves_input_alone():
    X = make_table()
    original = X.copy()
    scaler = TensorScaler().fit(X)
    for Xt in (scaler.transform(X), scaler.transform(X, copy=True)):
        assert not np.shares_memory(Xt, X)
    scaler.inverse_transform(X)
    assert_array_equal(X, original)
    # copy=False on transform overrides the parameter.
    assert scaler.transform(X, copy=False) is X


def test_tensor_scaler_copy_false_copies_what_it_cannot_overwrite():
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 4, 3), dtype=np.uint8)
    scaler = TensorScaler(mode="channel", copy=False).fit(images)
    assert scaler.transform(images).dtype == np.float32
    assert images.dtype == np.uint8

    X = make_table()
    X.flags.writeable = False
    scaler = TensorScaler(copy=False).fit(X)
    Xt = scaler.transform(X)
    assert not np.shares_memory(Xt, X)


def test_tensor_scaler_strided_input_equals_contiguous():
    X = make_images((30, 3, 6, 5), channel_axis=1)
    last = X.transpose(0, 2, 3, 1)  # a non-contiguous channels-last view
    scaler = TensorScaler(mode="channel").fit(last)
    contiguous = TensorScaler(mode="channel").fit(np.ascontiguousarray(last))
    assert_allclose(scaler.mean_, contiguous.mean_, rtol=1e-13)
    assert_allclose(scaler.transform(last), contiguous.transform(last), rtol=1e-13)
    assert_allclose(
        scaler.transform(last),
        TensorScaler(mode="channel", channel_axis=1)
        .fit_transform(X)
        .transpose(0, 2, 3, 1),
        rtol=1e-12,
        atol=1e-13,
    )


def test_tensor_scaler_uint8_fit_transform_makes_one_float_copy():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (1000, 32, 32, 3), dtype=np.uint8)
    scaler = TensorScaler(mode="channel")
    tracemalloc.start()
    try:
        scaler.fit(images)
        fit_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        Xt = scaler.transform(images)
        transform_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    float32_copy = images.size * 4
    assert Xt.nbytes == float32_copy
    # Fitting holds one block-sized float64 scratch buffer, not a copy.
    assert fit_peak < blocks.BLOCK_BYTES + 2**20 < float32_copy / 4
    assert transform_peak < float32_copy + 2**20


# -- edge values: constants, NaN, inf --------------------------------------------------


@pytest.mark.parametrize(
    "method, scales, constant_out, zero_out",
    [
        ("standard", [1, 1], 0.0, 0.0),
        ("minmax", [0.5, 0.5], -1.0, -1.0),  # a range of 1 over the target's 2
        ("scale", [7, 1], 1.0, 0.0),
    ],
)
def test_tensor_scaler_constant_channels_get_unit_scale(
    method, scales, constant_out, zero_out
):
    X = make_images((20, 4, 4, 3))
    X[..., 0] = 7.0
    X[..., 1] = 0.0
    scaler = TensorScaler(method=method, mode="channel", feature_range=(-1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xt = scaler.fit_transform(X)
    assert_array_equal(scaler.scale_[:2], scales)
    assert_allclose(Xt[..., 0], constant_out, atol=1e-12)
    assert_allclose(Xt[..., 1], zero_out, atol=1e-12)
    assert np.isfinite(Xt).all() and Xt[..., 2].std() > 0.1


@pytest.mark.parametrize(
    "method, reference", [("standard", StandardScaler), ("minmax", MinMaxScaler)]
)
def test_tensor_scaler_nan_is_ignored_in_fit_and_kept_in_transform(method, reference):
    X = make_table(n_samples=200, n_features=4)
    rng = np.random.default_rng(1)
    X[rng.random(X.shape) < 0.25] = np.nan
    X[:, 3] = np.nan  # an all-NaN column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's, on column 3
        expected = reference().fit(X).transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = TensorScaler(method=method).fit(X)
    Xt = scaler.transform(X)
    assert_array_equal(np.isnan(Xt), np.isnan(X))
    assert np.isnan(scaler.center_[3]) and not np.isnan(scaler.center_[:3]).any()
    assert_scaled_close(
        Xt[:, :3], expected[:, :3], X[:, :3], scaler.scale_[:3], np.float64
    )


def test_tensor_scaler_nan_per_channel_matches_nan_aware_numpy():
    X = make_images((30, 5, 5, 2))
    X[np.random.default_rng(0).random(X.shape) < 0.3] = np.nan
    scaler = TensorScaler(mode="channel").fit(X)
    mean, std, *_ = channel_reference(X, -1)
    assert_allclose(scaler.mean_, mean.ravel(), rtol=1e-12)
    assert_allclose(scaler.transform(X), (X - mean) / std, rtol=1e-10, equal_nan=True)
    assert_array_equal(scaler.n_values_seen_, (~np.isnan(X)).sum(axis=(0, 1, 2)))


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_tensor_scaler_refuses_infinite_values(bad):
    X = make_images((10, 3, 3, 2))
    X_bad = X.copy()
    X_bad[3, 1, 1, 0] = bad
    with pytest.raises(ValueError, match="Input X contains infinity"):
        TensorScaler(mode="channel").fit(X_bad)
    scaler = TensorScaler(mode="channel").fit(X)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        scaler.transform(X_bad)


# -- edge values: the end of the float range -------------------------------------------

FLOAT64_MAX = np.finfo(np.float64).max


def shrink(X, axis=0):
    """``X`` divided by a power of two per column (or per ``axis`` group), which
    is exact, so that numpy and scikit-learn can square it; and the factors."""
    peak = np.nanmax(np.abs(X), axis=axis, keepdims=True)
    factor = np.ldexp(1.0, np.frexp(peak)[1] - 1)
    return X / factor, factor


def assert_recovered(back, X, axis=0, rtol=1e-14):
    """``back`` equals ``X`` to ``rtol`` of the largest value of its column (or
    ``axis`` group): the rounding of the scaled values, scaled back."""
    peak = np.nanmax(np.abs(X), axis=axis, keepdims=True)
    assert_allclose(back / peak, X / peak, rtol=0, atol=rtol)


def huge_table(n_samples=1003, seed=0):
    """Columns whose squares overflow float64 (values near 1e308, a few 1e300
    among 1e200), next to a large and an ordinary one, with NaNs."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n_samples, 4)) * [1e308, 1e200, 1e10, 1.0]
    X[:10, 1] = 1e300
    X[:, 2] += 3e10
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


@pytest.mark.parametrize(
    "X",
    [
        np.array([[1e308], [-1e308], [0.0]]),
        np.array([[1e308], [1e308], [-1e308]]),
        np.array([[FLOAT64_MAX], [-FLOAT64_MAX], [0.0], [FLOAT64_MAX]]),
        np.array([[1.2e154]] * 600 + [[-1.2e154]] * 600),  # only the sums overflow
        huge_table(),
    ],
    ids=["pm1e308", "mean1e308", "float64_max", "sums_overflow", "table"],
)
def test_tensor_scaler_standard_of_huge_values_equals_standard_scaler_on_shrunk(
    X, block_bytes
):
    # Standardizing is invariant to dividing a column by a constant, so
    # StandardScaler on the exactly shrunk data is the reference.
    small, factor = shrink(X)
    ref = StandardScaler().fit(small)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = TensorScaler().fit(X)
        Xt = scaler.transform(X)
        back = scaler.inverse_transform(Xt)

    assert_array_equal(np.isnan(Xt), np.isnan(X))
    assert np.isfinite(Xt[~np.isnan(X)]).all()
    assert np.isfinite(scaler.mean_).all() and np.isfinite(scaler.scale_).all()
    assert_allclose(scaler.scale_, ref.scale_ * factor.ravel(), rtol=1e-12)
    assert_allclose(
        (scaler.mean_ - ref.mean_ * factor.ravel()) / scaler.scale_, 0, atol=1e-12
    )
    with np.errstate(over="ignore"):
        var = ref.var_ * factor.ravel() ** 2  # inf beyond the float64 range
    assert_allclose(scaler.var_, var, rtol=1e-12)
    assert_scaled_close(Xt, ref.transform(small), small, ref.scale_, np.float64)
    assert_recovered(back, X)


@pytest.mark.parametrize(
    "method, reference",
    [
        ("minmax", MinMaxScaler(feature_range=(-1, 1))),
        ("scale", MaxAbsScaler()),
    ],
)
@pytest.mark.parametrize(
    "X",
    [
        np.array([[1e308], [-1e308], [0.0]]),
        np.array([[FLOAT64_MAX], [-FLOAT64_MAX], [0.0], [FLOAT64_MAX]]),
        huge_table(),
    ],
    ids=["pm1e308", "float64_max", "table"],
)
def test_tensor_scaler_range_of_huge_values_equals_scikit_learn_on_shrunk(
    X, method, reference, block_bytes
):
    # max - min overflows here: with feature_range=(-1, 1), scale_ is half
    # of it and representable.
    small, factor = shrink(X)
    ref = clone(reference).fit(small)
    scaler = TensorScaler(method=method, feature_range=(-1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xt = scaler.fit_transform(X)
        back = scaler.inverse_transform(Xt)

    assert np.isfinite(scaler.scale_).all() and np.isfinite(scaler.center_).all()
    assert_allclose(Xt, ref.transform(small), rtol=1e-14, atol=1e-15)
    assert_recovered(back, X)
    if method == "minmax":
        assert_array_equal(scaler.data_min_, np.nanmin(X, axis=0))
        assert_array_equal(scaler.data_max_, np.nanmax(X, axis=0))
        assert_allclose(scaler.scale_, (1 / ref.scale_) * factor.ravel(), rtol=1e-15)
    else:
        assert_array_equal(scaler.max_abs_, np.nanmax(np.abs(X), axis=0))


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
def test_tensor_scaler_partial_fit_of_huge_values_equals_fit(method):
    X = huge_table(n_samples=400)
    # A first chunk of ordinary size, then ones whose squares overflow.
    X[:50] *= 1e-200
    full = TensorScaler(method=method, feature_range=(-1, 1)).fit(X)
    chunked = TensorScaler(method=method, feature_range=(-1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for chunk in np.split(X, [50, 130, 131, 300]):
            chunked.partial_fit(chunk)

    for name in ("center_", "scale_", "var_", "data_min_", "data_max_", "max_abs_"):
        if hasattr(full, name):
            assert_allclose(getattr(chunked, name), getattr(full, name), rtol=1e-12)
    if method == "standard":
        assert np.isinf(full.var_[0]) and np.isinf(chunked.var_[0])
        small, factor = shrink(X)
        assert_allclose(full.scale_, np.nanstd(small, axis=0) * factor.ravel())
    assert_allclose(chunked.transform(X), full.transform(X), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize(
    "magnitude", [1e-160, 1e-300, 1e-315], ids=["1e-160", "1e-300", "subnormal"]
)
def test_tensor_scaler_standard_of_tiny_values_is_not_lost_to_underflow(
    magnitude, block_bytes
):
    # Their squares underflow (StandardScaler finds a variance of 0 and
    # leaves the column unscaled); on data multiplied by 2**1000 they do not.
    rng = np.random.default_rng(0)
    X = rng.normal([0.5, -2, 0], [1, 3, 0], (1003, 3)) * magnitude
    assert not X[:, 2].any()  # zeros, a constant: still scale_ = 1
    big = X * 2.0**1000
    ref = StandardScaler().fit(big)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = TensorScaler().fit(X)
        Xt = scaler.transform(X)
    # Subnormal values, and so their mean_, have an absolute precision of
    # 5e-324 only: about 5e-9 of their spread here.
    tol = 1e-12 if magnitude >= 1e-300 else 1e-8
    assert_allclose(scaler.scale_[:2], ref.scale_[:2] / 2.0**1000, rtol=tol)
    assert scaler.scale_[2] == 1.0
    assert_allclose(Xt, ref.transform(big), rtol=0, atol=tol)
    chunked = TensorScaler()
    for chunk in np.array_split(X, 5):
        chunked.partial_fit(chunk)
    assert_allclose(chunked.scale_, scaler.scale_, rtol=tol)
    assert_allclose(chunked.mean_, scaler.mean_, rtol=tol, atol=0)


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
@pytest.mark.parametrize("mode", ["channel", "global"])
def test_tensor_scaler_huge_images_per_channel_and_global(method, mode):
    # Channels of values near 1e308, 1e200 and 1: equal to the statistics of
    # the images divided by a power of two per channel (or over all values).
    X = make_images((20, 4, 5, 3)) * [1e306, 1e200, 1.0]
    axis = (0, 1, 2) if mode == "channel" else None
    small, factor = shrink(X, axis=axis)
    mean, std, low, high, max_abs = channel_reference(small, -1)
    if mode == "global":
        mean, std = small.mean(), small.std()
        low, high, max_abs = small.min(), small.max(), np.abs(small).max()
    expected = {
        "standard": (small - mean) / std,
        "minmax": 2 * (small - low) / (high - low) - 1,
        "scale": small / max_abs,
    }[method]
    scaler = TensorScaler(method=method, mode=mode, feature_range=(-1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xt = scaler.fit_transform(X)
        back = scaler.inverse_transform(Xt)
    assert_allclose(Xt, expected, rtol=1e-10, atol=1e-12)
    assert_allclose(back, X, rtol=1e-12, atol=1e-12 * np.abs(X).max())


@pytest.mark.parametrize("method", ["standard", "minmax", "scale"])
def test_tensor_scaler_float32_near_its_largest_value(method):
    X = (np.random.default_rng(0).uniform(-1, 1, (300, 3)) * 3e38).astype(np.float32)
    X[0] = np.finfo(np.float32).max
    reference = {
        "standard": StandardScaler(),
        "minmax": MinMaxScaler(feature_range=(-1, 1)),
        "scale": MaxAbsScaler(),
    }[method]
    expected = reference.fit_transform(X.astype(np.float64))
    scaler = TensorScaler(method=method, feature_range=(-1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xt = scaler.fit_transform(X)
        back = scaler.inverse_transform(Xt)
    assert Xt.dtype == back.dtype == np.float32
    assert_allclose(Xt, expected, rtol=1e-6, atol=1e-6)
    assert_recovered(back, X, rtol=1e-6)


def test_tensor_scaler_transform_beyond_the_fitted_range_stays_exact():
    # A centre near 1e308: x - center_ overflows for x = -1e308, although
    # the standardized value does not.
    X = np.array([[1e308], [0.9e308], [0.95e308]])
    X_new = np.array([[-1e308], [FLOAT64_MAX], [0.0]])
    scaler = TensorScaler().fit(X)
    small, factor = shrink(np.vstack([X, X_new]))
    ref = StandardScaler().fit(small[:3])
    Xt = scaler.transform(X_new)
    assert_allclose(Xt, ref.transform(small[3:]), rtol=1e-13)
    assert_allclose(scaler.inverse_transform(Xt), X_new, rtol=1e-14)
    copy = X_new.copy()
    scaler.set_params(copy=False).transform(copy)
    assert_allclose(copy, Xt, rtol=1e-13)


@pytest.mark.parametrize(
    "X, feature_range",
    [
        ([[1e308], [-1e308]], (0, 1)),  # scale_ = 2e308
        ([[-1e308], [-0.5e308]], (5, 6)),  # center_ = -3.5e308
        ([[0.0], [1e-10]], (0, 1e300)),  # scale_ = 1e-310, subnormal
        ([[0.0], [1e-14]], (-1e308, 1e308)),  # scale_ = 5e-323
    ],
)
def test_tensor_scaler_minmax_refuses_a_map_it_cannot_represent(X, feature_range):
    scaler = TensorScaler(method="minmax", feature_range=feature_range)
    with pytest.raises(ValueError, match="not representable in float64"):
        scaler.fit(np.array(X))
    # A refused fit leaves nothing behind.
    assert not hasattr(scaler, "n_features_in_")
    with pytest.raises(NotFittedError):
        scaler.transform(np.array(X))


def test_tensor_scaler_partial_fit_refused_keeps_the_earlier_statistics():
    scaler = TensorScaler(method="minmax").fit(np.array([[1e308], [0.0]]))
    before = {k: np.copy(v) for k, v in vars(scaler).items() if k.endswith("_")}
    with pytest.raises(ValueError, match="not representable in float64"):
        scaler.partial_fit(np.array([[-1e308]]))  # max - min = 2e308
    assert scaler.n_samples_seen_ == 2
    for name, value in before.items():
        assert_array_equal(getattr(scaler, name), value)


def test_tensor_scaler_minmax_onto_a_range_wider_than_float64():
    # max - min of feature_range overflows; the map itself does not.
    X = np.array([[0.0], [0.25e10], [1e10]])
    scaler = TensorScaler(method="minmax", feature_range=(-1e308, 1e308)).fit(X)
    Xt = scaler.transform(X)
    assert_allclose(scaler.scale_, [5e-299], rtol=1e-15)
    assert_allclose(Xt.ravel(), [-1e308, -0.5e308, 1e308], rtol=1e-15)
    assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-15, atol=1e-5)


@pytest.mark.parametrize(
    "X, divisor, expected",
    [
        (np.array([[1e-300], [0.0], [-2e-300]]), 1e-310, [1e10, 0.0, -2e10]),
        # 1e-40 is subnormal in float32: computed in float64, then cast.
        (np.array([[1e-30], [0.0]], dtype=np.float32), 1e-40, [1e10, 0.0]),
    ],
)
def test_tensor_scaler_tiny_divisor_divides_exactly(X, divisor, expected):
    scaler = TensorScaler(method="scale", divisor=divisor)
    Xt = scaler.fit_transform(X)
    assert Xt.dtype == X.dtype
    assert_allclose(Xt.ravel(), expected, rtol=1e-6 if X.dtype == np.float32 else 1e-14)
    assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-6)


@pytest.mark.parametrize(
    "X, dtype",
    [
        (np.array([[1.0], [0.0]]), "float64"),
        (np.array([[1], [0]], dtype=np.uint8), "float32"),
        (np.array([[1e-20], [0]], dtype=np.float32), "float32"),
    ],
)
@pytest.mark.parametrize("copy", [True, False])
def test_tensor_scaler_tiny_divisor_refuses_results_that_overflow(X, dtype, copy):
    scaler = TensorScaler(method="scale", divisor=1e-310, copy=copy).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"values X / scale_ .* overflow {dtype}"):
            scaler.transform(X)


def test_tensor_scaler_refuses_transforms_that_overflow():
    # A standard deviation of 1e-150, then data of 1e200: the standardized
    # values would be about 1e350.
    scaler = TensorScaler().fit(np.array([[0.0], [2e-150]]))
    with pytest.raises(ValueError, match=r"\(X - center_\) / scale_ .* overflow"):
        scaler.transform(np.array([[1e200]]))
    scaler = TensorScaler(method="scale").fit(np.array([[1e300], [-1e300]]))
    with pytest.raises(ValueError, match=r"X \* scale_ \+ center_ overflow float64"):
        scaler.inverse_transform(np.array([[1e10]]))
    # Where the result is representable, the same scalers give it.
    assert_allclose(scaler.inverse_transform(np.array([[1.5]])), [[1.5e300]])


def test_tensor_scaler_ordinary_data_takes_the_single_pass(monkeypatch):
    # The second, scaled pass of fit and the float64 path of transform are for
    # the ends of the float range only; all-zero and constant columns (blank
    # pixels), float32 and uint8 data must not take them.
    def refuse(*args, **kwargs):
        raise AssertionError("a slow path was taken")

    monkeypatch.setattr(tensor_scaler, "scaled_block_moments", refuse)
    monkeypatch.setattr(blocks, "_wide_affine", refuse)
    X = make_table(n_samples=500, n_features=6)
    X[:, 1] = 0.0
    X[:, 2] = 7.0
    X[:, 3] *= 1e-100
    X[::7, 4] = np.nan
    images = np.random.default_rng(0).integers(0, 256, (20, 8, 8, 3), np.uint8)
    for data in (X, X.astype(np.float32), images):
        for method in ("standard", "minmax", "scale"):
            for mode in ("feature", "global"):
                scaler = TensorScaler(method=method, mode=mode)
                scaler.inverse_transform(scaler.fit(data).transform(data))
                scaler.partial_fit(data)


# -- shapes and parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    "fit_shape, bad_shape, message",
    [
        (
            (10, 8, 8, 3),
            (10, 8, 8, 1),
            r"samples of shape \(8, 8, 1\), but .* \(8, 8, 3\)",
        ),
        ((10, 8, 8, 3), (10, 8, 3, 8), r"samples of shape \(8, 3, 8\)"),
        ((10, 8, 8, 3), (10, 192), r"samples of shape \(192,\), but .* \(8, 8, 3\)"),
        ((10, 192), (10, 8, 8, 3), r"samples of shape \(8, 8, 3\), but .* \(192,\)"),
        ((10, 4), (10, 5), "X has 5 features, but TensorScaler is expecting 4"),
    ],
)
def test_tensor_scaler_refuses_samples_of_another_shape(fit_shape, bad_shape, message):
    rng = np.random.default_rng(0)
    scaler = TensorScaler(mode="global").fit(rng.random(fit_shape))
    X_bad = rng.random(bad_shape)
    for method in (scaler.transform, scaler.inverse_transform, scaler.partial_fit):
        with pytest.raises(ValueError, match=message):
            method(X_bad)
    with pytest.raises(ValueError, match=message):
        scaler.transform(X_bad.tolist())


@pytest.mark.parametrize(
    "params, message",
    [
        ({"mode": "channel", "channel_axis": 0}, "axis 0 holds the samples"),
        ({"mode": "channel", "channel_axis": 4}, r"must\s+be in \[1, 3\]"),
        ({"mode": "channel", "channel_axis": -4}, "does not name a channel axis"),
        ({"method": "minmax", "feature_range": (1, 0)}, "min < max"),
        ({"method": "minmax", "feature_range": (0, 1, 2)}, "tuple"),
        ({"method": "scale", "divisor": 0}, "divisor"),
        ({"method": "scale", "divisor": np.inf}, "divisor"),
        ({"method": "robust"}, "method"),
        ({"mode": "pixel"}, "mode"),
    ],
)
def test_tensor_scaler_refuses_invalid_parameters(params, message):
    X = make_images((5, 4, 4, 3))
    scaler = TensorScaler(**params)
    with pytest.raises(ValueError, match=message):
        scaler.fit(X)
    with pytest.raises(NotFittedError):
        scaler.transform(X)


@pytest.mark.parametrize(
    "feature_range, problem",
    [
        ((0, np.inf), "not finite"),
        ((-np.inf, 1), "not finite"),
        ((np.nan, 1), "not finite"),
        ((0, 10**400), "not finite"),  # an int beyond float64
        ((1, 1), "min is not below its max"),
        ((2.5, -1), "min is not below its max"),
        (("0", 1), "not a real number"),
        ((None, 1), "not a real number"),
        ((False, True), "not a real number"),
        ((np.False_, 1), "not a real number"),
        ((0,), "has 1 values, not 2"),
    ],
)
@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_tensor_scaler_refuses_a_bad_feature_range(feature_range, problem, method):
    # Checked whatever the method, as any parameter, before looking at X.
    scaler = TensorScaler(method=method, feature_range=feature_range)
    message = (
        r"feature_range must be a tuple \(min, max\) of two finite numbers with "
        rf"min < max, got .*, (which|whose) .*{problem}\.$"
    )
    with pytest.raises(ValueError, match=message):
        scaler.fit(make_table())
    assert not hasattr(scaler, "n_features_in_")


@pytest.mark.parametrize("feature_range", [(np.float32(-1), np.int64(2)), (0.0, 1e300)])
def test_tensor_scaler_accepts_numpy_and_extreme_feature_ranges(feature_range):
    X = make_table()
    Xt = TensorScaler(method="minmax", feature_range=feature_range).fit_transform(X)
    low, high = map(float, feature_range)
    expected = MinMaxScaler(feature_range=(low, high)).fit_transform(X)
    # Rounding of min, amplified by |X| / (max - min), relative to the width.
    assert_allclose(Xt / (high - low), expected / (high - low), rtol=0, atol=1e-11)


@pytest.mark.parametrize("channel_axis", [True, False, np.True_])
def test_tensor_scaler_refuses_a_boolean_channel_axis(channel_axis):
    # bool is an Integral in Python; as every integer parameter of sknn,
    # channel_axis takes none (True would silently mean axis 1).
    scaler = TensorScaler(mode="channel", channel_axis=channel_axis)
    with pytest.raises(ValueError, match="'channel_axis' parameter .* Got"):
        scaler.fit(make_images((5, 3, 4, 4)))


def test_tensor_scaler_accepts_numpy_integers_as_channel_axis():
    X = make_images((5, 3, 4, 4), channel_axis=1)
    scaler = TensorScaler(mode="channel", channel_axis=np.int64(1)).fit(X)
    assert_allclose(
        scaler.mean_, TensorScaler(mode="channel", channel_axis=1).fit(X).mean_
    )


def time_inputs():
    days = np.array(["2020-01-01", "2021-06-15", "2022-12-31"], dtype="datetime64[D]")
    stamps = pd.to_datetime(days)
    return {
        "datetime64": (days.reshape(-1, 1), "dtype datetime64"),
        "timedelta64": ((days - days[0]).reshape(-1, 1), "dtype timedelta64"),
        "datetime64_images": (
            np.broadcast_to(days[:, None, None, None], (3, 2, 2, 1)),
            "dtype datetime64",
        ),
        "dataframe": (pd.DataFrame({"when": stamps}), r"the column\(s\) 'when'"),
        "dataframe_mixed": (
            pd.DataFrame({"age": [30.0, 40, 50], "when": stamps}),
            r"the column\(s\) 'when' \(datetime64",
        ),
        "dataframe_tz": (
            pd.DataFrame({"when": stamps.tz_localize("UTC")}),
            r"the column\(s\) 'when' \(datetime64\[\w+, UTC\]\)",
        ),
        "dataframe_timedelta": (
            pd.DataFrame({"wait": stamps - stamps[0], "x": [1.0, 2, 3]}),
            r"the column\(s\) 'wait' \(timedelta64",
        ),
        "timestamp_objects": (
            np.array([[t] for t in stamps], dtype=object),
            "values of type Timestamp",
        ),
        "datetime_list": (
            [[datetime.datetime(2020, 1, 1), 1.0], [datetime.datetime(2021, 1, 1), 2]],
            "values of type datetime",
        ),
        "date_objects": (
            pd.DataFrame({"day": [datetime.date(2020, 1, d) for d in (1, 2, 3)]}),
            "values of type date",
        ),
    }


@pytest.mark.parametrize("name", list(time_inputs()))
def test_tensor_scaler_refuses_datetime_and_timedelta_input(name):
    X, what = time_inputs()[name]
    message = (
        rf"TensorScaler does not accept datetime or timedelta data, but X has {what}"
    )
    with pytest.raises(ValueError, match=message):
        TensorScaler().fit(X)
    # transform and inverse_transform refuse them as well, after a fit on
    # numbers of the same shape.
    numbers = np.arange(np.size(np.asarray(X, dtype=object)), dtype=float)
    numbers = numbers.reshape(np.shape(np.asarray(X, dtype=object)))
    if isinstance(X, pd.DataFrame):
        numbers = pd.DataFrame(numbers, columns=X.columns)
    scaler = TensorScaler().fit(numbers)
    for method in (scaler.transform, scaler.inverse_transform, scaler.partial_fit):
        with pytest.raises(ValueError, match=message):
            method(X)


def test_tensor_scaler_refuses_parameters_changed_after_fit():
    X = make_images((10, 4, 4, 3))
    scaler = TensorScaler(mode="channel").fit(X)
    scaler.set_params(mode="feature")
    with pytest.raises(ValueError, match="changed after fitting"):
        scaler.transform(X)
    scaler.set_params(mode="channel", method="minmax")
    with pytest.raises(ValueError, match="changed after fitting"):
        scaler.partial_fit(X)


def test_tensor_scaler_refuses_one_dimensional_input():
    with pytest.raises(ValueError, match="Reshape your data"):
        TensorScaler().fit(np.arange(5.0))


# -- scikit-learn integration ----------------------------------------------------------


def test_tensor_scaler_pandas_output_and_feature_names():
    X = pd.DataFrame(make_table(n_features=3), columns=["age", "income", "height"])
    X.index = X.index + 100
    scaler = TensorScaler(method="minmax").set_output(transform="pandas")
    Xt = scaler.fit_transform(X)

    assert isinstance(Xt, pd.DataFrame)
    assert list(Xt.columns) == ["age", "income", "height"]
    assert_array_equal(Xt.index, X.index)
    assert_allclose(Xt.to_numpy(), MinMaxScaler().fit_transform(X))
    assert_array_equal(scaler.feature_names_in_, X.columns)
    assert_array_equal(scaler.get_feature_names_out(), X.columns)
    assert_array_equal(
        TensorScaler().fit(X.to_numpy()).get_feature_names_out(), ["x0", "x1", "x2"]
    )


def test_tensor_scaler_feature_names_need_two_dimensional_input():
    X = make_images((10, 4, 4, 3))
    scaler = TensorScaler(mode="channel").fit(X)
    with pytest.raises(ValueError, match="only defined for 2-D input"):
        scaler.get_feature_names_out()
    with pytest.raises(ValueError, match="only defined for 2-D input"):
        clone(scaler).set_output(transform="pandas").fit_transform(X)


class RecordingScaler(TensorScaler):
    """Records the samples each fit sees (pixel [0, 0, 0] holds the sample id)
    and the statistics it learns from them."""

    fits: list = []

    def fit(self, X, y=None):
        super().fit(X, y)
        ids = np.sort(X[:, 0, 0, 0]).astype(int)
        RecordingScaler.fits.append((ids, self.center_, self.scale_))
        return self


def digit_images(n_samples=240):
    """Digits as (n, 8, 8, 1) images; pixel [0, 0] (always 0) carries the id."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images[:n_samples, :, :, None].copy()
    images[:, 0, 0, 0] = np.arange(n_samples)
    return images, digits.target[:n_samples]


def image_pipeline(scaler):
    flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1))
    return make_pipeline(scaler, flatten, LogisticRegression(max_iter=200))


def test_tensor_scaler_in_cross_validation_fits_on_training_folds_only():
    X, y = digit_images()
    cv = KFold(n_splits=4, shuffle=True, random_state=0)
    RecordingScaler.fits.clear()
    scores = cross_val_score(
        image_pipeline(RecordingScaler(mode="channel")), X, y, cv=cv
    )

    assert scores.mean() > 0.85
    assert len(RecordingScaler.fits) == 4
    folds = zip(cv.split(X), RecordingScaler.fits, strict=True)
    for (train, test), (seen, center, scale) in folds:
        assert_array_equal(seen, train)
        assert np.intersect1d(seen, test).size == 0
        assert_allclose(center, X[train].mean(axis=(0, 1, 2)), rtol=1e-12)
        assert_allclose(scale, X[train].std(axis=(0, 1, 2)), rtol=1e-12)
        assert not np.allclose(center, X.mean(axis=(0, 1, 2)), rtol=1e-6)


def test_tensor_scaler_in_grid_search_refits_on_each_fold():
    X, y = digit_images()
    cv = KFold(n_splits=3)
    RecordingScaler.fits.clear()
    search = GridSearchCV(
        image_pipeline(RecordingScaler(mode="channel")),
        {"recordingscaler__method": ["standard", "minmax"]},
        cv=cv,
        error_score="raise",
    ).fit(X, y)

    # Candidates run fold by fold: standard on folds 0, 1, 2, then minmax.
    trains = [train for train, _ in cv.split(X)]
    assert len(RecordingScaler.fits) == 2 * 3 + 1
    for k, (seen, center, scale) in enumerate(RecordingScaler.fits[:-1]):
        train = X[trains[k % 3]]
        assert_array_equal(seen, trains[k % 3])
        if k < 3:
            assert_allclose(center, train.mean(axis=(0, 1, 2)), rtol=1e-12)
        else:
            assert_allclose(center, train.min(axis=(0, 1, 2)))
            assert_allclose(scale, np.ptp(train, axis=(0, 1, 2)))
    assert_array_equal(RecordingScaler.fits[-1][0], np.arange(len(X)))
    assert search.best_estimator_[0].n_samples_seen_ == len(X)
    assert search.best_score_ > 0.85


@pytest.mark.parametrize(
    "scaler",
    [
        TensorScaler(),
        TensorScaler(method="minmax", feature_range=(-1, 1)),
        TensorScaler(method="scale"),
        TensorScaler(method="scale", divisor=255.0),
        TensorScaler(mode="channel"),
        TensorScaler(mode="global"),
        TensorScaler(method="minmax", mode="global"),
        # Not copy=False: like StandardScaler(copy=False), it then overwrites
        # the input, which check_methods_sample_order_invariance forbids.
    ],
    ids=repr,
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_tensor_scaler_passes_scikit_learn_checks(scaler):
    results = check_estimator(scaler, on_fail=None)
    failed = [r for r in results if r["status"] == "failed"]
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    assert not failed, [(r["check_name"], str(r["exception"])) for r in failed]
    # Only the array API checks may skip (they need SCIPY_ARRAY_API set).
    assert all(name.startswith("check_array_api") for name in skipped), skipped


@pytest.mark.slow
def test_tensor_scaler_benchmark_runs_small():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scaler.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "TensorScaler(mode='channel')" in done.stdout
    assert "StandardScaler fit+transform" in done.stdout
