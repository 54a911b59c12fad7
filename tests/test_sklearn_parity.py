"""sknn's MLPClassifier as a drop-in for scikit-learn's: names, methods,
attributes and edge behaviour.

Where the behaviour is the same by definition (shapes, errors, counts,
schedules), the test runs scikit-learn's own estimator beside sknn's.
"""

import inspect
import re
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from user_modules import TableNet

from sknn import CNNClassifier, MLPClassifier, MLPRegressor, NeuralNetClassifier

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _mlp(**params):
    defaults = {"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0}
    return MLPClassifier(**{**defaults, **params})


# -- names and methods -----------------------------------------------------------


def test_solver_is_the_only_name():
    params = MLPClassifier().get_params()
    assert params["solver"] == "adam" and "optimizer" not in params
    for name in ("solver", "learning_rate", "power_t", "max_fun", "n_iter_no_change"):
        assert name in inspect.signature(SklearnMLP).parameters
        for estimator in (MLPClassifier, CNNClassifier, NeuralNetClassifier):
            assert name in inspect.signature(estimator).parameters
    with pytest.raises(TypeError, match="optimizer"):
        MLPClassifier(optimizer="adam")


def test_lbfgs_solves_a_convex_problem_as_logistic_regression(cancer):
    # No hidden layer: the MLP's loss, mean log-loss + alpha / (2 n) ||W||^2,
    # is logistic regression's with C = 1 / alpha; L-BFGS finds its minimum.
    X, y = cancer
    clf = MLPClassifier(
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=1.0,
        tol=1e-9,
        max_iter=1000,
        dtype="float64",
    ).fit(X, y)
    reference = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(
        clf.coefs_[0].ravel(), reference.coef_.ravel(), atol=2e-3
    )
    np.testing.assert_allclose(clf.intercepts_[0], reference.intercept_, atol=2e-3)
    # loss_ is the objective at the solution
    objective = log_loss(y, reference.predict_proba(X)) + 0.5 * np.sum(
        reference.coef_**2
    ) / len(X)
    assert clf.loss_ == pytest.approx(objective, rel=1e-6)


def test_lbfgs_counts_iterations_and_evaluations_as_scikit_learn(cancer):
    X, y = cancer
    clf = MLPClassifier(solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    assert 1 <= clf.n_iter_ <= 200 and clf.t_ == 0
    assert clf.n_iter_ == len(clf.history_)  # one epoch per iteration
    assert np.all(np.diff(clf.loss_curve_) <= 1e-6)  # a line search descends
    assert clf.score(X, y) > 0.97
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        MLPClassifier(solver="lbfgs", max_iter=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="max_fun=5"):
        short = MLPClassifier(solver="lbfgs", max_fun=5).fit(X, y)
    assert short.net_.lbfgs_.evaluations <= 5 + 1
    # no partial_fit, as in scikit-learn
    for estimator in (MLPClassifier(solver="lbfgs"), SklearnMLP(solver="lbfgs")):
        assert not hasattr(estimator, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        MLPClassifier(solver="lbfgs").partial_fit(X, y, classes=[0, 1])
    assert "only available for stochastic" in str(info.value.__cause__)


def test_adaptive_learning_rate_as_scikit_learn(cancer):
    # Every epoch counts as no improvement (tol is huge): the learning rate
    # drops by 5 each time the count passes n_iter_no_change, until 1e-6.
    X, y = cancer
    params = {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "tol": 1e9,
        "n_iter_no_change": 1,
        "max_iter": 100,
        "learning_rate_init": 1e-3,
        "random_state": 0,
    }
    ours = _mlp(**params).fit(X, y)
    theirs = SklearnMLP(hidden_layer_sizes=(16,), **params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 100
    lr = ours.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(theirs._optimizer.learning_rate)


def test_invscaling_learning_rate_as_scikit_learn(cancer):
    X, y = cancer
    params = {
        "solver": "sgd",
        "learning_rate": "invscaling",
        "power_t": 0.3,
        "max_iter": 7,
        "n_iter_no_change": 100,
        "learning_rate_init": 0.01,
        "batch_size": 64,
        "random_state": 0,
    }
    ours = _mlp(**params).fit(X, y)
    theirs = SklearnMLP(hidden_layer_sizes=(16,), **params).fit(X, y)
    assert ours.t_ == theirs.t_ == 7 * len(X)
    lr = ours.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(theirs._optimizer.learning_rate)
    assert lr == pytest.approx(0.01 / (ours.t_ + 1) ** 0.3)
    # the schedule goes on under warm_start, as t_ does
    ours.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert ours.t_ == 9 * len(X)
    lr = ours.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.01 / (ours.t_ + 1) ** 0.3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: _mlp(),
        lambda: CNNClassifier(filters=(4,), max_iter=3, random_state=0),
        lambda: NeuralNetClassifier(module=TableNet, max_iter=3, random_state=0),
    ],
    ids=["mlp", "cnn", "net"],
)
def test_predict_log_proba_is_stable(cancer, make):
    X, y = cancer
    clf = make().fit(X, y)
    log_proba = clf.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), rtol=1e-6)
    # overconfident logits: probabilities round to 0, their logs stay finite
    with torch.no_grad():
        last = [m for m in clf.module_.modules() if isinstance(m, torch.nn.Linear)][-1]
        last.weight.mul_(1e3)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert log_proba.min() < -100  # probabilities below 1e-43
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(
        np.log(proba[proba > 0]), log_proba[proba > 0], rtol=1e-6, atol=1e-12
    )
    assert (log_proba[proba == 0] < -700).all()  # where exp underflows


