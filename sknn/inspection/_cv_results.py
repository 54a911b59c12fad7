"""Test score and fit time per value of one searched parameter."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._plotting import (
    check_kwargs,
    check_optional_str,
    check_str,
    describe,
    drawing_with,
    float_array,
    import_pyplot,
)

_STATS = ("mean_test_score", "std_test_score", "mean_fit_time", "std_fit_time")


def _columns(cv_results: Mapping, prefix: str) -> list[str]:
    """The names after ``prefix`` of the columns that start with it."""
    return sorted(
        key[len(prefix) :]
        for key in cv_results
        if isinstance(key, str) and key.startswith(prefix)
    )


def _param_key(cv_results: Mapping, param_name: str) -> str:
    """The ``cv_results_`` column of ``param_name``, a full or a short name."""
    if f"param_{param_name}" in cv_results:
        return f"param_{param_name}"
    searched = _columns(cv_results, "param_")
    matches = [name for name in searched if name.endswith(f"__{param_name}")]
    if len(matches) == 1:
        return f"param_{matches[0]}"
    if matches:
        raise ValueError(
            f"param_name={param_name!r} is ambiguous: it matches {matches}; "
            "pass the full name."
        )
    raise ValueError(
        f"The search did not vary {param_name!r}; its parameters are {searched}."
    )


def _metric(search, cv_results: Mapping, metric: str | None) -> str:
    """The scorer whose results to show, for single- and multi-metric searches."""
    if hasattr(search, "scoring"):
        scoring = search.scoring
        multimetric = not (
            scoring is None or isinstance(scoring, str) or callable(scoring)
        )
    else:  # not a scikit-learn search: its cv_results_ tell
        multimetric = "mean_test_score" not in cv_results and any(
            _columns(cv_results, "mean_test_")
        )
    if not multimetric:
        if metric not in (None, "score"):
            raise ValueError(
                f"metric={metric!r} applies to multi-metric searches only; this "
                "search has one score."
            )
        return "score"
    metrics = _columns(cv_results, "mean_test_")
    if metric is None:
        refit = getattr(search, "refit", None)
        if not isinstance(refit, str):
            raise ValueError(
                "This search computed several metrics: choose one with metric= "
                f"among {metrics}."
            )
        metric = refit
    if metric not in metrics:
        raise ValueError(
            f"The search computed no metric named {metric!r}; its metrics are "
            f"{metrics}."
        )
    return metric


def _length(column) -> int | None:
    if isinstance(column, (str, bytes, Mapping)):
        return None
    try:
        return len(column)
    except TypeError:  # a scalar, or a 0-d array
        return None


def _check_cv_results(cv_results, columns: list[str]) -> None:
    """A clear error unless ``cv_results`` is a dict holding ``columns``, all
    of one length (the number of candidates)."""
    form = (
        "it must be a dict of columns with one entry per candidate, like "
        "GridSearchCV's cv_results_"
    )
    if not isinstance(cv_results, Mapping):
        raise TypeError(
            f"search.cv_results_ must be a dict, got {type(cv_results).__name__}: "
            f"{form}."
        )
    missing = [name for name in columns if name not in cv_results]
    if missing:
        raise ValueError(f"search.cv_results_ has no column {missing}: {form}.")
    lengths = {name: _length(cv_results[name]) for name in columns}
    if None in lengths.values() or len(set(lengths.values())) > 1:
        raise ValueError(
            f"The columns of search.cv_results_ have lengths {lengths}: {form}."
        )


def _score_label(search, metric: str) -> str:
    if metric != "score":
        return metric
    scoring = getattr(search, "scoring", None)
    if isinstance(scoring, str):
        return scoring
    estimator = getattr(search, "estimator", None)
    if scoring is None and estimator is not None and is_classifier(estimator):
        return "accuracy"
    return "score"


def _check_ax(ax) -> np.ndarray:
    """``ax`` as an array of the two Axes, or a clear error."""
    from matplotlib.axes import Axes

    expected = (
        "ax must be a sequence of two Axes, one for the score and one for the "
        "fit time (such as the second value of plt.subplots(1, 2))"
    )
    if isinstance(ax, Axes):
        raise ValueError(f"{expected}; got one Axes.")
    if not isinstance(ax, (list, tuple, np.ndarray)):
        raise TypeError(f"{expected} or None; got {type(ax).__name__}.")
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.shape != (2,):
        raise ValueError(f"{expected}; got {axes.size}.")
    if not all(isinstance(panel, Axes) for panel in axes):
        raise TypeError(f"{expected}; got {[type(panel).__name__ for panel in axes]}.")
    return axes


class CVResultsDisplay:
    """Mean test score and fit time for each value of a searched parameter.

    Made for categorical parameters, such as the ``normalization`` method of
    an sknn classifier, that :class:`~sklearn.model_selection.ValidationCurveDisplay`
    (numeric ranges) does not draw: one row per value, with two panels side
    by side, the mean test score over the cross-validation folds and the mean
    fit time, each with a bar of plus or minus one standard deviation over
    the folds.

    Build it with :meth:`from_search` from a fitted
    :class:`~sklearn.model_selection.GridSearchCV` or
    :class:`~sklearn.model_selection.RandomizedSearchCV`, or from numbers
    you already have with the constructor followed by :meth:`plot`. Drawing
    needs matplotlib (``pip install 'sknn-torch[plot]'``).

    Parameters
    ----------
    param_name : str
        Name of the parameter, used as the label of the rows.

    param_values : list of str
        Labels of the rows, one per value of the parameter.

    mean_test_score, std_test_score : array-like of shape (n_values,)
        Mean and standard deviation of the test score over the folds.

    mean_fit_time, std_fit_time : array-like of shape (n_values,)
        Mean and standard deviation of the fit time over the folds, in
        seconds.

    score_name : str, default="score"
        Name of the score, used in the axis label.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (2,)
        The score axes and the fit-time axes.

    figure_ : matplotlib Figure
        The figure holding the axes.

    errorbars_ : dict of str to matplotlib ErrorbarContainer
        The drawn points with their error bars, under the keys ``"score"``
        and ``"fit_time"``.

    See Also
    --------
    TrainingHistoryDisplay : Loss and validation accuracy per epoch.
    sklearn.model_selection.ValidationCurveDisplay : Train and test scores
        against a numeric parameter.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sknn.inspection import CVResultsDisplay
    >>> display = CVResultsDisplay(
    ...     param_name="normalization",
    ...     param_values=["None", "batch", "layer"],
    ...     mean_test_score=[0.95, 0.96, 0.97],
    ...     std_test_score=[0.01, 0.02, 0.01],
    ...     mean_fit_time=[0.5, 0.7, 0.6],
    ...     std_fit_time=[0.05, 0.05, 0.04],
    ...     score_name="accuracy",
    ... ).plot()
    >>> [label.get_text() for label in display.axes_[0].get_yticklabels()]
    ['None', 'batch', 'layer']
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        param_name,
        param_values,
        mean_test_score,
        std_test_score,
        mean_fit_time,
        std_fit_time,
        score_name="score",
    ):
        self.param_name = param_name
        self.param_values = param_values
        self.mean_test_score = mean_test_score
        self.std_test_score = std_test_score
        self.mean_fit_time = mean_fit_time
        self.std_fit_time = std_fit_time
        self.score_name = score_name

    @classmethod
    def from_search(
        cls,
        search,
        param_name,
        *,
        metric=None,
        ax=None,
        score_kw=None,
        fit_time_kw=None,
    ):
        """Plot a fitted search's results per value of one parameter.

        When the search varied other parameters too, each value of
        ``param_name`` is shown with its best candidate: the one with the
        highest mean test score among those with that value.

        Parameters
        ----------
        search : GridSearchCV or RandomizedSearchCV
            A fitted scikit-learn search (any object with ``cv_results_``).

        param_name : str
            The parameter, by its full name in the grid
            (``"mlpclassifier__normalization"``) or, when that is unique, by
            its last part (``"normalization"``).

        metric : str, default=None
            For a search with several scorers, the one to show; None uses the
            one named by ``refit``.

        ax : sequence of two matplotlib Axes, default=None
            Axes for the score and for the fit time; None creates a new
            figure with two panels side by side.

        score_kw, fit_time_kw : dict, default=None
            Keyword arguments for ``Axes.errorbar``, overriding the defaults.

        Returns
        -------
        display : CVResultsDisplay
            The display, with the drawn objects in its attributes.

        Raises
        ------
        TypeError
            If ``search`` is not a scikit-learn search, its ``cv_results_`` is
            not a dict, ``param_name`` or ``metric`` is not a str, or ``ax``,
            ``score_kw`` or ``fit_time_kw`` has the wrong type (as in
            :meth:`plot`).
        sklearn.exceptions.NotFittedError
            If the search is not fitted.
        ValueError
            If the search did not vary ``param_name``, computed no metric
            ``metric`` (or several, and ``metric`` is None with no ``refit``
            metric), its ``cv_results_`` lacks a column or has columns of
            different lengths, or ``ax`` is not two Axes.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sknn import MLPClassifier
        >>> from sknn.inspection import CVResultsDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> search = GridSearchCV(
        ...     MLPClassifier(hidden_layer_sizes=(16,), max_iter=10,
        ...                   random_state=0),
        ...     {"normalization": [None, "layer"]}, cv=2,
        ... ).fit(X, y)
        >>> display = CVResultsDisplay.from_search(search, "normalization")
        >>> display.param_values, display.axes_[0].get_xlabel()
        (['None', 'layer'], 'mean test accuracy')
        >>> plt.close(display.figure_)
        """
        if not hasattr(search, "cv_results_"):
            if not (
                hasattr(search, "param_grid") or hasattr(search, "param_distributions")
            ):
                hint = (
                    " (pass the search itself, not its cv_results_)"
                    if isinstance(search, Mapping)
                    else ""
                )
                raise TypeError(
                    f"{cls.__name__}.from_search needs a fitted scikit-learn "
                    "search such as GridSearchCV, with cv_results_; got "
                    f"{type(search).__name__}{hint}."
                )
            check_is_fitted(search, "cv_results_")
        check_str(param_name, "param_name")
        check_optional_str(metric, "metric")
        results = search.cv_results_
        _check_cv_results(results, ["mean_fit_time"])
        key = _param_key(results, param_name)
        metric = _metric(search, results, metric)
        stats = [
            f"mean_test_{metric}",
            f"std_test_{metric}",
            "mean_fit_time",
            "std_fit_time",
        ]
        _check_cv_results(results, [key, *stats])

        values = results[key]
        mean_score = float_array(results[stats[0]], f"cv_results_[{stats[0]!r}]")
        # The best candidate of each value, values in the order of the grid.
        best: dict[str, int] = {}
        labels: dict[str, str] = {}
        for i, value in enumerate(values):
            if np.ma.is_masked(value):
                continue  # a candidate from a grid without this parameter
            group = repr(value)
            labels.setdefault(group, str(value))
            j = best.get(group)
            if j is None or (
                not np.isnan(mean_score[i])
                and (np.isnan(mean_score[j]) or mean_score[i] > mean_score[j])
            ):
                best[group] = i
        rows = list(best.values())

        columns = {
            stat: float_array(results[name], f"cv_results_[{name!r}]")[rows]
            for stat, name in zip(_STATS, stats, strict=True)
        }
        display = cls(
            param_name=key[len("param_") :],
            param_values=list(labels.values()),
            **columns,
            score_name=_score_label(search, metric),
        )
        return display.plot(ax=ax, score_kw=score_kw, fit_time_kw=fit_time_kw)

    def plot(self, ax=None, *, score_kw=None, fit_time_kw=None):
        """Draw the two panels.

        Parameters
        ----------
        ax : sequence of two matplotlib Axes, default=None
            Axes for the score and for the fit time; None creates a new
            figure with two panels side by side.

        score_kw, fit_time_kw : dict, default=None
            Keyword arguments for ``Axes.errorbar``, overriding the defaults.

        Returns
        -------
        display : CVResultsDisplay
            The display, with ``axes_``, ``figure_`` and ``errorbars_`` set.

        Raises
        ------
        TypeError
            If an argument, or a value given to the constructor, has the
            wrong type: ``ax`` not a sequence of Axes, ``score_kw`` or
            ``fit_time_kw`` not a dict or holding an argument matplotlib does
            not know, ``param_name`` or ``score_name`` not a str,
            ``param_values`` not a sequence, or a score or time not numbers.
        ValueError
            If a value is wrong: ``ax`` not two Axes, ``param_values`` empty,
            a score or time not of one entry per value, a standard deviation
            negative, or a ``*_kw`` value matplotlib refuses.
        """
        check_str(self.param_name, "param_name")
        check_str(self.score_name, "score_name")
        kws = {
            "score": check_kwargs(score_kw, "score_kw"),
            "fit_time": check_kwargs(fit_time_kw, "fit_time_kw"),
        }
        values = self.param_values
        if isinstance(values, (str, bytes, Mapping)) or not np.iterable(values):
            raise TypeError(
                "param_values must be a list with one label per parameter value, "
                f"got {describe(values)}."
            )
        labels = [str(value) for value in values]
        n_values = len(labels)
        if not n_values:
            raise ValueError("param_values must hold at least one value, got none.")
        columns = {name: float_array(getattr(self, name), name) for name in _STATS}
        for name, column in columns.items():
            if column.shape != (n_values,):
                raise ValueError(
                    f"{name} must have one entry per parameter value "
                    f"({n_values}), got shape {column.shape}."
                )
            if name.startswith("std") and (column < 0).any():
                raise ValueError(
                    f"{name} holds standard deviations, which cannot be "
                    f"negative; got {column.tolist()}."
                )
        plt = import_pyplot()
        created = ax is None
        if created:
            _, ax = plt.subplots(
                1, 2, sharey=True, figsize=(9, 1.5 + 0.35 * n_values), layout="tight"
            )
        axes = _check_ax(ax)
        try:
            return self._draw(axes, labels, columns, kws)
        except BaseException:
            if created:
                plt.close(axes[0].figure)  # no half-drawn figure left behind
            raise

    def _draw(self, axes, labels, columns, kws):
        n_values = len(labels)
        positions = np.arange(n_values)
        panels = {
            "score": (
                columns["mean_test_score"],
                columns["std_test_score"],
                f"mean test {self.score_name}",
                "C0",
            ),
            "fit_time": (
                columns["mean_fit_time"],
                columns["std_fit_time"],
                "mean fit time (s)",
                "C1",
            ),
        }
        errorbars = {}
        for panel_ax, (name, (mean, std, label, color)) in zip(
            axes, panels.items(), strict=True
        ):
            with drawing_with(f"{name}_kw", "Axes.errorbar"):
                errorbars[name] = panel_ax.errorbar(
                    mean,
                    positions,
                    xerr=std,
                    **{"fmt": "o", "color": color, "capsize": 3, **kws[name]},
                )
            panel_ax.set_xlabel(label)
            panel_ax.set_yticks(positions, labels)
            panel_ax.grid(axis="x", alpha=0.3)
        axes[0].set_ylabel(self.param_name)
        # The first value on top, as in a table.
        axes[0].set_ylim(n_values - 0.5, -0.5)
        axes[1].set_ylim(n_values - 0.5, -0.5)

        self.axes_ = axes
        self.figure_ = axes[0].figure
        self.errorbars_ = errorbars
        return self
