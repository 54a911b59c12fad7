"""MLPRegressor: a drop-in for scikit-learn's, its losses, target scaling and
R², and the scikit-learn regression tools around it.

Where the behaviour is the same by definition (names, shapes, errors,
counts, schedules), the test runs scikit-learn's own estimator beside sknn's;
the losses are checked against their formulas and scikit-learn's metrics.
CNNRegressor, RNNRegressor and NeuralNetRegressor are in
test_regression_sequences.py.
"""

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import BaggingRegressor, StackingRegressor
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.inspection import permutation_importance
from sklearn.linear_model import Ridge
from sklearn.metrics import (
    mean_absolute_error,
    mean_pinball_loss,
    r2_score,
)
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_predict,
    train_test_split,
)
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLP
from sklearn.neural_network._base import poisson_loss, squared_loss
from sklearn.utils import check_random_state

from sknn import MLPRegressor, RNNRegressor, skops_trusted_types
from sknn._tasks._regression import Regression, regression_losses
from sknn._utils import seed_from_random_state


def _data(n=120, k=1, *, seed=0, noise=0.1):
    """A smooth target of 5 features: ``k`` outputs in units far from 1."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    W = rng.normal(size=(5, k))
    Y = X @ W + 0.5 * np.sin(2 * X[:, :1]) + noise * rng.normal(size=(n, k))
    Y = 7.0 * Y + 30.0
    return X, (Y.ravel() if k == 1 else Y)


def _mlp(**params):
    """A small, quick regressor."""
    defaults = {
        "hidden_layer_sizes": (16,),
        "max_iter": 10,
        "learning_rate_init": 0.01,
        "random_state": 0,
    }
    return MLPRegressor(**{**defaults, **params})


#: One epoch of one batch at a learning rate too small to move the weights:
#: ``loss_`` is then the loss of the predictions of the fitted network.
_FROZEN = {
    "max_iter": 1,
    "learning_rate_init": 1e-30,
    "batch_size": 1000,
    "shuffle": False,
    "alpha": 0.0,
    "dtype": "float64",
}


@pytest.fixture(scope="module")
def table():
    return _data()


# -- a drop-in for scikit-learn's MLPRegressor ------------------------------------


def test_mlp_regressor_takes_every_parameter_of_scikit_learns():
    theirs = inspect.signature(SklearnMLP).parameters
    ours = inspect.signature(MLPRegressor).parameters
    assert set(theirs) <= set(ours), set(theirs) - set(ours)
    assert ours["loss"].default == theirs["loss"].default == "squared_error"
    assert set(MLPRegressor().get_params()) == set(ours)


@pytest.mark.parametrize("k", [1, 3])
def test_mlp_regressor_fitted_attributes_have_scikit_learns_shapes(k):
    X, y = _data(k=k)
    params = {"hidden_layer_sizes": (7, 5), "max_iter": 3, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SklearnMLP(**params).fit(X, y)
    ours = MLPRegressor(**params).fit(X, y)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 4
    assert ours.n_outputs_ == theirs.n_outputs_ == k
    assert ours.out_activation_ == theirs.out_activation_ == "identity"
    assert ours.n_features_in_ == theirs.n_features_in_ == 5
    for name in ("loss_", "best_loss_"):
        assert isinstance(getattr(ours, name), float)
    assert ours.target_offset_.shape == ours.target_scale_.shape == (k,)
    ours_pred, theirs_pred = ours.predict(X), theirs.predict(X)
    assert ours_pred.shape == theirs_pred.shape == y.shape
    assert ours_pred.dtype == theirs_pred.dtype == np.float64
    assert ours.coefs_[0].dtype == np.float32


def test_mlp_regressor_poisson_predicts_through_exp_as_scikit_learn():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    y = rng.poisson(np.exp(0.6 * X[:, 0] + 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SklearnMLP(loss="poisson", max_iter=5, random_state=0).fit(X, y)
    ours = _mlp(loss="poisson", max_iter=30).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    pred = ours.predict(X)
    assert pred.dtype == np.float64 and (pred > 0).all()
    # the prediction is exp of the network's output, times the target's mean
    with torch.no_grad():
        inputs = torch.as_tensor(
            X, dtype=torch.float32, device=next(ours.module_.parameters()).device
        )
        raw = ours.module_(inputs).double().cpu().numpy()
    np.testing.assert_allclose(pred, np.exp(raw[:, 0]) * ours.target_scale_, rtol=1e-6)
    # it learns the log-linear trend
    assert np.corrcoef(np.log(pred), X[:, 0])[0, 1] > 0.9


def test_mlp_regressor_poisson_refuses_negative_targets(table):
    # (scikit-learn's MLPRegressor trains on them, to a meaningless loss)
    X, y = table
    y = np.abs(y)
    negative = y - y.mean()
    with pytest.raises(ValueError, match="negative"):
        _mlp(loss="poisson").fit(X, negative)
    reg = _mlp(loss="poisson", max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="negative"):
        reg.partial_fit(X, negative)
    with pytest.raises(ValueError, match="negative"):
        _mlp(loss="poisson").fit(X, y, X_val=X, y_val=negative)
    # zeros are counts like any other
    assert (
        _mlp(loss="poisson", max_iter=2).fit(X, np.zeros_like(y)).predict(X).min() >= 0
    )


def test_mlp_regressor_lbfgs_has_no_partial_fit_as_scikit_learn(table):
    # scikit-learn means MLPRegressor to behave as its MLPClassifier does
    # (its available_if check lacks a call: hasattr is True and partial_fit
    # runs L-BFGS), so compare with the classifier's message
    X, y = table
    reg = _mlp(solver="lbfgs")
    assert not hasattr(reg, "partial_fit")
    with pytest.raises(AttributeError) as ours:
        reg.partial_fit(X, y)
    with pytest.raises(AttributeError) as theirs:
        SklearnMLPClassifier(solver="lbfgs").partial_fit(X, y > 30, classes=[0, 1])
    assert str(ours.value) == str(theirs.value).replace("Classifier", "Regressor")
    assert str(ours.value.__cause__) == str(theirs.value.__cause__)
    assert "only available for stochastic" in str(ours.value.__cause__)


def test_mlp_regressor_partial_fit_refuses_early_stopping_as_scikit_learn(table):
    X, y = table
    messages = []
    for reg in (_mlp(early_stopping=True), SklearnMLP(early_stopping=True)):
        with pytest.raises(ValueError, match="partial_fit does not support") as info:
            reg.partial_fit(X, y)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert list(inspect.signature(MLPRegressor.partial_fit).parameters) == list(
        inspect.signature(SklearnMLP.partial_fit).parameters
    )


def test_mlp_regressor_counts_under_warm_start_and_partial_fit(table):
    X, y = table
    params = {"hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0}
    params.update(n_iter_no_change=100, warm_start=True)
    ours, theirs = MLPRegressor(**params), SklearnMLP(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):
            ours.fit(X, y)
            theirs.fit(X, y)
            assert ours.n_iter_ == theirs.n_iter_ == 3
            assert ours.t_ == theirs.t_
        ours.partial_fit(X, y)
        theirs.partial_fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 1
    assert ours.t_ == theirs.t_ == 7 * len(X)
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 7
    assert ours.loss_ == ours.loss_curve_[-1]
    assert ours.best_loss_ == min(ours.loss_curve_)
    assert ours.validation_scores_ is None is theirs.validation_scores_
    assert ours.best_validation_score_ is None is theirs.best_validation_score_


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam", "adamw"])
def test_mlp_regressor_solvers_learn(table, solver):
    X, y = table
    lr = 0.01 if solver == "sgd" else 0.02
    reg = _mlp(solver=solver, max_iter=60, learning_rate_init=lr).fit(X, y)
    assert reg.score(X, y) > 0.9
    assert reg.n_iter_ <= 60
    assert reg.loss_ == reg.loss_curve_[-1]
    if solver == "lbfgs":
        assert reg.t_ == 0
        assert reg.n_iter_ == len(reg.history_)
    else:
        assert reg.t_ == reg.n_iter_ * len(X)


def test_mlp_regressor_invscaling_learning_rate_as_scikit_learn(table):
    X, y = table
    params = {
        "solver": "sgd",
        "learning_rate": "invscaling",
        "power_t": 0.3,
        "max_iter": 5,
        "n_iter_no_change": 100,
        "learning_rate_init": 0.01,
        "batch_size": 32,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SklearnMLP(hidden_layer_sizes=(16,), **params).fit(X, y)
    ours = _mlp(**params).fit(X, y)
    assert ours.t_ == theirs.t_ == 5 * len(X)
    lr = ours.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(theirs._optimizer.learning_rate)
    assert lr == pytest.approx(0.01 / (ours.t_ + 1) ** 0.3)


def test_mlp_regressor_adaptive_learning_rate_as_scikit_learn(table):
    # every epoch counts as no improvement (tol is huge): the learning rate
    # drops by 5 each time the count passes n_iter_no_change, until 1e-6
    X, y = table
    params = {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "tol": 1e9,
        "n_iter_no_change": 1,
        "max_iter": 100,
        "learning_rate_init": 1e-3,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SklearnMLP(hidden_layer_sizes=(16,), **params).fit(X, y)
    ours = _mlp(**params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 100
    lr = ours.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(theirs._optimizer.learning_rate)


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive", "cosine"])
def test_mlp_regressor_every_schedule_fits(table, schedule):
    X, y = table
    reg = _mlp(solver="sgd", learning_rate=schedule, max_iter=5).fit(X, y)
    assert np.isfinite(reg.loss_curve_).all()
    assert reg.predict(X).shape == y.shape


# -- early stopping on R² or on the validation loss --------------------------------


def test_mlp_regressor_early_stopping_attributes_as_scikit_learn(table):
    X, y = table
    params = {"hidden_layer_sizes": (16,), "max_iter": 30, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SklearnMLP(early_stopping=True, **params).fit(X, y)
    ours = MLPRegressor(early_stopping=True, **params).fit(X, y)
    assert ours.scoring == "r2"
    for reg in (ours, theirs):
        assert reg.best_loss_ is None
        assert len(reg.validation_scores_) == reg.n_iter_
        assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert [row["valid_r2"] for row in ours.history_] == ours.validation_scores_
    # partial_fit after fit goes on without resetting them
    scores, best = list(ours.validation_scores_), ours.best_validation_score_
    ours.set_params(early_stopping=False).partial_fit(X, y)
    assert ours.validation_scores_ == scores
    assert ours.best_validation_score_ == best


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_mlp_regressor_validation_score_is_r2_of_the_validation_set(loss, k, weighted):
    X, y = _data(n=160, k=k)
    y = np.abs(y) if loss == "poisson" else y
    w_val = np.linspace(0.25, 3.0, 60) if weighted else None
    # batches of 16: the score gathers 4 validation batches
    reg = _mlp(
        loss=loss, early_stopping=True, max_iter=20, n_iter_no_change=3, batch_size=16
    ).fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:], sample_weight_val=w_val)
    # the restored model's R² (of the predictions, through the log link for
    # the Poisson loss), uniform average over the outputs
    expected = r2_score(y[100:], reg.predict(X[100:]), sample_weight=w_val)
    assert reg.best_validation_score_ == pytest.approx(expected, abs=1e-5)
    assert reg.validation_scores_[reg.best_epoch_ - 1] == reg.best_validation_score_
    # without early stopping every epoch is scored, the last one is kept
    plain = _mlp(loss=loss, max_iter=4).fit(
        X[:100], y[:100], X_val=X[100:], y_val=y[100:], sample_weight_val=w_val
    )
    assert len(plain.validation_scores_) == 4
    last = r2_score(y[100:], plain.predict(X[100:]), sample_weight=w_val)
    assert plain.validation_scores_[-1] == pytest.approx(last, abs=1e-5)
    assert plain.best_validation_score_ == plain.validation_scores_[-1]


@pytest.mark.parametrize("weighted", [False, True])
def test_mlp_regressor_validation_score_is_r2_of_the_held_out_rows(weighted):
    # The held-out rows are scikit-learn's train_test_split of the row
    # numbers, seeded as every draw of the fit is from random_state.
    X, y = _data(n=200, k=2)
    weight = np.random.RandomState(1).randint(1, 4, size=200) if weighted else None
    reg = _mlp(early_stopping=True, max_iter=15, n_iter_no_change=3)
    reg.fit(X, y, sample_weight=weight)
    seed = seed_from_random_state(check_random_state(0))
    _, valid = train_test_split(np.arange(200), test_size=0.1, random_state=seed)
    w_valid = None if weight is None else weight[valid]
    expected = r2_score(y[valid], reg.predict(X[valid]), sample_weight=w_valid)
    assert reg.best_validation_score_ == pytest.approx(expected, abs=1e-5)


def test_mlp_regressor_early_stopping_on_the_validation_loss(table):
    X, y = table
    reg = _mlp(
        early_stopping=True, scoring="loss", max_iter=40, n_iter_no_change=3, tol=0.0
    ).fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
    valid_loss = [row["valid_loss"] for row in reg.history_]
    assert reg.best_epoch_ == 1 + int(np.argmin(valid_loss))
    # the restored model is that epoch's; its loss is in the target's units
    pred = reg.predict(X[80:])
    assert min(valid_loss) == pytest.approx(
        0.5 * np.mean((y[80:] - pred) ** 2), rel=1e-5
    )
    assert reg.best_validation_score_ == pytest.approx(r2_score(y[80:], pred), abs=1e-5)


def test_mlp_regressor_verbose_prints_validation_r2(table, capsys):
    X, y = table
    _mlp(early_stopping=True, verbose=1, max_iter=3).fit(X, y)
    out = capsys.readouterr().out
    assert "valid_r2" in out
    assert "valid_acc" not in out


def test_mlp_regressor_history_display_plots_validation_r2(table):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    plt = pytest.importorskip("matplotlib.pyplot")
    from sknn.inspection import TrainingHistoryDisplay

    X, y = table
    reg = _mlp(early_stopping=True, max_iter=8).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(reg)
    assert display.score_ax_.get_ylabel() == "validation R²"
    np.testing.assert_allclose(
        display.lines_["valid_score"].get_ydata(), reg.validation_scores_
    )
    np.testing.assert_allclose(
        display.lines_["train_loss"].get_ydata(), reg.loss_curve_
    )
    assert display.ax_.get_title() == "MLPRegressor"
    plt.close(display.figure_)


# -- targets as scikit-learn takes them ------------------------------------------


@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, bool]
)
def test_mlp_regressor_takes_any_real_target_dtype(table, dtype):
    X, y = table
    target = (y > 30) if dtype is bool else (y - 20).clip(0, 60).astype(dtype)
    reg = _mlp(max_iter=3).fit(X, target)
    pred = reg.predict(X)
    assert pred.shape == (len(X),) and pred.dtype == np.float64
    offset = np.asarray(target, dtype=np.float64).mean()
    np.testing.assert_allclose(reg.target_offset_, [offset], rtol=1e-6)


@pytest.mark.parametrize("k", [1, 2])
def test_mlp_regressor_takes_pandas_targets(k):
    X, y = _data(k=k)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    target = pd.Series(y, name="y") if k == 1 else pd.DataFrame(y, columns=["a", "b"])
    reg = _mlp(max_iter=3).fit(frame, target)
    expected = _mlp(max_iter=3).fit(X, y).predict(X)
    pred = reg.predict(frame)
    assert isinstance(pred, np.ndarray) and pred.shape == y.shape
    np.testing.assert_allclose(pred, expected, rtol=1e-6)
    assert reg.score(frame, target) == pytest.approx(r2_score(y, pred))


def test_mlp_regressor_takes_polars_targets():
    pl = pytest.importorskip("polars")
    X, y = _data(k=2)
    frame = pl.DataFrame(X, schema=[f"x{i}" for i in range(5)])
    reg = _mlp(max_iter=3).fit(frame, pl.Series("y", y[:, 0]))
    assert reg.predict(frame).shape == (len(X),)
    multi = _mlp(max_iter=3).fit(frame, pl.DataFrame(y, schema=["a", "b"]))
    assert multi.predict(frame).shape == (len(X), 2)
    np.testing.assert_allclose(
        multi.predict(frame), _mlp(max_iter=3).fit(X, y).predict(X), rtol=1e-6
    )


def test_mlp_regressor_column_vector_target_as_scikit_learn(table):
    X, y = table
    column = y.reshape(-1, 1)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        theirs = SklearnMLP(max_iter=2).fit(X, column)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        ours = _mlp(max_iter=2).fit(X, column)
    assert ours.n_outputs_ == theirs.n_outputs_ == 1
    assert ours.predict(X).shape == theirs.predict(X).shape == (len(X),)
    np.testing.assert_array_equal(
        ours.predict(X), _mlp(max_iter=2).fit(X, y).predict(X)
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_mlp_regressor_refuses_non_finite_targets(table, bad):
    X, y = table
    reg = _mlp(max_iter=2).fit(X, y)
    y = y.copy()
    y[3] = bad
    with pytest.raises(ValueError, match="Input y contains (NaN|infinity)"):
        _mlp().fit(X, y)
    with pytest.raises(ValueError, match="Input y contains (NaN|infinity)"):
        reg.partial_fit(X, y)
    with pytest.raises(ValueError, match="Input y contains (NaN|infinity)"):
        reg.fit(X[:100], y[:100], X_val=X[100:], y_val=np.r_[np.nan, y[101:]])


@pytest.mark.parametrize(
    "y",
    [
        np.array(["low", "high"] * 60),
        np.array(["low", "high"] * 60, dtype=object),
        pd.Series(pd.Categorical(["low", "high"] * 60)),
    ],
    ids=["str", "object", "categorical"],
)
def test_mlp_regressor_refuses_string_targets_pointing_to_classifiers(table, y):
    X, _ = table
    with pytest.raises(ValueError, match="classifier"):
        _mlp().fit(X, y)


def test_mlp_regressor_refuses_complex_and_3d_targets(table):
    X, y = table
    with pytest.raises(ValueError, match="[Cc]omplex"):
        _mlp().fit(X, y + 1j)
    messages = []
    for reg in (_mlp(), SklearnMLP()):
        with pytest.raises(ValueError, match="dim 3") as info:
            reg.fit(X, y.reshape(-1, 1, 1))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_mlp_regressor_treats_class_like_integers_as_numbers(table):
    X, _ = table
    y = np.digitize(X[:, 0], [-0.5, 0.5])  # 0, 1 and 2, as a classifier's
    reg = _mlp(max_iter=30).fit(X, y)
    pred = reg.predict(X)
    assert pred.dtype == np.float64 and pred.shape == (len(X),)
    assert not np.isin(pred, [0, 1, 2]).all()  # numbers, not labels
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "log_loss"},
        {"huber_delta": 0.0},
        {"quantile": 0.0},
        {"quantile": 1.0},
        {"scoring": "accuracy"},
        {"scale_target": "yes"},
    ],
)
def test_mlp_regressor_validates_its_task_parameters(table, params):
    X, y = table
    with pytest.raises(ValueError, match=next(iter(params))):
        _mlp(**params).fit(X, y)


# -- the losses against their definitions --------------------------------------


def _definition(loss, y, pred, weight=None, *, delta=1.0, quantile=0.5):
    """The loss in the target's units, as scikit-learn or torch define it."""
    y2, p2 = y.reshape(len(y), -1), pred.reshape(len(pred), -1)
    if loss == "squared_error":
        return squared_loss(y2, p2, weight)
    if loss == "poisson":
        return poisson_loss(y2, p2, weight)
    if loss == "absolute_error":
        return mean_absolute_error(y2, p2, sample_weight=weight)
    if loss == "quantile":
        return mean_pinball_loss(y2, p2, sample_weight=weight, alpha=quantile)
    huber = torch.nn.functional.huber_loss(
        torch.as_tensor(p2), torch.as_tensor(y2), reduction="none", delta=delta
    ).numpy()
    return np.average(huber.mean(axis=1), weights=weight)


