"""torch's numeric settings during sknn's fit and predict: precision,
reproducibility and compilation (sknn._training.numerics)."""

import pickle
import threading

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

from sknn import (
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    RNNClassifier,
)
from sknn._training import numerics
from sknn._training.numerics import numerics as numeric_settings

CUDA = torch.device("cuda")
CPU = torch.device("cpu")
NEW_API = numerics._new_api()


def effective(key):
    """A float32 precision as torch applies it ("none" inherits)."""
    value = numerics._read(key)
    if value == "none":
        return "ieee" if numerics._inherits(key, "ieee") else "inherited"
    return value


def current(device):
    """torch's values of the settings sknn sets on ``device``."""
    keys = numerics.sknn_settings(device, "exact")
    return {key: numerics._read(key) for key in keys}


@pytest.fixture
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.fixture
def user_settings():
    """A user who chose reduced float32 precision on the CPU and cuDNN's
    benchmarking, as torch lets them; put back afterwards."""
    saved = {key: numerics._read(key) for key in current(CUDA)}
    if NEW_API:
        torch.backends.mkldnn.matmul.fp32_precision = "bf16"
    torch.backends.cudnn.benchmark = True
    yield current(CUDA)
    for key, value in saved.items():
        numerics._write(key, value)


#: What :class:`Recorder` saw (module arguments are copied, so not one).
SEEN = []


