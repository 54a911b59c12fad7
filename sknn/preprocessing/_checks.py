"""Checks of TensorScaler's input that scikit-learn's validation leaves out."""

from __future__ import annotations

import datetime
import math
from numbers import Real

import numpy as np

# Python's and numpy's scalar types of dates, times and durations; pandas'
# Timestamp and Timedelta subclass datetime.datetime and datetime.timedelta.
_TIME_TYPES = (
    datetime.date,
    datetime.time,
    datetime.timedelta,
    np.datetime64,
    np.timedelta64,
)


def check_feature_range(feature_range: tuple) -> tuple[float, float]:
    """Return ``feature_range`` as two floats, or say what is wrong with it.

    The target range of a min-max scaling must be two finite real numbers
    (not booleans, which are a slip for a number) with ``min < max``.
    """
    problem = None
    if len(feature_range) != 2:
        problem = f"which has {len(feature_range)} values, not 2"
    elif not all(
        isinstance(v, Real) and not isinstance(v, bool | np.bool_)
        for v in feature_range
    ):
        problem = "which holds a value that is not a real number"
    else:
        try:
            low, high = (float(v) for v in feature_range)
        except OverflowError:
            low = high = math.inf
        if not (math.isfinite(low) and math.isfinite(high)):
            problem = "which holds a value that is not finite"
        elif not low < high:
            problem = "whose min is not below its max"
    if problem is not None:
        raise ValueError(
            "feature_range must be a tuple (min, max) of two finite numbers with "
            f"min < max, got {feature_range!r}, {problem}."
        )
    return low, high


def _is_time(dtype) -> bool:
    # numpy's datetime64 ('M') and timedelta64 ('m'); pandas' tz-aware
    # DatetimeTZDtype reports kind 'M' as well.
    return getattr(dtype, "kind", None) in ("m", "M")


def time_content(X) -> str | None:
    """Describe the datetime or timedelta columns of ``X`` by their dtypes.

    Looks at dtypes only (no pass over the data): numpy arrays and pandas
    DataFrames or Series. Returns None when there are none.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):  # a DataFrame
        found = [
            f"{name!r} ({dtype})" for name, dtype in dtypes.items() if _is_time(dtype)
        ]
        return f"the column(s) {', '.join(found)}" if found else None
    dtype = getattr(X, "dtype", None)
    if _is_time(dtype):
        return f"dtype {dtype}"
    return None


def time_objects(X) -> str | None:
    """Describe the date, time or duration objects in ``X``, if any.

    A full pass over ``X``: only for input that failed to convert to numbers,
    so that the error says why.
    """
    try:
        values = np.asarray(X, dtype=object).ravel()
    except (TypeError, ValueError):
        return None
    for value in values:
        if isinstance(value, _TIME_TYPES):
            return f"values of type {type(value).__name__}"
    return None


def time_data_error(estimator, what: str) -> ValueError:
    """The error for datetime or timedelta input, which scaling cannot take."""
    return ValueError(
        f"{type(estimator).__name__} does not accept datetime or timedelta data, "
        f"but X has {what}. Convert it to numbers explicitly first, e.g. to "
        "seconds since a reference time with (X - t0) / np.timedelta64(1, 's')."
    )