_LOSSES = ["squared_error", "poisson", "absolute_error", "huber", "quantile"]


@pytest.mark.parametrize("loss", _LOSSES)
def test_regression_losses_elementwise_match_their_definitions(loss):
    rng = np.random.RandomState(0)
    target = rng.gamma(2.0, size=(40, 3))
    outputs = rng.normal(size=(40, 3))
    pred = np.exp(outputs) if loss == "poisson" else outputs
    values = regression_losses(
        torch.as_tensor(outputs),
        torch.as_tensor(target),
        loss,
        delta=torch.tensor(0.7, dtype=torch.float64),
        quantile=0.8,
    ).numpy()
    assert values.shape == (40, 3)
    for i in range(3):
        for j in range(0, 40, 7):
            expected = _definition(
                loss, target[j : j + 1, i], pred[j : j + 1, i], delta=0.7, quantile=0.8
            )
            assert values[j, i] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("loss", _LOSSES)
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_loss_reports_the_definition_in_original_units(loss, k, weighted):
    rng = np.random.RandomState(1)
    n = 50
    if loss == "poisson":
        y = rng.poisson(30.0, size=(n, k)).astype(float)
        pred = y * rng.uniform(0.5, 1.5, size=(n, k)) + 1.0
    else:
        y = 1e3 * rng.normal(size=(n, k)) + 5e3
        pred = y + 400 * rng.standard_t(2, size=(n, k))
    y, pred = (y.ravel(), pred.ravel()) if k == 1 else (y, pred)
    weight = rng.randint(0, 4, size=n).astype(float) if weighted else None
    options = {"huber_delta": 500.0, "quantile": 0.3}
    task = Regression.from_target(y, weight, loss=loss, scale_target=True, **options)
    assert (task.scale != 1).all()
    criterion = task.criterion(torch.float64)
    target = torch.as_tensor(task.encode(y, np.float64))
    p2 = pred.reshape(n, -1)
    if loss == "poisson":
        outputs = torch.as_tensor(np.log(p2 / task.scale))
    else:
        outputs = torch.as_tensor((p2 - task.offset) / task.scale)
    np.testing.assert_allclose(task.decode(outputs), pred, rtol=1e-12)
    w = None if weight is None else torch.as_tensor(weight)
    definition = {"delta": 500.0, "quantile": 0.3}
    expected = _definition(loss, y, pred, weight, **definition)
    assert float(criterion.report(outputs, target, w)) == pytest.approx(
        expected, rel=1e-10
    )
    # training minimizes the same loss of the scaled values
    if k == 1:
        power = 2 if loss in ("squared_error", "huber") else 1
        scaled = float(criterion(outputs, target, w))
        assert scaled * task.scale[0] ** power == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("loss", _LOSSES)
