"""Fixtures shared by the test modules, and the device the suite trains on.

The estimators' default ``device="auto"`` trains on CUDA where there is a GPU,
so on a GPU machine the suite checks the GPU half. ``--device cpu`` (or the
environment variable ``SKNN_TEST_DEVICE=cpu``; the option wins when both are
given) forces the CPU half on the same machine:

* ``CUDA_VISIBLE_DEVICES`` is emptied before collection: this process
  (unless something initialized CUDA earlier) and its children (joblib's and
  dask's workers, the benchmark runs) see no GPU, as on a CPU-only machine;
* every estimator whose ``device`` is ``"auto"`` resolves it to the CPU
  anyway (``resolve_device`` is wrapped in every sknn module that imported
  it), and a test that asks for a CUDA device explicitly is skipped;
* tests marked ``cuda`` are skipped with the reason "device forced to cpu".

Without a GPU, tests marked ``cuda`` are skipped ("needs a CUDA device").
The header of the run names the device: ``sknn test device: cpu (forced)``.
"""

import contextlib
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import sknn._training.device

# Not a module of doctests (docs/ has a conftest.py of the same name).
collect_ignore = ["conftest.py"]

_DEVICES = ("auto", "cpu")
_FORCED = "device forced to cpu"
_original_resolve_device = sknn._training.device.resolve_device
#: CUDA_VISIBLE_DEVICES as the run found it, when --device cpu emptied it
_CUDA_VISIBLE = pytest.StashKey[str | None]()


# -- the device of the run ---------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--device",
        choices=_DEVICES,
        default=None,
        help="where estimators with device='auto' train: 'auto' (the default: "
        "CUDA where available) or 'cpu' (CUDA tests skipped). Default: the "
        "SKNN_TEST_DEVICE environment variable, else 'auto'.",
    )


def _test_device(config) -> str:
    option = config.getoption("--device")
    if option is not None:
        return option
    value = os.environ.get("SKNN_TEST_DEVICE") or "auto"
    if value not in _DEVICES:
        raise pytest.UsageError(
            f"SKNN_TEST_DEVICE={value!r}; use one of {', '.join(_DEVICES)}."
        )
    return value


def _cpu_forced(config) -> bool:
    return _test_device(config) == "cpu"


def pytest_configure(config):
    if _cpu_forced(config):
        config.stash[_CUDA_VISIBLE] = os.environ.get("CUDA_VISIBLE_DEVICES")
        os.environ["CUDA_VISIBLE_DEVICES"] = ""


def pytest_unconfigure(config):
    if _CUDA_VISIBLE not in config.stash:
        return
    previous = config.stash[_CUDA_VISIBLE]
    if previous is None:
        os.environ.pop("CUDA_VISIBLE_DEVICES", None)
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = previous


def pytest_report_header(config):
    if _cpu_forced(config):
        return "sknn test device: cpu (forced)"
    return "sknn test device: auto"


def pytest_collection_modifyitems(config, items):
    forced = _cpu_forced(config)
    for item in items:
        if item.get_closest_marker("cuda") is None:
            continue
        if forced:
            item.add_marker(pytest.mark.skip(reason=_FORCED))
        elif not torch.cuda.is_available():
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


