"""The displays of sknn.inspection: their data against the fitted objects."""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import CNNClassifier, MLPClassifier
from sknn.inspection import CVResultsDisplay, TrainingHistoryDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fast(**params):
    return MLPClassifier(
        **{"hidden_layer_sizes": (16,), "max_iter": 10, "random_state": 0, **params}
    )


def _history(clf, key):
    return np.array([row.get(key, np.nan) for row in clf.history_], dtype=float)


# -- TrainingHistoryDisplay ----------------------------------------------------


def test_history_display_without_validation_draws_training_loss(iris):
    X, y = iris
    clf = _fast().fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert list(display.lines_) == ["train_loss"]
    epochs, loss = display.lines_["train_loss"].get_data()
    np.testing.assert_array_equal(epochs, np.arange(1, clf.n_iter_ + 1))
    np.testing.assert_allclose(loss, clf.loss_curve_)
    assert display.score_ax_ is None
    assert display.ax_.get_title() == "MLPClassifier"
    assert display.figure_ is display.ax_.figure


def test_history_display_explicit_validation_set_matches_history(iris):
    X, y = iris
    clf = _fast().fit(X[::2], y[::2], X_val=X[1::2], y_val=y[1::2])
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert sorted(display.lines_) == ["train_loss", "valid_loss", "valid_score"]
    np.testing.assert_allclose(
        display.lines_["valid_loss"].get_ydata(), _history(clf, "valid_loss")
    )
    np.testing.assert_allclose(
        display.lines_["valid_score"].get_ydata(), clf.validation_scores_
    )
    # the accuracy has its own y-axis, sharing the epochs with the losses
    assert display.lines_["valid_score"].axes is display.score_ax_
    assert display.lines_["valid_loss"].axes is display.ax_
    # no early stopping: no epoch was restored, so none is marked
    assert clf.best_epoch_ is None
    assert "best_epoch" not in display.lines_


@pytest.mark.parametrize("show_validation", ["auto", True, False])
def test_history_display_marks_best_epoch_with_early_stopping(iris, show_validation):
    X, y = iris
    clf = _fast(
        max_iter=60, early_stopping=True, validation_fraction=0.3, n_iter_no_change=3
    ).fit(X, y)
    assert clf.best_epoch_ is not None
    display = TrainingHistoryDisplay.from_estimator(
        clf, show_validation=show_validation
    )
    marker = display.lines_["best_epoch"]
    np.testing.assert_array_equal(marker.get_xdata(), [clf.best_epoch_] * 2)
    assert str(clf.best_epoch_) in marker.get_label()
    assert ("valid_loss" in display.lines_) is (show_validation is not False)
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == [line.get_label() for line in display.lines_.values()]


def test_history_display_reads_the_last_step_of_a_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), _fast()).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(pipe, name="scaled MLP")
    np.testing.assert_allclose(
        display.lines_["train_loss"].get_ydata(), pipe[-1].loss_curve_
    )
    assert display.ax_.get_title() == "scaled MLP"


def test_history_display_cnn():
    X, y = load_digits(return_X_y=True)
    images, y = X[:200].reshape(-1, 8, 8, 1) / 16, y[:200]
    clf = CNNClassifier(filters=(4,), max_iter=3, random_state=0)
    clf.fit(images[:150], y[:150], X_val=images[150:], y_val=y[150:])
    display = TrainingHistoryDisplay.from_estimator(clf)
    np.testing.assert_allclose(
        display.lines_["valid_score"].get_ydata(), clf.validation_scores_
    )
    assert display.ax_.get_title() == "CNNClassifier"


def test_history_display_epochs_without_validation_are_gaps(iris):
    X, y = iris
    clf = _fast(max_iter=3).fit(X[::2], y[::2], X_val=X[1::2], y_val=y[1::2])
    clf.partial_fit(X, y)  # one more epoch, with no validation data
    display = TrainingHistoryDisplay.from_estimator(clf)
    valid_loss = display.lines_["valid_loss"].get_ydata()
    assert len(valid_loss) == len(clf.history_) == 4
    assert np.isnan(valid_loss[-1]) and not np.isnan(valid_loss[:-1]).any()


def test_history_display_draws_on_given_axes(iris):
    X, y = iris
    clf = _fast().fit(X, y)
    _, ax = plt.subplots()
    display = TrainingHistoryDisplay.from_estimator(
        clf, ax=ax, train_loss_kw={"color": "red", "label": "loss"}
    )
    assert display.ax_ is ax
    assert display.lines_["train_loss"].get_color() == "red"
    assert display.lines_["train_loss"].get_label() == "loss"