@pytest.mark.parametrize("k", [1, 2])
def test_mlp_regressor_loss_is_the_definition_of_its_predictions(loss, k):
    X, y = _data(n=90, k=k)
    if loss == "poisson":
        y = np.round(np.abs(y - 30))
    weight = np.random.RandomState(0).randint(1, 4, size=len(X)).astype(float)
    options = {"huber_delta": 3.0, "quantile": 0.8}
    reg = _mlp(loss=loss, **options, **_FROZEN).fit(X, y, sample_weight=weight)
    expected = _definition(loss, y, reg.predict(X), weight, delta=3.0, quantile=0.8)
    assert reg.loss_ == pytest.approx(expected, rel=1e-9)
    assert reg.loss_curve_ == [reg.loss_]


def test_mlp_regressor_loss_adds_scikit_learns_l2_term(table):
    X, y = table
    weight = np.linspace(0.5, 2.0, len(X)).astype(np.float32).astype(float)
    reg = _mlp(**{**_FROZEN, "alpha": 3.0}).fit(X, y, sample_weight=weight)
    penalty = 0.5 * 3.0 * sum(np.sum(c**2) for c in reg.coefs_) / weight.sum()
    # the network learns the scaled target: its L2 term is reported in the
    # target's units too, times the squared error's factor
    penalty *= reg.target_scale_[0] ** 2
    expected = squared_loss(y, reg.predict(X), weight) + penalty
    assert reg.loss_ == pytest.approx(expected, rel=1e-9)


