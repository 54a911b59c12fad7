"""The classification task: which kind of classification a ``y`` asks for,
its encoding, loss, validation metric and decoding.

* binary: one output logit, sigmoid, binary cross-entropy (the course's cat vs
  non-cat);
* multiclass: one logit per class, softmax, cross-entropy;
* multilabel indicator matrix: one sigmoid per label, as scikit-learn's
  ``MLPClassifier`` does;
* a single class (scikit-learn's MLP fits it too): one logit under a softmax,
  so the loss is zero and the model predicts that class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from torch import nn

from ._shared import check_outputs

BINARY = "binary"
MULTICLASS = "multiclass"
MULTILABEL = "multilabel-indicator"


@dataclass(frozen=True)
class Classification:
    """What a classifier's network predicts: the kind of target and its
    classes. The task object that the shared machinery asks about targets
    (see :mod:`sknn._tasks`)."""

    target_type: str
    classes: np.ndarray

    #: The validation metric, as the history names it (``valid_accuracy``).
    metric_name = "accuracy"

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer."""
        if self.target_type == BINARY:
            return 1
        return len(self.classes)

    def describe_outputs(self) -> str:
        return expected_outputs(self)

    def encode(self, y: np.ndarray, dtype=np.float32, name: str = "y") -> np.ndarray:
        return encode_targets(y, self, dtype, name)

    def criterion(self, dtype: torch.dtype) -> nn.Module:
        """The loss the engine minimizes."""
        return ClassificationLoss(self.target_type)

    def metric(self) -> Accuracy:
        return Accuracy(self.target_type)

    def check_outputs(self, logits, n_samples, dtype, *, training=False) -> None:
        check_logits(logits, n_samples, self, dtype, training=training)

    def stratify(self, y: np.ndarray) -> np.ndarray | None:
        """What a validation split is stratified by."""
        return None if self.target_type == MULTILABEL else y

    def decode(self, logits: torch.Tensor) -> np.ndarray:
        return decode_predictions(logits, self)


def expected_outputs(spec: Classification) -> str:
    """What the network must output for ``spec``, in words."""
    k = spec.n_outputs
    if spec.target_type == BINARY:
        return "a binary target needs 1 output, one logit"
    if spec.target_type == MULTILABEL:
        return f"a multilabel target with {k} labels needs {k} outputs, one per label"
    if k == 1:
        return "a target of a single class needs 1 output"
    return f"a multiclass target with {k} classes needs {k} outputs, one per class"


def check_logits(
    logits, n_samples: int, spec: Classification, dtype: torch.dtype, *, training=False
) -> None:
    """Refuse a network output that the loss for ``spec`` cannot take (see
    :func:`~sknn._tasks._outputs.check_outputs`)."""
    shape = tuple(getattr(logits, "shape", ()))
    if (
        spec.target_type == MULTICLASS
        and len(spec.classes) > 1
        and len(shape) == 2
        and shape[1] == 1
    ):
        mode = " in train mode" if training else ""
        raise ValueError(
            "Only binary classification is supported by this module: it "
            f"returned logits of shape {shape} for a batch of {n_samples} "
            f"samples{mode}; {expected_outputs(spec)}, i.e. logits of shape "
            f"{(n_samples, spec.n_outputs)}."
        )
    check_outputs(
        logits,
        n_samples,
        spec.n_outputs,
        expected_outputs(spec),
        dtype,
        training=training,
    )


def infer_classification(y: np.ndarray, classes=None) -> Classification:
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
        return Classification(MULTILABEL, np.arange(y.shape[1]))
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
    # One class, as scikit-learn's MLPClassifier allows: a one-way softmax,
    # whose loss is zero, so the model predicts that class (probability 1).
    return Classification(BINARY if len(classes) == 2 else MULTICLASS, classes)


def check_label_kinds(y, name: str = "y") -> None:
    """Refuse labels that mix strings and numbers, as scikit-learn does.

    Checked before conversion: numpy turns a list such as ``["cat", 1]``
    into the strings ``["cat", "1"]``, which would fit silently with a
    class ``"1"`` that the user never wrote. Arrays of one numeric or string
    dtype need no look.
    """
    dtype = getattr(y, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "O") != "O":
        return
    if not isinstance(y, (list, tuple)) and dtype is None:
        return
    try:
        values = np.asarray(y, dtype=object).ravel()
    except ValueError:  # ragged rows; validation names that problem
        return
    first = {}
    for value in values:
        if isinstance(value, str):
            first.setdefault(str, value)
        elif isinstance(value, (int, float, np.number)) and value == value:
            first.setdefault(float, value)
        if len(first) == 2:
            raise ValueError(
                f"Mix of label input types (string and number): {name} holds "
                f"strings and numbers, e.g. {first[str]!r} and {first[float]!r}. "
                "Give every label one type: all strings or all numbers."
            )


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


def encode_targets(
    y: np.ndarray, spec: Classification, dtype=np.float32, name: str = "y"
) -> np.ndarray:
    """Encode labels as the loss function expects them (binary and multilabel
    targets in the network's floating-point ``dtype``); ``name`` is what the
    messages call ``y`` (``y_val``, say)."""
    if spec.target_type == MULTILABEL:
        if y.ndim != 2 or y.shape[1] != len(spec.classes):
            raise ValueError(
                f"{name} has {y.shape[1] if y.ndim == 2 else 1} label columns but the "
                f"classifier was fitted on {len(spec.classes)}."
            )
        return np.ascontiguousarray(y, dtype=dtype)
    if y.ndim != 1:
        raise ValueError(
            f"{name} is a 2-D array of labels but the classifier was fitted on a "
            "1-D array of class labels."
        )
    index = np.searchsorted(spec.classes, y)
    index = np.clip(index, 0, len(spec.classes) - 1)
    unknown = spec.classes[index] != y
    if np.any(unknown):
        raise ValueError(
            f"{name} contains labels {np.unique(y[unknown]).tolist()} that were "
            f"not seen in the first fit; known classes are {spec.classes.tolist()}."
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


class ClassificationLoss(nn.Module):
    """:func:`classification_loss` as the engine's criterion."""

    def __init__(self, target_type: str) -> None:
        super().__init__()
        self.target_type = target_type

    def forward(self, logits, target, weight=None):
        return classification_loss(logits, target, self.target_type, weight)


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


class Accuracy:
    """The validation accuracy, accumulated batch by batch on the device:
    :meth:`batch` gives each batch's (weighted) count of exactly right
    predictions and its total weight, :meth:`value` reduces the stacked
    rows on the host, once per epoch."""

    name = "accuracy"

    def __init__(self, target_type: str) -> None:
        self.target_type = target_type

    def batch(self, logits, target, weight) -> torch.Tensor:
        right = count_correct(logits, target, self.target_type, weight)
        total = logits.new_tensor(len(logits)) if weight is None else weight.sum()
        return torch.stack([right.to(total.dtype), total])

    def value(self, rows: np.ndarray) -> float:
        return float(rows[:, 0].sum() / rows[:, 1].sum())


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


def decode_predictions(logits: torch.Tensor, spec: Classification) -> np.ndarray:
    """Original labels (or indicator matrix) from logits."""
    if spec.target_type == MULTILABEL:
        return (logits > 0).cpu().numpy().astype(np.int64)
    if spec.target_type == BINARY:
        index = (logits[:, 0] > 0).long()
    else:
        index = logits.argmax(dim=1)
    return spec.classes[index.cpu().numpy()]
