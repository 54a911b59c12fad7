"""Learning curves of a fitted sknn classifier, as a scikit-learn Display."""

from __future__ import annotations

import numpy as np
from sklearn.base import is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .._base import _BaseNeuralNet
from ._plotting import (
    check_axes,
    check_kwargs,
    check_optional_int,
    check_optional_str,
    drawing_with,
    float_array,
    import_pyplot,
)


def _check_show_validation(show_validation):
    """``show_validation`` as "auto", True or False."""
    if isinstance(show_validation, (bool, np.bool_)):
        return bool(show_validation)
    if isinstance(show_validation, str) and show_validation == "auto":
        return show_validation
    error = ValueError if isinstance(show_validation, str) else TypeError
    raise error(
        f"show_validation must be 'auto', True or False, got {show_validation!r}."
    )


def _curve(values, name: str, n_epochs: int) -> np.ndarray | None:
    """``values`` as a float array of one entry per epoch, or None."""
    if values is None:
        return None
    curve = float_array(values, name)
    if curve.shape != (n_epochs,):
        raise ValueError(
            f"{name} must have one value per epoch, like train_loss "
            f"({n_epochs} epochs); got shape {curve.shape}."
        )
    return None if np.isnan(curve).all() else curve


#: The scales of the loss axis.
_LOSS_SCALES = ("auto", "linear", "log")

#: ``loss_scale="auto"``: logarithmic when the losses span more than this
#: factor.
_LOG_SCALE_SPAN = 20.0


def _auto_scale(train_loss, valid_loss) -> str:
    """ "log" when the (positive) losses span more than ``_LOG_SCALE_SPAN``."""
    values = [train_loss] + ([] if valid_loss is None else [valid_loss])
    losses = np.concatenate(values)
    losses = losses[np.isfinite(losses)]
    if losses.size == 0 or np.any(losses <= 0):
        return "linear"
    return "log" if losses.max() > _LOG_SCALE_SPAN * losses.min() else "linear"


def _history_column(history, key: str) -> np.ndarray | None:
    """One column of a skorch History; NaN for epochs that lack it."""
    column = np.array([row.get(key, np.nan) for row in history], dtype=float)
    return None if np.isnan(column).all() else column