def test_mlp_regressor_lbfgs_loss_is_half_the_mean_squared_error(table):
    X, y = table
    reg = _mlp(solver="lbfgs", alpha=0.0, max_iter=40, dtype="float64").fit(X, y)
    assert reg.loss_ == pytest.approx(
        0.5 * np.mean((y - reg.predict(X)) ** 2), rel=1e-6
    )


def test_mlp_regressor_huber_with_a_huge_delta_is_the_squared_error(table):
    X, y = table
    squared = _mlp(max_iter=5).fit(X, y)
    huber = _mlp(max_iter=5, loss="huber", huber_delta=1e12).fit(X, y)
    np.testing.assert_allclose(huber.predict(X), squared.predict(X), rtol=1e-6)
    np.testing.assert_allclose(huber.loss_curve_, squared.loss_curve_, rtol=1e-6)


def test_mlp_regressor_quantile_predicts_the_quantile():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = 10 * X[:, 0] + rng.normal(scale=3.0, size=400)
    fits = {}
    for q in (0.1, 0.5, 0.9):
        reg = _mlp(loss="quantile", quantile=q, solver="lbfgs", max_iter=100)
        fits[q] = reg.fit(X, y).predict(X)
        assert np.mean(y <= fits[q]) == pytest.approx(q, abs=0.07)
    assert (fits[0.1] < fits[0.5]).mean() > 0.95
    assert (fits[0.5] < fits[0.9]).mean() > 0.95


