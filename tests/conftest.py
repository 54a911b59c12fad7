"""Fixtures shared by the test modules."""

import warnings

import pytest
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
