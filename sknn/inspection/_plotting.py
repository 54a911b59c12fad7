"""matplotlib, imported only when something is drawn, and the argument checks
the displays share."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from numbers import Integral

import numpy as np


def import_pyplot():
    """Return ``matplotlib.pyplot``, or explain how to install matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib. Install it with the optional extra: "
            "pip install 'sknn-torch[plot]' (or pip install matplotlib)."
        ) from exc
    return plt


def describe(value) -> str:
    """The type and a short repr of ``value``, for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def check_optional_str(value, name: str) -> None:
    """Raise TypeError unless ``value`` is None or a str."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {describe(value)}.")


def check_str(value, name: str) -> None:
    """Raise TypeError unless ``value`` is a str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {describe(value)}.")


def check_optional_int(value, name: str) -> None:
    """Raise TypeError unless ``value`` is None or an int (not a bool)."""
    if value is not None and (
        not isinstance(value, Integral) or isinstance(value, (bool, np.bool_))
    ):
        raise TypeError(f"{name} must be an int or None, got {describe(value)}.")


def check_kwargs(value, name: str) -> dict:
    """``value`` as a dict of keyword arguments; None is no arguments."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise TypeError(
            f"{name} must be a dict of keyword arguments (str keys) or None, got "
            f"{describe(value)}."
        )
    return dict(value)


def float_array(values, name: str) -> np.ndarray:
    """``values`` as a float array, or a TypeError naming ``name``.

    Missing entries may be NaN or None (as in a history with gaps); strings,
    booleans and complex numbers are refused rather than converted.
    """
    if values is not None and not isinstance(values, (str, bytes)):
        try:
            array = np.asarray(values)
            if array.dtype.kind in "iufO":
                return array.astype(float)
        except (TypeError, ValueError):
            pass  # ragged, or entries that are not numbers
    raise TypeError(f"{name} must be an array-like of numbers, got {describe(values)}.")


def check_axes(ax, name: str = "ax") -> None:
    """Raise TypeError unless ``ax`` is one matplotlib Axes."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"{name} must be a matplotlib Axes (such as the second value of "
            f"plt.subplots()) or None, got {describe(ax)}."
        )


@contextmanager
def drawing_with(kw_name: str, method: str):
    """Turn matplotlib's refusal of a user's keyword argument into an error
    that names the argument of the display that carried it."""
    try:
        yield
    except (AttributeError, TypeError) as exc:
        # matplotlib raises AttributeError for an unknown property.
        raise TypeError(f"{kw_name} holds an argument {method} refuses: {exc}") from exc
    except ValueError as exc:
        raise ValueError(f"{kw_name} holds a value {method} refuses: {exc}") from exc
