"""CNNRegressor, RNNRegressor and NeuralNetRegressor: signals, images,
sequences of equal and unequal lengths, networks of one's own, and multi-output
regression for every regressor (MLPRegressor's own tests are in
test_regression.py)."""

import pickle
import re

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score
from user_modules import (
    ChannelsLastConv,
    Squeezed,
    TableNet,
    WrongWidth,
    make_table_net,
)

from sknn import CNNRegressor, MLPRegressor, NeuralNetRegressor, RNNRegressor

FAST_CNN = {
    "filters": (8, 8),
    "kernel_size": 3,
    "batch_size": 32,
    "learning_rate_init": 1e-2,
    "random_state": 0,
}
FAST_RNN = {
    "hidden_size": 16,
    "batch_size": 32,
    "learning_rate_init": 1e-2,
    "random_state": 0,
}


def _signals(n=160, length=16, channels=2, *, seed=0):
    """Signals whose targets are their mean and their spread, far from 1."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, length, channels)) + rng.normal(size=(n, 1, channels))
    Y = np.column_stack([X[:, :, 0].mean(axis=1), np.abs(X[:, :, 1]).mean(axis=1)])
    return X, 50.0 * Y + 200.0


def _table(n):
    """Rows of 16 features (the signals, flattened) and their two targets."""
    X, Y = _signals(n=n, length=8)
    return X.reshape(n, -1), Y


def _images(n=120, side=8, *, seed=0):
    """Colour images whose target is the brightness of their red channel."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(n, side, side, 3)) * rng.uniform(size=(n, 1, 1, 3))
    return X, 10.0 * X[..., 0].mean(axis=(1, 2)) - 3.0


def _ragged(n=100, *, seed=0):
    """Sequences of 5 to 14 steps of 2 features; the target sums their
    first three values of the first feature."""
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(rng.randint(5, 15), 2)) for _ in range(n)]
    y = np.array([s[:3, 0].sum() for s in X])
    return X, 4.0 * y + 10.0


def _pad(X, length=None):
    """The list of sequences as one array padded at the end with NaN."""
    length = length or max(len(s) for s in X)
    padded = np.full((len(X), length, X[0].shape[1]), np.nan)
    for i, s in enumerate(X):
        padded[i, : len(s)] = s
    return padded


# -- CNNRegressor ----------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2])
def test_cnn_regressor_on_signals(k):
    X, Y = _signals()
    y = Y[:, 0] if k == 1 else Y
    reg = CNNRegressor(max_iter=25, **FAST_CNN).fit(X[:120], y[:120])
    assert reg.spatial_shape_ == (16,) and reg.n_channels_ == 2
    assert reg.n_outputs_ == k and reg.out_activation_ == "identity"
    pred = reg.predict(X[120:])
    assert pred.shape == y[120:].shape and pred.dtype == np.float64
    assert reg.score(X[120:], y[120:]) > 0.8
    assert reg.score(X[120:], y[120:]) == pytest.approx(r2_score(y[120:], pred))


def test_cnn_regressor_on_images():
    X, y = _images()
    reg = CNNRegressor(filters=(8,), max_iter=30, **_no_filters(FAST_CNN)).fit(
        X[:90], y[:90]
    )
    assert reg.spatial_shape_ == (8, 8) and reg.n_channels_ == 3
    pred = reg.predict(X[90:])
    assert pred.shape == (30,) and pred.dtype == np.float64
    assert reg.score(X[90:], y[90:]) > 0.8
    # channels first is the same data
    first = CNNRegressor(
        filters=(8,), max_iter=2, data_format="channels_first", **_no_filters(FAST_CNN)
    ).fit(X.transpose(0, 3, 1, 2), y)
    assert first.predict(X[:5].transpose(0, 3, 1, 2)).shape == (5,)


def _no_filters(params):
    return {key: value for key, value in params.items() if key != "filters"}


def test_cnn_regressor_target_units_do_not_matter():
    X, Y = _signals(n=80)
    y = Y[:, 0]
    small = CNNRegressor(max_iter=3, **FAST_CNN).fit(X, y)
    large = CNNRegressor(max_iter=3, **FAST_CNN).fit(X, 1000 * y + 1e5)
    np.testing.assert_allclose(
        (large.predict(X) - 1e5) / 1000, small.predict(X), rtol=1e-5
    )