def test_history_display_requires_validation_data_when_asked(iris):
    X, y = iris
    clf = _fast().fit(X, y)
    with pytest.raises(ValueError, match="fitted without validation data"):
        TrainingHistoryDisplay.from_estimator(clf, show_validation=True)


@pytest.mark.parametrize(
    "estimator", [_fast(), make_pipeline(StandardScaler(), _fast())]
)
def test_history_display_unfitted_estimator(estimator):
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "estimator", [LogisticRegression(), make_pipeline(StandardScaler(), "passthrough")]
)
def test_history_display_rejects_other_estimators(iris, estimator):
    with pytest.raises(TypeError, match="needs an sknn estimator"):
        TrainingHistoryDisplay.from_estimator(estimator.fit(*iris))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"valid_loss": [1.0, 2.0]}, "one value per epoch"),
        ({"best_epoch": 4}, "best_epoch must lie between 1"),
        ({"best_epoch": 0}, "best_epoch must lie between 1"),
    ],
)
def test_history_display_checks_its_data(params, match):
    display = TrainingHistoryDisplay(train_loss=[3.0, 2.0, 1.0], **params)
    with pytest.raises(ValueError, match=match):
        display.plot()


def test_history_display_rejects_empty_loss_and_bad_option():
    with pytest.raises(ValueError, match="non-empty"):
        TrainingHistoryDisplay(train_loss=[]).plot()
    with pytest.raises(ValueError, match="show_validation must be"):
        TrainingHistoryDisplay(train_loss=[1.0]).plot(show_validation="yes")


# -- CVResultsDisplay ------------------------------------------------------------


def _points(display, panel):
    line = display.errorbars_[panel].lines[0]
    return line.get_xdata(), line.get_ydata()


def test_cv_results_display_matches_cv_results(iris):
    X, y = iris
    values = [None, "layer", "batch"]
    search = GridSearchCV(_fast(), {"normalization": values}, cv=2).fit(X, y)
    display = CVResultsDisplay.from_search(search, "normalization")
    results = search.cv_results_
    assert display.param_values == ["None", "layer", "batch"]
    assert display.param_name == "normalization"
    assert display.score_name == "accuracy"
    scores, positions = _points(display, "score")
    np.testing.assert_allclose(scores, results["mean_test_score"])
    np.testing.assert_array_equal(positions, [0, 1, 2])
    np.testing.assert_allclose(display.std_test_score, results["std_test_score"])
    times, _ = _points(display, "fit_time")
    np.testing.assert_allclose(times, results["mean_fit_time"])
    np.testing.assert_allclose(display.std_fit_time, results["std_fit_time"])
    ticks = [label.get_text() for label in display.axes_[0].get_yticklabels()]
    assert ticks == display.param_values
    assert display.axes_[1].get_xlabel() == "mean fit time (s)"


def test_cv_results_display_shows_best_candidate_per_value(iris):
    X, y = iris
    grid = {"strategy": ["most_frequent", "uniform"], "random_state": [0, 1, 2]}
    search = GridSearchCV(DummyClassifier(), grid, cv=3).fit(X, y)
    display = CVResultsDisplay.from_search(search, "strategy", ax=plt.subplots(1, 2)[1])
    results = search.cv_results_
    for value, score in zip(display.param_values, display.mean_test_score, strict=True):
        rows = results["param_strategy"] == value
        assert score == results["mean_test_score"][rows].max()


