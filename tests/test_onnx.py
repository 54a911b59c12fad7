"""ONNX export: onnxruntime's outputs against predict and predict_proba.

The reference is the estimator itself: for 1 and 1,000 rows, onnxruntime's
labels must equal ``predict``'s exactly and its probabilities
``predict_proba``'s within 1e-5 (float32 networks); a regressor's
predictions within 1e-5 relative to their largest value.
"""

import sys
import warnings

import numpy as np
import pytest
import torch
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_multilabel_classification,
)
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
from torch import nn

from sknn import (
    CNNClassifier,
    CNNRegressor,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    NeuralNetRegressor,
    RNNClassifier,
    RNNRegressor,
    register_onnx_converters,
    to_onnx,
)
from sknn.preprocessing import TensorScaler

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
pytest.importorskip("onnxscript")

ATOL = 1e-5


# -- user modules ---------------------------------------------------------------


class SmallNet(nn.Module):
    """A dense network, sized from the data."""

    def __init__(self, n_features, n_outputs, hidden=16):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden), nn.Tanh(), nn.Linear(hidden, n_outputs)
        )

    def forward(self, x):
        return self.layers(x)


class ImageNet(nn.Module):
    """A convolution over channels-last images ``(height, width, channels)``."""

    def __init__(self, input_shape, n_outputs, filters=4):
        super().__init__()
        self.conv = nn.Conv2d(input_shape[-1], filters, 3, padding=1)
        self.output = nn.Linear(filters, n_outputs)

    def forward(self, x):
        h = torch.relu(self.conv(x.permute(0, 3, 1, 2)))
        return self.output(h.mean(dim=(2, 3)))


class BranchingNet(nn.Module):
    """A forward that torch exports with an If node, whose subgraphs read
    the weights of the outer graph."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.first = nn.Linear(n_features, n_outputs)
        self.second = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        if torch.compiler.is_exporting():
            return torch.cond(
                x.abs().sum() > 0, self.first, lambda x: self.second(x.relu()), (x,)
            )
        return self.first(x) if x.abs().sum() > 0 else self.second(x.relu())


class ValueDependentNet(nn.Module):
    """Trains eagerly, but its forward branches on the values of its input,
    which torch.export cannot trace."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.first = nn.Linear(n_features, n_outputs)
        self.second = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        if x.mean() > 0:
            return self.first(x)
        return self.second(x)


# -- helpers --------------------------------------------------------------------


def run(onx, inputs):
    """onnxruntime's outputs, by name, for one array (of the only input) or
    a dict of arrays, once the model passes onnx's checker."""
    onnx.checker.check_model(onx, full_check=True)
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    if not isinstance(inputs, dict):
        (declared,) = session.get_inputs()
        inputs = {declared.name: inputs}
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, inputs), strict=True))


def columns(frame):
    """A data frame as onnxruntime's inputs: one (n, 1) array per column."""
    return {
        name: frame[[name]]
        .to_numpy()
        .astype(np.float32 if frame[name].dtype.kind == "f" else object)
        for name in frame.columns
    }


def thousand_rows(X, seed=0):
    """1,000 rows around those of ``X`` (repeated, with a little noise)."""
    rng = np.random.default_rng(seed)
    rows = X[rng.integers(0, len(X), 1000)]
    noise = rng.normal(scale=0.05, size=rows.shape) * X.std(axis=0)
    return (rows + noise).astype(np.float32)


def assert_labels_equal(onnx_labels, expected):
    np.testing.assert_array_equal(onnx_labels, expected)
    assert onnx_labels.shape == expected.shape
    if expected.dtype.kind in "iu":
        assert onnx_labels.dtype == np.int64
    elif expected.dtype.kind in "bf":
        assert onnx_labels.dtype == expected.dtype
    else:
        assert all(isinstance(label, str) for label in onnx_labels.ravel())


