"""Test score and fit time per value of one searched parameter."""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._plotting import import_pyplot


def _param_key(cv_results: dict, param_name: str) -> str:
    """The ``cv_results_`` column of ``param_name``, a full or a short name."""
    if f"param_{param_name}" in cv_results:
        return f"param_{param_name}"
    searched = sorted(
        key[len("param_") :] for key in cv_results if key.startswith("param_")
    )
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


def _metric(search, metric: str | None) -> str:
    """The scorer whose results to show, for single- and multi-metric searches."""
    scoring = search.scoring
    multimetric = not (scoring is None or isinstance(scoring, str) or callable(scoring))
    if not multimetric:
        if metric not in (None, "score"):
            raise ValueError(
                f"metric={metric!r} applies to multi-metric searches only; this "
                "search has one score."
            )
        return "score"
    if metric is None:
        if not isinstance(search.refit, str):
            raise ValueError(
                "This search computed several metrics: choose one with metric=."
            )
        metric = search.refit
    if f"mean_test_{metric}" not in search.cv_results_:
        raise ValueError(f"The search computed no metric named {metric!r}.")
    return metric


def _score_label(search, metric: str) -> str:
    if metric != "score":
        return metric
    if isinstance(search.scoring, str):
        return search.scoring
    if search.scoring is None and is_classifier(search.estimator):
        return "accuracy"
    return "score"


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
            If ``search`` is not a scikit-learn search.
        sklearn.exceptions.NotFittedError
            If the search is not fitted.
        ValueError
            If the search did not vary ``param_name``.

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
                raise TypeError(
                    f"{cls.__name__}.from_search needs a fitted scikit-learn "
                    "search such as GridSearchCV, with cv_results_; got "
                    f"{type(search).__name__}."
                )
            check_is_fitted(search, "cv_results_")
        results = search.cv_results_
        key = _param_key(results, param_name)
        metric = _metric(search, metric)

        values = results[key]
        mean_score = np.asarray(results[f"mean_test_{metric}"], dtype=float)
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

        def column(name):
            return np.asarray(results[name], dtype=float)[rows]

        display = cls(
            param_name=key[len("param_") :],
            param_values=list(labels.values()),
            mean_test_score=column(f"mean_test_{metric}"),
            std_test_score=column(f"std_test_{metric}"),
            mean_fit_time=column("mean_fit_time"),
            std_fit_time=column("std_fit_time"),
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
        """
        labels = [str(value) for value in self.param_values]
        n_values = len(labels)
        columns = {
            name: np.asarray(getattr(self, name), dtype=float)
            for name in (
                "mean_test_score",
                "std_test_score",
                "mean_fit_time",
                "std_fit_time",
            )
        }
        for name, column in columns.items():
            if column.shape != (n_values,):
                raise ValueError(
                    f"{name} must have one entry per parameter value "
                    f"({n_values}), got shape {column.shape}."
                )
        plt = import_pyplot()
        if ax is None:
            _, ax = plt.subplots(
                1, 2, sharey=True, figsize=(9, 1.5 + 0.35 * n_values), layout="tight"
            )
        axes = np.asarray(ax, dtype=object).ravel()
        if axes.shape != (2,):
            raise ValueError(
                "ax must be a sequence of two Axes, one for the score and one "
                f"for the fit time; got {axes.size}."
            )
        positions = np.arange(n_values)
        panels = {
            "score": (
                columns["mean_test_score"],
                columns["std_test_score"],
                f"mean test {self.score_name}",
                score_kw,
                "C0",
            ),
            "fit_time": (
                columns["mean_fit_time"],
                columns["std_fit_time"],
                "mean fit time (s)",
                fit_time_kw,
                "C1",
            ),
        }
        errorbars = {}
        for panel_ax, (name, (mean, std, label, kw, color)) in zip(
            axes, panels.items(), strict=True
        ):
            errorbars[name] = panel_ax.errorbar(
                mean,
                positions,
                xerr=std,
                **{"fmt": "o", "color": color, "capsize": 3, **(kw or {})},
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