def test_cv_results_display_short_name_in_a_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = {"logisticregression__C": [0.1, 1.0], "standardscaler__with_mean": [True]}
    search = GridSearchCV(pipe, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    display = CVResultsDisplay.from_search(search, "C")
    assert display.param_name == "logisticregression__C"
    assert display.param_values == ["0.1", "1.0"]
    assert display.axes_[0].get_xlabel() == "mean test balanced_accuracy"
    with pytest.raises(ValueError, match="did not vary 'alpha'"):
        CVResultsDisplay.from_search(search, "alpha")


def test_cv_results_display_ambiguous_name(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), StandardScaler(), LogisticRegression())
    grid = {"standardscaler-1__with_std": [True], "standardscaler-2__with_std": [True]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    with pytest.raises(ValueError, match="ambiguous"):
        CVResultsDisplay.from_search(search, "with_std")


def test_cv_results_display_multimetric(iris):
    X, y = iris
    scoring = ["accuracy", "balanced_accuracy"]
    grid = {"C": [0.1, 1.0]}
    search = GridSearchCV(LogisticRegression(), grid, scoring=scoring, refit=False)
    search.fit(X, y)
    with pytest.raises(ValueError, match="choose one with metric="):
        CVResultsDisplay.from_search(search, "C")
    display = CVResultsDisplay.from_search(search, "C", metric="balanced_accuracy")
    np.testing.assert_allclose(
        display.mean_test_score, search.cv_results_["mean_test_balanced_accuracy"]
    )
    with pytest.raises(ValueError, match="no metric named 'f1'"):
        CVResultsDisplay.from_search(search, "C", metric="f1")
    search.set_params(refit="accuracy").fit(X, y)
    display = CVResultsDisplay.from_search(search, "C")
    assert display.score_name == "accuracy"


def test_cv_results_display_errors(iris):
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    with pytest.raises(NotFittedError):
        CVResultsDisplay.from_search(search, "C")
    with pytest.raises(TypeError, match="needs a fitted scikit-learn search"):
        CVResultsDisplay.from_search(LogisticRegression().fit(*iris), "C")
    search.fit(*iris)
    with pytest.raises(ValueError, match="applies to multi-metric searches only"):
        CVResultsDisplay.from_search(search, "C", metric="f1")
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="two Axes"):
        CVResultsDisplay.from_search(search, "C", ax=ax)


def test_cv_results_display_checks_its_data():
    display = CVResultsDisplay(
        param_name="p",
        param_values=["a", "b"],
        mean_test_score=[0.5],
        std_test_score=[0.1, 0.1],
        mean_fit_time=[1.0, 1.0],
        std_fit_time=[0.1, 0.1],
    )
    with pytest.raises(ValueError, match="mean_test_score must have one entry"):
        display.plot()


# -- wrong arguments: TrainingHistoryDisplay -------------------------------------


def _curves(**params):
    return TrainingHistoryDisplay(
        **{
            "train_loss": [1.0, 0.6, 0.4],
            "valid_loss": [1.1, 0.7, 0.6],
            "valid_score": [0.5, 0.8, 0.85],
            "best_epoch": 2,
            **params,
        }
    )


@pytest.fixture(scope="module")
def fitted(iris):
    X, y = iris
    return _fast(max_iter=3).fit(X[::2], y[::2], X_val=X[1::2], y_val=y[1::2])


@pytest.mark.parametrize(
    "estimator, match",
    [
        (None, "got NoneType"),
        (MLPClassifier, "got the class MLPClassifier; pass a fitted instance"),
        (Pipeline([]), "got Pipeline"),
    ],
)
def test_history_display_rejects_what_is_not_an_sknn_classifier(estimator, match):
    with pytest.raises(TypeError, match=match):
        TrainingHistoryDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "ax", ["left", 1, lambda: plt.subplots(1, 2)[1], lambda: plt.figure()]
)
def test_history_display_ax_must_be_axes(fitted, ax):
    ax = ax() if callable(ax) else ax
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        TrainingHistoryDisplay.from_estimator(fitted, ax=ax)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        _curves().plot(ax)


@pytest.mark.parametrize("show_validation", [1, 0, None, [True], np.array([True])])
def test_history_display_show_validation_wrong_type(fitted, show_validation):
    with pytest.raises(TypeError, match="show_validation must be 'auto', True or"):
        TrainingHistoryDisplay.from_estimator(fitted, show_validation=show_validation)


@pytest.mark.parametrize("show_validation", ["yes", "True", "AUTO", ""])
def test_history_display_show_validation_wrong_value(fitted, show_validation):
    with pytest.raises(ValueError, match="show_validation must be 'auto', True or"):
        TrainingHistoryDisplay.from_estimator(fitted, show_validation=show_validation)


@pytest.mark.parametrize(
    "show_validation, drawn", [(np.True_, True), (np.False_, False)]
)
def test_history_display_show_validation_numpy_bool(fitted, show_validation, drawn):
    display = TrainingHistoryDisplay.from_estimator(
        fitted, show_validation=show_validation
    )
    assert ("valid_loss" in display.lines_) is drawn


