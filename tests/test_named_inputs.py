"""Networks with several named inputs: sknn.Inputs, scikit-learn's tools
around it, validation per input, sizes per input, and scaling per input."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from torch import nn

from sknn import Inputs, NeuralNetClassifier, NeuralNetRegressor
from sknn.preprocessing import TensorScaler

N = 300


def make_data(seed=0):
    """Pictures ``(n, 8, 8, 3)`` beside a table ``(n, 3)``: the label needs
    both, the brightness of the pictures' top-left corner plus the table's
    first column."""
    rng = np.random.RandomState(seed)
    images = rng.rand(N, 8, 8, 3).astype(np.float32)
    table = pd.DataFrame({"a": rng.randn(N), "b": rng.randn(N), "c": rng.randn(N)})
    signal = 4 * (images[:, :4, :4, :].mean(axis=(1, 2, 3)) - 0.5) + table["a"]
    return Inputs(images=images, table=table), (signal > 0).astype(int), signal


class PictureAndTable(nn.Module):
    """A small convolution over the pictures beside a dense layer over the
    table, joined before the output."""

    def __init__(self, images_shape, table_n_features, n_outputs):
        super().__init__()
        channels = images_shape[-1]
        self.pictures = nn.Sequential(
            nn.Conv2d(channels, 8, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten(),
        )
        self.table = nn.Sequential(nn.Linear(table_n_features, 8), nn.ReLU())
        self.out = nn.Linear(8 * 4 + 8, n_outputs)

    def forward(self, images, table):
        pictures = self.pictures(images.permute(0, 3, 1, 2))
        return self.out(torch.cat([pictures, self.table(table)], dim=1))


def classifier(**params):
    return NeuralNetClassifier(
        module=PictureAndTable,
        **{"max_iter": 60, "learning_rate_init": 3e-3, "random_state": 0, **params},
    )


# -- the container -------------------------------------------------------------


def test_inputs_is_sliced_like_one_array():
    X, y, _ = make_data()
    assert len(X) == N and X.shape == (N,) and X.names == ("images", "table")
    rows = X[np.array([3, 1])]
    assert isinstance(rows, Inputs) and rows["images"].shape == (2, 8, 8, 3)
    np.testing.assert_array_equal(rows["table"]["a"], X["table"]["a"].iloc[[3, 1]])
    assert len(X[10:20]) == 10 and len(X[y == 1]) == int(y.sum())
    train, test = train_test_split(X, test_size=0.25, random_state=0)
    assert (len(train), len(test)) == (225, 75)
    assert "images=array (300, 8, 8, 3) float32" in repr(X)
    assert "table=DataFrame (300, 3)" in repr(X)


def test_inputs_refuses_what_is_not_samples():
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: a: 3, b: 4"
    ):
        Inputs(a=np.ones((3, 2)), b=np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least one input"):
        Inputs()
    with pytest.raises(TypeError, match="do not nest"):
        Inputs(a=Inputs(b=np.ones((2, 1))))
    with pytest.raises(KeyError, match=r"No input named 'c'"):
        Inputs(a=np.ones((2, 1)))["c"]
    with pytest.raises(TypeError, match="not one array"):
        np.asarray(Inputs(a=np.ones((2, 1))))


# -- training and model selection ------------------------------------------------


def test_a_network_learns_from_two_inputs():
    X, y, _ = make_data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    clf = classifier().fit(X_train, y_train)
    assert clf.module_kwargs_ == {
        "images_shape": (8, 8, 3),
        "table_n_features": 3,
        "n_outputs": 1,
    }
    assert clf.input_names_ == ("images", "table")
    assert clf.input_shapes_ == {"images": (8, 8, 3), "table": (3,)}
    assert list(clf.input_feature_names_["table"]) == ["a", "b", "c"]
    assert clf.score(X_test, y_test) > 0.85
    assert clf.predict_proba(X_test).shape == (len(y_test), 2)
    # a plain dict is taken too
    dict_X = {"images": X_test["images"], "table": X_test["table"]}
    np.testing.assert_array_equal(clf.predict(dict_X), clf.predict(X_test))


def test_regression_from_two_inputs_with_a_module_returning_two_tensors():
    X, _, signal = make_data()

    class TwoTargets(PictureAndTable):
        def forward(self, images, table):
            out = super().forward(images, table)
            return out[:, 0], out[:, 1]  # one tensor per target

    Y = np.column_stack([signal, -2 * signal])
    reg = NeuralNetRegressor(
        module=TwoTargets, max_iter=80, learning_rate_init=3e-3, random_state=0
    ).fit(X, Y)
    assert reg.module_kwargs_["n_outputs"] == 2
    assert reg.predict(X).shape == (N, 2)
    assert reg.score(X, Y) > 0.8


def test_cross_validation_and_searches_slice_inputs():
    X, y, _ = make_data()
    scores = cross_val_score(classifier(max_iter=30), X, y, cv=StratifiedKFold(3))
    assert scores.min() > 0.75, scores
    predicted = cross_val_predict(
        classifier(max_iter=5), X, y, cv=KFold(3, shuffle=True, random_state=0)
    )
    assert predicted.shape == (N,)
    search = GridSearchCV(
        classifier(max_iter=5), {"learning_rate_init": [1e-3, 3e-3]}, cv=2, n_jobs=2
    ).fit(X, y)
    assert search.best_estimator_.input_names_ == ("images", "table")


def test_a_pipeline_scales_each_input():
    X, y, _ = make_data()
    X = Inputs(images=X["images"] * 255, table=X["table"] * 100)
    model = make_pipeline(TensorScaler(mode="channel"), classifier()).fit(X, y)
    scaler = model[0]
    assert set(scaler.inputs_) == {"images", "table"}
    scaled = scaler.transform(X)
    assert isinstance(scaled, Inputs)
    np.testing.assert_allclose(scaled["images"].mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(scaled["table"].std(axis=0), 1, rtol=1e-5)
    restored = scaler.inverse_transform(scaled)["images"]
    np.testing.assert_allclose(restored, X["images"], rtol=1e-5, atol=1e-4)  # float32
    assert model.score(X, y) > 0.85
    with pytest.raises(ValueError, match="fitted on named inputs"):
        scaler.transform(X["images"])
    with pytest.raises(ValueError, match="fitted on"):
        scaler.transform(Inputs(images=X["images"]))


# -- validation, with messages that name the input --------------------------------


def test_each_input_is_validated_and_named_in_errors():
    X, y, _ = make_data()
    images = X["images"].copy()
    images[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"X\['images'\] contains NaN"):
        classifier(max_iter=1).fit(Inputs(images=images, table=X["table"]), y)
    words = X["table"].assign(a="x")
    with pytest.raises(ValueError, match="could not convert"):
        classifier(max_iter=1).fit(Inputs(images=X["images"], table=words), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        classifier(max_iter=1).fit(X, y[:-1])


def test_wrong_names_and_missing_inputs():
    X, y, _ = make_data()
    renamed = Inputs(pictures=X["images"], table=X["table"])
    with pytest.raises(
        ValueError, match=r"no parameter for.*\['pictures'\]|'pictures'"
    ):
        classifier(max_iter=1, module__images_shape=(8, 8, 3)).fit(renamed, y)
    with pytest.raises(ValueError, match=r"forward needs \['table'\]"):
        NeuralNetClassifier(
            module=PictureAndTable, module__table_n_features=3, max_iter=1
        ).fit(Inputs(images=X["images"]), y)
    clf = classifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match=r"missing: \['table'\]"):
        clf.predict(Inputs(images=X["images"]))
    with pytest.raises(ValueError, match=r"not seen in fit: \['extra'\]"):
        clf.predict(Inputs(images=X["images"], table=X["table"], extra=X["images"]))
    with pytest.raises(ValueError, match=r"X\['images'\] has samples of shape"):
        clf.predict(Inputs(images=X["images"][:, :4], table=X["table"]))
    with pytest.raises(ValueError, match=r"column names of X\['table'\]"):
        clf.predict(Inputs(images=X["images"], table=X["table"][["b", "a", "c"]]))
    with pytest.raises(ValueError, match="fitted on named inputs"):
        clf.predict(X["images"])
    with pytest.raises(ValueError, match="size|n_features|table_n_features"):
        classifier(max_iter=1, module__table_n_features=5).fit(X, y)


def test_a_model_fitted_on_one_array_refuses_named_inputs():
    class Plain(nn.Module):
        def __init__(self, n_features, n_outputs):
            super().__init__()
            self.out = nn.Linear(n_features, n_outputs)

        def forward(self, X):
            return self.out(X)

    X, y, _ = make_data()
    clf = NeuralNetClassifier(module=Plain, max_iter=2).fit(X["table"], y)
    with pytest.raises(ValueError, match="fitted on a single array"):
        clf.predict(X)


# -- saving -------------------------------------------------------------------------


def test_pickle_and_skops_round_trips():
    X, y, _ = make_data()
    clf = classifier(max_iter=3).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    sio = pytest.importorskip("skops.io")
    saved = sio.dumps(clf)
    untrusted = sio.get_untrusted_types(data=saved)
    assert all("PictureAndTable" in t or t.startswith("sknn.") for t in untrusted)
    restored = sio.loads(saved, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_onnx_has_one_graph_input_per_named_input():
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    from sknn import to_onnx

    X, y, signal = make_data()
    clf = classifier(max_iter=3).fit(X, y)
    session = ort.InferenceSession(to_onnx(clf, X[:2]).SerializeToString())
    inputs = {i.name: i.shape for i in session.get_inputs()}
    assert inputs == {"images": [None, 8, 8, 3], "table": [None, 3]}
    feeds = {
        "images": X["images"][:20],
        "table": X["table"].to_numpy(np.float32)[:20],
    }
    label, proba = session.run(None, feeds)
    np.testing.assert_array_equal(label, clf.predict(X[:20]))
    np.testing.assert_allclose(proba, clf.predict_proba(X[:20]), atol=1e-5)
    reg = NeuralNetRegressor(module=PictureAndTable, max_iter=2).fit(X, signal)
    session = ort.InferenceSession(to_onnx(reg, X[:2]).SerializeToString())
    (predicted,) = session.run(None, feeds)
    np.testing.assert_allclose(predicted.ravel(), reg.predict(X[:20]), atol=1e-5)
    model = make_pipeline(TensorScaler(), classifier(max_iter=1)).fit(X, y)
    with pytest.raises(NotImplementedError, match="TensorScaler fitted on named"):
        to_onnx(model, X[:2])