def test_mlp_regressor_absolute_error_is_robust_to_outliers():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    truth = 3 * X[:, 0] - 2 * X[:, 1]
    y = truth + 0.05 * rng.normal(size=200)
    y[:20] += 300.0  # 10% gross outliers, all of one sign
    errors = {}
    for loss in ("squared_error", "absolute_error", "huber"):
        reg = _mlp(loss=loss, solver="lbfgs", max_iter=100, huber_delta=0.5)
        errors[loss] = np.median(np.abs(reg.fit(X, y).predict(X[20:]) - truth[20:]))
    assert errors["absolute_error"] < errors["squared_error"] / 5
    assert errors["huber"] < errors["squared_error"] / 5


# -- target scaling ------------------------------------------------------------


@pytest.mark.parametrize("factor, shift", [(1e3, 1e5), (1e-3, -5.0)])
def test_mlp_regressor_target_units_do_not_matter(table, factor, shift):
    # The network learns the same standardized target: the same network,
    # trained as long, whatever the target's units.
    X, y = table
    params = {"max_iter": 40, "n_iter_no_change": 5}
    small = _mlp(**params).fit(X, y)
    other = _mlp(**params).fit(X, factor * y + shift)
    np.testing.assert_allclose(
        other.target_offset_, factor * small.target_offset_ + shift
    )
    np.testing.assert_allclose(other.target_scale_, factor * small.target_scale_)
    assert other.n_iter_ == small.n_iter_
    np.testing.assert_allclose(
        (other.predict(X) - shift) / factor, small.predict(X), rtol=1e-6
    )
    score = other.score(X, factor * y + shift)
    assert score == pytest.approx(small.score(X, y), abs=1e-4)
    assert small.score(X, y) > 0.95


@pytest.mark.parametrize("factor", [1e-16, 1e21])
def test_mlp_regressor_scales_targets_of_any_magnitude(table, factor):
    # Far from 1 both ways (femto-units, or counts like 1e21 molecules), the
    # target is standardized like any other: only a column of one value
    # keeps its unit. Five epochs: no stopping rule comes into play.
    X, y = table
    small = _mlp(max_iter=5, alpha=0.0).fit(X, y)
    other = _mlp(max_iter=5, alpha=0.0).fit(X, factor * y)
    np.testing.assert_allclose(other.target_scale_, factor * small.target_scale_)
    np.testing.assert_allclose(other.predict(X) / factor, small.predict(X), rtol=1e-6)
    assert other.score(X, factor * y) == pytest.approx(small.score(X, y), abs=1e-6)
    np.testing.assert_allclose(
        np.array(other.loss_curve_) / np.array(small.loss_curve_), factor**2, rtol=1e-4
    )


def test_mlp_regressor_loss_is_in_the_targets_units(table):
    X, y = table
    small = _mlp(max_iter=20, alpha=0.0).fit(X, y)
    large = _mlp(max_iter=20, alpha=0.0).fit(X, 1000 * y + 1e5)
    # 1000 times larger residuals
    np.testing.assert_allclose(
        np.array(large.loss_curve_) / np.array(small.loss_curve_), 1e6, rtol=1e-4
    )