@pytest.mark.parametrize("name", [1, ["title"], b"title"])
def test_history_display_name_must_be_a_str(fitted, name):
    with pytest.raises(TypeError, match="name must be a str or None"):
        TrainingHistoryDisplay.from_estimator(fitted, name=name)


@pytest.mark.parametrize(
    "kw", ["train_loss_kw", "valid_loss_kw", "valid_score_kw", "best_epoch_kw"]
)
def test_history_display_kw_wrong_types_and_values(kw):
    for bad in ["red", ["color", "red"], {1: "red"}]:
        with pytest.raises(TypeError, match=f"{kw} must be a dict of keyword"):
            _curves().plot(**{kw: bad})
    with pytest.raises(TypeError, match=f"{kw} holds an argument .* refuses"):
        _curves().plot(**{kw: {"colr": "red"}})
    with pytest.raises(ValueError, match=f"{kw} holds a value .* refuses"):
        _curves().plot(**{kw: {"color": "not-a-color"}})
    # a failed drawing leaves no half-drawn figure open
    assert plt.get_fignums() == []


def test_history_display_kw_any_mapping():
    from types import MappingProxyType

    display = _curves().plot(train_loss_kw=MappingProxyType({"color": "red"}))
    assert display.lines_["train_loss"].get_color() == "red"


@pytest.mark.parametrize(
    "params, name",
    [
        ({"train_loss": None}, "train_loss"),
        ({"train_loss": "0.5"}, "train_loss"),
        ({"train_loss": [1.0, "a", 0.5]}, "train_loss"),
        ({"train_loss": [True, False, True]}, "train_loss"),
        ({"train_loss": [[1.0, 0.5], [0.4]]}, "train_loss"),
        ({"train_loss": [1 + 1j, 0.5, 0.4]}, "train_loss"),
        ({"valid_loss": ["1.1", "0.7", "0.6"]}, "valid_loss"),
        ({"valid_score": {"a": 1}}, "valid_score"),
    ],
)
def test_history_display_curves_must_be_numbers(params, name):
    with pytest.raises(TypeError, match=f"{name} must be an array-like of numbers"):
        _curves(**params).plot()


def test_history_display_curves_may_have_gaps():
    display = _curves(valid_loss=[1.1, None, np.nan]).plot()
    np.testing.assert_array_equal(
        display.lines_["valid_loss"].get_ydata(), [1.1, np.nan, np.nan]
    )


@pytest.mark.parametrize("best_epoch", [True, 2.0, "2", [2]])
def test_history_display_best_epoch_must_be_an_int(best_epoch):
    # True would otherwise pass as epoch 1, and 2.5 as a position between epochs
    with pytest.raises(TypeError, match="best_epoch must be an int or None"):
        _curves(best_epoch=best_epoch).plot()
    assert plt.get_fignums() == []


def test_history_display_best_epoch_numpy_int():
    display = _curves(best_epoch=np.int64(3)).plot()
    np.testing.assert_array_equal(display.lines_["best_epoch"].get_xdata(), [3, 3])


@pytest.mark.parametrize("estimator_name", [1, ["MLP"]])
def test_history_display_estimator_name_must_be_a_str(estimator_name):
    with pytest.raises(TypeError, match="estimator_name must be a str or None"):
        _curves(estimator_name=estimator_name).plot()


# -- wrong arguments: CVResultsDisplay -------------------------------------------


@pytest.fixture(scope="module")
def search(iris):
    grid = {"C": [0.1, 1.0]}
    return GridSearchCV(LogisticRegression(), grid, cv=2).fit(*iris)


def _rows(**params):
    return CVResultsDisplay(
        **{
            "param_name": "p",
            "param_values": ["a", "b"],
            "mean_test_score": [0.5, 0.6],
            "std_test_score": [0.1, 0.1],
            "mean_fit_time": [1.0, 1.0],
            "std_fit_time": [0.1, 0.1],
            **params,
        }
    )


def test_cv_results_display_wants_the_search_not_its_results(search):
    with pytest.raises(TypeError, match="not its cv_results_"):
        CVResultsDisplay.from_search(search.cv_results_, "C")


@pytest.mark.parametrize("param_name", [None, 1, ["C"]])
def test_cv_results_display_param_name_must_be_a_str(search, param_name):
    with pytest.raises(TypeError, match="param_name must be a str"):
        CVResultsDisplay.from_search(search, param_name)


