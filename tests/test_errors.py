"""Bad input and bad settings get a clear ValueError or TypeError.

One regression test per case that used to reach users as an error from torch,
numpy or Python (or as a silent wrong result).
"""

import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn
from user_modules import TableNet

from sknn import (
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    RNNClassifier,
)
from sknn._utils import seed_from_random_state

pytestmark = pytest.mark.usefixtures("quiet")


def _mlp(**params):
    return MLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 2, **params})


# -- weights ---------------------------------------------------------------------


def test_a_batch_whose_weights_are_all_zero_is_skipped(iris):
    X, y = iris
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    weights = np.where(np.arange(150) < 64, 0.0, 1.0)  # the first batch weighs 0
    clf = _mlp(shuffle=False, batch_size=64).fit(X, y, sample_weight=weights)
    # the same as training on the weighted samples alone, minus one batch
    reference = _mlp(shuffle=False, batch_size=64, random_state=0)
    clf = _mlp(shuffle=False, batch_size=64, random_state=0)
    clf.fit(X, y, sample_weight=weights)
    assert np.isfinite(clf.loss_curve_).all()
    assert reference.fit(X[64:], y[64:]).n_iter_ == clf.n_iter_


@pytest.mark.parametrize(
    ("class_weight", "match"),
    [
        ({0: 0, 1: 0, 2: 0}, "every sample with weight zero"),
        ({0: np.nan, 1: 1, 2: 1}, "got nan for class 0"),
        ({0: np.inf, 1: 1, 2: 1}, "got inf for class 0"),
        ({0: -1.0, 1: 1, 2: 1}, "got -1.0 for class 0"),
        ({0: "1", 1: 1, 2: 1}, "got '1' for class 0"),
        ({0: 1, 1: 0, 2: 0}, r"only one class with non-zero weight \(0\)"),
    ],
)
def test_class_weights_must_be_finite_and_non_negative(iris, class_weight, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        _mlp(class_weight=class_weight).fit(X, y)


def test_validation_samples_of_weight_zero(iris):
    X, y = iris
    with pytest.raises(ValueError, match="at least one non-zero"):
        _mlp().fit(X, y, X_val=X[:10], y_val=y[:10], sample_weight_val=np.zeros(10))
    # early stopping's held-out part, all of weight zero: the split is drawn
    # as the estimator draws it
    seed = seed_from_random_state(np.random.RandomState(0))
    _, held_out = train_test_split(
        np.arange(150), test_size=0.1, stratify=y, random_state=seed
    )
    weights = np.ones(150)
    weights[held_out] = 0.0
    clf = _mlp(early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="validation samples all have weight zero"):
        clf.fit(X, y, sample_weight=weights)


# -- shapes and empty inputs -----------------------------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [
        MLPClassifier(max_iter=1),
        CNNClassifier(filters=(2,), max_iter=1),
        NeuralNetClassifier(module=TableNet, max_iter=1),
    ],
    ids=lambda e: type(e).__name__,
)
def test_empty_nd_input_at_fit_predict_and_validation(estimator):
    rng = np.random.RandomState(0)
    X = rng.rand(20, 4, 4, 1)
    y = np.arange(20) % 2
    if isinstance(estimator, NeuralNetClassifier):
        X = X.reshape(20, 16)
    empty = np.zeros((0,) + X.shape[1:])
    with pytest.raises(ValueError, match="0 sample"):
        estimator.fit(empty, [])
    no_features = np.zeros((20, 0, 3)) if X.ndim > 2 else np.zeros((20, 0))
    with pytest.raises(ValueError, match="0 feature|sequences of length 0"):
        estimator.fit(no_features, y)
    estimator.fit(X, y)
    with pytest.raises(ValueError, match="0 sample"):
        estimator.predict(empty)
    with pytest.raises(ValueError, match="0 sample"):
        estimator.set_params(warm_start=False).fit(X, y, X_val=empty, y_val=[])


