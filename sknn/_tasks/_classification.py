"""The classification task: which kind of classification a ``y`` asks for,
its encoding, loss, validation metric and decoding.

* binary: one output logit, sigmoid, binary cross-entropy (the course's cat vs
  non-cat);
* multiclass: one logit per class, softmax, cross-entropy;
* multilabel indicator matrix: one sigmoid per label, as scikit-learn's
  ``MLPClassifier`` does;
* a single class (scikit-learn's MLP fits it too): one logit under a softmax,
  so the loss is zero and the model predicts that class;
* multiclass-multioutput, a 2-D ``y`` whose columns each hold their own
  labels: one softmax head per column (the logits of the columns side by
  side), the columns' cross-entropies summed (times ``output_weights``), as
  scikit-learn's ``MultiOutputClassifier`` presents it.
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
MULTIOUTPUT = "multiclass-multioutput"


@dataclass(frozen=True)
class Classification:
    """What a classifier's network predicts: the kind of target and its
    classes. The task object that the shared machinery asks about targets
    (see :mod:`sknn._tasks`)."""

    target_type: str
    #: The sorted labels; for multiclass-multioutput, a list of them, one
    #: array per column of ``y``.
    classes: np.ndarray | list
    #: Multiclass-multioutput: how much each column's loss counts.
    output_weights: tuple | None = None

    #: The validation metric, as the history names it (``valid_accuracy``).
    metric_name = "accuracy"

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer."""
        if self.target_type == BINARY:
            return 1
        if self.target_type == MULTIOUTPUT:
            return sum(self.widths)
        return len(self.classes)

    @property
    def widths(self) -> tuple[int, ...]:
        """Multiclass-multioutput: the width of each column's head."""
        return tuple(len(c) for c in self.classes)

    @property
    def module_outputs(self) -> int | tuple[int, ...]:
        """What a user's module receives as ``n_outputs``: the heads' widths
        for multiclass-multioutput, the output width otherwise."""
        return self.widths if self.target_type == MULTIOUTPUT else self.n_outputs

    def describe_outputs(self) -> str:
        return expected_outputs(self)

    def encode(self, y: np.ndarray, dtype=np.float32, name: str = "y") -> np.ndarray:
        return encode_targets(y, self, dtype, name)

    def criterion(self, dtype: torch.dtype) -> nn.Module:
        """The loss the engine minimizes."""
        if self.target_type == MULTIOUTPUT:
            return MultiOutputLoss(self.widths, self.output_weights)
        return ClassificationLoss(self.target_type)

    def metric(self) -> Accuracy:
        return Accuracy(
            self.target_type, self.widths if self.target_type == MULTIOUTPUT else None
        )

    def check_outputs(self, logits, n_samples, dtype, *, training=False) -> None:
        check_logits(logits, n_samples, self, dtype, training=training)

    def stratify(self, y: np.ndarray) -> np.ndarray | None:
        """What a validation split is stratified by."""
        return None if self.target_type in (MULTILABEL, MULTIOUTPUT) else y

    def decode(self, logits: torch.Tensor) -> np.ndarray:
        return decode_predictions(logits, self)