def test_mlp_regressor_loss_scales_with_the_power_of_its_loss(table):
    X, y = table
    for loss, power in [("absolute_error", 1), ("quantile", 1), ("huber", 2)]:
        one = _mlp(loss=loss, max_iter=3).fit(X, y)
        ten = _mlp(loss=loss, max_iter=3, huber_delta=10.0).fit(X, 10 * y)
        ratio = np.array(ten.loss_curve_) / np.array(one.loss_curve_)
        np.testing.assert_allclose(ratio, 10.0**power, rtol=1e-3)


def test_mlp_regressor_without_target_scaling(table):
    X, y = table
    reg = _mlp(scale_target=False, max_iter=3).fit(X, y)
    np.testing.assert_array_equal(reg.target_offset_, [0.0])
    np.testing.assert_array_equal(reg.target_scale_, [1.0])
    # a standardized target gives the same model either way
    z = (y - y.mean()) / y.std()
    scaled = _mlp(max_iter=3).fit(X, z)
    unscaled = _mlp(max_iter=3, scale_target=False).fit(X, z)
    np.testing.assert_allclose(scaled.predict(X), unscaled.predict(X), atol=1e-5)
    # large targets are hard to learn unscaled in the same number of epochs
    big = 1000 * y + 1e5
    assert _mlp(max_iter=20).fit(X, big).score(X, big) > 0.9
    assert _mlp(max_iter=20, scale_target=False).fit(X, big).score(X, big) < 0.5


def test_mlp_regressor_poisson_scaling_divides_by_the_weighted_mean():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    Y = np.column_stack([rng.poisson(5.0, 100), rng.poisson(200.0, 100), np.zeros(100)])
    weight = rng.uniform(0.1, 3.0, size=100)
    reg = _mlp(loss="poisson", max_iter=3).fit(X, Y, sample_weight=weight)
    np.testing.assert_array_equal(reg.target_offset_, 0.0)
    means = np.average(Y, axis=0, weights=weight)
    np.testing.assert_allclose(reg.target_scale_, [means[0], means[1], 1.0])
    pred = reg.predict(X)
    assert pred.shape == (100, 3) and (pred >= 0).all()


def test_mlp_regressor_scaling_uses_the_weighted_moments(table):
    X, Y = _data(k=2)
    weight = np.random.RandomState(0).randint(0, 4, size=len(X))
    reg = _mlp(max_iter=2).fit(X, Y, sample_weight=weight)
    np.testing.assert_allclose(
        reg.target_offset_, np.average(Y, axis=0, weights=weight)
    )
    std = np.sqrt(np.average((Y - reg.target_offset_) ** 2, axis=0, weights=weight))
    np.testing.assert_allclose(reg.target_scale_, std)
    # integer weights are repeated rows
    repeated = _mlp(max_iter=2).fit(np.repeat(X, weight, 0), np.repeat(Y, weight, 0))
    np.testing.assert_allclose(repeated.target_offset_, reg.target_offset_, rtol=1e-12)
    np.testing.assert_allclose(repeated.target_scale_, reg.target_scale_, rtol=1e-12)


def test_mlp_regressor_integer_weights_are_repeated_rows_in_float64(table):
    X, y = table
    weight = np.random.RandomState(0).randint(0, 3, size=len(X))
    params = {"solver": "lbfgs", "max_iter": 15, "dtype": "float64"}
    weighted = _mlp(**params).fit(X, y, sample_weight=weight)
    repeated = _mlp(**params).fit(np.repeat(X, weight, 0), np.repeat(y, weight))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-8)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-8)


def test_mlp_regressor_constant_target_column_keeps_its_unit():
    X, Y = _data(k=2)
    Y[:, 1] = 4.0
    reg = _mlp(max_iter=40).fit(X, Y)
    assert reg.target_scale_[1] == 1.0 and reg.target_offset_[1] == 4.0
    np.testing.assert_allclose(reg.predict(X)[:, 1], 4.0, atol=0.5)


# -- score and sample weights ----------------------------------------------------


@pytest.mark.parametrize("k", [1, 3])
def test_mlp_regressor_score_is_r2(k):
    X, y = _data(k=k)
    reg = _mlp(max_iter=5).fit(X, y)
    weight = np.linspace(0.0, 2.0, len(X))
    pred = reg.predict(X)
    assert reg.score(X, y) == pytest.approx(r2_score(y, pred))
    assert reg.score(X, y, sample_weight=weight) == pytest.approx(
        r2_score(y, pred, sample_weight=weight)
    )
    if k > 1:
        per_output = r2_score(y, pred, multioutput="raw_values")
        assert reg.score(X, y) == pytest.approx(per_output.mean())


def test_mlp_regressor_zero_weight_rows_are_ignored(table):
    X, y = table
    rng = np.random.RandomState(0)
    X_more = np.vstack([X, rng.normal(size=(30, 5))])
    y_more = np.r_[y, rng.normal(loc=-500.0, scale=100.0, size=30)]
    weight = np.r_[np.ones(len(X)), np.zeros(30)]
    params = {"solver": "lbfgs", "max_iter": 10, "dtype": "float64"}
    expected = _mlp(**params).fit(X, y)
    reg = _mlp(**params).fit(X_more, y_more, sample_weight=weight)
    np.testing.assert_allclose(reg.target_offset_, expected.target_offset_)
    np.testing.assert_allclose(reg.target_scale_, expected.target_scale_)
    np.testing.assert_allclose(reg.predict(X), expected.predict(X), rtol=1e-8)
    assert reg.loss_ == pytest.approx(expected.loss_, rel=1e-8)


def test_mlp_regressor_partial_fit_takes_sample_weight(table):
    X, y = table
    rng = np.random.RandomState(0)
    X_more = np.vstack([X, rng.normal(size=(30, 5))])
    y_more = np.r_[y, rng.normal(loc=-500.0, scale=100.0, size=30)]
    weight = np.r_[np.ones(len(X)), np.zeros(30)]
    params = {"batch_size": 1000, "shuffle": False, "dtype": "float64"}
    expected = _mlp(**params).partial_fit(X, y).partial_fit(X, y)
    reg = _mlp(**params).partial_fit(X_more, y_more, weight)  # positionally
    reg.partial_fit(X_more, y_more, sample_weight=weight)
    np.testing.assert_allclose(reg.target_offset_, expected.target_offset_)
    np.testing.assert_allclose(reg.predict(X), expected.predict(X), rtol=1e-8)
    np.testing.assert_allclose(reg.loss_curve_, expected.loss_curve_, rtol=1e-8)