def test_refit_with_another_number_of_features_under_warm_start(iris):
    X, y = iris
    clf = _mlp(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="X has 6 features, but MLPClassifier is"):
        clf.fit(np.hstack([X, X[:, :2]]), y)
    images = np.random.RandomState(0).rand(30, 4, 4, 1)
    cnn = CNNClassifier(filters=(2,), max_iter=1, warm_start=True)
    cnn.fit(images, np.arange(30) % 2)
    with pytest.raises(ValueError, match=r"samples of shape \(4, 5, 1\)"):
        cnn.fit(np.random.rand(30, 4, 5, 1), np.arange(30) % 2)


# -- batch statistics on a single value ------------------------------------------------


def test_batch_norm_on_one_sample_says_what_to_change(iris):
    X, y = iris
    with pytest.raises(ValueError, match="batch_size >= 2 .* 'layer' or 'group'"):
        _mlp(normalization="batch", batch_size=1).fit(X, y)
    with pytest.raises(ValueError, match="partial_fit chunk of 2 rows"):
        _mlp(normalization="batch").partial_fit(X[:1], y[:1], classes=[0, 1, 2])
    # early stopping holding out 2 of 3 samples (multilabel: not stratified)
    Y = np.array([[0, 1], [1, 0], [1, 1]])
    clf = _mlp(normalization="batch", early_stopping=True, validation_fraction=0.5)
    with pytest.raises(ValueError, match="early stopping's split"):
        clf.fit(X[:3], Y)
    # a user's module with a BatchNorm layer
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 3))
    with pytest.raises(ValueError, match="single value per channel"):
        NeuralNetClassifier(module=net, batch_size=1, max_iter=1).fit(X, y)
    # per-sample methods are fine with batches of one
    assert _mlp(normalization="layer", batch_size=1).fit(X[::10], y[::10])


def test_instance_norm_on_feature_maps_pooled_to_one_position():
    images = np.random.RandomState(0).rand(20, 4, 4, 1)
    cnn = CNNClassifier(filters=(2, 2, 2, 2), normalization="instance", max_iter=1)
    with pytest.raises(ValueError, match="single position.* pooling=None"):
        cnn.fit(images, np.arange(20) % 2)
    assert cnn.set_params(pooling=None).fit(images, np.arange(20) % 2)


# -- numbers that overflow ----------------------------------------------------


def test_an_l2_penalty_that_overflows(iris):
    X, y = iris
    with pytest.raises(ValueError, match="L2 penalty's step.* lower alpha"):
        _mlp(alpha=1e300).fit(X, y)
    with pytest.raises(ValueError, match="L2 penalty's step"):
        _mlp(alpha=1.0).fit(X, y, sample_weight=np.full(150, 1e-45))


def test_an_epsilon_below_the_dtype(iris):
    X, y = iris
    with pytest.raises(ValueError, match="epsilon=1e-300 is below the smallest normal"):
        _mlp(epsilon=1e-300).fit(X, y)
    assert _mlp(epsilon=1e-300, dtype="float64").fit(X, y)
    assert _mlp(epsilon=1e-300, solver="sgd").fit(X, y)  # sgd ignores it


def test_overflow_at_predict_does_not_blame_the_scaling_alone(iris):
    X, y = iris
    clf = _mlp().fit(X, y)
    with torch.no_grad():
        clf.module_.output.weight.fill_(3e38)
    with pytest.raises(ValueError, match="If X is not scaled .* dtype='float64'"):
        clf.predict_proba(X)


# -- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classes", "error", "match"),
    [
        ([0, 1, np.nan], ValueError, "missing value"),
        ([0, 1, None], ValueError, "missing value"),
        (np.array(["a", 1, 2], dtype=object), TypeError, "one kind that can be sorted"),
        ([], ValueError, "non-empty 1-D"),
        ([[0, 1, 2]], ValueError, "non-empty 1-D"),
    ],
)
def test_partial_fit_classes_must_be_labels(iris, classes, error, match):
    X, y = iris
    with pytest.raises(error, match=match):
        _mlp().partial_fit(X, y, classes=classes)


