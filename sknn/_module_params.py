"""The keyword arguments a user's network is built with.

:class:`~sknn.NeuralNetClassifier` stores each ``module__<name>`` argument as a
hyperparameter; at fit, :func:`resolve_module_kwargs` checks them against the
module's signature and adds the sizes read off the data (``n_features``,
``input_shape``, ``n_outputs``) that the signature asks for.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable

from ._targets import TargetSpec, expected_outputs

#: The prefix of the estimator parameters that go to the module.
PREFIX = "module__"

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def qualified_name(obj) -> str:
    """The name a user gave a class or function (an instance's class name)."""
    return getattr(obj, "__qualname__", None) or type(obj).__qualname__


def resolve_module_kwargs(
    factory: Callable,
    given: dict,
    *,
    n_features: int,
    input_shape: tuple[int, ...],
    spec: TargetSpec,
) -> dict:
    """The keyword arguments to call ``factory`` with.

    Parameters
    ----------
    factory : callable
        The ``module`` hyperparameter: an ``nn.Module`` subclass or a callable
        returning a module.
    given : dict
        The ``module__<name>`` hyperparameters, without the prefix.
    n_features, input_shape, spec
        What the data says: values per sample, the shape of a sample, and the
        target (whose ``n_outputs`` is the output width).

    Raises
    ------
    ValueError
        For a ``module__<name>`` the signature does not take, or an explicit
        size that contradicts the data.
    TypeError
        For a parameter without a default that nothing supplies.
    """
    name = qualified_name(factory)
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return dict(given)  # nothing to read (a builtin): passed as given
    named = [p for p in parameters.values() if p.kind in _NAMED]
    names = [p.name for p in named]
    takes_any = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    unknown = [key for key in given if key not in names]
    if unknown and not takes_any:
        close = difflib.get_close_matches(unknown[0], names, n=1)
        hint = f" Did you mean {PREFIX}{close[0]}?" if close else ""
        raise ValueError(
            f"{PREFIX}{unknown[0]} is not a parameter of {name}, which takes "
            f"{', '.join(names) or 'no keyword arguments'}.{hint}"
        )
    sizes = {
        "n_features": (n_features, f"X has {n_features} features per sample"),
        "input_shape": (input_shape, f"the samples of X have shape {input_shape}"),
        "n_outputs": (spec.n_outputs, expected_outputs(spec)),
    }
    kwargs = dict(given)
    for size, (value, fact) in sizes.items():
        if size not in names:
            continue
        if size not in given:
            kwargs[size] = value
        elif _as_size(given[size]) != value:
            raise ValueError(f"{PREFIX}{size}={given[size]!r}, but {fact}.")
    missing = [
        p.name
        for p in parameters.values()
        if p.default is p.empty
        and p.kind is not inspect.Parameter.VAR_KEYWORD
        and p.kind is not inspect.Parameter.VAR_POSITIONAL
        and p.name not in kwargs
    ]
    if missing:
        raise TypeError(
            f"{name} needs a value for its parameter {missing[0]!r}, which has no "
            f"default: pass {PREFIX}{missing[0]}=... to the estimator."
        )
    return kwargs


def _as_size(value):
    """An explicit size in the form sknn computes it (shapes as tuples)."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value