def test_mlp_regressor_partial_fit_scales_by_its_first_chunk(table):
    X, y = table
    reg = _mlp().partial_fit(X[:60], y[:60])
    np.testing.assert_allclose(reg.target_offset_, [y[:60].mean()])
    np.testing.assert_allclose(reg.target_scale_, [y[:60].std()])
    reg.partial_fit(X[60:], 3 * y[60:] + 100)
    np.testing.assert_allclose(reg.target_offset_, [y[:60].mean()])
    # warm_start keeps the first fit's scaling too
    warm = _mlp(warm_start=True, max_iter=2).fit(X, y)
    offset = warm.target_offset_
    np.testing.assert_array_equal(warm.fit(X, 2 * y).target_offset_, offset)
    # a fit anew scales anew
    fresh = warm.set_params(warm_start=False).fit(X, 2 * y)
    np.testing.assert_allclose(fresh.target_offset_, 2 * offset)


def test_mlp_regressor_refuses_all_zero_weights(table):
    X, y = table
    with pytest.raises(ValueError, match="at least one non-zero"):
        _mlp().fit(X, y, sample_weight=np.zeros(len(X)))


# -- a fit is a transaction ------------------------------------------------------


def _assert_unchanged(reg, twin, X):
    np.testing.assert_array_equal(reg.predict(X), twin.predict(X))
    for name in ("n_outputs_", "out_activation_", "n_iter_", "t_", "loss_"):
        assert getattr(reg, name) == getattr(twin, name), name
    np.testing.assert_array_equal(reg.target_offset_, twin.target_offset_)
    np.testing.assert_array_equal(reg.target_scale_, twin.target_scale_)
    assert reg.loss_curve_ == twin.loss_curve_
    assert len(reg.history_) == len(twin.history_)


@pytest.mark.parametrize("warm_start", [False, True])
def test_mlp_regressor_failed_fit_leaves_the_fitted_model(table, warm_start):
    X, y = table
    reg = _mlp(max_iter=3, warm_start=warm_start).fit(X, y)
    twin = pickle.loads(pickle.dumps(reg))
    bad = y.copy()
    bad[5] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.fit(X, bad)
    with pytest.raises(ValueError, match="classifier"):
        reg.fit(X, np.array(["a", "b"] * 60))
    _assert_unchanged(reg, twin, X)
    # and goes on as if the failed calls had never happened
    np.testing.assert_array_equal(reg.fit(X, y).predict(X), twin.fit(X, y).predict(X))


def test_mlp_regressor_failed_first_fit_leaves_it_unfitted(table):
    X, y = table
    reg = _mlp()
    fresh = dict(vars(reg))
    with pytest.raises(ValueError):
        reg.fit(X, np.where(np.arange(len(X)) == 3, np.inf, y))
    assert vars(reg) == fresh
    with pytest.raises(NotFittedError):
        reg.predict(X)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_mlp_regressor_refuses_another_number_of_outputs(how):
    X, Y = _data(k=3)
    reg = _mlp(max_iter=2, warm_start=True).fit(X, Y)
    twin = pickle.loads(pickle.dumps(reg))
    for other in (Y[:, :2], Y[:, 0]):
        with pytest.raises(ValueError, match=f"fitted on 3.*{how}"):
            reg.fit(X, other) if how == "warm_start" else reg.partial_fit(X, other)
    _assert_unchanged(reg, twin, X)
    # a fit anew may change it
    assert reg.set_params(warm_start=False).fit(X, Y[:, :2]).n_outputs_ == 2


@pytest.mark.parametrize(
    "first, second", [("squared_error", "poisson"), ("poisson", "huber")]
)
def test_mlp_regressor_warm_start_refuses_to_switch_the_poisson_link(first, second):
    X, y = _data()
    y = np.round(np.abs(y - 30))
    reg = _mlp(loss=first, max_iter=2, warm_start=True).fit(X, y)
    twin = pickle.loads(pickle.dumps(reg))
    with pytest.raises(ValueError, match="Poisson"):
        reg.set_params(loss=second).fit(X, y)
    with pytest.raises(ValueError, match="Poisson"):
        reg.partial_fit(X, y)
    reg.set_params(loss=first)
    _assert_unchanged(reg, twin, X)


def test_mlp_regressor_warm_start_may_change_between_other_losses(table):
    X, y = table
    reg = _mlp(max_iter=2, warm_start=True).fit(X, y)
    offset, scale = reg.target_offset_, reg.target_scale_
    for loss in ("huber", "absolute_error", "quantile", "squared_error"):
        reg.set_params(loss=loss).fit(X, y)
        assert reg.out_activation_ == "identity"
    assert len(reg.loss_curve_) == 10
    # the scaling is the first fit's
    np.testing.assert_array_equal(reg.target_offset_, offset)
    np.testing.assert_array_equal(reg.target_scale_, scale)


def test_mlp_regressor_warm_start_refuses_another_dtype(table):
    X, y = table
    reg = _mlp(max_iter=2, warm_start=True).fit(X, y)
    twin = pickle.loads(pickle.dumps(reg))
    with pytest.raises(ValueError, match="dtype='float64'.*float32"):
        reg.set_params(dtype="float64").fit(X, y)
    with pytest.raises(ValueError, match="dtype"):
        reg.partial_fit(X, y)
    reg.set_params(dtype="float32")
    _assert_unchanged(reg, twin, X)


