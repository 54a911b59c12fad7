"""The keyword arguments a user's network is built with.

:class:`~sknn.NeuralNetClassifier` stores each ``module__<name>`` argument as a
hyperparameter; at fit, :func:`resolve_module_kwargs` checks them against the
module's signature and adds the sizes read off the data (``n_features``,
``input_shape``, ``n_outputs``) that the signature asks for.
"""

from __future__ import annotations

import copy
import difflib
import inspect
from collections.abc import Callable
from functools import partial
from numbers import Integral

import numpy as np

#: The prefix of the estimator parameters that go to the module.
PREFIX = "module__"

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD


def qualified_name(obj) -> str:
    """The name a user gave a class or function (an instance's class name)."""
    if isinstance(obj, partial):
        return qualified_name(obj.func)
    return getattr(obj, "__qualname__", None) or type(obj).__qualname__


def resolve_module_kwargs(
    factory: Callable,
    given: dict,
    *,
    n_features: int,
    input_shape: tuple[int, ...],
    task,
    input_sizes: dict | None = None,
) -> dict:
    """The keyword arguments to call ``factory`` with: all of them, defaults
    included, in the order of its signature.

    Parameters
    ----------
    factory : callable
        The ``module`` hyperparameter: an ``nn.Module`` subclass or a callable
        returning a module.
    given : dict
        The ``module__<name>`` hyperparameters, without the prefix. Their
        values are deep-copied, so that a module given as an argument (a
        pretrained backbone, say) is never trained in place.
    n_features, input_shape, task
        What the data says: values per sample, the shape of a sample, and the
        task (whose ``module_outputs`` is the output width).
    input_sizes : dict or None
        For named inputs, the sizes of each instead of ``n_features`` and
        ``input_shape``: argument name to ``(value, what the data says)``
        (``table_n_features``, ``images_shape``, ...).

    Raises
    ------
    ValueError
        For a ``module__<name>`` the signature does not take, or an explicit
        size that contradicts the data.
    TypeError
        For a parameter without a default that nothing supplies.
    """
    name = qualified_name(factory)
    given = copy.deepcopy(given)
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return given  # nothing to read (a builtin): passed as given
    named = [p for p in parameters.values() if p.kind in _NAMED]
    names = [p.name for p in named]
    takes_any = any(p.kind is _VAR_KEYWORD for p in parameters.values())
    unknown = [key for key in given if key not in names]
    if unknown and not takes_any:
        close = difflib.get_close_matches(unknown[0], names, n=1)
        hint = f" Did you mean {PREFIX}{close[0]}?" if close else ""
        raise ValueError(
            f"{PREFIX}{unknown[0]} is not a parameter of {name}, which takes "
            f"{', '.join(names) or 'no keyword arguments'}.{hint}"
        )
    for p in parameters.values():
        if p.kind is inspect.Parameter.POSITIONAL_ONLY and p.default is p.empty:
            raise TypeError(
                f"{name}'s parameter {p.name!r} is positional-only, but sknn "
                "passes the module's arguments by keyword: make it a regular "
                "parameter (drop the '/')."
            )
    sizes = {
        "n_features": (n_features, f"X has {n_features} features per sample"),
        "input_shape": (input_shape, f"the samples of X have shape {input_shape}"),
    }
    if input_sizes is not None:
        sizes = dict(input_sizes)
    sizes["n_outputs"] = (task.module_outputs, task.describe_outputs())
    # Values a functools.partial binds count as given: checked, not replaced.
    bound = getattr(factory, "keywords", None) if isinstance(factory, partial) else {}
    explicit = {**bound, **given}
    kwargs = {}
    for p in named:
        if p.name in sizes and p.name not in given:
            value, fact = sizes[p.name]
            if p.name in explicit:
                if not _same_size(explicit[p.name], value):
                    raise ValueError(
                        f"{p.name}={explicit[p.name]!r} is bound in {name}, but {fact}."
                    )
                continue
            kwargs[p.name] = value
        elif p.name in given:
            if p.name in sizes and not _same_size(given[p.name], sizes[p.name][0]):
                raise ValueError(
                    f"{PREFIX}{p.name}={given[p.name]!r}, but {sizes[p.name][1]}."
                )
            kwargs[p.name] = given[p.name]
        elif p.default is not p.empty:
            kwargs[p.name] = p.default
        elif p.name not in explicit:
            raise TypeError(
                f"{name} needs a value for its parameter {p.name!r}, which has "
                f"no default: pass {PREFIX}{p.name}=... to the estimator."
            )
    kwargs.update({key: value for key, value in given.items() if key not in names})
    return kwargs


def _same_size(given, value) -> bool:
    """Whether an explicit size is the one the data gives, in its type: an
    int for a count (not a float or a bool), a sequence of ints for a shape."""
    if isinstance(value, tuple):
        try:
            shape = tuple(np.asarray(given).tolist())
        except (TypeError, ValueError):
            return False
        return all(type(n) is int for n in shape) and shape == value
    return (
        isinstance(given, Integral) and not isinstance(given, bool) and given == value
    )


def sizes_hint(factory: Callable) -> str | None:
    """Why no size was passed to a factory whose signature names none but
    takes ``*args`` or ``**kwargs``; None when that is not the case."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return None
    variadic = any(
        p.kind in (inspect.Parameter.VAR_POSITIONAL, _VAR_KEYWORD)
        for p in parameters.values()
    )
    if not variadic or {"n_features", "input_shape", "n_outputs"} & set(parameters):
        return None
    return (
        f"sknn passes n_features, input_shape and n_outputs only to parameters "
        f"named so, and {qualified_name(factory)}'s signature "
        f"{inspect.signature(factory)} names none of them: name them there, or "
        f"pass {PREFIX}n_features=... (and the others) explicitly."
    )