def assert_parity(model, onx, X):
    """Labels and probabilities of 1 and of 1,000 rows."""
    assert_outputs_match(model, onx, (X[:1], thousand_rows(X)))


def assert_outputs_match(model, onx, parts, inputs=lambda part: part):
    """onnxruntime's labels equal ``predict``'s and its probabilities
    ``predict_proba``'s within ``ATOL``, for each of ``parts`` (given to
    onnxruntime as ``inputs(part)``)."""
    for part in parts:
        outputs = run(onx, inputs(part))
        assert_labels_equal(outputs["label"], model.predict(part))
        np.testing.assert_allclose(
            outputs["probabilities"], model.predict_proba(part), rtol=0, atol=ATOL
        )


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def cancer():
    """Breast cancer, standardized, float32: a binary target."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


@pytest.fixture(scope="module")
def iris_names():
    """Iris, standardized, with the species' names as labels."""
    data = load_iris()
    X = StandardScaler().fit_transform(data.data).astype(np.float32)
    return X, data.target_names[data.target]


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=10, n_classes=4, random_state=0
    )
    return StandardScaler().fit_transform(X).astype(np.float32), Y


@pytest.fixture(scope="module")
def digits_images():
    """The 8x8 digits as channels-last images in [0, 1]."""
    X, y = load_digits(return_X_y=True)
    return (X.reshape(-1, 8, 8, 1) / 16.0).astype(np.float32), y


# -- the classifiers -----------------------------------------------------------


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
def test_mlp_matches_predict(target, cancer, iris_names, multilabel):
    X, y = {"binary": cancer, "multiclass": iris_names, "multilabel": multilabel}[
        target
    ]
    clf = fitted(MLPClassifier(hidden_layer_sizes=(16,), random_state=0), X, y)
    onx = to_onnx(clf, X[:1])
    assert [output.name for output in onx.graph.output] == ["label", "probabilities"]
    assert_parity(clf, onx, X)


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_mlp_with_normalization_matches_predict(normalization, iris_names):
    X, y = iris_names
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 8), normalization=normalization, random_state=0
    )
    clf = fitted(clf, X, y)
    assert_parity(clf, to_onnx(clf, X[:1]), X)