@pytest.mark.parametrize("metric", [1, ["accuracy"], True])
def test_cv_results_display_metric_must_be_a_str(search, metric):
    with pytest.raises(TypeError, match="metric must be a str or None"):
        CVResultsDisplay.from_search(search, "C", metric=metric)


def test_cv_results_display_unknown_metric_lists_the_metrics(iris):
    scoring = ["accuracy", "balanced_accuracy"]
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, scoring=scoring, refit=False, cv=2
    ).fit(*iris)
    with pytest.raises(
        ValueError, match=r"no metric named 'f1'; .* \['accuracy', 'balanced_accura"
    ):
        CVResultsDisplay.from_search(search, "C", metric="f1")
    with pytest.raises(ValueError, match=r"metric= among \['accuracy', 'balanced"):
        CVResultsDisplay.from_search(search, "C")


def _results(**columns):
    results = {
        "param_p": np.ma.masked_array(["a", "b"], dtype=object),
        "mean_test_score": np.array([0.5, 0.6]),
        "std_test_score": np.array([0.1, 0.1]),
        "mean_fit_time": np.array([1.0, 2.0]),
        "std_fit_time": np.array([0.1, 0.1]),
        **columns,
    }
    return SimpleNamespace(
        cv_results_={k: v for k, v in results.items() if v is not None}
    )


def test_cv_results_display_any_object_with_cv_results():
    display = CVResultsDisplay.from_search(_results(), "p")
    assert display.param_values == ["a", "b"]
    assert display.score_name == "score"
    np.testing.assert_array_equal(display.mean_fit_time, [1.0, 2.0])
    # without a scoring attribute, the columns tell a multi-metric search
    multi = _results(
        mean_test_score=None,
        std_test_score=None,
        mean_test_f1=np.array([0.4, 0.7]),
        std_test_f1=np.array([0.1, 0.1]),
    )
    with pytest.raises(ValueError, match=r"metric= among \['f1'\]"):
        CVResultsDisplay.from_search(multi, "p")
    display = CVResultsDisplay.from_search(multi, "p", metric="f1")
    np.testing.assert_array_equal(display.mean_test_score, [0.4, 0.7])


@pytest.mark.parametrize(
    "cv_results, error, match",
    [
        ([("mean_fit_time", [1.0])], TypeError, "cv_results_ must be a dict, got list"),
        ("results", TypeError, "cv_results_ must be a dict, got str"),
        ({}, ValueError, r"has no column \['mean_fit_time'\]"),
    ],
)
def test_cv_results_display_cv_results_not_a_dict(cv_results, error, match):
    with pytest.raises(error, match=match):
        CVResultsDisplay.from_search(SimpleNamespace(cv_results_=cv_results), "p")


@pytest.mark.parametrize(
    "columns, error, match",
    [
        ({"std_fit_time": None}, ValueError, r"has no column \['std_fit_time'\]"),
        ({"std_test_score": None}, ValueError, r"has no column \['std_test_score'\]"),
        ({"mean_test_score": None}, ValueError, r"has no column \['mean_test_score"),
        ({"mean_fit_time": np.array([1.0])}, ValueError, "have lengths"),
        ({"mean_fit_time": 1.0}, ValueError, "have lengths"),
        ({"param_p": np.array(["a", "b", "c"])}, ValueError, "have lengths"),
        (
            {"mean_test_score": np.array(["high", "low"])},
            TypeError,
            r"cv_results_\['mean_test_score'\] must be an array-like of numbers",
        ),
        (
            {"std_fit_time": [None, "x"]},
            TypeError,
            r"cv_results_\['std_fit_time'\] must be an array-like of numbers",
        ),
    ],
)
def test_cv_results_display_cv_results_of_the_wrong_form(columns, error, match):
    with pytest.raises(error, match=match):
        CVResultsDisplay.from_search(_results(**columns), "p")


@pytest.mark.parametrize(
    "ax, error, match",
    [
        ("ab", TypeError, "got str"),
        (5, TypeError, "got int"),
        (lambda: plt.subplots(1, 3)[1], ValueError, "got 3"),
        (lambda: [plt.subplots()[1], "x"], TypeError, r"got \['Axes', 'str'\]"),
        (lambda: {"score": plt.subplots()[1]}, TypeError, "got dict"),
    ],
)
def test_cv_results_display_ax_must_be_two_axes(search, ax, error, match):
    ax = ax() if callable(ax) else ax
    with pytest.raises(error, match=f"ax must be a sequence of two Axes.*{match}"):
        CVResultsDisplay.from_search(search, "C", ax=ax)