class TrainingHistoryDisplay:
    """Learning curves: loss and validation score per epoch.

    The training loss of every epoch, and, where the estimator was fitted
    with validation data (``X_val`` and ``y_val``, or ``early_stopping=True``),
    the validation loss on the same axis and the validation score (accuracy
    for a classifier, R² for a regressor) on a second y-axis. The epoch whose
    weights early stopping restored is marked with a vertical line.

    Build it with :meth:`from_estimator` from a fitted
    sknn estimator (:class:`~sknn.MLPClassifier`, :class:`~sknn.MLPRegressor`
    and the others), or from
    curves you already have with the constructor followed by :meth:`plot`.
    Drawing needs matplotlib (``pip install 'sknn-torch[plot]'``).

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Training loss of each epoch.

    valid_loss : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch; NaN for epochs without validation.

    valid_score : array-like of shape (n_epochs,), default=None
        Validation score of each epoch; NaN for epochs without validation.

    best_epoch : int, default=None
        The epoch (counted from 1, as in ``history_``) whose weights early
        stopping restored; None draws no marker.

    estimator_name : str, default=None
        Title of the plot; None leaves it untitled.

    score_name : str, default="accuracy"
        What ``valid_score`` is, for its axis and legend ("validation
        accuracy"); :meth:`from_estimator` sets ``"R²"`` for a regressor.

    train_loss_label : str, default="training loss"
        The training loss's legend entry. :meth:`from_estimator` says
        ``"training loss (+ L2 term)"`` when the estimator has an L2 penalty
        (``alpha > 0``): the training loss is the objective that training
        minimizes, penalty included, while the validation loss is the data
        loss alone, so the two are not on the same footing.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes with the loss curves.

    score_ax_ : matplotlib Axes or None
        The second y-axis (sharing ``ax_``'s x-axis) with the validation
        accuracy, or None when that curve is not drawn.

    figure_ : matplotlib Figure
        The figure holding the axes.

    lines_ : dict of str to matplotlib Line2D
        The drawn lines, under the keys ``"train_loss"``, ``"valid_loss"``,
        ``"valid_score"`` and ``"best_epoch"`` (the vertical marker); a key is
        present only when its line is drawn.

    See Also
    --------
    CVResultsDisplay : Test score and fit time per value of a searched parameter.
    sklearn.model_selection.LearningCurveDisplay : Scores against the number
        of training samples rather than epochs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sknn.inspection import TrainingHistoryDisplay
    >>> display = TrainingHistoryDisplay(
    ...     train_loss=[1.0, 0.6, 0.4, 0.3],
    ...     valid_loss=[1.1, 0.7, 0.6, 0.65],
    ...     valid_score=[0.5, 0.8, 0.85, 0.84],
    ...     best_epoch=3,
    ... ).plot()
    >>> sorted(display.lines_)
    ['best_epoch', 'train_loss', 'valid_loss', 'valid_score']
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        train_loss,
        valid_loss=None,
        valid_score=None,
        best_epoch=None,
        estimator_name=None,
        score_name="accuracy",
        train_loss_label="training loss",
    ):
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.valid_score = valid_score
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name
        self.score_name = score_name
        self.train_loss_label = train_loss_label

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        show_validation="auto",
        ax=None,
        name=None,
        loss_scale="auto",
        train_loss_kw=None,
        valid_loss_kw=None,
        valid_score_kw=None,
        best_epoch_kw=None,
    ):
        """Plot the learning curves recorded while fitting an sknn classifier.

        Parameters
        ----------
        estimator : MLPClassifier, CNNClassifier or Pipeline
            A fitted sknn classifier, or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one. Its
            ``history_`` supplies the curves and its ``best_epoch_`` the
            marker.

        show_validation : {"auto", True, False}, default="auto"
            Whether to draw the validation loss and accuracy. ``"auto"``
            draws them when the estimator was fitted with validation data
            and the training loss alone otherwise; ``True`` requires them and
            raises ``ValueError`` for an estimator fitted without validation
            data; ``False`` draws the training loss alone.

        ax : matplotlib Axes, default=None
            Axes to draw the losses on; None creates a new figure.

        name : str, default=None
            Title of the plot; None uses the classifier's class name.

        loss_scale : {"auto", "linear", "log"}, default="auto"
            Scale of the loss axis. ``"auto"`` is logarithmic when the
            losses span more than a factor of 20 (a large first epoch would
            flatten the rest of the curves on a linear axis), linear
            otherwise.

        train_loss_kw, valid_loss_kw, valid_score_kw, best_epoch_kw : dict, \