def test_cnn_channels_first_with_boolean_labels_matches_predict(digits_images):
    X, y = digits_images
    X = X.transpose(0, 3, 1, 2)  # (n, 1, 8, 8)
    clf = CNNClassifier(
        filters=(4,),
        pooling="avg",
        data_format="channels_first",
        max_iter=2,
        random_state=0,
    )
    clf = fitted(clf, X[:400], y[:400] % 2 == 0)
    assert_parity(clf, to_onnx(clf, X[:1]), X)


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({}, "binary"),
        (
            {"cell": "gru", "pooling": "attention", "normalization": "layer"},
            "multiclass",
        ),
        ({"cell": "rnn", "pooling": "mean", "bidirectional": False}, "multilabel"),
        ({"num_layers": 2, "normalization": "rms"}, "multiclass"),
    ],
)
def test_rnn_on_sequences_of_unequal_lengths_matches_predict(params, target):
    # Sequences shorter than the training length are padded with NaN, in
    # onnxruntime as in predict: the exported network masks the padding.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 9, 2)).astype(np.float32)
    lengths = rng.integers(1, 10, size=len(X))
    X[np.arange(9)[None, :] >= lengths[:, None]] = np.nan
    y = {
        "binary": lengths > 5,
        "multiclass": np.array(["short", "middle", "long"])[lengths // 4],
        "multilabel": np.c_[lengths > 5, np.nan_to_num(X[:, 0, 0]) > 0],
    }[target]
    clf = RNNClassifier(hidden_size=8, max_iter=2, random_state=0, **params)
    clf = fitted(clf, X[:200], y[:200])
    onx = to_onnx(clf, X[:1])
    assert_outputs_match(clf, onx, (X[:1], X))


def test_rnn_takes_sequences_of_its_training_length(iris_names):
    X = np.random.default_rng(0).normal(size=(20, 6, 2)).astype(np.float32)
    clf = fitted(RNNClassifier(hidden_size=4, max_iter=1), X, np.arange(20) % 2)
    with pytest.raises(ValueError, match=r"samples of shape \(6, 2\)"):
        to_onnx(clf, X[:1, :5])


def test_neural_net_classifier_on_a_data_frame_matches_predict():
    # A column per ONNX input, put side by side; float labels stay double.
    data = load_iris(as_frame=True)
    frame = data.data.astype(np.float32)
    frame.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    y = data.target.to_numpy().astype(np.float64)
    clf = NeuralNetClassifier(module=SmallNet, max_iter=10, random_state=0)
    clf = fitted(clf, frame, y)
    onx = to_onnx(clf, frame[:1])
    assert [i.name for i in onx.graph.input] == list(frame.columns)
    rows = frame.sample(1000, replace=True, random_state=0)
    assert_outputs_match(clf, onx, (rows[:1], rows), columns)


def test_neural_net_classifier_on_images_matches_predict(digits_images):
    X, y = digits_images
    clf = NeuralNetClassifier(module=ImageNet, max_iter=2, random_state=0)
    clf = fitted(clf, X[:300], y[:300])
    assert_parity(clf, to_onnx(clf, X[:1]), X)


def test_neural_net_classifier_with_subgraphs_matches_predict(iris_names):
    X, y = iris_names
    clf = fitted(NeuralNetClassifier(module=BranchingNet, max_iter=5), X, y)
    onx = to_onnx(clf, X[:1])
    assert "If" in {node.op_type for node in onx.graph.node}
    assert_parity(clf, onx, X)


def test_module_that_cannot_be_exported_is_named(cancer):
    X, y = cancer
    clf = fitted(NeuralNetClassifier(module=ValueDependentNet, max_iter=1), X, y)
    with pytest.raises(ValueError, match="module ValueDependentNet of Neural"):
        to_onnx(clf, X[:1])


def test_float64_network_with_double_input(iris_names):
    from skl2onnx.common.data_types import DoubleTensorType

    X, y = iris_names
    X = X.astype(np.float64)
    clf = MLPClassifier(hidden_layer_sizes=(8,), dtype="float64", random_state=0)
    clf = fitted(clf, X, y)
    onx = to_onnx(clf, initial_types=[("X", DoubleTensorType([None, 4]))])
    outputs = run(onx, X)
    assert_labels_equal(outputs["label"], clf.predict(X))
    assert outputs["probabilities"].dtype == np.float64
    np.testing.assert_allclose(
        outputs["probabilities"], clf.predict_proba(X), rtol=0, atol=1e-12
    )


def test_subclass_is_registered_by_to_onnx(iris_names):
    class MyClassifier(MLPClassifier):
        pass

    X, y = iris_names
    clf = fitted(MyClassifier(hidden_layer_sizes=(4,), random_state=0), X, y)
    assert_parity(clf, to_onnx(clf, X[:1]), X)


# -- pipelines ------------------------------------------------------------------


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
def test_pipeline_with_scikit_learn_scaler(scaler):
    X, y = load_wine(return_X_y=True)
    X = X.astype(np.float32)
    clf = make_pipeline(
        scaler(), MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    )
    clf = fitted(clf, X, y)
    assert_parity(clf, to_onnx(clf, X[:1]), X)


def test_pipeline_with_tensor_scaler_and_cnn_on_images(digits_images):
    X, y = digits_images
    X = X * 16.0  # pixels 0..16, scaled by the pipeline
    clf = make_pipeline(
        TensorScaler(mode="channel"),
        CNNClassifier(filters=(4, 8), max_iter=2, random_state=0),
    )
    clf = fitted(clf, X[:500], y[:500])
    onx = to_onnx(clf, X[:1])
    (declared,) = onx.graph.input
    dims = [d.dim_value or None for d in declared.type.tensor_type.shape.dim]
    assert dims == [None, 8, 8, 1]
    assert_parity(clf, onx, X)


def test_pipeline_with_column_transformer_on_a_data_frame():
    data = load_iris(as_frame=True)
    frame = data.data.astype(np.float32)
    frame.columns = ["sl", "sw", "pl", "pw"]
    rng = np.random.default_rng(0)
    frame["colour"] = rng.choice(["red", "green", "blue"], size=len(frame))
    y = data.target_names[data.target]
    clf = make_pipeline(
        ColumnTransformer(
            [
                ("numbers", StandardScaler(), ["sl", "sw", "pl", "pw"]),
                ("colour", OneHotEncoder(sparse_output=False), ["colour"]),
            ]
        ),
        MLPClassifier(hidden_layer_sizes=(8,), random_state=0),
    )
    clf = fitted(clf, frame, y)
    onx = to_onnx(clf, frame[:1])
    assert [i.name for i in onx.graph.input] == ["sl", "sw", "pl", "pw", "colour"]
    rows = frame.sample(1000, replace=True, random_state=0)
    assert_outputs_match(clf, onx, (rows[:1], rows), columns)


@pytest.mark.parametrize(
    "params",
    [
        {"method": "standard", "mode": "feature"},
        {"method": "minmax", "mode": "channel", "feature_range": (-1, 1)},
        {"method": "scale", "mode": "global"},
        {"method": "scale", "mode": "channel", "channel_axis": 1, "divisor": 255},
    ],
)
def test_tensor_scaler_matches_transform(params):
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(50, 3, 4, 2)).astype(np.float32)
    scaler = TensorScaler(**params).fit(X)
    (output,) = run(to_onnx(scaler, X[:1]), X).values()
    expected = scaler.transform(X)
    assert output.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(output, expected, rtol=1e-6, atol=1e-6)