# -- sizes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimator", "parameter"),
    [
        (MLPClassifier(hidden_layer_sizes=10**12), "hidden_layer_sizes"),
        (MLPClassifier(hidden_layer_sizes=(10**6, 10**6)), "hidden_layer_sizes"),
        (CNNClassifier(filters=(10**6, 10**6)), "filters"),
        (CNNClassifier(filters=(2,), dense_layer_sizes=(10**7, 10**7)), "dense_layer"),
    ],
    ids=lambda p: p if isinstance(p, str) else type(p).__name__,
)
def test_huge_networks_are_refused_before_allocation(iris, estimator, parameter):
    X, y = iris
    with pytest.raises(ValueError, match=rf"{parameter}.*parameters, which needs"):
        estimator.fit(X, y)


@pytest.mark.parametrize(
    ("estimator", "parameter"),
    [
        (MLPClassifier(max_iter=True), "max_iter"),
        (MLPClassifier(batch_size=True), "batch_size"),
        (MLPClassifier(n_iter_no_change=False), "n_iter_no_change"),
        (CNNClassifier(kernel_size=True), "kernel_size"),
        (CNNClassifier(filters=True), "filters"),
        (CNNClassifier(spatial_dims=True), "spatial_dims"),
    ],
    ids=lambda p: p if isinstance(p, str) else type(p).__name__,
)
def test_booleans_are_not_integers(iris, estimator, parameter):
    X, y = iris
    with pytest.raises(InvalidParameterError, match=f"'{parameter}' parameter"):
        estimator.fit(X, y)


def test_booleans_inside_sizes_are_not_integers(iris):
    X, y = iris
    with pytest.raises(ValueError, match="hidden_layer_sizes must be"):
        MLPClassifier(hidden_layer_sizes=(8, True)).fit(X, y)
    with pytest.raises(ValueError, match="filters must be"):
        CNNClassifier(filters=(4, False)).fit(X, y)


def test_warnings_point_at_the_callers_line(iris):
    X, y = iris
    with pytest.warns(UserWarning) as record:
        _mlp(normalization="batch", batch_size=4).fit(X, y)  # this line
    assert record[0].filename == __file__


# -- labels and columns that numpy would convert badly ---------------------------


_MIXED = ["cat", 1, "cat", 0, 1, 0, "cat", 1]


@pytest.mark.parametrize(
    "labels",
    [_MIXED, np.array(_MIXED, dtype=object), "series"],
    ids=["list", "object-array", "series"],
)
@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: _mlp(max_iter=1), (8, 4)),
        (lambda: CNNClassifier(filters=(2,), max_iter=1), (8, 4, 4, 1)),
        (lambda: RNNClassifier(hidden_size=2, max_iter=1), (8, 5, 2)),
    ],
    ids=["mlp", "cnn", "rnn"],
)
def test_labels_mixing_strings_and_numbers(labels, make, shape):
    # numpy would turn the list into the strings "cat", "1", "0" and fit a
    # class "1" nobody wrote; an object array fails in np.unique
    if isinstance(labels, str):
        labels = pytest.importorskip("pandas").Series(_MIXED)
    X = np.random.RandomState(0).rand(*shape)
    message = r"Mix of label input types \(string and number\).*'cat' and 1"
    with pytest.raises(ValueError, match=message):
        make().fit(X, labels)
    with pytest.raises(ValueError, match=message):
        make().partial_fit(X, labels, classes=["cat", "0", "1"])
    fitted = make().fit(X, [str(label) for label in _MIXED])
    with pytest.raises(ValueError, match=r"Mix of label.*y_val holds"):
        fitted.fit(X, [str(label) for label in _MIXED], X_val=X, y_val=labels)


def test_labels_of_one_kind_pass_the_mix_check(iris):
    X, y = iris
    assert _mlp(max_iter=1).fit(X, y.astype(str).astype(object))
    assert _mlp(max_iter=1).fit(X, [f"c{label}" for label in y])
    assert _mlp(max_iter=1).fit(X, [bool(label) for label in y])


