"""Fixtures shared by the test modules."""

import contextlib
import warnings

import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

# Not a module of doctests (docs/ has a conftest.py of the same name).
collect_ignore = ["conftest.py"]


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