# -- skl2onnx's own entry point and options ------------------------------------


def test_skl2onnx_to_onnx_after_registration(iris_names):
    X, y = iris_names
    clf = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    )
    clf = fitted(clf, X, y)
    register_onnx_converters()
    register_onnx_converters()  # idempotent
    # skl2onnx's default for classifiers: a ZipMap of the probabilities
    outputs = run(skl2onnx.to_onnx(clf, X[:1]), X)
    assert_labels_equal(outputs["output_label"], clf.predict(X))
    proba = clf.predict_proba(X)
    for row, expected in zip(outputs["output_probability"], proba, strict=True):
        assert list(row) == list(clf.classes_)
        np.testing.assert_allclose(list(row.values()), expected, rtol=0, atol=ATOL)


def test_zipmap_columns(iris_names):
    X, y = iris_names
    clf = fitted(MLPClassifier(hidden_layer_sizes=(4,), random_state=0), X, y)
    outputs = run(to_onnx(clf, X[:1], zipmap="columns"), X)
    assert_labels_equal(outputs.pop("output_label"), clf.predict(X))
    assert list(outputs) == [f"s{name}" for name in clf.classes_]
    np.testing.assert_allclose(
        np.column_stack(list(outputs.values())),
        clf.predict_proba(X),
        rtol=0,
        atol=ATOL,
    )


def test_class_labels_output(iris_names):
    X, y = iris_names
    clf = fitted(MLPClassifier(hidden_layer_sizes=(4,), random_state=0), X, y)
    outputs = run(to_onnx(clf, X[:1], output_class_labels=True), X)
    assert_labels_equal(outputs["label"], clf.predict(X))
    assert outputs["class_labels"].tolist() == clf.classes_.tolist()


def test_class_indices_as_labels(iris_names):
    X, y = iris_names
    clf = fitted(MLPClassifier(hidden_layer_sizes=(4,), random_state=0), X, y)
    outputs = run(to_onnx(clf, X[:1], nocl=True), X)
    index = np.searchsorted(clf.classes_, clf.predict(X))
    assert_labels_equal(outputs["label"], index)


