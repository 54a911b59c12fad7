"""scikit-learn's own MLP tests, run against sknn's MLPClassifier and
MLPRegressor.

The test module that scikit-learn installs with itself
(``sklearn/neural_network/tests/test_mlp.py``) is read at test time, its
import of the two estimators is pointed at sknn, and it runs in a
subprocess. Nothing of it is copied here. What is left out is listed below
with the reason: tests that read scikit-learn's private internals, and the
places where sknn differs from scikit-learn on purpose.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"

#: Tests that read or set scikit-learn's private internals.
PRIVATE = {
    "test_fit": "sets coefs_ and scikit-learn's private layer state by hand",
    "test_gradient": "calls the private _loss_grad_lbfgs",
    "test_learning_rate_warmstart": "reads the private _optimizer",
    "test_adaptive_learning_rate": "reads the private _optimizer",
    "test_n_iter_no_change": "reads the private _no_improvement_count",
    "test_n_iter_no_change_inf": "reads the private _no_improvement_count",
}

#: Where sknn differs from scikit-learn by design.
DEVIATIONS = {
    "test_lbfgs_regression": (
        "MLPRegressor's alpha='auto' (0.5 on 200 rows) regularizes: the "
        "logistic network's training R² is 0.85 where the test asks more "
        "than 0.98 of an almost unpenalized fit; alpha=1e-4 passes"
    ),
    "test_mlp_loading_from_joblib_partial_fit": (
        "alpha='auto' on a table of one row: 200 partial_fit calls bring the "
        "prediction to 1.04, not within 1e-4 of the target 1"
    ),
    "test_mlp_param_dtypes[MLPClassifier-float64]": (
        "the networks train in dtype='float32' by default (fast on CPUs and "
        "GPUs): float64 inputs are converted; dtype='float64' trains in float64"
    ),
    "test_mlp_param_dtypes[MLPRegressor-float64]": "as above",
    "test_nonfinite_params": (
        "inputs near float64's largest value do not fit in float32: they "
        "are refused before training as too large for dtype('float32')"
    ),
    "test_early_stopping_stratified": (
        "the message names the class too small to stratify as y holds it "
        "([1]); scikit-learn's names its binarized form (['True'])"
    ),
}

CONFTEST = """
import pytest


@pytest.fixture
def global_random_seed():
    return 42
"""


def _installed_test_module() -> Path | None:
    try:
        spec = importlib.util.find_spec("sklearn.neural_network.tests.test_mlp")
    except ModuleNotFoundError:
        return None
    return None if spec is None or spec.origin is None else Path(spec.origin)


@pytest.mark.slow
def test_scikit_learn_mlp_tests_pass_on_sknn(tmp_path):
    source = _installed_test_module()
    if source is None:
        pytest.skip("scikit-learn was installed without its tests")
    text = source.read_text()
    assert text.count(IMPORT) == 1, (
        "scikit-learn's test_mlp.py no longer imports the estimators as "
        f"{IMPORT!r}: update this test"
    )
    (tmp_path / "test_sklearn_mlp.py").write_text(
        text.replace(IMPORT, "from sknn import MLPClassifier, MLPRegressor")
    )
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    deselect = []
    for name in {**PRIVATE, **DEVIATIONS}:
        deselect += ["--deselect", f"test_sklearn_mlp.py::{name}"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + ["-W", "ignore::DeprecationWarning", *deselect, "test_sklearn_mlp.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # the run must have collected the module and left out only what is listed
    assert " passed" in result.stdout
    assert "deselected" in result.stdout
