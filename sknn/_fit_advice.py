"""What fit says when the user's call, data or module is not what it takes:
messages that name the problem in the user's terms and say what to do."""

from __future__ import annotations

import math

import torch

from ._utils import warn


def forward_failure(error: Exception, probe) -> str:
    """What a module's forward pass raised on sknn's first batch, with the
    shape and dtype of that batch (torch's messages name only the layer's
    own view of it), and a hint for images laid out channels last."""
    shape = tuple(getattr(probe, "shape", ()))
    dtype = str(getattr(probe, "dtype", "")).removeprefix("torch.")
    text = str(error).rstrip()
    message = (
        f"The module's forward pass failed on a batch of shape {shape} "
        f"({dtype}), the samples as X holds them: "
        f"{type(error).__name__}: {text}{'' if text.endswith('.') else '.'}"
    )
    if len(shape) in (4, 5) and "channel" in str(error).lower():
        order = ", ".join(map(str, (0, len(shape) - 1, *range(1, len(shape) - 1))))
        message += (
            f" If the module expects channels first, (N, C, ...), while X "
            f"holds them last, (N, ..., C), pass X.transpose({order}) (or "
            "np.moveaxis(X, -1, 1)); sknn's CNNClassifier takes either "
            "layout (data_format)."
        )
    return message


#: How many times larger (or smaller) X_val's typical value may be than
#: X's before fit says the two look differently scaled.
_VALIDATION_SCALE_RATIO = 5.0


def check_validation_scale(X, X_val) -> None:
    """Warn when an explicit validation set's values are of another order of
    magnitude than the training inputs' (raw pictures of 0-255 beside
    standardized ones, say: a Pipeline transforms ``X`` only)."""
    if not (isinstance(X, torch.Tensor) and isinstance(X_val, torch.Tensor)):
        return  # sparse or streamed: not read whole here
    if not (X.is_floating_point() and X.numel() and X_val.numel()):
        return
    typical = [torch.nanmean(x.detach().abs().double()).item() for x in (X, X_val)]
    if not all(math.isfinite(value) for value in typical):
        return
    small, large = sorted(typical)
    if large > _VALIDATION_SCALE_RATIO * max(small, 1e-12):
        warn(
            f"X_val's values are of another scale than X's (mean absolute "
            f"value {typical[1]:.3g} against {typical[0]:.3g}): was X_val left "
            "unscaled? A Pipeline transforms X only; to transform X_val too, "
            "enable metadata routing (sklearn.set_config("
            "enable_metadata_routing=True)), build "
            "Pipeline(..., transform_input=['X_val']) and call "
            "set_fit_request(X_val=True, y_val=True) on the network.",
            UserWarning,
        )


#: Keras's ``fit`` arguments, and where their meaning lives in sknn.
_KERAS_FIT_ARGUMENTS = {
    "validation_data": "pass X_val=... and y_val=...",
    "validation_split": (
        "set validation_fraction (with early_stopping=True) on the estimator"
    ),
    "epochs": "set max_iter on the estimator",
    "batch_size": "set batch_size on the estimator",
    "verbose": "set verbose on the estimator",
    "class_weight": "set class_weight on the estimator",
    "shuffle": "set shuffle on the estimator",
    "callbacks": (
        "early stopping is early_stopping=True on the estimator; to watch "
        "training, read history_ after fit"
    ),
}


def unexpected_fit_arguments(name: str, unexpected: dict) -> str:
    """The TypeError message of ``fit`` for arguments it does not take,
    with the sknn way of saying what Keras's ``fit`` arguments say."""
    names = ", ".join(repr(key) for key in unexpected)
    hints = [
        f"for {key!r}, {_KERAS_FIT_ARGUMENTS[key]}"
        for key in unexpected
        if key in _KERAS_FIT_ARGUMENTS
    ]
    message = (
        f"{name}.fit() got unexpected keyword argument(s) {names}; it takes X, "
        "y, sample_weight and, for a validation set, X_val, y_val and "
        "sample_weight_val."
    )
    return " ".join([message, *(hint[0].upper() + hint[1:] + "." for hint in hints)])