# -- errors ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(iris_names):
    X, y = iris_names
    return fitted(MLPClassifier(hidden_layer_sizes=(2,), max_iter=1), X, y), X


def test_opset_below_torch_export_is_refused(tiny):
    clf, X = tiny
    with pytest.raises(ValueError, match="target_opset >= 18"):
        to_onnx(clf, X[:1], target_opset=17)


@pytest.mark.parametrize(
    "shape, message",
    [((1, 3), r"samples of shape \(4,\).*\(3,\)"), ((1, 2, 2), r"\(2, 2\)")],
)
def test_input_of_another_shape_is_refused(tiny, shape, message):
    clf, _ = tiny
    with pytest.raises(ValueError, match=message):
        to_onnx(clf, np.zeros(shape, dtype=np.float32))


def test_string_input_is_refused(tiny):
    clf, _ = tiny
    with pytest.raises(TypeError, match="takes numbers.*OneHotEncoder"):
        to_onnx(clf, np.array([["a", "b", "c", "d"]]))


def test_unfitted_and_missing_inputs_are_refused(tiny):
    with pytest.raises(NotFittedError):
        to_onnx(MLPClassifier(), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="needs X"):
        to_onnx(tiny[0])
    with pytest.raises(TypeError, match="subclasses of sknn"):
        register_onnx_converters(StandardScaler)


def test_missing_packages_are_named(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxscript", None)
    with pytest.raises(ImportError, match="needs onnxscript"):
        to_onnx(*tiny)


# -- regressors -------------------------------------------------------------------


def assert_predictions_match(model, onx, parts, inputs=lambda part: part):
    """onnxruntime's ``variable`` equals ``predict`` (in the target's units,
    (N, n_outputs)) within a relative ``ATOL``, for each of ``parts``."""
    for part in parts:
        (predicted,) = run(onx, inputs(part)).values()
        expected = model.predict(part)
        assert predicted.shape == (len(part), model[-1].n_outputs_)
        np.testing.assert_allclose(
            predicted.reshape(expected.shape),
            expected,
            rtol=ATOL,
            atol=ATOL * np.abs(expected).max(),
        )


@pytest.mark.parametrize("loss", ["squared_error", "poisson", "quantile"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_mlp_regressor_pipeline_matches_predict(loss, n_outputs):
    X, y = load_diabetes(return_X_y=True)
    X = X.astype(np.float32)
    y = np.c_[y, 2 * y + 1000, y / 10][:, :n_outputs].squeeze()
    reg = make_pipeline(
        StandardScaler(), MLPRegressor(max_iter=5, loss=loss, random_state=0)
    )
    reg = fitted(reg, X, y)
    onx = to_onnx(reg, X[:1])
    assert [o.name for o in onx.graph.output] == ["variable"]
    assert_predictions_match(reg, onx, (X[:1], thousand_rows(X)))


def test_sequence_and_image_regressors_match_predict(digits_images):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 9, 2)).astype(np.float32)
    lengths = rng.integers(1, 10, size=len(X))
    X[np.arange(9)[None, :] >= lengths[:, None]] = np.nan
    rnn = RNNRegressor(hidden_size=8, max_iter=2, random_state=0)
    rnn = make_pipeline(fitted(rnn, X, lengths))
    assert_predictions_match(rnn, to_onnx(rnn, X[:1]), (X[:1], X))
    images, labels = digits_images
    cnn = CNNRegressor(filters=(8,), max_iter=2, random_state=0)
    cnn = make_pipeline(fitted(cnn, images[:300], labels[:300] * 100.0))
    assert_predictions_match(cnn, to_onnx(cnn, images[:1]), (images[:1], images))
    net = NeuralNetRegressor(module=ImageNet, max_iter=2, random_state=0)
    net = make_pipeline(fitted(net, images[:300], np.c_[labels[:300], -labels[:300]]))
    assert_predictions_match(net, to_onnx(net, images[:1]), (images[:1], images))