@pytest.mark.parametrize(
    "column",
    [
        lambda pd, n: pd.date_range("2020-01-01", periods=n),
        lambda pd, n: pd.date_range("2020-01-01", periods=n, tz="UTC"),
        lambda pd, n: pd.timedelta_range(0, periods=n, freq="h"),
        lambda pd, n: pd.period_range("2020-01", periods=n, freq="M"),
        lambda pd, n: pd.Series(pd.date_range("2020", periods=n)).astype(
            "timestamp[ns][pyarrow]"
        ),
    ],
    ids=["datetime", "datetime-tz", "timedelta", "period", "arrow-timestamp"],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: _mlp(max_iter=1),
        lambda: MLPRegressor(hidden_layer_sizes=(2,), max_iter=1),
        lambda: CNNClassifier(filters=(2,), max_iter=1),
    ],
    ids=["mlp", "mlp-regressor", "cnn"],
)
def test_date_and_time_columns_are_named(column, make):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.rand(12), "b": rng.rand(12)})
    y = np.arange(12) % 2
    message = r"X has date, time or duration columns.*'when' \("
    with pytest.raises(ValueError, match=message):
        make().fit(frame.assign(when=column(pd, 12).to_numpy()), y)
    model = make().fit(frame, y)
    with pytest.raises(ValueError, match=r"columns.*'b' \("):
        model.predict(frame.assign(b=column(pd, 12).to_numpy()))


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_date_columns_of_polars_and_pyarrow_are_named(library):
    pd = pytest.importorskip("pandas")
    module = pytest.importorskip(library)
    frame = pd.DataFrame(
        {"a": np.arange(6.0), "when": pd.date_range("2020-01-01", periods=6)}
    )
    table = (
        module.from_pandas(frame)
        if library == "polars"
        else module.Table.from_pandas(frame)
    )
    with pytest.raises(ValueError, match="duration columns.*'when'"):
        _mlp(max_iter=1).fit(table, np.arange(6) % 2)


def test_a_one_hot_target_is_flagged(iris):
    X, y = iris
    one_hot = np.eye(3)[y]  # Keras's to_categorical
    with pytest.warns(UserWarning, match=r"one-hot matrix.*y\.argmax\(axis=1\)"):
        clf = _mlp(max_iter=1).fit(X, one_hot)
    assert clf.target_type_ == "multilabel-indicator"
    # a true multilabel target (some rows with no label or two) is not
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*one-hot")
        _mlp(max_iter=1).fit(X, one_hot + np.eye(3)[(y + 1) % 3])


@pytest.mark.parametrize(
    "make",
    [lambda: CNNClassifier(filters=(2,), max_iter=1), lambda: _mlp(max_iter=1)],
    ids=["cnn", "mlp"],
)
def test_one_picture_without_the_batch_axis_gets_a_hint(make):
    images = np.random.RandomState(0).rand(6, 8, 8, 3)
    model = make().fit(images, [0, 1] * 3)
    with pytest.raises(ValueError, match=r"add the batch axis, X\[np.newaxis\]"):
        model.predict(images[0])
    assert model.predict(images[0][np.newaxis]).shape == (1,)


def test_keras_fit_arguments_are_translated(iris):
    X, y = iris
    clf = _mlp(max_iter=1)
    message = (
        r"got unexpected keyword argument\(s\) 'validation_data', 'epochs'.*"
        r"X_val, y_val.*For 'validation_data', pass X_val=\.\.\. and y_val=\.\.\..*"
        r"For 'epochs', set max_iter on the estimator"
    )
    with pytest.raises(TypeError, match=message):
        clf.fit(X, y, validation_data=(X, y), epochs=3)
    assert not hasattr(clf, "n_iter_")
    with pytest.raises(TypeError, match=r"argument\(s\) 'weights'; it takes X"):
        MLPRegressor().fit(X, y, weights=y)
