"""The device the suite trains on: ``--device cpu`` / ``SKNN_TEST_DEVICE=cpu``
(tests/conftest.py) force the CPU even where CUDA is available."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import sknn._training.device
from sknn import MLPClassifier

ROOT = Path(__file__).resolve().parents[1]


def _tiny():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [3.0, 3.0], [3.1, 3.0]])
    return X, np.array([0, 0, 1, 1])


def _resolvers():
    """Every ``resolve_device`` an sknn module holds, by module name."""
    return {
        name: module.resolve_device
        for name, module in sorted(sys.modules.items())
        if (name == "sknn" or name.startswith("sknn."))
        and callable(getattr(module, "resolve_device", None))
    }


def _pretend_cuda(monkeypatch):
    """This machine claims one CUDA device, whether or not it has one."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


def test_without_forcing_auto_follows_cuda(cpu_forced, monkeypatch):
    # what the forcing has to undo: with CUDA, "auto" is CUDA
    if cpu_forced:
        pytest.skip("the run is forced to the CPU")
    _pretend_cuda(monkeypatch)
    assert sknn._training.device.resolve_device("auto") == torch.device("cuda")


def test_forcing_resolves_auto_to_the_cpu_where_cuda_is_available(
    cpu_forcing, monkeypatch, quiet
):
    _pretend_cuda(monkeypatch)
    resolvers = _resolvers()
    # the defining module and the ones that train (sknn._base at least)
    assert {"sknn._training.device", "sknn._base"} <= set(resolvers)
    for name, resolve in resolvers.items():
        assert resolve("auto") == torch.device("cpu"), name
        assert resolve("cpu") == torch.device("cpu"), name
        with pytest.raises(ValueError, match="not a valid device"):
            resolve("nonsense")  # explicit devices are still checked
        # a test that asks for CUDA explicitly is skipped, not run on the CPU
        with pytest.raises(pytest.skip.Exception, match="device forced to cpu"):
            resolve("cuda")
    X, y = _tiny()
    clf = MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    assert clf.device_ == "cpu"
    assert next(clf.module_.parameters()).device == torch.device("cpu")


def test_the_run_is_forced_to_the_cpu(cpu_forced, monkeypatch, quiet):
    if not cpu_forced:
        pytest.skip("runs under --device cpu or SKNN_TEST_DEVICE=cpu")
    _pretend_cuda(monkeypatch)
    X, y = _tiny()
    assert MLPClassifier(max_iter=2, random_state=0).fit(X, y).device_ == "cpu"
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""  # and worker processes


@pytest.mark.cuda
def test_a_cuda_marked_test_runs_on_cuda(quiet):
    X, y = _tiny()
    clf = MLPClassifier(max_iter=2, random_state=0, device="cuda").fit(X, y)
    assert clf.device_.startswith("cuda")


@pytest.mark.parametrize(
    ("args", "variable", "device"),
    [
        (["--device", "cpu"], None, "cpu"),
        ([], "cpu", "cpu"),
        (["--device", "auto"], "cpu", "auto"),  # the option wins
    ],
    ids=["option", "variable", "option over variable"],
)
def test_the_option_and_the_variable_choose_the_device(args, variable, device):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SKNN_TEST_DEVICE", "PYTEST_ADDOPTS")
    }
    if variable is not None:
        env["SKNN_TEST_DEVICE"] = variable
    probes = "the_run_is_forced or a_cuda_marked_test"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs"]
        + [*args, "-k", probes, str(Path(__file__).relative_to(ROOT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    if device == "cpu":
        assert "sknn test device: cpu (forced)" in out, out
        assert "1 passed, 1 skipped" in out, out
        assert "device forced to cpu" in out, out
    else:
        assert "sknn test device: auto" in out, out
        assert "device forced to cpu" not in out, out