# -- persistence ------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("k", [1, 2])
def test_mlp_regressor_pickle_round_trip(loss, k):
    X, y = _data(k=k)
    if loss == "poisson":
        y = np.round(np.abs(y - 30))
    reg = _mlp(loss=loss, max_iter=3).fit(X, y)
    loaded = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.score(X, y) == reg.score(X, y)
    np.testing.assert_array_equal(loaded.target_scale_, reg.target_scale_)
    # and trains on from where it was
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict(X), reg.partial_fit(X, y).predict(X))


@pytest.mark.parametrize("name", ["mlp", "lbfgs poisson", "rnn"])
def test_regressor_skops_round_trip_trusts_only_sknn(name):
    sio = pytest.importorskip("skops.io")
    X, y = _data(n=60, k=2)
    if name == "mlp":
        reg = _mlp(max_iter=3, normalization="weight")
    elif name == "lbfgs poisson":
        reg, y = _mlp(loss="poisson", solver="lbfgs", max_iter=3), np.abs(y)
    else:
        reg, X = RNNRegressor(hidden_size=4, max_iter=2, random_state=0), X[:, :4]
        X = X.reshape(-1, 4, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y)
    data = sio.dumps(reg)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= set(skops_trusted_types()), untrusted
    loaded = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    np.testing.assert_array_equal(loaded.target_offset_, reg.target_offset_)


# -- network options ---------------------------------------------------------------


def test_mlp_regressor_dropout_trains_and_predicts_deterministically(table):
    X, y = table
    reg = _mlp(dropout=0.3, max_iter=30).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), reg.predict(X))
    assert reg.score(X, y) > 0.7
    other = _mlp(dropout=0.3, max_iter=30, random_state=1).fit(X, y)
    assert not np.array_equal(other.predict(X), reg.predict(X))


@pytest.mark.parametrize(
    "normalization, kwargs",
    [
        ("batch", None),
        ("layer", None),
        ("group", {"groups": 4}),
        ("weight", None),
        ("rms", None),
    ],
)
@pytest.mark.parametrize("k", [1, 2])
def test_mlp_regressor_every_normalization(table, normalization, kwargs, k):
    X, y = _data(k=k)
    reg = _mlp(
        normalization=normalization, normalization_kwargs=kwargs, max_iter=25
    ).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == y.shape and np.isfinite(pred).all()
    assert reg.score(X, y) > 0.7
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), pred)


def test_mlp_regressor_in_float64(table):
    X, y = table
    reg = _mlp(dtype="float64", max_iter=5).fit(X, y)
    assert reg.coefs_[0].dtype == np.float64
    assert next(reg.module_.parameters()).dtype == torch.float64
    pred = reg.predict(X)
    assert pred.dtype == np.float64
    # predictions in the inputs' float dtype, as scikit-learn's
    assert reg.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(pred, _mlp(max_iter=5).fit(X, y).predict(X), rtol=1e-3)


# -- scikit-learn's regression tools -----------------------------------------------


def test_mlp_regressor_in_transformed_target_regressor(table):
    X, y = table
    y = y - y.min() + 1.0
    model = TransformedTargetRegressor(
        regressor=_mlp(max_iter=20), func=np.log, inverse_func=np.exp
    ).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == y.shape and (pred > 0).all()
    assert model.score(X, y) > 0.8
    assert model.regressor_.target_offset_[0] == pytest.approx(np.log(y).mean())


def test_mlp_regressor_in_bagging_and_stacking(table):
    X, y = table
    bagging = BaggingRegressor(_mlp(max_iter=10), n_estimators=3, random_state=0)
    assert bagging.fit(X, y).predict(X).shape == y.shape
    assert bagging.score(X, y) > 0.5
    stacking = StackingRegressor(
        [("mlp", _mlp(max_iter=10)), ("ridge", Ridge())], final_estimator=Ridge(), cv=3
    )
    assert stacking.fit(X, y).predict(X).shape == y.shape
    assert stacking.score(X, y) > 0.8


def test_mlp_regressor_in_multi_output_regressor():
    X, Y = _data(k=3)
    model = MultiOutputRegressor(_mlp(max_iter=10)).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert [est.n_outputs_ for est in model.estimators_] == [1, 1, 1]
    assert model.score(X, Y) > 0.5


@pytest.mark.parametrize("k", [1, 2])
def test_mlp_regressor_cross_val_predict(k):
    X, y = _data(k=k)
    pred = cross_val_predict(_mlp(max_iter=20), X, y, cv=KFold(3))
    assert pred.shape == y.shape and pred.dtype == np.float64
    assert r2_score(y, pred) > 0.5


def test_mlp_regressor_permutation_importance_finds_the_feature():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    y = 50.0 * X[:, 2] + 0.1 * rng.normal(size=150)
    reg = _mlp(solver="lbfgs", max_iter=50).fit(X, y)
    result = permutation_importance(reg, X, y, n_repeats=3, random_state=0)
    assert result.importances_mean.shape == (4,)
    assert np.argmax(result.importances_mean) == 2
    assert result.importances_mean[2] > 1.0


def test_mlp_regressor_grid_search_on_mean_absolute_error(table):
    X, y = table
    search = GridSearchCV(
        _mlp(max_iter=10),
        {
            "loss": ["squared_error", "absolute_error"],
            "hidden_layer_sizes": [(4,), (16,)],
        },
        scoring="neg_mean_absolute_error",
        cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (4,) and np.isfinite(scores).all() and (scores < 0).all()
    assert search.best_score_ == scores.max()
    assert -search.best_score_ < np.mean(np.abs(y - y.mean()))
    assert search.predict(X).shape == y.shape


def test_mlp_regressor_validation_targets_of_another_width_name_y_val(table):
    X, y = table
    with pytest.raises(ValueError, match=r"y_val has 2 output\(s\)"):
        _mlp(max_iter=1).fit(X, y, X_val=X[:5], y_val=np.c_[y[:5], y[:5]])
