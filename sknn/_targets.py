"""Targets: which kind of classification a ``y`` asks for, and its encoding.

* binary: one output logit, sigmoid, binary cross-entropy (the course's cat vs
  non-cat);
* multiclass: one logit per class, softmax, cross-entropy;
* multilabel indicator matrix: one sigmoid per label, as scikit-learn's
  ``MLPClassifier`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ._utils import warn

BINARY = "binary"
MULTICLASS = "multiclass"
MULTILABEL = "multilabel-indicator"


@dataclass(frozen=True)
class TargetSpec:
    """What the network predicts: the kind of target and its classes."""

    target_type: str
    classes: np.ndarray

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer."""
        if self.target_type == BINARY:
            return 1
        return len(self.classes)


def expected_outputs(spec: TargetSpec) -> str:
    """What the network must output for ``spec``, in words."""
    k = spec.n_outputs
    if spec.target_type == BINARY:
        return "a binary target needs 1 output, one logit"
    if spec.target_type == MULTILABEL:
        return f"a multilabel target with {k} labels needs {k} outputs, one per label"
    return f"a multiclass target with {k} classes needs {k} outputs, one per class"


def check_logits(
    logits, n_samples: int, spec: TargetSpec, dtype: torch.dtype, *, training=False
) -> None:
    """Refuse a network output that the loss for ``spec`` cannot take.

    ``logits`` is what the network returned for a batch of ``n_samples``; the
    network trains in ``dtype``. In ``training`` mode the logits must also
    carry gradients back to the weights.
    """
    mode = " in train mode" if training else ""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(
            "The module must return a tensor of logits, but it returned an "
            f"object of type {type(logits).__name__}{mode}."
        )
    shape = tuple(logits.shape)
    expected = (n_samples, spec.n_outputs)
    if shape != expected:
        what = (
            f"logits of shape {shape} for a batch of {n_samples} samples{mode}; "
            f"{expected_outputs(spec)}, i.e. logits of shape {expected}."
        )
        if spec.target_type == MULTICLASS and len(shape) == 2 and shape[1] == 1:
            raise ValueError(
                "Only binary classification is supported by this module: it "
                f"returned {what}"
            )
        raise ValueError(f"The module returned {what}")
    if training and not logits.requires_grad:
        raise ValueError(
            "The module's logits do not depend on its trainable weights (they "
            "do not require grad): its forward detaches them or runs under "
            "torch.no_grad(), so training cannot change the network."
        )
    if logits.dtype != dtype:
        name = str(dtype).removeprefix("torch.")
        raise TypeError(
            f"The module returned logits of dtype "
            f"{str(logits.dtype).removeprefix('torch.')}, but it trains in "
            f"{name} (dtype={name!r}); return logits in the dtype of its inputs."
        )


def column_or_1d_target(y: np.ndarray) -> np.ndarray:
    """Ravel a column-vector target with scikit-learn's conversion warning."""
    if y.ndim == 2 and y.shape[1] == 1:
        warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
        )
        return y.ravel()
    return y


def infer_target_spec(y: np.ndarray, classes=None) -> TargetSpec:
    """Classify ``y`` and fix the classes the network will output.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Validated targets.
    classes : array-like or None
        All classes, as given to ``partial_fit``; when None they are read off
        ``y``.
    """
    check_classification_targets(y)
    target_type = type_of_target(y, input_name="y")
    if target_type == MULTILABEL:
        return TargetSpec(MULTILABEL, np.arange(y.shape[1]))
    if target_type not in (BINARY, MULTICLASS):
        raise ValueError(
            f"Target type {target_type!r} is not supported: sknn classifiers "
            "take a 1-D array of class labels or a 2-D binary indicator matrix "
            "of labels."
        )
    observed = np.unique(y)
    if classes is None:
        classes = observed
    else:
        classes = _check_classes(classes)
        unseen = np.setdiff1d(observed, classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in "
                f"classes={classes.tolist()}."
            )
    if len(classes) < 2:
        raise ValueError(
            "The classifier needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes.tolist()[0]!r}."
        )
    return TargetSpec(BINARY if len(classes) == 2 else MULTICLASS, classes)


def _check_classes(classes) -> np.ndarray:
    """The sorted unique labels of ``classes=``, refusing what no target can
    hold: missing values, and labels of kinds that cannot be sorted together."""
    values = np.asarray(classes)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"classes must be a non-empty 1-D array-like of labels, got {classes!r}."
        )
    items = values.tolist()
    missing = [v for v in items if v is None or (isinstance(v, float) and v != v)]
    if missing:
        raise ValueError(
            f"classes contains a missing value ({missing[0]!r}); every class "
            "must be a label that y can hold."
        )
    try:
        return np.unique(values)
    except TypeError as error:
        kinds = sorted({type(v).__name__ for v in items})
        raise TypeError(
            "classes must be labels of one kind that can be sorted (all "
            f"numbers or all strings), got a mix of {', '.join(kinds)}."
        ) from error