# -- RNNRegressor ----------------------------------------------------------------


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_rnn_regressor_on_equal_length_sequences(cell):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 10, 2))
    y = 5.0 * X[:, :3, 0].sum(axis=1) - 7.0  # what comes first
    reg = RNNRegressor(cell=cell, max_iter=20, **FAST_RNN).fit(X[:150], y[:150])
    assert reg.input_shape_ == (10, 2)
    pred = reg.predict(X[150:])
    assert pred.shape == (50,) and pred.dtype == np.float64
    assert reg.score(X[150:], y[150:]) > 0.8


def test_rnn_regressor_on_ragged_sequences_and_nan_padding():
    X, y = _ragged()
    reg = RNNRegressor(max_iter=20, **FAST_RNN).fit(X, y)
    assert reg.input_shape_ == (14, 2)
    from_list = reg.predict(X)
    assert from_list.shape == (100,) and from_list.dtype == np.float64
    assert reg.score(X, y) > 0.8
    # the padding is never seen: a NaN-padded array predicts as the list
    np.testing.assert_allclose(reg.predict(_pad(X)), from_list, atol=1e-5)
    np.testing.assert_allclose(reg.predict(_pad(X, 30)), from_list, atol=1e-5)
    alone = np.array([reg.predict([s])[0] for s in X[:2]])
    np.testing.assert_allclose(alone, from_list[:2], atol=1e-5)
    # and training on the padded array gives the same model
    padded = RNNRegressor(max_iter=3, **FAST_RNN).fit(_pad(X, 20), y)
    listed = RNNRegressor(max_iter=3, **FAST_RNN).fit(X, y)
    np.testing.assert_allclose(padded.predict(X), listed.predict(X), atol=1e-4)


# -- NeuralNetRegressor ------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("module", [TableNet, make_table_net])
def test_neural_net_regressor_sizes_a_users_module(k, module):
    X, Y = _table(n=100)
    Y = np.column_stack([Y, Y[:, 0] - Y[:, 1]])
    y = Y[:, 0] if k == 1 else Y
    reg = NeuralNetRegressor(
        module=module, max_iter=30, learning_rate_init=1e-2, random_state=0
    ).fit(X, y)
    assert reg.module_kwargs_ == {"n_features": 16, "n_outputs": k, "hidden": 16}
    assert reg.n_outputs_ == k
    pred = reg.predict(X)
    assert pred.shape == y.shape and pred.dtype == np.float64
    assert reg.score(X, y) > 0.5


def test_neural_net_regressor_with_a_module_instance():
    X, Y = _table(n=100)
    net = TableNet(16, 2)
    before = {key: value.clone() for key, value in net.state_dict().items()}
    reg = NeuralNetRegressor(module=net, max_iter=5, random_state=0).fit(X, Y)
    assert reg.module_kwargs_ is None
    assert reg.module_ is not net
    assert reg.predict(X).shape == (100, 2)
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key])  # the instance is not trained
    # an instance of one output takes 1-D targets only, as its tags say
    single = NeuralNetRegressor(module=TableNet(16, 1), max_iter=2)
    assert single.__sklearn_tags__().target_tags.multi_output is False
    assert (
        NeuralNetRegressor(module=TableNet).__sklearn_tags__().target_tags.multi_output
    )
    assert MLPRegressor().__sklearn_tags__().target_tags.multi_output
    assert single.fit(X, Y[:, 0]).predict(X).shape == (100,)
    with pytest.raises(ValueError, match=r"outputs of shape \(\d+, 2\)"):
        NeuralNetRegressor(module=TableNet(16, 1), max_iter=2).fit(X, Y)


@pytest.mark.parametrize(
    "k, module, params",
    [
        (1, WrongWidth, {"module__width": 3}),
        (2, WrongWidth, {"module__width": 3}),
        (2, TableNet, {"module__n_outputs": 1}),
        (1, Squeezed, {}),
    ],
)
def test_neural_net_regressor_refuses_the_wrong_output_width(k, module, params):
    X, Y = _table(n=40)
    y = Y[:, 0] if k == 1 else Y
    reg = NeuralNetRegressor(module=module, max_iter=1, **params)
    fresh = dict(vars(reg))
    with pytest.raises(ValueError, match=rf"needs {k} output\(s\)") as info:
        reg.fit(X, y)
    if "module__n_outputs" not in params:
        assert re.search(rf"outputs of shape \(\d+, {k}\)", str(info.value))
    assert vars(reg) == fresh  # still unfitted


