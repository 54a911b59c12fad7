"""What a classifier adds to the shared estimator: labels, class weights,
probabilities, and scikit-learn's classifier attributes."""

from __future__ import annotations

import dataclasses
import math
from numbers import Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from .._utils import StrOptions, warn
from ._classification import (
    BINARY,
    MULTICLASS,
    MULTILABEL,
    MULTIOUTPUT,
    Classification,
    check_label_kinds,
    infer_classification,
    log_probabilities,
    probabilities,
)
from ._shared import column_or_1d_target, stochastic_solver

#: Training samples on which a fitted classifier's predictions are checked.
CHECKED_ROWS = 256


class ClassifierTaskMixin(ClassifierMixin):
    """The classification side of an sknn estimator: put it left of an
    architecture (``class MLPClassifier(ClassifierTaskMixin, _MLP)``)."""

    #: The task's own parameters, added to the architecture's.
    _task_constraints: dict = {
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "output_weights": ["array-like", None],
        "scoring": [StrOptions({"loss", "accuracy"})],
    }

    # -- hooks of the shared base ---------------------------------------------

    def _check_raw_target(self, y, name) -> None:
        check_label_kinds(y, name)

    def _check_target(self, y):
        return column_or_1d_target(y)

    def _new_task(self, y, sample_weight, *, partial, classes) -> Classification:
        if partial and classes is None and y.ndim == 1:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if partial and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which "
                "sees one chunk at a time; compute the weights once with "
                "sklearn.utils.class_weight.compute_class_weight and pass them "
                "as a dict."
            )
        task = infer_classification(y, classes if partial else None)
        if partial and classes is None and task.target_type == MULTIOUTPUT:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: for "
                "a y with one output per column, a list of the labels of each "
                "column."
            )
        task = self._with_output_weights(task)
        if task.target_type == MULTILABEL and np.all(np.sum(y != 0, axis=1) == 1):
            warn(
                "y is a one-hot matrix (every row holds exactly one 1), which "
                "sknn reads as multilabel: an independent yes / no per "
                "column, with probabilities that need not sum to one and "
                "rows of predictions that may hold no class or several. For "
                "one class per sample, pass the class of each row: "
                "y.argmax(axis=1).",
                UserWarning,
            )
        return task

    def _check_fitted_model(self, engine, task, train, y) -> None:
        """Warn when the fitted model predicts one class for every training
        sample it is checked on (up to ``CHECKED_ROWS``, spread over the
        training set) while they hold several: it has learned nothing."""
        X = train.X
        if task.target_type in (MULTILABEL, MULTIOUTPUT):
            return
        if not isinstance(X, torch.Tensor):
            return
        rows = np.unique(np.linspace(0, len(X) - 1, CHECKED_ROWS).astype(int))
        if len(np.unique(y[rows])) < 2:
            return
        index = torch.as_tensor(rows, device=X.device)
        logits = engine.predict_outputs([X.index_select(0, index)], lambda z: z)
        predicted = np.unique(task.decode(logits))
        if len(predicted) == 1:
            warn(
                f"The fitted {type(self).__name__} predicts one class, "
                f"{predicted.tolist()[0]!r}, for all {len(rows)} training "
                "samples it was checked on, which hold several: it has not "
                "learned to tell "
                "them apart. Usual causes: unscaled or uncentred inputs "
                "(StandardScaler; for images sknn.preprocessing.TensorScaler("
                "mode='channel'): pixels divided by 255 are all positive, which "
                "makes a dense network's first layer swing), a learning rate "
                "too high (a loss that jumps) or too low, too few epochs, "
                "batch normalization with small batches, or a rare class "
                "(class_weight='balanced').",
                UserWarning,
            )

    def _fitted_task(self) -> Classification:
        return self._with_output_weights(
            Classification(self.target_type_, self.classes_)
        )

    def _with_output_weights(self, task: Classification) -> Classification:
        """The task with ``output_weights`` checked and set."""
        if self.output_weights is None:
            return task
        if task.target_type != MULTIOUTPUT:
            raise ValueError(
                "output_weights applies to a y with one output per column "
                "(multiclass-multioutput), but y is "
                f"{task.target_type}; leave output_weights=None."
            )
        weights = np.asarray(self.output_weights, dtype=float)
        if weights.shape != (len(task.classes),):
            raise ValueError(
                f"output_weights has shape {weights.shape}, but y has "
                f"{len(task.classes)} columns: give one weight per column."
            )
        if not (np.all(np.isfinite(weights)) and np.all(weights >= 0)):
            raise ValueError(
                f"output_weights must be finite and non-negative, got "
                f"{weights.tolist()}."
            )
        if not np.any(weights > 0):
            raise ValueError("output_weights are all zero: nothing would be learned.")
        return dataclasses.replace(task, output_weights=tuple(weights.tolist()))

    def _check_warm_target(self, task, y, *, partial, classes) -> None:
        if partial:
            if classes is not None and task.target_type != MULTILABEL:
                if task.target_type == MULTIOUTPUT:
                    same = len(classes) == len(self.classes_) and all(
                        np.array_equal(a, np.unique(b))
                        for a, b in zip(self.classes_, classes, strict=False)
                    )
                    if not same:
                        raise ValueError(
                            f"`classes={classes!r}` is not the same as on last "
                            f"call to partial_fit, was: {self.classes_!r}"
                        )
                elif not np.array_equal(self.classes_, unique_labels(classes)):
                    raise ValueError(
                        f"`classes={classes!r}` is not the same as on last call "
                        f"to partial_fit, was: {self.classes_!r}"
                    )
            return
        new = infer_classification(y)
        if new.target_type != task.target_type or not _same_classes(
            new.classes, task.classes
        ):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {task.classes}, "
                f"`y` has {new.classes}."
            )

    def _set_task_attributes(self, task: Classification) -> None:
        self.classes_ = task.classes
        self.target_type_ = task.target_type
        self.n_outputs_ = task.n_outputs
        self.out_activation_ = (
            "softmax" if task.target_type in (MULTICLASS, MULTIOUTPUT) else "logistic"
        )

    def _task_sample_weight(self, sample_weight, y, task, *, partial):
        """Sample weights times class weights; None when all are equal."""
        if isinstance(self.class_weight, dict) and task.target_type == MULTIOUTPUT:
            raise ValueError(
                "class_weight for a y with one output per column "
                "(multiclass-multioutput) is 'balanced' or None; a dict of "
                "classes cannot say which column it means."
            )
        if isinstance(self.class_weight, dict):
            for label, weight in self.class_weight.items():
                if not (
                    isinstance(weight, Real)
                    and not isinstance(weight, bool)
                    and math.isfinite(weight)
                    and weight >= 0
                ):
                    raise ValueError(
                        "class_weight must map classes to finite, non-negative "
                        f"numbers; got {weight!r} for class {label!r}."
                    )
            if task.target_type != MULTILABEL:
                unknown = set(self.class_weight) - set(task.classes.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight has keys {sorted(map(repr, unknown))} that "
                        f"are not classes of y; classes are {task.classes.tolist()}."
                    )
        if self.class_weight is not None:
            class_weight = compute_sample_weight(self.class_weight, y).astype(
                np.float32
            )
            sample_weight = (
                class_weight if sample_weight is None else sample_weight * class_weight
            )
            if not np.any(sample_weight > 0):
                raise ValueError(
                    "class_weight (with sample_weight, if given) leaves every "
                    "sample with weight zero: there is nothing to learn from."
                )
        if (
            sample_weight is not None
            and task.target_type in (BINARY, MULTICLASS)
            and not partial
        ):
            weighted = np.unique(y[sample_weight > 0])
            if len(weighted) < 2:
                raise ValueError(
                    "The sample weights leave only one class with non-zero weight "
                    f"({weighted.tolist()[0]!r}); the classifier needs at least 2 "
                    "classes."
                )
        return sample_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self._single_output():
            tags.classifier_tags.multi_class = False
        else:
            tags.classifier_tags.multi_label = True
        return tags

    # -- public API -----------------------------------------------------------

    @available_if(stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch over ``X`` and ``y``, keeping the current weights.

        Only for the stochastic solvers (not ``"lbfgs"``), and without early
        stopping, as in scikit-learn. After ``fit``, training goes on from
        the fitted weights and optimizer state.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a binary indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear in any call. Required on the first
            call for class labels, since a chunk may not show them all; on
            later calls, if given, it must be the same.

        Returns
        -------
        self : object
            The updated classifier.
        """
        return self._partial_fit(X, y, sample_weight, classes=classes)

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class.

        Computed from the network's logits (a log-softmax, or log-sigmoids),
        so very small probabilities are accurate negative numbers rather
        than ``log(0) = -inf``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, in the order of ``classes_``.
        """
        check_is_fitted(self)
        target_type, widths = self.target_type_, self._head_widths()
        log_proba = self._outputs(
            X, lambda logits: log_probabilities(logits, target_type, widths)
        )
        return _per_output(log_proba.cpu().numpy(), widths)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For binary and multiclass targets the rows sum to one; for
            multilabel targets each column is the probability of its label.
        """
        check_is_fitted(self)
        target_type, widths = self.target_type_, self._head_widths()
        proba = self._outputs(
            X, lambda logits: probabilities(logits, target_type, widths)
        )
        return _per_output(proba.cpu().numpy(), widths)

    def _head_widths(self) -> tuple[int, ...] | None:
        """Multiclass-multioutput: the width of each column's head."""
        if self.target_type_ != MULTIOUTPUT:
            return None
        return Classification(MULTIOUTPUT, self.classes_).widths

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels in the type they were given to ``fit``; an indicator
            matrix for multilabel targets.
        """
        check_is_fitted(self)
        return self._fitted_task().decode(self._outputs(X))

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``: for multilabel and
        multiclass-multioutput targets, the subset accuracy (a sample counts
        as right when all its labels are), as scikit-learn computes it.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Test inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        score : float
            The (weighted) fraction of samples predicted right.
        """
        check_is_fitted(self)
        if self.target_type_ != MULTIOUTPUT:
            return super().score(X, y, sample_weight=sample_weight)
        y = np.asarray(y)
        right = np.all(self.predict(X) == y, axis=1)
        return float(np.average(right, weights=sample_weight))


def _per_output(columns: np.ndarray, widths: tuple[int, ...] | None):
    """Multiclass-multioutput (``widths`` given): the columns of each output
    as a list of arrays, as scikit-learn's ``MultiOutputClassifier`` returns
    them; the columns as they are otherwise."""
    if widths is None:
        return columns
    return np.split(columns, np.cumsum(widths)[:-1], axis=1)


def _same_classes(a, b) -> bool:
    """Whether two ``classes_`` are the same (arrays, or lists of them)."""
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    return np.array_equal(a, b)