default=None
            Keyword arguments for ``Axes.plot`` (the curves) and
            ``Axes.axvline`` (the best-epoch marker), overriding the defaults.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with the drawn objects in its attributes.

        Raises
        ------
        TypeError
            If ``estimator`` is neither an sknn classifier nor a Pipeline
            ending in one, or another argument has the wrong type (as in
            :meth:`plot`).
        sklearn.exceptions.NotFittedError
            If the classifier is not fitted.
        ValueError
            If ``show_validation=True`` and the classifier was fitted without
            validation data, or another argument has a wrong value (as in
            :meth:`plot`).

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> from sknn.inspection import TrainingHistoryDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(
        ...     hidden_layer_sizes=(16,), max_iter=20, early_stopping=True,
        ...     validation_fraction=0.2, random_state=0,
        ... ).fit(X, y)
        >>> display = TrainingHistoryDisplay.from_estimator(clf)
        >>> display.ax_.get_xlabel(), display.score_ax_.get_ylabel()
        ('epoch', 'validation accuracy')
        >>> display.best_epoch == clf.best_epoch_
        True
        >>> plt.close(display.figure_)
        """
        pipeline = isinstance(estimator, Pipeline) and estimator.steps
        classifier = estimator.steps[-1][1] if pipeline else estimator
        if not isinstance(classifier, _BaseNeuralNet):
            if isinstance(classifier, type):
                got = f"the class {classifier.__name__}; pass a fitted instance"
            else:
                got = type(classifier).__name__
            raise TypeError(
                f"{cls.__name__}.from_estimator needs an sknn estimator "
                "(MLPClassifier, MLPRegressor, ...) or a Pipeline ending in one, "
                f"whose history_ records the training; got {got}."
            )
        check_is_fitted(classifier)
        history = classifier.history_
        if len(history) == 0:
            raise ValueError(
                f"The {type(classifier).__name__} has an empty history_: no "
                "epoch was recorded."
            )
        metric = "r2" if is_regressor(classifier) else "accuracy"
        penalized = float(getattr(classifier.net_, "alpha", 0.0) or 0.0) > 0
        display = cls(
            train_loss=_history_column(history, "train_loss"),
            valid_loss=_history_column(history, "valid_loss"),
            valid_score=_history_column(history, f"valid_{metric}"),
            best_epoch=classifier.best_epoch_,
            estimator_name=type(classifier).__name__,
            score_name="R²" if metric == "r2" else metric,
            train_loss_label=(
                "training loss (+ L2 term)" if penalized else "training loss"
            ),
        )
        return display.plot(
            ax=ax,
            name=name,
            loss_scale=loss_scale,
            show_validation=show_validation,
            train_loss_kw=train_loss_kw,
            valid_loss_kw=valid_loss_kw,
            valid_score_kw=valid_score_kw,
            best_epoch_kw=best_epoch_kw,
        )

    def plot(
        self,
        ax=None,
        *,
        name=None,
        loss_scale="auto",
        show_validation="auto",
        train_loss_kw=None,
        valid_loss_kw=None,
        valid_score_kw=None,
        best_epoch_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the losses on; None creates a new figure.

        name : str, default=None
            Title of the plot; None uses ``estimator_name``.

        loss_scale : {"auto", "linear", "log"}, default="auto"
            Scale of the loss axis. ``"auto"`` is logarithmic when the
            losses span more than a factor of 20 (a large first epoch would
            flatten the rest of the curves on a linear axis), linear
            otherwise.

        show_validation : {"auto", True, False}, default="auto"
            Whether to draw ``valid_loss`` and ``valid_score``: ``"auto"``
            when they are given, ``True`` always (``ValueError`` when both
            are None), ``False`` never.

        train_loss_kw, valid_loss_kw, valid_score_kw, best_epoch_kw : dict, \
default=None
            Keyword arguments for ``Axes.plot`` (the curves) and
            ``Axes.axvline`` (the best-epoch marker), overriding the defaults.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with ``ax_``, ``score_ax_``, ``figure_`` and
            ``lines_`` set.

        Raises
        ------
        TypeError
            If an argument, or a value given to the constructor, has the
            wrong type: ``ax`` not a matplotlib Axes, ``name`` or
            ``estimator_name`` not a str, ``show_validation`` not "auto" or a
            bool, a ``*_kw`` not a dict or holding an argument matplotlib does
            not know, a curve not numbers, or ``best_epoch`` not an int.
        ValueError
            If a value is wrong: a curve not of one value per epoch,
            ``best_epoch`` outside the epochs, ``show_validation=True``
            without validation curves, or a ``*_kw`` value matplotlib refuses.
        """
        show_validation = _check_show_validation(show_validation)
        if not (isinstance(loss_scale, str) and loss_scale in _LOSS_SCALES):
            raise ValueError(
                f"loss_scale must be one of {', '.join(map(repr, _LOSS_SCALES))}, "
                f"got {loss_scale!r}."
            )
        check_optional_str(name, "name")
        check_optional_str(self.train_loss_label, "train_loss_label")
        check_optional_str(self.estimator_name, "estimator_name")
        kws = {
            "train_loss_kw": check_kwargs(train_loss_kw, "train_loss_kw"),
            "valid_loss_kw": check_kwargs(valid_loss_kw, "valid_loss_kw"),
            "valid_score_kw": check_kwargs(valid_score_kw, "valid_score_kw"),
            "best_epoch_kw": check_kwargs(best_epoch_kw, "best_epoch_kw"),
        }
        train_loss = float_array(self.train_loss, "train_loss")
        if train_loss.ndim != 1 or train_loss.size == 0:
            raise ValueError(
                "train_loss must be a non-empty sequence with one loss per "
                f"epoch, got shape {train_loss.shape}."
            )
        n_epochs = train_loss.size
        valid_loss = _curve(self.valid_loss, "valid_loss", n_epochs)
        valid_score = _curve(self.valid_score, "valid_score", n_epochs)
        has_validation = valid_loss is not None or valid_score is not None
        if show_validation is True and not has_validation:
            raise ValueError(
                "There are no validation curves to draw: the classifier was "
                "fitted without validation data. Fit it with X_val and y_val, "
                "or with early_stopping=True, or pass show_validation='auto' "
                "to draw the training loss alone."
            )
        show = has_validation and show_validation is not False
        curves = (valid_loss, valid_score) if show else (None, None)
        best_epoch = self.best_epoch
        check_optional_int(best_epoch, "best_epoch")
        if best_epoch is not None and not 1 <= best_epoch <= n_epochs:
            raise ValueError(
                f"best_epoch must lie between 1 and the number of epochs "
                f"({n_epochs}), got {best_epoch}."
            )

        plt = import_pyplot()
        created = ax is None
        if created:
            _, ax = plt.subplots()
        else:
            check_axes(ax)
        try:
            self._draw(ax, n_epochs, train_loss, curves, best_epoch, kws, name)
            scale = loss_scale
            if scale == "auto":
                scale = _auto_scale(train_loss, curves[0])
            ax.set_yscale(scale)
            if created:  # room for the legend below the axes
                ax.figure.set_layout_engine("constrained")
            return self
        except BaseException:
            if created:
                plt.close(ax.figure)  # no half-drawn figure left behind
            raise

    def _draw(self, ax, n_epochs, train_loss, curves, best_epoch, kws, name):
        from matplotlib.ticker import MaxNLocator

        valid_loss, valid_score = curves
        epochs = np.arange(1, n_epochs + 1)
        lines = {}
        with drawing_with("train_loss_kw", "Axes.plot"):
            (lines["train_loss"],) = ax.plot(
                epochs,
                train_loss,
                **{
                    "color": "C0",
                    "label": self.train_loss_label,
                    **kws["train_loss_kw"],
                },
            )
        if valid_loss is not None:
            with drawing_with("valid_loss_kw", "Axes.plot"):
                (lines["valid_loss"],) = ax.plot(
                    epochs,
                    valid_loss,
                    **{
                        "color": "C1",
                        "label": "validation loss",
                        **kws["valid_loss_kw"],
                    },
                )
        score_ax = None
        if valid_score is not None:
            score_ax = ax.twinx()
            with drawing_with("valid_score_kw", "Axes.plot"):
                (lines["valid_score"],) = score_ax.plot(
                    epochs,
                    valid_score,
                    **{
                        "color": "C2",
                        "linestyle": "--",
                        "label": f"validation {self.score_name}",
                        **kws["valid_score_kw"],
                    },
                )
            score_ax.set_ylabel(f"validation {self.score_name}")
            # The loss axes in front, so that the legend drawn on them covers
            # the accuracy curve rather than lying under it.
            ax.set_zorder(score_ax.get_zorder() + 1)
            ax.patch.set_visible(False)
        if best_epoch is not None:
            with drawing_with("best_epoch_kw", "Axes.axvline"):
                lines["best_epoch"] = ax.axvline(
                    best_epoch,
                    **{
                        "color": "0.3",
                        "linestyle": ":",
                        "label": f"best epoch ({best_epoch})",
                        **kws["best_epoch_kw"],
                    },
                )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # Below the axes, where it covers none of the curves of either axis.
        ax.legend(
            list(lines.values()),
            [line.get_label() for line in lines.values()],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=2,
            frameon=False,
        )
        title = self.estimator_name if name is None else name
        if title:
            ax.set_title(title)

        self.ax_ = ax
        self.score_ax_ = score_ax
        self.figure_ = ax.figure
        self.lines_ = lines
        return self
