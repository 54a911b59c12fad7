"""Property-based tests: any input and any hyperparameters give either a sane
result or a clear error from sknn's or scikit-learn's own validation.

A sane result: predictions of the right shape among the known labels, and
finite probabilities that sum to one per row (binary and multiclass); for the
scaler, output of the input's shape, finite wherever the input is not
missing. A clear error: a ValueError or TypeError raised by sknn or
scikit-learn code, never by torch or numpy deep inside. The examples are few
and small so that CI stays fast, and drawn from a fixed seed (derandomize) so
that a failure reproduces; SKNN_HYPOTHESIS_EXAMPLES sets how many.
"""

import os
import traceback
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from user_modules import TableNet

from sknn import (
    CNNClassifier,
    MLPClassifier,
    NeuralNetClassifier,
    RNNClassifier,
    TensorScaler,
)
from sknn.normalization import NORMALIZATION_METHODS

SETTINGS = settings(
    max_examples=int(os.environ.get("SKNN_HYPOTHESIS_EXAMPLES", 40)),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_OURS = (os.sep + "sknn" + os.sep, os.sep + "sklearn" + os.sep)


def _raised_by_validation(error: BaseException) -> bool:
    """Whether the frame that raised ``error`` is sknn's or scikit-learn's."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and any(part in frames[-1].filename for part in _OURS)


def _values(dtype):
    kind = np.dtype(dtype).kind
    if kind == "f":
        return st.one_of(
            st.floats(-1e3, 1e3, width=32),
            st.sampled_from([0.0, -0.0, 1e-30, 1e30, -1e30]),
        )
    if kind == "u":
        return st.integers(0, 255)
    return st.integers(-100, 100)


def _draw_array(draw, dtype, shape):
    """Mostly finite values; now and then a NaN or an infinity somewhere."""
    X = draw(arrays(dtype, shape, elements=_values(dtype)))
    if np.dtype(dtype).kind == "f" and X.size and draw(st.integers(0, 9)) == 0:
        where = draw(st.integers(0, X.size - 1))
        X.flat[where] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return X


@st.composite
def tables(draw, *, min_features=1, max_features=5):
    n = draw(st.integers(1, 24))
    shape = (n, draw(st.integers(min_features, max_features)))
    dtype = draw(st.sampled_from(["float32", "float64", "int64", "uint8"]))
    return _draw_array(draw, dtype, shape)


@st.composite
def targets(draw, n):
    """Labels of 2 to 4 classes mostly (ints or strings), sometimes one class,
    a multilabel indicator matrix or continuous values."""
    kind = draw(st.sampled_from(["int"] * 4 + ["str"] * 2 + ["multilabel", "float"]))
    if kind == "multilabel":
        width = draw(st.integers(1, 3))
        return draw(arrays("int64", (n, width), elements=st.integers(0, 1)))
    k = draw(st.sampled_from([1, 2, 2, 3, 4]))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    y = np.asarray(labels)
    y[: min(n, k)] = np.arange(min(n, k))  # every class present when n allows
    if kind == "str":
        return np.asarray([f"class {v}" for v in y])
    if kind == "float":
        return y.astype(float) + 0.5
    return y


def _training_params(draw):
    return {
        "batch_size": draw(st.one_of(st.just("auto"), st.integers(1, 40))),
        "max_iter": draw(st.integers(1, 3)),
        "learning_rate_init": draw(st.floats(1e-6, 10.0)),
        "alpha": draw(st.sampled_from([0.0, 1e-4, 0.1, 10.0])),
        "solver": draw(st.sampled_from(["adam", "adamw", "sgd", "lbfgs"])),
        "early_stopping": draw(st.booleans()),
        "class_weight": draw(st.sampled_from([None, "balanced"])),
        "shuffle": draw(st.booleans()),
        "random_state": 0,
        "dtype": draw(st.sampled_from(["float32", "float64"])),
    }


def _network_params(draw):
    return {
        "normalization": draw(st.sampled_from([None, *NORMALIZATION_METHODS])),
        "dropout": draw(st.sampled_from([0.0, 0.5])),
        "activation": draw(st.sampled_from(["relu", "tanh", "logistic"])),
    }


def _check_classifier(clf, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clf.fit(X, y)
            proba = clf.predict_proba(X)
            predicted = clf.predict(X)
        except (ValueError, TypeError) as error:
            assert _raised_by_validation(error), "".join(
                traceback.format_exception(error)
            )
            return
    n = len(X)
    assert proba.shape[0] == n and np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    if clf.target_type_ == "multilabel-indicator":
        assert predicted.shape == np.shape(y)
    else:
        assert proba.shape[1] == len(clf.classes_)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        assert predicted.shape == (n,)
        assert set(np.asarray(predicted).tolist()) <= set(clf.classes_.tolist())


@SETTINGS
@given(data=st.data())
def test_mlp_classifier_gives_a_sane_result_or_a_clear_error(data):
    X = data.draw(tables())
    y = data.draw(targets(len(X)))
    params = {**_training_params(data.draw), **_network_params(data.draw)}
    params["hidden_layer_sizes"] = data.draw(
        st.sampled_from([(), (4,), (3, 5), 0, (2, -1)])
    )
    _check_classifier(MLPClassifier(**params), X, y)


@SETTINGS
@given(data=st.data())
def test_cnn_classifier_gives_a_sane_result_or_a_clear_error(data):
    n = data.draw(st.integers(1, 16))
    shape = data.draw(st.sampled_from([(6,), (5, 2), (4, 4, 1), (3, 2, 2, 1)]))
    X = _draw_array(data.draw, "float32", (n, *shape))
    y = data.draw(targets(n))
    params = {**_training_params(data.draw), **_network_params(data.draw)}
    params["filters"] = data.draw(st.sampled_from([(2,), (2, 3), (2, 2, 2, 2)]))
    params["kernel_size"] = data.draw(st.sampled_from([1, 3, 3, 2]))
    params["pooling"] = data.draw(st.sampled_from(["max", "avg", None]))
    _check_classifier(CNNClassifier(**params), X, y)


@SETTINGS
@given(data=st.data())
def test_rnn_classifier_gives_a_sane_result_or_a_clear_error(data):
    n = data.draw(st.integers(1, 16))
    shape = data.draw(st.sampled_from([(6,), (5, 2), (1, 3), (4, 1)]))
    X = _draw_array(data.draw, "float32", (n, *shape))
    if len(shape) == 2 and data.draw(st.booleans()):
        # sequences of unequal lengths: NaN padding, or a ragged list
        lengths = data.draw(arrays("int64", n, elements=st.integers(0, shape[0])))
        X[np.arange(shape[0])[None, :] >= lengths[:, None]] = np.nan
        if data.draw(st.booleans()):
            X = [row[: max(int(k), 0)] for row, k in zip(X, lengths, strict=True)]
    y = data.draw(targets(n))
    params = _training_params(data.draw)
    params["cell"] = data.draw(st.sampled_from(["lstm", "gru", "rnn"]))
    params["hidden_size"] = data.draw(st.sampled_from([1, 3]))
    params["num_layers"] = data.draw(st.sampled_from([1, 2]))
    params["bidirectional"] = data.draw(st.booleans())
    params["pooling"] = data.draw(st.sampled_from(["last", "mean", "attention"]))
    params["normalization"] = data.draw(
        st.sampled_from([None, "layer", "rms", "batch"])
    )
    _check_classifier(RNNClassifier(**params), X, y)


@SETTINGS
@given(data=st.data())
def test_neural_net_classifier_gives_a_sane_result_or_a_clear_error(data):
    X = data.draw(tables())
    y = data.draw(targets(len(X)))
    params = _training_params(data.draw)
    # values TableNet itself takes: its own checks are its own business
    params["module__hidden"] = data.draw(st.sampled_from([1, 4, 0]))
    _check_classifier(NeuralNetClassifier(module=TableNet, **params), X, y)


@SETTINGS
@given(data=st.data())
def test_tensor_scaler_gives_finite_output_or_a_clear_error(data):
    n = data.draw(st.integers(1, 12))
    shape = data.draw(st.sampled_from([(3,), (2, 3), (2, 2, 3)]))
    dtype = data.draw(st.sampled_from(["float32", "float64", "int16", "uint8"]))
    X = _draw_array(data.draw, dtype, (n, *shape))
    method = data.draw(st.sampled_from(["standard", "minmax", "scale"]))
    mode = data.draw(st.sampled_from(["feature", "channel", "global"]))
    scaler = TensorScaler(method=method, mode=mode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            Xt = scaler.fit_transform(X)
        except (ValueError, TypeError) as error:
            assert _raised_by_validation(error), "".join(
                traceback.format_exception(error)
            )
            return
    assert Xt.shape == X.shape
    # NaN marks a missing value, as in scikit-learn's scalers: kept in place
    missing = np.isnan(X) if X.dtype.kind == "f" else np.zeros(X.shape, bool)
    np.testing.assert_array_equal(np.isnan(Xt), missing)
    assert np.isfinite(Xt[~missing]).all()


@pytest.mark.parametrize("error", [ValueError("x"), TypeError("y")])
def test_the_origin_check_itself(error):
    # a torch error would not count: the check must see where it was raised
    import torch

    with pytest.raises(RuntimeError) as info:
        torch.zeros(2) @ torch.zeros(3)
    assert not _raised_by_validation(info.value)
    try:
        raise error
    except (ValueError, TypeError) as raised:
        assert not _raised_by_validation(raised)  # raised in tests/, not sknn
