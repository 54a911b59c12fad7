"""A fit is a transaction, and Ctrl-C stops training with a usable model.

Every test compares with a twin: an estimator that never saw the failed or
interrupted call (a pickled copy taken before it, or a fit of exactly the
epochs that were kept) must give identical results afterwards.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from user_modules import InterruptAt

import sknn._training.callbacks as callbacks
from sknn import CNNClassifier, MLPClassifier, NeuralNetClassifier, NeuralNetRegressor
from sknn.inspection import TrainingHistoryDisplay

pytestmark = pytest.mark.usefixtures("quiet")


def _mlp(**params):
    defaults = {"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0}
    return MLPClassifier(**{**defaults, **params})


def _interrupting(at, **params):
    # iris in batches of 64: three training batches an epoch
    defaults = {"max_iter": 6, "learning_rate_init": 0.01, "random_state": 0}
    return NeuralNetClassifier(
        module=InterruptAt, module__at=at, **{**defaults, **params}
    )


def _state(clf):
    """Everything that must survive a failed call, in comparable form."""
    engine = clf.net_
    optimizer = {
        i: {k: v.clone() if torch.is_tensor(v) else v for k, v in s.items()}
        for i, s in enumerate(engine.optimizer_.state.values())
    }
    return {
        "weights": {k: v.clone() for k, v in clf.module_.state_dict().items()},
        "optimizer": optimizer,
        "history": [dict(row) for row in clf.history_],
        "generator": engine.generator.get_state().clone(),
        "attributes": {k: v for k, v in vars(clf).items() if k != "net_"},
    }


def _assert_same_state(before, after):
    assert before["weights"].keys() == after["weights"].keys()
    for key, value in before["weights"].items():
        assert torch.equal(value, after["weights"][key]), key
    assert before["optimizer"].keys() == after["optimizer"].keys()
    for i, state in before["optimizer"].items():
        for name, value in state.items():
            other = after["optimizer"][i][name]
            assert (
                torch.equal(value, other)
                if torch.is_tensor(value)
                else (value == other)
            )
    assert before["history"] == after["history"]
    assert torch.equal(before["generator"], after["generator"])
    assert before["attributes"].keys() == after["attributes"].keys()
    for key, value in before["attributes"].items():
        assert after["attributes"][key] is value, key


# -- failed calls change nothing ------------------------------------------------------


def test_failed_first_fit_leaves_the_estimator_unfitted(iris):
    X, y = iris
    clf = _mlp()
    fresh = dict(vars(clf))
    with pytest.raises(ValueError):
        clf.fit(X, np.where(np.arange(150) == 3, np.nan, y))
    assert vars(clf) == fresh
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_refit_that_fails_validation_keeps_the_fitted_model(iris):
    X, y = iris
    clf = _mlp().fit(X, y)
    before = _state(clf)
    wide = np.hstack([X, X[:, :2]])
    with pytest.raises(ValueError, match="Input y contains NaN"):
        clf.fit(wide, np.where(np.arange(150) == 3, np.nan, y))
    _assert_same_state(before, _state(clf))
    assert clf.n_features_in_ == 4
    assert clf.predict(X).shape == (150,)
    assert pickle.loads(pickle.dumps(clf)).predict(X).shape == (150,)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_diverging_warm_call_is_rolled_back(iris, how):
    X, y = iris
    clf = _mlp(warm_start=True).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    before = _state(clf)
    huge = np.full_like(X, 3e38)  # finite, but the network's sums overflow
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(huge, y) if how == "warm_start" else clf.partial_fit(huge, y)
    _assert_same_state(before, _state(clf))
    # the failed call left no trace: the same next call gives the same model
    np.testing.assert_array_equal(
        clf.partial_fit(X, y).predict_proba(X), twin.partial_fit(X, y).predict_proba(X)
    )
    np.testing.assert_array_equal(
        clf.fit(X, y).predict_proba(X), twin.fit(X, y).predict_proba(X)
    )


def test_partial_fit_chunk_that_diverges_is_rolled_back(iris):
    X, y = iris
    clf = _mlp()
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    twin = pickle.loads(pickle.dumps(clf))
    before = _state(clf)
    with pytest.raises(ValueError, match="training loss became"):
        clf.partial_fit(np.full_like(X, 3e38), y)
    _assert_same_state(before, _state(clf))
    np.testing.assert_array_equal(
        clf.partial_fit(X, y).predict_proba(X), twin.partial_fit(X, y).predict_proba(X)
    )


# -- Ctrl-C ------------------------------------------------------------------------


def _assert_consistent(clf, epochs, this_call=None):
    """``epochs`` in the history, ``this_call`` of them (all by default) run
    by the last call."""
    assert len(clf.history_) == len(clf.loss_curve_) == epochs
    assert clf.n_iter_ == (epochs if this_call is None else this_call)
    assert clf.loss_ == clf.loss_curve_[-1]
    assert [row["epoch"] for row in clf.history_] == list(range(1, epochs + 1))
    assert all("train_loss" in row and "dur" in row for row in clf.history_)


def test_ctrl_c_in_a_batch_keeps_the_last_completed_epoch(iris):
    X, y = iris
    clf = _interrupting(at=8)  # epoch 3, second batch
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    _assert_consistent(clf, 2)
    # exactly the model of two epochs
    reference = _interrupting(at=None, max_iter=2).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))
    # and everything works on it
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    TrainingHistoryDisplay.from_estimator(clf)
    clf.set_params(warm_start=True, max_iter=2).fit(X, y)
    _assert_consistent(clf, 4, this_call=2)
    clf.partial_fit(X, y)
    _assert_consistent(clf, 5, this_call=1)


def test_ctrl_c_in_a_regressor_keeps_the_last_completed_epoch(iris):
    X, _ = iris
    y = 1000 * X[:, 2] + 50 * X[:, 0] ** 2  # a continuous target, large
    params = {"module": InterruptAt, "learning_rate_init": 0.01, "random_state": 0}
    reg = NeuralNetRegressor(module__at=8, max_iter=6, **params)
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X, y)
    _assert_consistent(reg, 2)
    reference = NeuralNetRegressor(module__at=None, max_iter=2, **params).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), reference.predict(X))
    assert reg.loss_ == reference.loss_
    reg.set_params(warm_start=True, max_iter=2).fit(X, y)
    _assert_consistent(reg, 4, this_call=2)


def test_ctrl_c_at_an_epoch_end(iris, monkeypatch):
    X, y = iris
    original = callbacks.Convergence.on_epoch_end

    def interrupt_after_epoch_3(self, net, **kwargs):
        original(self, net, **kwargs)
        if len(net.history) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(callbacks.Convergence, "on_epoch_end", interrupt_after_epoch_3)
    clf = _mlp(max_iter=6)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    # the epoch whose end hooks did not finish is not kept
    _assert_consistent(clf, 2)
    monkeypatch.setattr(callbacks.Convergence, "on_epoch_end", original)
    reference = _mlp(max_iter=2).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_ctrl_c_in_the_first_epoch(iris):
    X, y = iris
    clf = _interrupting(at=2)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    # a warm fit interrupted in its first epoch changes nothing
    clf = _interrupting(at=None, warm_start=True, max_iter=2).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    before = _state(clf)
    clf.module_.at = clf.module_.count + 2
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    clf.module_.at = None
    _assert_same_state(before, _state(clf))
    np.testing.assert_array_equal(
        clf.fit(X, y).predict_proba(X), twin.fit(X, y).predict_proba(X)
    )


def test_ctrl_c_with_early_stopping_keeps_the_best_epoch(iris):
    X, y = iris
    clf = _interrupting(at=14, early_stopping=True, max_iter=50)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    epochs = clf.n_iter_
    assert epochs >= 2
    losses = [row["valid_loss"] for row in clf.history_]
    assert clf.best_epoch_ == 1 + int(np.argmin(losses))
    # the weights are those of the best epoch: a fit of exactly that many
    # epochs, without early stopping's restore, has them
    reference = _interrupting(
        at=None, early_stopping=True, max_iter=clf.best_epoch_
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_ctrl_c_stops_a_grid_search(iris):
    X, y = iris
    search = GridSearchCV(
        _interrupting(at=None, max_iter=2),
        {"module__at": [None, 4, None]},
        cv=2,
        error_score=np.nan,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_ctrl_c_in_a_cnn_fit(iris, monkeypatch):
    X, y = iris
    batches = []

    def interrupt_in_epoch_2(self, net, training=False, **kwargs):
        batches.append(training)
        if sum(batches) == 3:  # two batches an epoch: epoch 2's first
            raise KeyboardInterrupt

    # a batch hook of a callback that has none, as a user's would be
    monkeypatch.setattr(
        callbacks.Convergence, "on_batch_begin", interrupt_in_epoch_2, raising=False
    )
    clf = CNNClassifier(filters=(4,), batch_size=75, max_iter=4, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    _assert_consistent(clf, 1)
    assert clf.predict(X).shape == (150,)


@pytest.mark.parametrize("when", ["first pass", "mid-training"])
def test_an_error_in_forward_leaves_a_partial_fit_as_it_was(iris, when):
    X, y = iris
    clf = _interrupting(at=None)
    for _ in range(2):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    twin = pickle.loads(pickle.dumps(clf))
    before = _state(clf)

    def fail(module, inputs):
        if when == "first pass" or module.training:
            raise ZeroDivisionError("user bug")

    handle = clf.module_.register_forward_pre_hook(fail)
    with pytest.raises(ZeroDivisionError):
        clf.partial_fit(X, y)
    handle.remove()
    _assert_same_state(before, _state(clf))
    np.testing.assert_array_equal(
        clf.partial_fit(X, y).predict_proba(X), twin.partial_fit(X, y).predict_proba(X)
    )