def _resolve_on_cpu(device):
    """``resolve_device`` of a run forced to the CPU: ``"auto"`` is the CPU,
    a CUDA device this machine has skips the test that asked for it, anything
    else is resolved (and checked) as usual."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cpu")
    resolved = _original_resolve_device(device)
    if resolved.type == "cuda":
        pytest.skip(_FORCED)
    return resolved


def _force_cpu(monkeypatch):
    """Make every sknn module resolve ``device="auto"`` to the CPU.

    The modules import ``resolve_device`` by name, so each name bound to it
    is replaced (the defining module's too, for modules imported later).
    ``torch.cuda.is_available`` is left alone: tests that patch it still
    steer the loading of saved models and the checks of explicit devices.
    """
    for name, module in list(sys.modules.items()):
        if name != "sknn" and not name.startswith("sknn."):
            continue
        for attribute, value in list(vars(module).items()):
            if value is _original_resolve_device:
                monkeypatch.setattr(module, attribute, _resolve_on_cpu)


@pytest.fixture(scope="session", autouse=True)
def _device_of_the_run(pytestconfig):
    """Force the CPU for the whole session under ``--device cpu``. Session
    scoped, so it is in place before any module-scoped fixture fits."""
    if not _cpu_forced(pytestconfig):
        yield
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        _force_cpu(monkeypatch)
        yield


@pytest.fixture
def cpu_forcing(monkeypatch):
    """The forcing of ``--device cpu`` for one test, whatever the option."""
    _force_cpu(monkeypatch)


@pytest.fixture(scope="session")
def cpu_forced(pytestconfig):
    """Whether the run is forced to the CPU (``--device cpu``)."""
    return _cpu_forced(pytestconfig)


@pytest.fixture(scope="session")
def auto_device(cpu_forced):
    """The device type an estimator's ``device="auto"`` trains on in this run
    (worked out here, not by sknn): ``"cuda"`` or ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() and not cpu_forced else "cpu"


@pytest.fixture(scope="session")
def cuda_tolerance():
    """``assert_allclose``'s tolerance between a model's probabilities on the
    CPU and on CUDA (float32, a few epochs).

    sknn trains and predicts with TF32 off, so the two devices differ only in
    the order of their sums, each rounding at float32's 6e-8. How far that
    rounding carries was measured on the CPU for the configurations of the
    CUDA tests (10 epochs of Adam on blobs, MLP and CNN): the float32 fit and
    the float64 fit from the same weights, whose difference is all of
    float32's rounding, gave probabilities 3e-6 apart relative (8e-8
    absolute) at most, and losses 6e-7 apart. Two float32 fits that round
    differently are at most about twice as far apart: 1e-4 leaves a factor of
    15, and ``atol`` covers probabilities near 0, whose relative error means
    nothing.
    """
    return {"rtol": 1e-4, "atol": 1e-6}


@pytest.fixture(scope="session")
def trains_the_same(cuda_tolerance):
    """Check that a classifier fitted on the CPU and its twin fitted on CUDA
    (same data, seed and settings) learned an easy problem and agree: both
    score 1.0, the same labels, probabilities and loss curves within
    ``cuda_tolerance``."""

    def check(cpu, gpu, X, y):
        assert gpu.score(X, y) == cpu.score(X, y) == 1.0
        np.testing.assert_array_equal(gpu.predict(X), cpu.predict(X))
        np.testing.assert_allclose(
            gpu.predict_proba(X), cpu.predict_proba(X), **cuda_tolerance
        )
        np.testing.assert_allclose(
            gpu.loss_curve_, cpu.loss_curve_, rtol=cuda_tolerance["rtol"]
        )

    return check


# -- a process without CUDA ---------------------------------------------------------

_LOAD_WITHOUT_CUDA = """
import json, pickle, sys, warnings
import numpy as np, torch
path, how, inputs, output = sys.argv[1:]
with open(path, "rb") as file:
    data = file.read()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    if how == "pickle":
        model = pickle.loads(data)
    else:
        import skops.io as sio
        from sknn import skops_trusted_types
        model = sio.loads(data, trusted=skops_trusted_types())
np.save(output, model.predict_proba(np.load(inputs)))
print(json.dumps({
    "cuda_available": torch.cuda.is_available(),
    "device_": model.device_,
    "weights_on": str(next(model.module_.parameters()).device),
    "warnings": [str(w.message) for w in caught],
}))
"""


@pytest.fixture
def load_without_cuda(tmp_path):
    """Load a saved model in a child process that sees no CUDA device, as a
    machine without a GPU would (``CUDA_VISIBLE_DEVICES`` empty: CUDA, once
    initialized in this process, cannot be hidden from it).

    Returns ``load(data, how, X)``: ``data`` the bytes of ``pickle.dumps`` or
    ``skops.io.dumps`` (``how`` is "pickle" or "skops"); it returns what the
    child saw (``cuda_available``, ``device_``, ``weights_on``, the messages
    of the ``warnings``) and the loaded model's ``predict_proba(X)``.
    """

    def load(data: bytes, how: str, X) -> tuple[dict, np.ndarray]:
        model, inputs = tmp_path / "model", tmp_path / "X.npy"
        output = tmp_path / "proba.npy"
        model.write_bytes(data)
        np.save(inputs, X)
        done = subprocess.run(
            [sys.executable, "-c", _LOAD_WITHOUT_CUDA]
            + [str(model), how, str(inputs), str(output)],
            env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1]), np.load(output)

    return load


# -- data and threads ------------------------------------------------------------------


@pytest.fixture(scope="session")
def iris():
    """Iris, standardized: 150 samples, 4 features, 3 classes (sorted)."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def quiet():
    """Silence warnings (convergence, small batches) in tests about other
    things."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _torch_threads(n):
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@pytest.fixture
def one_thread():
    """torch on one thread for the test. The FCN's steps are large enough
    for sknn to leave torch two threads, whose barriers spin for whole time
    slices on a busy 2-core machine (25 s instead of 2 s for the class-weight
    check of test_cnn.py)."""
    with _torch_threads(1):
        yield


@pytest.fixture
def two_threads():
    """torch on two threads for the test, whatever the machine's default."""
    with _torch_threads(2):
        yield