def test_cv_results_display_ax_tuple_of_axes(search):
    _, (left, right) = plt.subplots(1, 2)
    display = CVResultsDisplay.from_search(search, "C", ax=(left, right))
    assert list(display.axes_) == [left, right]


@pytest.mark.parametrize("kw", ["score_kw", "fit_time_kw"])
def test_cv_results_display_kw_wrong_types_and_values(search, kw):
    for bad in ["red", ["color", "red"]]:
        with pytest.raises(TypeError, match=f"{kw} must be a dict of keyword"):
            CVResultsDisplay.from_search(search, "C", **{kw: bad})
    with pytest.raises(TypeError, match=f"{kw} holds an argument Axes.errorbar"):
        CVResultsDisplay.from_search(search, "C", **{kw: {"colr": "red"}})
    with pytest.raises(ValueError, match=f"{kw} holds a value Axes.errorbar"):
        CVResultsDisplay.from_search(search, "C", **{kw: {"fmt": "not-a-format"}})
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"param_name": None}, TypeError, "param_name must be a str"),
        ({"score_name": 1}, TypeError, "score_name must be a str"),
        ({"param_values": "ab"}, TypeError, "param_values must be a list"),
        ({"param_values": 2}, TypeError, "param_values must be a list"),
        ({"param_values": {"a": 1, "b": 2}}, TypeError, "param_values must be a list"),
        ({"param_values": []}, ValueError, "param_values must hold at least one"),
        ({"mean_test_score": ["a", "b"]}, TypeError, "mean_test_score must be an"),
        ({"mean_fit_time": None}, TypeError, "mean_fit_time must be an array-like"),
        ({"std_fit_time": [0.1]}, ValueError, "std_fit_time must have one entry"),
        ({"std_test_score": [-0.1, 0.1]}, ValueError, "cannot be negative"),
    ],
)
def test_cv_results_display_checks_its_arguments(params, error, match):
    with pytest.raises(error, match=match):
        _rows(**params).plot()
    assert plt.get_fignums() == []


def test_cv_results_display_failed_candidates_and_tuple_values():
    # sklearn records a failed fit as NaN; a value may be any object
    display = _rows(
        param_values=[(16,), (32, 16)],
        mean_test_score=[np.nan, 0.6],
        std_test_score=[np.nan, 0.1],
    ).plot()
    ticks = [label.get_text() for label in display.axes_[0].get_yticklabels()]
    assert ticks == ["(16,)", "(32, 16)"]


def test_history_display_legend_covers_no_curve(iris):
    X, y = iris
    clf = _fast(early_stopping=True, validation_fraction=0.2).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(clf)
    figure = display.figure_
    figure.canvas.draw()
    legend = display.ax_.get_legend().get_window_extent()
    axes = display.ax_.get_window_extent()
    assert legend.y1 <= axes.y0  # below the plotting area of both y-axes


@pytest.mark.parametrize(
    ("train_loss", "loss_scale", "expected"),
    [
        ([40.0, 0.5, 0.3, 0.2], "auto", "log"),  # a large first epoch
        ([1.0, 0.6, 0.4, 0.3], "auto", "linear"),
        ([40.0, 0.5, 0.3, 0.2], "linear", "linear"),
        ([1.0, 0.6, 0.4, 0.3], "log", "log"),
        ([1.0, -0.5, 0.4, 0.3], "auto", "linear"),  # not all positive
    ],
)
def test_history_display_loss_scale(train_loss, loss_scale, expected):
    display = TrainingHistoryDisplay(train_loss=train_loss).plot(loss_scale=loss_scale)
    assert display.ax_.get_yscale() == expected
    with pytest.raises(ValueError, match="loss_scale must be one of"):
        display.plot(loss_scale="logarithmic")


def test_history_display_says_the_training_loss_holds_the_penalty(iris):
    X, y = iris
    penalized = TrainingHistoryDisplay.from_estimator(_fast(alpha=0.1).fit(X, y))
    assert penalized.lines_["train_loss"].get_label() == "training loss (+ L2 term)"
    plain = TrainingHistoryDisplay.from_estimator(_fast(alpha=0.0).fit(X, y))
    assert plain.lines_["train_loss"].get_label() == "training loss"
