"""What prediction accepts and rejects, and how it converts its inputs.

Prediction keeps the input's numeric dtype through validation and converts
each batch to the network's dtype as it is fed (``sknn._training.data.InputBatches``),
checking for NaN and infinity on the way. These tests pin that the batch-wise
path gives what converting the whole input first would, and that bad values
anywhere, in any batch, are still reported in scikit-learn's words.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import sknn._predict
from sknn import CNNClassifier, MLPClassifier
from sknn._training.data import InputBatches


@pytest.fixture(scope="module")
def iris_model():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    return clf.fit(X, y), X


def _big_endian(X):
    return X.astype(X.dtype.newbyteorder(">"))


def _structured_field(X):
    """A view whose row stride is not a whole number of float32 elements."""
    records = np.zeros(len(X), dtype=[("x", "f4", (X.shape[1],)), ("flag", "i1")])
    records["x"] = X
    return records["x"]


@pytest.mark.parametrize(
    "convert",
    [
        lambda X: X.astype(np.float32),
        lambda X: np.round(X * 10).astype(np.int64),
        lambda X: np.round(X * 10).astype(np.int8),
        lambda X: np.round(X * 10 + 50).astype(np.uint16),
        lambda X: X > 0,
        lambda X: X.astype(np.float16),
        lambda X: np.asfortranarray(X),
        lambda X: X[:, ::-1].copy()[:, ::-1],  # negative strides
        _big_endian,
        lambda X: X.astype(object),
        lambda X: X.astype(str),
        _structured_field,
        lambda X: X.tolist(),
        lambda X: pd.DataFrame(X),
    ],
    ids=[
        "float32",
        "int64",
        "int8",
        "uint16",
        "bool",
        "float16",
        "fortran",
        "strided",
        "big-endian",
        "object",
        "numeric-strings",
        "structured-field",
        "list",
        "dataframe",
    ],
)
def test_predict_any_numeric_input_equals_float32_conversion(iris_model, convert):
    clf, X = iris_model
    given = convert(X)
    reference = np.ascontiguousarray(np.asarray(given, dtype=np.float32))
    np.testing.assert_allclose(
        clf.predict_proba(given), clf.predict_proba(reference), rtol=1e-6, atol=0
    )
    np.testing.assert_array_equal(clf.predict(given), clf.predict(reference))


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (-np.inf, "Input X contains infinity"),
        # finite in float64, infinite in the network's float32
        (1e300, r"infinity or a value too large for dtype\('float32'\)"),
    ],
)
@pytest.mark.parametrize("row", [0, 9, 149])
def test_predict_rejects_non_finite_in_any_batch(
    iris_model, monkeypatch, method, value, match, row
):
    clf, X = iris_model
    monkeypatch.setattr(sknn._predict, "PREDICT_BATCH_SIZE", 4)
    bad = X.copy()
    bad[row, 2] = value
    with pytest.raises(ValueError, match=match):
        getattr(clf, method)(bad)


def test_predict_nan_message_names_the_estimator(iris_model):
    clf, X = iris_model
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="MLPClassifier does not accept missing"):
        clf.predict(bad)
    frame = pd.DataFrame(X).astype("Float64")
    frame.iloc[3, 1] = pd.NA
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict_proba(frame)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_leaves_input_untouched_and_reads_read_only(iris_model, dtype):
    clf, X = iris_model
    given = X.astype(dtype)  # float32 is fed to the network without a copy
    given.setflags(write=False)
    before = given.copy()
    clf.predict_proba(given)
    clf.predict(given)
    np.testing.assert_array_equal(given, before)


def test_predict_batches_give_the_whole_pass(iris_model, monkeypatch):
    clf, X = iris_model
    whole = clf.predict_proba(X)
    monkeypatch.setattr(sknn._predict, "PREDICT_BATCH_SIZE", 7)
    np.testing.assert_allclose(clf.predict_proba(X), whole, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), np.argmax(whole, axis=1))


def test_input_batches_never_hand_out_the_callers_memory():
    X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    batches = InputBatches(
        X, batch_size=4, dtype=torch.float32, device=torch.device("cpu")
    )
    assert len(batches) == 3
    parts = list(batches)
    assert [len(part) for part in parts] == [4, 4, 2]
    # already of the right dtype, yet a copy: a forward may work in place
    assert parts[1].data_ptr() != X[4].data_ptr()
    assert torch.equal(parts[1], X[4:8])
    assert batches.all_finite()

    doubles = InputBatches(
        X.double().t().contiguous().t(),  # column-major
        batch_size=4,
        dtype=torch.float32,
        device=torch.device("cpu"),
    )
    parts = list(doubles)
    assert all(part.dtype == torch.float32 for part in parts)
    assert all(part.is_contiguous() for part in parts)
    torch.testing.assert_close(torch.cat(parts), X)


def test_input_batches_finite_check():
    ints = InputBatches(
        torch.ones(5, 2, dtype=torch.int64),
        batch_size=2,
        dtype=torch.float32,
        device=torch.device("cpu"),
    )
    list(ints)
    assert ints.all_finite()
    X = torch.zeros(6, 2)
    X[5, 1] = float("nan")
    batches = InputBatches(
        X, batch_size=2, dtype=torch.float32, device=torch.device("cpu")
    )
    list(batches)
    assert not batches.all_finite()
    # finite values whose sum overflows: reported as "maybe not finite", and
    # the estimator then checks element by element
    large = InputBatches(
        torch.full((4, 2), 3e38),
        batch_size=2,
        dtype=torch.float32,
        device=torch.device("cpu"),
    )
    list(large)
    assert not large.all_finite()


def test_predict_overflowing_sum_of_finite_inputs_is_not_an_error(
    iris_model, monkeypatch
):
    clf, X = iris_model
    calls = []
    real = sknn._predict.assert_all_finite

    def spy(array, **kwargs):
        calls.append(array.dtype)
        return real(array, **kwargs)

    monkeypatch.setattr(sknn._predict, "assert_all_finite", spy)
    blind = copy.deepcopy(clf)
    with torch.no_grad():
        blind.module_.hidden[0].weight[:, 0] = 0.0  # ignores feature 0
    big = X.astype(np.float32)
    big[:, 0] = 3e38  # every value finite, their sum is not
    zero = big.copy()
    zero[:, 0] = 0.0
    np.testing.assert_array_equal(blind.predict_proba(big), blind.predict_proba(zero))
    assert calls == [np.float32]  # looked at element by element once
    blind.predict_proba(X)
    assert calls == [np.float32]  # the usual path never does


def test_predict_rejects_inputs_that_overflow_inside_the_network(iris_model):
    clf, X = iris_model
    loud = copy.deepcopy(clf)
    with torch.no_grad():
        loud.module_.hidden[0].weight.fill_(10.0)  # 10 * 3e38 is infinite
    big = X.astype(np.float32)
    big[5] = 3e38  # finite, so the input check lets it through
    match = "outputs for some rows of X are not finite: values overflow float32"
    for method in (loud.predict, loud.predict_proba):
        with pytest.raises(ValueError, match=match):
            method(big)
    loud.predict(np.delete(big, 5, axis=0))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_fit_reports_a_diverged_network(momentum):
    rng = np.random.RandomState(0)
    X = rng.randn(100, 5) * 1e6  # unscaled inputs and a huge step
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(
        solver="sgd",
        momentum=momentum,
        learning_rate_init=1e3,
        max_iter=5,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"training loss became nan in epoch \d"):
        clf.fit(X, y)


def test_cnn_predict_converts_images_batch_by_batch(monkeypatch):
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, size=(30, 6, 6, 3)).astype(np.uint8)
    y = np.arange(30) % 2
    clf = CNNClassifier(filters=(4,), max_iter=2, random_state=0).fit(images, y)
    whole = clf.predict_proba(images.astype(np.float32))
    monkeypatch.setattr(sknn._predict, "PREDICT_BATCH_SIZE", 8)
    np.testing.assert_allclose(clf.predict_proba(images), whole, rtol=1e-6)
    bad = images.astype(np.float64)
    bad[29, 5, 5, 2] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clf.predict(bad)


def test_fit_reads_read_only_float32_without_a_warning(iris_model):
    clf, X = iris_model
    given = X.astype(np.float32)  # wrapped as it is, not copied, by fit
    given.setflags(write=False)
    y = np.arange(len(given)) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=1, random_state=0).fit(given, y)


def test_predict_and_predict_proba_agree_on_overflowing_logits():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    binary = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    binary.fit(X, y == 0)
    with torch.no_grad():
        binary.module_.output.weight.fill_(1e30)
    big = np.abs(X) * 1e10  # sigmoid would turn the infinite logits into 1
    for method in (binary.predict, binary.predict_proba):
        with pytest.raises(ValueError, match="overflow float32 inside the network"):
            method(big)


def test_predict_after_weights_went_non_finite_says_so(iris_model):
    clf, X = iris_model
    broken = copy.deepcopy(clf)
    with torch.no_grad():
        broken.module_.output.bias[0] = float("nan")
    with pytest.raises(ValueError, match="weights are not finite: the last fit"):
        broken.predict(X)


def test_fit_with_huge_sample_weights_is_not_divergence():
    X, y = load_iris(return_X_y=True)
    X = np.tile(StandardScaler().fit_transform(X), (10, 1))
    y = np.tile(y, 10)  # 1500 weights of 1e36 add up beyond float32's range
    params = {
        "hidden_layer_sizes": (8,),
        "max_iter": 3,
        "alpha": 0.0,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(**params).fit(X, y)
        heavy = MLPClassifier(**params).fit(X, y, sample_weight=np.full(len(y), 1e36))
    # weights that only rescale every sample equally leave the mean loss alone
    np.testing.assert_allclose(heavy.loss_curve_, plain.loss_curve_, rtol=1e-4)


def test_the_serving_fast_path_gives_the_checked_results(iris_model, monkeypatch):
    clf, X = iris_model
    slow_calls = []
    original = type(clf)._validate_inputs

    def spy(self, *args, **kwargs):
        slow_calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(clf), "_validate_inputs", spy)
    for dtype in (np.float32, np.float64, np.int64):
        rows = X.astype(dtype)
        fast = clf.predict_proba(rows)
        assert not slow_calls  # plain arrays of the right shape skip validate_data
        np.testing.assert_array_equal(fast, clf.predict_proba(list(rows)))
        assert slow_calls  # a list goes through validate_data
        slow_calls.clear()
    # what the fast path cannot vouch for gets validate_data and its messages
    for bad, match in [
        (X[:, :3], "X has 3 features"),
        (X[:0], "0 sample"),
        (np.array([[np.nan, 1.0, 2.0, 3.0]]), "Input X contains NaN"),
        (X.astype(np.complex128), "Complex data not supported"),
    ]:
        with pytest.raises(ValueError, match=match):
            clf.predict(bad)