def encode_targets(y: np.ndarray, spec: TargetSpec, dtype=np.float32) -> np.ndarray:
    """Encode labels as the loss function expects them (binary and multilabel
    targets in the network's floating-point ``dtype``)."""
    if spec.target_type == MULTILABEL:
        if y.ndim != 2 or y.shape[1] != len(spec.classes):
            raise ValueError(
                f"y has {y.shape[1] if y.ndim == 2 else 1} label columns but the "
                f"classifier was fitted on {len(spec.classes)}."
            )
        return np.ascontiguousarray(y, dtype=dtype)
    if y.ndim != 1:
        raise ValueError(
            "y is a 2-D array of labels but the classifier was fitted on a 1-D "
            "array of class labels."
        )
    index = np.searchsorted(spec.classes, y)
    index = np.clip(index, 0, len(spec.classes) - 1)
    unknown = spec.classes[index] != y
    if np.any(unknown):
        raise ValueError(
            f"y contains labels {np.unique(y[unknown]).tolist()} that were not "
            f"seen in the first fit; known classes are {spec.classes.tolist()}."
        )
    if spec.target_type == BINARY:
        return index.astype(dtype).reshape(-1, 1)
    return index.astype(np.int64)


def classification_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    target_type: str,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean loss of a batch, weighted by ``weight`` when given.

    A weight of ``k`` counts like ``k`` copies of the sample: the weighted sum
    of per-sample losses is divided by the sum of the weights. A multilabel
    sample's loss is the sum over its labels, as in scikit-learn's MLP (so
    the same learning rate trains as fast whatever the number of labels).
    """
    functional = torch.nn.functional
    if weight is None:
        if target_type == MULTICLASS:
            return functional.cross_entropy(logits, target)
        if target_type == BINARY:
            return functional.binary_cross_entropy_with_logits(logits, target)
        return functional.binary_cross_entropy_with_logits(
            logits, target, reduction="sum"
        ) / len(logits)
    if target_type == MULTICLASS:
        loss = functional.cross_entropy(logits, target, reduction="none")
    else:
        loss = functional.binary_cross_entropy_with_logits(
            logits, target, reduction="none"
        ).sum(dim=1)
    return (loss * weight).sum() / weight.sum().clamp_min(1e-12)


def count_correct(
    logits: torch.Tensor,
    target: torch.Tensor,
    target_type: str,
    weight: torch.Tensor | None,
) -> torch.Tensor:
    """(Weighted) number of exactly right predictions, left on the device."""
    if target_type == MULTICLASS:
        right = logits.argmax(dim=1) == target
    else:
        right = ((logits > 0) == (target > 0.5)).all(dim=1)
    if weight is None:
        return right.sum()
    return (right * weight).sum()


def probabilities(logits: torch.Tensor, target_type: str) -> torch.Tensor:
    """Class probabilities from a batch of logits, in float64 so binary and
    multiclass rows sum to one to machine precision."""
    if target_type == MULTICLASS:
        return torch.softmax(logits, dim=1, dtype=torch.float64)
    logits = logits.double()
    proba = torch.sigmoid(logits)
    if target_type == BINARY:
        # sigmoid(-z), not 1 - sigmoid(z): a tiny probability keeps its digits
        return torch.cat([torch.sigmoid(-logits), proba], dim=1)
    return proba


def log_probabilities(logits: torch.Tensor, target_type: str) -> torch.Tensor:
    """Logarithms of :func:`probabilities`, computed from the logits so that
    a tiny probability is a large negative number, never ``log(0)``."""
    logits = logits.double()
    if target_type == MULTICLASS:
        return torch.log_softmax(logits, dim=1)
    log_p = torch.nn.functional.logsigmoid(logits)
    if target_type == BINARY:
        return torch.cat([torch.nn.functional.logsigmoid(-logits), log_p], dim=1)
    return log_p


def decode_predictions(logits: torch.Tensor, spec: TargetSpec) -> np.ndarray:
    """Original labels (or indicator matrix) from logits."""
    if spec.target_type == MULTILABEL:
        return (logits > 0).cpu().numpy().astype(np.int64)
    if spec.target_type == BINARY:
        index = (logits[:, 0] > 0).long()
    else:
        index = logits.argmax(dim=1)
    return spec.classes[index.cpu().numpy()]
