"""Build a normalization from its name, for dense and convolutional layers.

An estimator's ``normalization`` hyperparameter is a name (or ``None``); its
per-method extras (``groups``, ``eps``, ``momentum``, ...) are plain keyword
options. This module is the one place that maps both to torch objects:

* :func:`check_normalization` validates them before anything is built;
* :func:`make_normalization` builds the layer placed after each ``Linear`` /
  ``ConvNd`` layer (``nn.Identity`` for the methods that reparametrize);
* :func:`reparametrize` applies weight or spectral normalization to the
  ``Linear`` / ``ConvNd`` layer itself (and leaves it alone otherwise).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

from ._batch_instance import BatchInstanceNorm
from ._batch_renorm import BatchRenorm
from ._scale import RMSNorm, ScaleNorm, _ChannelsLast
from ._switchable import SwitchableNorm
from ._validation import LAYOUTS, check_int, check_real, check_spatial_dims

#: Valid values of ``normalization`` other than ``None``, in the order of the
#: course (torch's own first, then the alternatives, then RMSNorm).
NORMALIZATION_METHODS: tuple[str, ...] = (
    "batch",
    "weight",
    "layer",
    "instance",
    "group",
    "batch_renorm",
    "batch_instance",
    "switchable",
    "spectral",
    "scale",
    "rms",
)

# Instance statistics need spatial axes: on (N, C) each would be one value.
_SPATIAL_ONLY = frozenset({"instance", "batch_instance"})
_BATCH_STATISTICS = frozenset({"batch", "batch_renorm", "batch_instance", "switchable"})

_DEFAULT_EPS = 1e-5
_DEFAULT_MOMENTUM = 0.1
_MAX_GROUPS = 32

_OPTION_CHECKS: dict[str, Callable[[str, Any], int | float]] = {
    "eps": lambda n, v: check_real(n, v, low=0.0, low_open=True),
    "momentum": lambda n, v: check_real(n, v, low=0.0, high=1.0, low_open=True),
    "groups": lambda n, v: check_int(n, v, minimum=1),
    "r_max": lambda n, v: check_real(n, v, low=1.0),
    "d_max": lambda n, v: check_real(n, v, low=0.0),
    "warmup_steps": lambda n, v: check_int(n, v, minimum=0),
    "ramp_steps": lambda n, v: check_int(n, v, minimum=0),
    "n_power_iterations": lambda n, v: check_int(n, v, minimum=1),
}

#: The options each method accepts.
_ACCEPTED: dict[str | None, tuple[str, ...]] = {
    None: (),
    "batch": ("eps", "momentum"),
    "weight": (),
    "layer": ("eps",),
    "instance": ("eps",),
    "group": ("eps", "groups"),
    "batch_renorm": (
        "d_max",
        "eps",
        "momentum",
        "r_max",
        "ramp_steps",
        "warmup_steps",
    ),
    "batch_instance": ("eps", "momentum"),
    "switchable": ("eps", "momentum"),
    # spectral_norm's eps guards the power iteration's divisions; torch's
    # default (1e-12) is kept when it is not given.
    "spectral": ("eps", "n_power_iterations"),
    "scale": ("eps",),
    "rms": ("eps",),
}


def _format_methods(methods: tuple[str | None, ...]) -> str:
    return ", ".join(repr(m) for m in methods)


def _suggest(method: str) -> str | None:
    """The valid name a mistyped one most likely means ("BatchNorm": "batch")."""
    key = method.strip().lower().replace("-", "_").replace(" ", "_")
    for suffix in ("_normalization", "normalization", "_norm", "norm"):
        stem = key.removesuffix(suffix)
        if stem != key and stem in NORMALIZATION_METHODS:
            return stem
    if key in NORMALIZATION_METHODS:
        return key
    close = difflib.get_close_matches(key, NORMALIZATION_METHODS, n=1)
    return close[0] if close else None


def _check_method(method: object) -> str | None:
    if method is None:
        return None
    if not isinstance(method, str):
        raise TypeError(
            f"normalization must be a str or None, got {method!r} of type "
            f"{type(method).__name__}."
        )
    if method not in NORMALIZATION_METHODS:
        suggestion = _suggest(method)
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        raise ValueError(
            f"Unknown normalization {method!r}.{hint} Valid values are: "
            f"{_format_methods((None, *NORMALIZATION_METHODS))}."
        )
    return method


def _check_applies(method: str | None, spatial_dims: int) -> None:
    if spatial_dims == 0 and method in _SPATIAL_ONLY:
        dense = tuple(m for m in NORMALIZATION_METHODS if m not in _SPATIAL_ONLY)
        raise ValueError(
            f"normalization={method!r} does not apply to dense layers: it takes "
            "statistics of each sample and channel over the spatial axes, and a "
            f"dense activation {LAYOUTS[0]} has none (each statistic would be a "
            "single value). Methods that apply to dense layers: "
            f"{_format_methods((None, *dense))}."
        )


def describe_options(method: str | None) -> str:
    """The options ``method`` accepts, in words (for error messages)."""
    accepted = _ACCEPTED[method]
    if not accepted:
        return f"normalization={method!r} takes no options"
    return f"normalization={method!r} accepts {_format_methods(accepted)}"


def _check_options(
    method: str | None, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise TypeError(
            "normalization options must be a dict of option names to values, got "
            f"{options!r} of type {type(options).__name__}."
        )
    accepted = _ACCEPTED[method]
    unknown = sorted(set(options) - set(accepted), key=str)
    if unknown:
        takes = (
            f"it accepts {_format_methods(accepted)}" if accepted else "it takes none"
        )
        raise ValueError(
            f"normalization={method!r} does not accept the option(s) "
            f"{_format_methods(tuple(unknown))}; {takes}."
        )
    checked = {}
    for name, value in options.items():
        try:
            checked[name] = _OPTION_CHECKS[name](name, value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"normalization={method!r}: {exc}") from None
    return checked


def check_normalization(
    method: str | None,
    *,
    spatial_dims: int,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Validate a normalization name and its options for a layer type.

    Meant for an estimator's ``fit``, before anything is built.

    Parameters
    ----------
    method : str or None
        One of :data:`NORMALIZATION_METHODS`, or ``None``.
    spatial_dims : {0, 1, 2, 3}
        The activations the method will see: 0 for the output of a ``Linear``
        layer, ``(N, C)``; 1, 2, 3 for ``Conv1d``, ``Conv2d``, ``Conv3d``.
    options : dict or None, default=None
        Extra keyword options for the method (see :func:`make_normalization`).

    Raises
    ------
    TypeError
        If ``method`` is neither a str nor None, or an option has the wrong
        type.
    ValueError
        If ``method`` is unknown, has no meaning for the layer type (instance
        and batch-instance normalization of dense activations), or an option is
        not accepted by the method or out of range.

    Examples
    --------
    >>> from sknn.normalization import check_normalization
    >>> check_normalization("group", spatial_dims=2, options={"groups": 4})
    >>> check_normalization("instance", spatial_dims=0)
    Traceback (most recent call last):
    ...
    ValueError: normalization='instance' does not apply to dense layers: ...
    """
    method = _check_method(method)
    spatial_dims = check_spatial_dims(spatial_dims)
    _check_applies(method, spatial_dims)
    _check_options(method, options)