class Recorder(nn.Module):
    """A table network that records torch's settings at every forward."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.linear = nn.Linear(n_features, n_outputs)

    def forward(self, X):
        SEEN.append(current(CPU))
        return self.linear(X)


def test_fit_and_predict_compute_in_float32_and_restore_the_users_settings(
    digits, user_settings
):
    X, y = digits
    SEEN.clear()
    clf = NeuralNetClassifier(module=Recorder, max_iter=2, random_state=0).fit(X, y)
    assert current(CUDA) == user_settings
    clf.predict(X[:5])
    assert current(CUDA) == user_settings
    if NEW_API:
        assert {s["mkldnn.matmul"] for s in SEEN} == {"ieee"}  # was "bf16"
    else:
        assert {s["matmul_precision"] for s in SEEN} == {"highest"}


def test_on_cuda_the_settings_are_deterministic_and_exact(user_settings):
    # Setting torch's flags needs no GPU: what sknn asks for on one.
    with numeric_settings(CUDA, "exact"):
        assert torch.backends.cudnn.deterministic
        assert not torch.backends.cudnn.benchmark
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
        assert not torch.utils.deterministic.fill_uninitialized_memory
        if NEW_API:
            for key in ("cuda.matmul", "cudnn.conv", "cudnn.rnn"):
                assert effective(key) == "ieee", key
        else:
            assert not torch.backends.cudnn.allow_tf32
    with numeric_settings(CUDA, "tf32"):
        if NEW_API:
            assert numerics._read("cudnn.conv") == "tf32"
            assert numerics._read("mkldnn.matmul") == "ieee"  # not on the CPU
        else:
            assert torch.backends.cudnn.allow_tf32
    assert current(CUDA) == user_settings


def test_settings_are_restored_after_a_failure_and_an_interrupt(digits, user_settings):
    X, y = digits

    class Failing(nn.Module):
        def __init__(self, n_features, n_outputs, error):
            super().__init__()
            self.linear = nn.Linear(n_features, n_outputs)
            self.error = error
            self.calls = 0

        def forward(self, X):
            self.calls += 1
            if self.calls > 3:
                raise self.error
            return self.linear(X)

    for error in (RuntimeError("boom"), KeyboardInterrupt()):
        clf = NeuralNetClassifier(module=Failing, module__error=error, max_iter=3)
        with pytest.raises(type(error)):
            clf.fit(X, y)
        assert current(CUDA) == user_settings


def test_concurrent_fits_restore_what_the_first_found(digits, user_settings):
    X, y = digits
    errors = []

    def fit(precision):
        try:
            MLPClassifier(max_iter=3, precision=precision, random_state=0).fit(X, y)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=fit, args=(p,)) for p in ("exact", "tf32")]
    for thread in threads:
        thread.start()
    with numeric_settings(CUDA, "tf32"):  # a third one, from this thread
        pass
    for thread in threads:
        thread.join()
    assert not errors
    assert current(CUDA) == user_settings
    assert numerics._active == 0 and not numerics._saved


def test_tf32_computes_exactly_on_the_cpu(digits):
    X, y = digits
    exact = MLPClassifier(max_iter=3, random_state=0, device="cpu").fit(X, y)
    tf32 = MLPClassifier(max_iter=3, precision="tf32", random_state=0, device="cpu")
    tf32.fit(X, y)
    np.testing.assert_array_equal(exact.predict_proba(X), tf32.predict_proba(X))


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda **kw: MLPClassifier(**kw), (-1, 64)),
        (lambda **kw: CNNClassifier(max_iter=5, **kw), (-1, 8, 8, 1)),
        (lambda **kw: RNNClassifier(max_iter=5, **kw), (-1, 8, 8)),
    ],
    ids=["mlp", "cnn", "rnn"],
)
def test_bf16_learns_as_well_as_float32(make, shape, digits):
    # Mixed precision on a real task: digits, trained on 1,200, scored on the
    # other 597. bfloat16 keeps 8 bits of mantissa in the forward pass; the
    # weights and the optimizer stay float32. Measured on the CPU, float32 vs
    # bf16: MLP 0.925 vs 0.925, CNN 0.943 vs 0.943, RNN 0.817 vs 0.817, with
    # 99.7 % to 100 % of the labels the same.
    X, y = digits
    X = X.reshape(shape)
    train, test = slice(0, 1200), slice(1200, None)
    exact = make(random_state=0).fit(X[train], y[train])
    bf16 = make(random_state=0, precision="bf16").fit(X[train], y[train])
    assert bf16.predict_proba(X[test]).dtype == exact.predict_proba(X[test]).dtype
    a, b = exact.score(X[test], y[test]), bf16.score(X[test], y[test])
    assert b > a - 0.02, (a, b)
    assert np.mean(exact.predict(X[test]) == bf16.predict(X[test])) > 0.97


def test_bf16_needs_float32(digits):
    X, y = digits
    with pytest.raises(ValueError, match="precision='bf16'.*dtype='float64'"):
        MLPClassifier(precision="bf16", dtype="float64", max_iter=1).fit(X, y)


def test_precision_can_change_between_partial_fit_calls(digits):
    X, y = digits
    clf = MLPRegressor(random_state=0).partial_fit(X, y.astype(float))
    clf.set_params(precision="bf16").partial_fit(X, y.astype(float))
    assert clf.net_.precision == "bf16"
    clf.set_params(precision="exact", dtype="float64")
    with pytest.raises(ValueError, match="dtype"):
        clf.partial_fit(X, y.astype(float))
    assert clf.net_.precision == "bf16"  # the failed call changed nothing


@pytest.mark.slow
def test_compiled_forward_passes_predict_as_the_plain_ones(digits):
    # torch.compile takes tens of seconds on a CPU (a C++ compiler runs).
    X, y = digits
    plain = MLPClassifier(max_iter=3, random_state=0, device="cpu").fit(X, y)
    fast = MLPClassifier(max_iter=3, random_state=0, compile=True, device="cpu")
    fast.fit(X, y)
    assert not hasattr(fast.module_, "_orig_mod")  # the plain network is kept
    np.testing.assert_allclose(
        fast.predict_proba(X), plain.predict_proba(X), rtol=1e-4, atol=1e-5
    )
    loaded = pickle.loads(pickle.dumps(fast))
    np.testing.assert_array_equal(loaded.predict(X), fast.predict(X))
    fast.partial_fit(X, y)  # the compiled module is reused