def test_predict_log_proba_multilabel():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    clf = _mlp().fit(X, Y)
    np.testing.assert_allclose(
        np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-6
    )


# -- sparse input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "to_sparse", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array]
)
def test_sparse_input_gives_the_dense_results(cancer, to_sparse):
    X, y = cancer
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # mostly zeros
    S = to_sparse(X)
    # sknn's MLP multiplies sparse batches without densifying them
    dense, sparse = _mlp().fit(X, y), _mlp().fit(S, y)
    np.testing.assert_allclose(
        sparse.predict_proba(S), dense.predict_proba(X), atol=1e-5
    )
    # a user's network gets each batch densified, the same numbers exactly
    net = NeuralNetClassifier(module=TableNet, max_iter=3, random_state=0)
    expected = net.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(net.fit(S, y).predict_proba(S), expected)
    # with early stopping's split and shuffling too
    clf = _mlp(early_stopping=True).fit(S, y)
    assert clf.validation_scores_ is not None


def test_sparse_batches_are_never_the_whole_matrix(cancer):
    X, y = cancer
    S = sp.csr_matrix(np.where(np.abs(X) < 1.0, 0.0, X))
    seen = []
    clf = _mlp(batch_size=50)
    clf.fit(S, y)
    handle = clf.module_.register_forward_pre_hook(
        lambda module, inputs: seen.append((inputs[0].layout, inputs[0].shape[0]))
    )
    clf.predict_proba(S)
    handle.remove()
    assert {layout for layout, _ in seen} == {torch.sparse_coo}
    assert max(rows for _, rows in seen) <= len(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        bad = S.copy()
        bad.data[0] = np.nan
        clf.predict(bad)


def test_sparse_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    dense = _mlp().fit(X, Y)
    sparse = _mlp().fit(X, sp.csr_matrix(Y))
    np.testing.assert_array_equal(sparse.predict_proba(X), dense.predict_proba(X))


def test_cnn_refuses_sparse_input_in_scikit_learns_words():
    with pytest.raises(TypeError, match="Sparse data was passed for X"):
        CNNClassifier().fit(sp.csr_matrix(np.ones((4, 2))), [0, 1, 0, 1])


# -- fitted attributes -------------------------------------------------------------


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_fitted_attributes_have_scikit_learns_shapes(cancer, target):
    X, y = cancer
    if target == "multiclass":
        y = np.digitize(X[:, 0], [-0.5, 0.5])
    elif target == "multilabel":
        y = np.stack([y, 1 - y, (X[:, 1] > 0).astype(int)], axis=1)
    params = {"hidden_layer_sizes": (7, 5), "max_iter": 3, "random_state": 0}
    ours = MLPClassifier(**params).fit(X, y)
    theirs = SklearnMLP(**params).fit(X, y)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 4
    assert ours.out_activation_ == theirs.out_activation_
    assert ours.n_outputs_ == theirs.n_outputs_
    assert ours.coefs_[0].dtype == np.float32
    assert MLPClassifier(dtype="float64", **params).fit(X, y).coefs_[0].dtype == (
        np.float64
    )
    # they are the network's weights
    np.testing.assert_array_equal(
        ours.coefs_[0], ours.module_.hidden[0].weight.detach().cpu().numpy().T
    )


def test_loss_includes_the_l2_term_as_scikit_learn(cancer):
    # One epoch of one batch at a learning rate too small to move the
    # weights: loss_ is the log-loss of the network plus alpha/2 ||W||^2 / n.
    X, y = cancer
    clf = _mlp(
        alpha=3.0,
        batch_size=len(X),
        max_iter=1,
        learning_rate_init=1e-30,
        shuffle=False,
        dtype="float64",
    ).fit(X, y)
    penalty = 0.5 * 3.0 * sum(np.sum(c**2) for c in clf.coefs_) / len(X)
    expected = log_loss(y, clf.predict_proba(X)) + penalty
    assert clf.loss_ == pytest.approx(expected, rel=1e-9)
    assert clf.loss_curve_ == [clf.loss_]


def test_multilabel_loss_is_summed_over_labels():
    # K copies of one label column: K times the binary loss at the start.
    X, Y = make_multilabel_classification(n_samples=80, n_classes=1, random_state=0)
    y = Y[:, 0]
    params = {"max_iter": 1, "learning_rate_init": 1e-30, "alpha": 0.0}
    params.update(batch_size=80, shuffle=False, dtype="float64")
    binary = _mlp(**params).fit(X, y)
    tripled = _mlp(**params).fit(X, np.stack([y, y, y], axis=1))
    # the first layers are drawn alike; compare each with its own log-loss
    assert binary.loss_ == pytest.approx(log_loss(y, binary.predict_proba(X)[:, 1]))
    proba = tripled.predict_proba(X)
    summed = sum(log_loss(y, proba[:, k]) for k in range(3))
    assert tripled.loss_ == pytest.approx(summed, rel=1e-9)


def test_counts_under_warm_start_and_partial_fit(cancer):
    X, y = cancer
    params = {"hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0}
    params.update(n_iter_no_change=100, warm_start=True)
    ours, theirs = MLPClassifier(**params), SklearnMLP(**params)
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


def test_validation_attributes(cancer):
    X, y = cancer
    params = {"hidden_layer_sizes": (16,), "max_iter": 30, "random_state": 0}
    theirs = SklearnMLP(**params).fit(X, y)
    ours = MLPClassifier(**params).fit(X, y)
    assert ours.validation_scores_ is None is theirs.validation_scores_
    assert ours.best_validation_score_ is None is theirs.best_validation_score_
    assert ours.best_loss_ == min(ours.loss_curve_)
    ours = MLPClassifier(early_stopping=True, scoring="accuracy", **params).fit(X, y)
    theirs = SklearnMLP(early_stopping=True, **params).fit(X, y)
    for clf in (ours, theirs):
        assert clf.best_loss_ is None
        assert len(clf.validation_scores_) == clf.n_iter_
        assert clf.best_validation_score_ == max(clf.validation_scores_)
    # partial_fit after fit goes on without resetting them
    scores, best = list(ours.validation_scores_), ours.best_validation_score_
    ours.set_params(early_stopping=False).partial_fit(X, y)
    assert ours.validation_scores_ == scores
    assert ours.best_validation_score_ == best


# -- behaviour ---------------------------------------------------------------------


def test_partial_fit_takes_scikit_learns_argument_order(cancer):
    X, y = cancer
    assert list(inspect.signature(MLPClassifier.partial_fit).parameters) == list(
        inspect.signature(SklearnMLP.partial_fit).parameters
    )
    weights = np.linspace(0.5, 1.5, len(X))
    clf = _mlp().partial_fit(X, y, weights, [0, 1])  # positionally
    assert list(clf.classes_) == [0, 1]


def test_partial_fit_errors_are_scikit_learns(cancer):
    X, y = cancer
    ours, theirs = _mlp(), SklearnMLP(hidden_layer_sizes=(16,))
    for clf in (ours, theirs):
        clf.partial_fit(X, y, classes=[0, 1])
    messages = []
    for clf in (ours, theirs):
        with pytest.raises(ValueError) as info:
            clf.partial_fit(X, y, classes=[0, 1, 2])
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    for clf in (_mlp(early_stopping=True), SklearnMLP(early_stopping=True)):
        with pytest.raises(ValueError, match="partial_fit does not support early"):
            clf.partial_fit(X, y, classes=[0, 1])


def test_n_iter_no_change_may_be_infinite(cancer):
    X, y = cancer
    clf = _mlp(n_iter_no_change=np.inf, tol=1e9, max_iter=6)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 6


def test_early_stopping_on_a_class_too_small_to_stratify(cancer):
    # scikit-learn stratifies binary targets only; sknn multiclass ones too,
    # and refuses a class too small for it with the same error.
    X, _ = cancer
    y = np.zeros(len(X), dtype=int)
    y[0] = 1  # a class of one sample
    errors = []
    for clf in (_mlp(early_stopping=True), SklearnMLP(early_stopping=True)):
        with pytest.raises(ValueError) as info:
            clf.fit(X, y)
        errors.append(str(info.value))
    for error in errors:
        assert error.startswith("The least populated classes in y have only 1 member")


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: _mlp(max_iter=2),
        lambda: CNNClassifier(filters=(2,), max_iter=1),
        lambda: NeuralNetClassifier(module=TableNet, max_iter=1),
    ],
    ids=["mlp", "cnn", "net"],
)
def test_polars_and_pyarrow_keep_column_names(cancer, library, make):
    module = pytest.importorskip(library)
    X, y = cancer
    names = [f"f{i}" for i in range(X.shape[1])]

    def frame(values, columns):
        if library == "polars":
            return module.DataFrame(values, schema=columns)
        return module.table({c: values[:, i] for i, c in enumerate(columns)})

    clf = make().fit(frame(X, names), y)
    assert list(clf.feature_names_in_) == names
    assert clf.predict(frame(X, names)).shape == (len(X),)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame(X[:, ::-1], names[::-1]))