def uses_batch_statistics(method: str | None) -> bool:
    """Tell whether a method normalizes with statistics of the batch.

    Those methods (``"batch"``, ``"batch_renorm"``, ``"batch_instance"``,
    ``"switchable"``) are noisy on small batches and cannot train on a batch
    with one value per channel; an estimator can warn about tiny batches.

    Parameters
    ----------
    method : str or None
        One of :data:`NORMALIZATION_METHODS`, or ``None``.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sknn.normalization import uses_batch_statistics
    >>> uses_batch_statistics("batch"), uses_batch_statistics("layer")
    (True, False)
    """
    return _check_method(method) in _BATCH_STATISTICS


def default_groups(num_features: int, *, spatial_dims: int = 1) -> int:
    """Number of groups that group normalization uses when none is given.

    On feature maps (``spatial_dims >= 1``): the largest divisor of
    ``num_features`` that is at most 32 (the paper's default) and leaves at
    least two channels in each group; 1 if there is none. Each group then
    pools its channels over every spatial position.

    On dense activations (``spatial_dims=0``) a group holds only its features,
    so small groups are degenerate: a group of two always normalizes to
    (-1, +1). The default there is the largest divisor that leaves at least
    16 features in each group (1 group, i.e. layer norm, below 32 features).

    Parameters
    ----------
    num_features : int
        Number of channels or features ``C``.
    spatial_dims : int, default=1
        0 for dense activations ``(N, C)``, 1 to 3 for feature maps.

    Returns
    -------
    int

    Examples
    --------
    >>> from sknn.normalization import default_groups
    >>> [default_groups(c) for c in (1, 7, 10, 16, 64, 100, 256)]
    [1, 1, 5, 8, 32, 25, 32]
    >>> [default_groups(c, spatial_dims=0) for c in (16, 32, 100, 256)]
    [1, 2, 5, 16]
    """
    num_features = check_int("num_features", num_features, minimum=1)
    min_per_group = 16 if spatial_dims == 0 else 2
    for groups in range(min(_MAX_GROUPS, num_features // min_per_group), 0, -1):
        if num_features % groups == 0:
            return groups
    return 1


def _group_norm(
    num_features: int, spatial_dims: int, options: dict[str, Any]
) -> nn.GroupNorm:
    groups = options.get(
        "groups", default_groups(num_features, spatial_dims=spatial_dims)
    )
    if num_features % groups:
        raise ValueError(
            f"normalization='group': groups={groups} does not divide the "
            f"{num_features} channels of the layer."
        )
    if spatial_dims == 0 and num_features == 1:
        raise ValueError(
            "normalization='group' needs at least 2 features in a dense layer: "
            "the normalization of a single feature is always 0."
        )
    if spatial_dims == 0 and num_features // groups < 2:
        raise ValueError(
            f"normalization='group': groups={groups} leaves one feature per group "
            f"in a dense layer of {num_features} features, whose normalization is "
            "always 0; use fewer groups (at least two features each)."
        )
    return nn.GroupNorm(groups, num_features, eps=options.get("eps", _DEFAULT_EPS))


_BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
_INSTANCE_NORMS = (None, nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)


def make_normalization(
    method: str | None,
    num_features: int,
    *,
    spatial_dims: int,
    **options: Any,
) -> nn.Module:
    """Build the normalization layer placed after a ``Linear`` or ``ConvNd``.

    Parameters
    ----------
    method : str or None
        One of :data:`NORMALIZATION_METHODS`, or ``None``. ``None``,
        ``"weight"`` and ``"spectral"`` give ``nn.Identity()``: the last two
        act through :func:`reparametrize` on the preceding layer instead.
    num_features : int
        Number of output features (``Linear``) or channels (``ConvNd``) ``C``.
    spatial_dims : {0, 1, 2, 3}
        0 for dense activations ``(N, C)``; 1, 2, 3 for the activations of
        ``Conv1d``, ``Conv2d``, ``Conv3d`` ``(N, C, *spatial)``.
    **options
        Per-method extras; any other option raises ``ValueError``. All
        statistics-based methods take ``eps`` (default 1e-5, also for
        ``"rms"``, where ``nn.RMSNorm`` would default to the machine epsilon),
        and those with running statistics take ``momentum`` (default 0.1,
        torch's convention: the weight of the new batch).

        - ``"group"``: ``groups``, which must divide ``C`` (default
          :func:`default_groups`); on dense activations each group needs at
          least two features.
        - ``"batch_renorm"``: ``r_max`` (3.0), ``d_max`` (5.0),
          ``warmup_steps`` and ``ramp_steps`` (100 and 400, suited to a run of
          about 1,000 steps). A caller that knows the length of its run should
          pass ``**batch_renorm_schedule(total_optimizer_steps)`` unless the
          user set them.
        - ``"spectral"``: ``n_power_iterations`` (1) and ``eps`` (1e-12),
          used by :func:`reparametrize`.

    Returns
    -------
    torch.nn.Module
        Dense activations: ``BatchNorm1d``, ``LayerNorm(C)``,
        ``GroupNorm``, :class:`BatchRenorm`, :class:`SwitchableNorm` (layer and
        batch statistics), :class:`ScaleNorm`, ``RMSNorm(C)``. Feature maps:
        ``BatchNorm{1,2,3}d``, ``GroupNorm(1, C)`` for ``"layer"`` (each sample
        over channels and positions, per-channel affine, as in the group and
        switchable norm papers), ``InstanceNorm{1,2,3}d(affine=True)``,
        ``GroupNorm``, :class:`BatchRenorm`, :class:`BatchInstanceNorm`,
        :class:`SwitchableNorm`, and for ``"scale"`` and ``"rms"`` the channel
        vector at each position (:class:`ScaleNorm`, ``RMSNorm(C)`` applied
        channels-last): both were defined for vectors of a fixed size, which
        the channel vector is and a whole feature map is not.

    Examples
    --------
    >>> from sknn.normalization import make_normalization
    >>> type(make_normalization("batch", 64, spatial_dims=0)).__name__
    'BatchNorm1d'
    >>> layer_norm = make_normalization("layer", 16, spatial_dims=2)
    >>> type(layer_norm).__name__, layer_norm.num_groups
    ('GroupNorm', 1)
    >>> make_normalization("group", 64, spatial_dims=2).num_groups
    32
    >>> make_normalization("weight", 64, spatial_dims=0)
    Identity()
    """
    method = _check_method(method)
    spatial_dims = check_spatial_dims(spatial_dims)
    _check_applies(method, spatial_dims)
    options = _check_options(method, options)
    num_features = check_int("num_features", num_features, minimum=1)
    eps = options.get("eps", _DEFAULT_EPS)
    momentum = options.get("momentum", _DEFAULT_MOMENTUM)
    if method in (None, "weight", "spectral"):
        return nn.Identity()
    if method == "batch":
        return _BATCH_NORMS[spatial_dims](num_features, eps=eps, momentum=momentum)
    if method == "layer":
        if spatial_dims == 0:
            return nn.LayerNorm(num_features, eps=eps)
        return nn.GroupNorm(1, num_features, eps=eps)
    if method == "instance":
        instance_norm = _INSTANCE_NORMS[spatial_dims]
        assert instance_norm is not None  # refused on dense by _check_applies
        return instance_norm(num_features, eps=eps, affine=True)
    if method == "group":
        return _group_norm(num_features, spatial_dims, options)
    if method == "batch_renorm":
        return BatchRenorm(num_features, spatial_dims=spatial_dims, **options)
    if method == "batch_instance":
        return BatchInstanceNorm(num_features, spatial_dims=spatial_dims, **options)
    if method == "switchable":
        return SwitchableNorm(num_features, spatial_dims=spatial_dims, **options)
    if method == "scale":
        return ScaleNorm(num_features, eps=eps)
    # method == "rms"
    rms = RMSNorm(num_features, eps=eps)
    return rms if spatial_dims == 0 else _ChannelsLast(rms)


_TRANSPOSED = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


def reparametrize(layer: nn.Module, method: str | None, **options: Any) -> nn.Module:
    """Apply weight or spectral normalization to a layer's weight.

    Parameters
    ----------
    layer : torch.nn.Module
        A ``Linear`` or ``ConvNd`` layer (any module with a ``weight``
        parameter whose axis 0 indexes the outputs).
    method : str or None
        ``"weight"``: ``weight_norm(layer, dim=0)``, each output unit's weight
        vector becomes :math:`g\\, v / \\lVert v \\rVert`. ``"spectral"``:
        ``spectral_norm(layer)``, the weight (a conv kernel viewed as
        ``(out, -1)``) is divided by its largest singular value, estimated by
        power iteration (one step per training forward, frozen in
        evaluation). Any other method leaves the layer unchanged.
    **options
        As in :func:`make_normalization`; for ``"spectral"``,
        ``n_power_iterations`` and ``eps`` are used.

    Returns
    -------
    torch.nn.Module
        ``layer`` itself, parametrized in place when ``method`` asks for it.
        A parametrized module pickles only through its ``state_dict``.

    Examples
    --------
    >>> from torch import nn
    >>> from sknn.normalization import reparametrize
    >>> layer = reparametrize(nn.Linear(4, 3), "weight")
    >>> sorted(name for name, _ in layer.named_parameters())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    >>> reparametrize(nn.Linear(4, 3), "batch")
    Linear(in_features=4, out_features=3, bias=True)
    """
    method = _check_method(method)
    options = _check_options(method, options)
    if method not in ("weight", "spectral"):
        return layer
    if not isinstance(getattr(layer, "weight", None), nn.Parameter):
        raise TypeError(
            f"normalization={method!r} reparametrizes a layer's 'weight' "
            f"parameter (Linear or ConvNd); {type(layer).__name__} has no such "
            "parameter, or it is parametrized already."
        )
    parametrized: nn.Module
    if method == "weight":
        # A transposed convolution stores its outputs on axis 1.
        out_axis = 1 if isinstance(layer, _TRANSPOSED) else 0
        parametrized = weight_norm(layer, dim=out_axis)
    else:
        parametrized = spectral_norm(layer, **options)
    return parametrized