def expected_outputs(spec: Classification) -> str:
    """What the network must output for ``spec``, in words."""
    k = spec.n_outputs
    if spec.target_type == BINARY:
        return "a binary target needs 1 output, one logit"
    if spec.target_type == MULTILABEL:
        return f"a multilabel target with {k} labels needs {k} outputs, one per label"
    if spec.target_type == MULTIOUTPUT:
        widths = spec.widths
        return (
            f"a multiclass-multioutput target of {len(widths)} columns with "
            f"{', '.join(map(str, widths))} classes needs {k} outputs, one per "
            "class of each column, side by side (or one tensor per column, of "
            f"widths {widths})"
        )
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
    try:
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
    except TypeError:
        if y.ndim != 2:
            raise
        # Columns of different kinds (strings in one, numbers in another),
        # which scikit-learn cannot sort together: each on its own.
        for j in range(y.shape[1]):
            check_classification_targets(_column(y, j))
        target_type = MULTIOUTPUT
    if target_type == MULTILABEL:
        return Classification(MULTILABEL, np.arange(y.shape[1]))
    if target_type == MULTIOUTPUT:
        return Classification(MULTIOUTPUT, _multioutput_classes(y, classes))
    if target_type not in (BINARY, MULTICLASS):
        raise ValueError(
            f"Target type {target_type!r} is not supported: sknn classifiers "
            "take a 1-D array of class labels, a 2-D binary indicator matrix "
            "of labels, or a 2-D array with the labels of one output per "
            "column."
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


def _column(y: np.ndarray, j: int) -> np.ndarray:
    """Column ``j`` of a 2-D target, in its own type: a column of an object
    array holding numbers becomes a numeric array."""
    column = y[:, j]
    return np.asarray(column.tolist()) if column.dtype == object else column


def _multioutput_classes(y: np.ndarray, classes=None) -> list[np.ndarray]:
    """Each column's classes: read off ``y``, or ``classes`` (a list of one
    array-like per column, as ``partial_fit`` takes them) checked."""
    observed = [np.unique(_column(y, j)) for j in range(y.shape[1])]
    if classes is None:
        return observed
    if not isinstance(classes, (list, tuple)) or len(classes) != y.shape[1]:
        raise ValueError(
            f"y has {y.shape[1]} columns of labels (multiclass-multioutput), so "
            "classes must be a list of one array-like of labels per column, "
            f"got {classes!r}."
        )
    checked = [_check_classes(c) for c in classes]
    for j, (seen, known) in enumerate(zip(observed, checked, strict=True)):
        unseen = np.setdiff1d(seen, known)
        if unseen.size:
            raise ValueError(
                f"Column {j} of y contains labels {unseen.tolist()} that are not "
                f"in classes[{j}]={known.tolist()}."
            )
    return checked


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
        values = np.asarray(y, dtype=object)
    except ValueError:  # ragged rows; validation names that problem
        return
    if values.ndim == 2 and values.shape[1] > 1:
        # one output per column: each column has its own labels
        for j in range(values.shape[1]):
            _check_one_kind(values[:, j], f"column {j} of {name}")
        return
    _check_one_kind(values.ravel(), name)


def _check_one_kind(values: np.ndarray, name: str) -> None:
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
    if spec.target_type == MULTIOUTPUT:
        if y.ndim != 2 or y.shape[1] != len(spec.classes):
            raise ValueError(
                f"{name} has {y.shape[1] if y.ndim == 2 else 1} columns of labels "
                f"but the classifier was fitted on {len(spec.classes)}."
            )
        columns = [
            _label_index(_column(y, j), known, f"Column {j} of {name}")
            for j, known in enumerate(spec.classes)
        ]
        return np.ascontiguousarray(np.stack(columns, axis=1))
    if y.ndim != 1:
        raise ValueError(
            f"{name} is a 2-D array of labels but the classifier was fitted on a "
            "1-D array of class labels."
        )
    index = _label_index(y, spec.classes, name)
    if spec.target_type == BINARY:
        return index.astype(dtype).reshape(-1, 1)
    return index.astype(np.int64)


def _label_index(y: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """The position of each label of ``y`` in the sorted ``classes``."""
    index = np.searchsorted(classes, y)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != y
    if np.any(unknown):
        raise ValueError(
            f"{name} contains labels {np.unique(y[unknown]).tolist()} that were "
            f"not seen in the first fit; known classes are {classes.tolist()}."
        )
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


class MultiOutputLoss(nn.Module):
    """Multiclass-multioutput: each column's cross-entropy on its slice of
    the logits, summed with the columns' weights (1 each by default), each
    a weighted mean over the samples as :func:`classification_loss`."""

    def __init__(self, widths, output_weights=None) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.output_weights = (
            (1.0,) * len(self.widths) if output_weights is None else output_weights
        )

    def forward(self, logits, target, weight=None):
        total = 0.0
        heads = torch.split(logits, self.widths, dim=1)
        for j, (head, factor) in enumerate(
            zip(heads, self.output_weights, strict=True)
        ):
            if factor:
                loss = classification_loss(head, target[:, j], MULTICLASS, weight)
                total = total + factor * loss
        return total


def count_correct(
    logits: torch.Tensor,
    target: torch.Tensor,
    target_type: str,
    weight: torch.Tensor | None,
    widths: tuple[int, ...] | None = None,
) -> torch.Tensor:
    """(Weighted) number of exactly right predictions (all outputs of a
    sample right), left on the device; ``widths`` are the heads of a
    multiclass-multioutput target."""
    if target_type == MULTICLASS:
        right = logits.argmax(dim=1) == target
    elif target_type == MULTIOUTPUT:
        heads = torch.split(logits, widths, dim=1)
        predicted = torch.stack([head.argmax(dim=1) for head in heads], dim=1)
        right = (predicted == target).all(dim=1)
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

    def __init__(self, target_type: str, widths=None) -> None:
        self.target_type = target_type
        self.widths = widths

    def batch(self, logits, target, weight) -> torch.Tensor:
        right = count_correct(logits, target, self.target_type, weight, self.widths)
        total = logits.new_tensor(len(logits)) if weight is None else weight.sum()
        return torch.stack([right.to(total.dtype), total])

    def value(self, rows: np.ndarray) -> float:
        return float(rows[:, 0].sum() / rows[:, 1].sum())


def probabilities(logits: torch.Tensor, target_type: str, widths=None) -> torch.Tensor:
    """Class probabilities from a batch of logits, in float64 so binary and
    multiclass rows sum to one to machine precision (multiclass-multioutput:
    each head's, side by side)."""
    if target_type == MULTIOUTPUT:
        heads = torch.split(logits, widths, dim=1)
        return torch.cat(
            [torch.softmax(h, dim=1, dtype=torch.float64) for h in heads], 1
        )
    if target_type == MULTICLASS:
        return torch.softmax(logits, dim=1, dtype=torch.float64)
    logits = logits.double()
    proba = torch.sigmoid(logits)
    if target_type == BINARY:
        # sigmoid(-z), not 1 - sigmoid(z): a tiny probability keeps its digits
        return torch.cat([torch.sigmoid(-logits), proba], dim=1)
    return proba


def log_probabilities(
    logits: torch.Tensor, target_type: str, widths=None
) -> torch.Tensor:
    """Logarithms of :func:`probabilities`, computed from the logits so that
    a tiny probability is a large negative number, never ``log(0)``."""
    logits = logits.double()
    if target_type == MULTIOUTPUT:
        heads = torch.split(logits, widths, dim=1)
        return torch.cat([torch.log_softmax(h, dim=1) for h in heads], dim=1)
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
    if spec.target_type == MULTIOUTPUT:
        heads = torch.split(logits, spec.widths, dim=1)
        columns = [
            known[head.argmax(dim=1).cpu().numpy()]
            for head, known in zip(heads, spec.classes, strict=True)
        ]
        return stack_columns(columns)
    if spec.target_type == BINARY:
        index = (logits[:, 0] > 0).long()
    else:
        index = logits.argmax(dim=1)
    return spec.classes[index.cpu().numpy()]


def stack_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Columns of labels side by side: of their common type when they are
    all numbers or all strings, of type object when they mix the two."""
    kinds = {"number" if c.dtype.kind in "biuf" else c.dtype.kind for c in columns}
    if len(kinds) == 1 and "O" not in kinds:
        return np.stack(columns, axis=1)
    stacked = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, column in enumerate(columns):
        stacked[:, j] = column
    return stacked