def test_concurrent_fits_give_their_results_alone(cancer):
    X, y = cancer
    grid = {"hidden_layer_sizes": [(16,), (32,)], "alpha": [1e-4, 0.1]}
    model = _mlp(dropout=0.3, max_iter=4)
    state = torch.get_rng_state()
    sequential = GridSearchCV(model, grid, cv=3).fit(X, y)
    with joblib.parallel_backend("threading", n_jobs=4):
        threaded = GridSearchCV(model, grid, cv=3, n_jobs=4).fit(X, y)
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(
            sequential.cv_results_[key], threaded.cv_results_[key]
        )
    np.testing.assert_array_equal(
        sequential.best_estimator_.predict_proba(X),
        threaded.best_estimator_.predict_proba(X),
    )
    # and the caller's global random state is untouched
    assert torch.equal(torch.get_rng_state(), state)


def test_dropout_draws_from_the_fit_not_the_global_generator(cancer):
    X, y = cancer
    first = _mlp(dropout=0.5).fit(X, y).predict_proba(X)
    torch.manual_seed(123)  # the caller's stream must not matter
    _ = torch.rand(10)
    second = _mlp(dropout=0.5).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = _mlp(dropout=0.5, random_state=1).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)


def test_warm_start_with_other_classes_in_scikit_learns_words(cancer):
    X, y = cancer
    message = "Previously got [0 1], `y` has [0 1 2]"
    y3 = np.arange(len(y)) % 3
    for clf in (_mlp(warm_start=True), SklearnMLP(warm_start=True, max_iter=5)):
        clf.fit(X, y)
        with pytest.raises(ValueError, match=re.escape(message)):
            clf.fit(X, y3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: _mlp(early_stopping=True, validation_fraction=0.2),
        lambda: _mlp(solver="lbfgs"),
        lambda: CNNClassifier(filters=(2,), max_iter=2, random_state=0),
    ],
    ids=["mlp-early-stopping", "mlp-lbfgs", "cnn"],
)
def test_a_target_of_one_class_predicts_it(make):
    # as scikit-learn's MLPClassifier, whose feature-name test relies on it
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(10, 4), columns=["a", "b", "c", "d"])
    y = pd.Series(np.full(10, "cat"), name="label")
    clf = make()
    if isinstance(clf, CNNClassifier):
        X = X.to_numpy().reshape(10, 2, 2, 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    assert not [w for w in caught if "class" in str(w.message)]
    np.testing.assert_array_equal(clf.classes_, ["cat"])
    np.testing.assert_array_equal(clf.predict(X), ["cat"] * 10)
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((10, 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X), np.zeros((10, 1)))
    assert clf.score(X, y) == 1.0


def test_partial_fit_of_one_class_chunks():
    X = np.random.RandomState(0).randn(8, 3)
    clf = _mlp().partial_fit(X, [7] * 8, classes=[7])
    np.testing.assert_array_equal(clf.predict(X), [7] * 8)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_a_larger_alpha_shrinks_every_layer(estimator):
    # scikit-learn's initialization (Glorot uniform): with torch's, the
    # output layer started small and a penalty grew it while it shrank the
    # hidden layer (4.2 at alpha=1 against 3.7 at alpha=0)
    X, y = load_digits(n_class=2, return_X_y=True)
    X = MinMaxScaler().fit_transform(X[:200])[:100]
    sums = []
    for alpha in (0.0, 1.0, 10.0):
        model = estimator(hidden_layer_sizes=10, alpha=alpha, random_state=1)
        model.fit(X, y[:100])
        sums.append([np.abs(coef).sum() for coef in model.coefs_])
    sums = np.array(sums)
    assert (np.diff(sums, axis=0) < 0).all(), sums


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_calls_train_as_the_epochs_of_a_fit(cancer, estimator):
    # n calls on the whole data are n epochs of fit: the same shuffles, the
    # same dropout masks, the same weights (scikit-learn's promise too)
    X, y = cancer
    params = {"hidden_layer_sizes": (8,), "random_state": 1, "dropout": 0.2}
    fitted = estimator(max_iter=6, n_iter_no_change=100, **params).fit(X, y)
    stepped = estimator(**params)
    for _ in range(6):
        if estimator is MLPClassifier:
            stepped.partial_fit(X, y, classes=[0, 1])
        else:
            stepped.partial_fit(X, y)
    assert stepped.n_iter_ == 1 and len(stepped.history_) == 6
    for a, b in zip(fitted.coefs_, stepped.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_regressor_predicts_float32_for_float32_inputs(cancer):
    X, y = cancer
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    assert reg.predict(X).dtype == np.float64
    assert reg.predict(X.astype(np.float32)).dtype == np.float32
    assert reg.predict(X.astype(np.float16)).dtype == np.float64
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X.astype(np.float32))
    assert reg.predict(frame).dtype == np.float32
    assert reg.predict(frame.astype({0: np.float64})).dtype == np.float64


def test_divergence_under_early_stopping_keeps_the_best_epoch():
    # scikit-learn's MLP keeps its best weights when the loss diverges under
    # early stopping, and records the NaN score
    X, y = load_iris(return_X_y=True)
    reg = MLPRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        learning_rate_init=1.0,
        max_iter=20,
        early_stopping=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged.*kept the weights of epoch"):
        reg.fit(X, y)
    assert np.isnan(reg.validation_scores_[-1])
    assert isinstance(reg.validation_scores_[-1], float)
    assert np.isnan(reg.loss_curve_[-1])
    assert reg.n_iter_ == len(reg.history_) == len(reg.validation_scores_)
    assert reg.best_epoch_ < reg.n_iter_
    assert np.isfinite(reg.predict(X)).all()
    # without early stopping there is nothing to go back to: an error, and
    # the estimator is as it was
    with pytest.raises(ValueError, match="diverged"):
        clone(reg).set_params(early_stopping=False).fit(X, y)
