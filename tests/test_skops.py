"""Safe saving with skops: nothing but sknn's own classes to trust."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from user_modules import TableNet

from sknn import (
    CNNClassifier,
    MLPClassifier,
    NeuralNetClassifier,
    RNNClassifier,
    TensorScaler,
    skops_trusted_types,
)

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.usefixtures("quiet")


def _labels(y):
    return np.array(["setosa", "versicolor", "virginica"])[y]


#: name -> (the model, whether it takes (n, 2, 2, 1) images rather than rows;
#: the recurrent network takes sequences of 4 steps of 1 feature)
_CASES = {
    "mlp": (MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0), False),
    "lbfgs": (MLPClassifier(solver="lbfgs", max_iter=5, random_state=0), False),
    "weight norm": (
        MLPClassifier(normalization="weight", max_iter=3, random_state=0),
        False,
    ),
    "cnn": (CNNClassifier(filters=(4,), max_iter=2, random_state=0), True),
    "rnn": (RNNClassifier(hidden_size=4, max_iter=2, random_state=0), False),
    "net": (NeuralNetClassifier(module=TableNet, max_iter=3, random_state=0), False),
    "pipeline": (
        make_pipeline(
            StandardScaler(), TensorScaler(), MLPClassifier(max_iter=3, random_state=0)
        ),
        False,
    ),
}


def _round_trip(model):
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    return data, untrusted, sio.loads(data, trusted=untrusted)


@pytest.mark.parametrize("name", list(_CASES))
def test_round_trip_predicts_the_same_and_trusts_only_sknn(iris, name):
    X, y = iris
    model, images = _CASES[name]
    model = clone(model)
    inputs = X.reshape(-1, 2, 2, 1) if images else X
    if name == "rnn":
        inputs = X.reshape(-1, 4, 1)
    model.fit(inputs, _labels(y))
    data, untrusted, loaded = _round_trip(model)
    allowed = set(skops_trusted_types())
    if name == "net":
        allowed.add("user_modules.TableNet")  # the user's own code
    assert set(untrusted) <= allowed, untrusted
    np.testing.assert_array_equal(
        loaded.predict_proba(inputs), model.predict_proba(inputs)
    )
    np.testing.assert_array_equal(loaded.predict(inputs), model.predict(inputs))


def test_a_recurrent_model_of_sequences_of_unequal_lengths(iris):
    X, y = iris
    ragged = [row[: 2 + i % 3, None] for i, row in enumerate(X)]
    model = RNNClassifier(hidden_size=4, max_iter=2, random_state=0).fit(ragged, y)
    _, untrusted, loaded = _round_trip(model)
    assert set(untrusted) <= set(skops_trusted_types()), untrusted
    assert loaded.input_shape_ == (4, 1)
    np.testing.assert_array_equal(
        loaded.predict_proba(ragged), model.predict_proba(ragged)
    )


def test_the_state_holds_no_torch_object(iris):
    X, y = iris
    clf = MLPClassifier(max_iter=2, random_state=0).fit(X, y)

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from walk(item)
        else:
            yield value

    kinds = {type(v).__module__.split(".")[0] for v in walk(clf.__getstate__())}
    assert "torch" not in kinds and "skorch" not in kinds


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_loaded_model_goes_on_training(iris, how):
    X, y = iris
    clf = MLPClassifier(max_iter=3, random_state=0, warm_start=True).fit(X, y)
    _, _, loaded = _round_trip(clf)
    twin = pickle.loads(pickle.dumps(clf))
    for model in (loaded, twin):
        model.fit(X, y) if how == "warm_start" else model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), twin.predict_proba(X))
    assert len(loaded.history_) == len(clf.history_) + (3 if how == "warm_start" else 1)


def test_searches_holding_sknn_estimators(iris):
    X, y = iris
    search = GridSearchCV(
        MLPClassifier(max_iter=2, random_state=0), {"alpha": [1e-4, 0.1]}, cv=2
    ).fit(X, y)
    _, untrusted, loaded = _round_trip(search)
    assert {t for t in untrusted if t.startswith("sknn")} <= set(skops_trusted_types())
    np.testing.assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))


def test_a_tampered_file_with_a_foreign_type_is_refused(iris):
    X, y = iris
    data = sio.dumps(MLPClassifier(max_iter=2, random_state=0).fit(X, y))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(files["schema.json"])
    schema["__module__"], schema["__class__"] = "os", "system"
    files["schema.json"] = json.dumps(schema).encode()
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="os.system"):
        sio.loads(tampered.getvalue(), trusted=skops_trusted_types())


@pytest.mark.skipif(
    torch.cuda.is_available(),
    reason="simulates a GPU model; with a GPU, "
    "test_a_cuda_model_loads_where_cuda_is_hidden loads a real one",
)
def test_a_gpu_model_loads_on_the_cpu(iris, monkeypatch):
    X, y = iris
    clf = MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    state = clf.__getstate__()
    state["_engine_state"]["device"] = "cuda:0"  # as saved on a GPU machine
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    restored = MLPClassifier.__new__(MLPClassifier)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        restored.__setstate__(state)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.cuda
def test_a_cuda_model_loads_where_cuda_is_hidden(
    iris, load_without_cuda, cuda_tolerance
):
    X, y = iris
    clf = MLPClassifier(max_iter=2, random_state=0, device="cuda").fit(X, y)
    assert clf.device_.startswith("cuda")
    seen, proba = load_without_cuda(sio.dumps(clf), "skops", X)
    assert not seen["cuda_available"]
    assert seen["device_"] == seen["weights_on"] == "cpu"
    assert any("loaded on the CPU" in m for m in seen["warnings"]), seen
    # the same weights: only the forward pass's order of sums differs
    np.testing.assert_allclose(proba, clf.predict_proba(X), **cuda_tolerance)


def test_a_file_of_another_format_is_refused_clearly(iris):
    X, y = iris
    state = MLPClassifier(max_iter=2, random_state=0).fit(X, y).__getstate__()
    state["_sknn_state_format"] = 99
    state["_sknn_version"] = "9.9"
    restored = MLPClassifier.__new__(MLPClassifier)
    with pytest.raises(ValueError, match="saved by sknn 9.9, in a format that"):
        restored.__setstate__(state)