def test_neural_net_regressor_on_images_with_input_shape():
    X, y = _images()
    reg = NeuralNetRegressor(
        module=ChannelsLastConv, max_iter=20, learning_rate_init=1e-2, random_state=0
    ).fit(X, y)
    assert reg.module_kwargs_["input_shape"] == (8, 8, 3)
    assert reg.module_kwargs_["n_outputs"] == 1
    assert reg.predict(X).shape == (120,)
    assert reg.score(X, y) > 0.5


# -- every regressor -----------------------------------------------------------------


def _case(name, k, n=90):
    """A quick regressor of each kind, with inputs it takes and k targets."""
    X, Y = _signals(n=n, length=8, channels=2)
    Y = np.column_stack([Y, Y.sum(axis=1)])[:, :k]
    y = Y[:, 0] if k == 1 else Y
    if name == "mlp":
        reg = MLPRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
        return reg, X.reshape(n, -1), y
    if name == "cnn":
        return CNNRegressor(max_iter=20, **FAST_CNN), X, y
    if name == "rnn":
        return RNNRegressor(max_iter=20, **FAST_RNN), X, y
    reg = NeuralNetRegressor(
        module=TableNet, max_iter=30, learning_rate_init=1e-2, random_state=0
    )
    return reg, X.reshape(n, -1), y


_NAMES = ["mlp", "cnn", "rnn", "net"]


@pytest.mark.parametrize("name", _NAMES)
@pytest.mark.parametrize("k", [2, 3])
def test_every_regressor_multi_output(name, k):
    reg, X, Y = _case(name, k)
    reg.fit(X, Y)
    assert reg.n_outputs_ == k
    assert reg.target_offset_.shape == reg.target_scale_.shape == (k,)
    np.testing.assert_allclose(reg.target_offset_, Y.mean(axis=0))
    pred = reg.predict(X)
    assert pred.shape == (len(X), k) and pred.dtype == np.float64
    assert reg.score(X, Y) == pytest.approx(r2_score(Y, pred))
    assert reg.score(X, Y) > 0.5
    # each output is learnt, not only their average
    assert (r2_score(Y, pred, multioutput="raw_values") > 0.3).all()
    # partial_fit goes on with the k outputs, and refuses others
    assert reg.partial_fit(X, Y).predict(X).shape == (len(X), k)
    with pytest.raises(ValueError, match=f"{k + 1} output.*fitted on {k}"):
        reg.partial_fit(X, np.column_stack([Y, Y[:, 0]]))


@pytest.mark.parametrize("name", _NAMES)
@pytest.mark.parametrize(
    "loss", ["squared_error", "poisson", "absolute_error", "huber", "quantile"]
)
def test_every_regressor_trains_with_every_loss(name, loss):
    reg, X, Y = _case(name, 2, n=60)
    reg.set_params(loss=loss, max_iter=2)
    reg.fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == Y.shape and np.isfinite(pred).all()
    assert reg.out_activation_ == ("exp" if loss == "poisson" else "identity")
    if loss == "poisson":
        assert (pred > 0).all()
        np.testing.assert_array_equal(reg.target_offset_, 0.0)
        np.testing.assert_allclose(reg.target_scale_, Y.mean(axis=0))
    assert np.isfinite(reg.loss_curve_).all()


@pytest.mark.parametrize("name", _NAMES)
def test_every_regressor_pickle_round_trip(name):
    reg, X, y = _case(name, 1, n=60)
    reg.set_params(max_iter=2).fit(X, y)
    loaded = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    np.testing.assert_array_equal(loaded.target_scale_, reg.target_scale_)
    assert loaded.predict(X).shape == (60,)


@pytest.mark.parametrize("name", _NAMES)
def test_every_regressor_validation_r2(name):
    reg, X, Y = _case(name, 2, n=120)
    reg.set_params(max_iter=6)
    if "normalization" in reg.get_params():
        # batch norm's statistics are recomputed after the last epoch, so the
        # last recorded score is of the network before that
        reg.set_params(normalization=None)
    reg.fit(X[:80], Y[:80], X_val=X[80:], y_val=Y[80:])
    assert len(reg.validation_scores_) == 6
    expected = r2_score(Y[80:], reg.predict(X[80:]))
    assert reg.validation_scores_[-1] == pytest.approx(expected, abs=1e-5)
    assert [row["valid_r2"] for row in reg.history_] == reg.validation_scores_
