"""Behaviour of CNNClassifier and of the image-folder loader."""

import ast
import math
import pickle
import re
import sys

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_class_weight_classifiers
from torch import nn
from torch.nn.utils import parametrize

from sknn import CNNRegressor
from sknn._cnn import CNNClassifier
from sknn.datasets import load_image_folder
from sknn.modules import CNN, make_pooling
from sknn.modules._cnn import feature_map_shapes
from sknn.normalization import (
    NORMALIZATION_METHODS,
    check_normalization,
    uses_batch_statistics,
)


def _fast(**params):
    """A small, quick CNN that still learns the test problems."""
    defaults = {
        "filters": (8,),
        "kernel_size": 3,
        "learning_rate": "constant",
        "max_iter": 15,
        "learning_rate_init": 0.01,
        "batch_size": 32,
        "dropout": 0.0,
        "random_state": 0,
    }
    return CNNClassifier(**{**defaults, **params})


def _conv(clf, block=0):
    """The convolution of a block (after its padding, for even kernels)."""
    layers = clf.module_.features[block]
    return next(
        m for m in layers if not isinstance(m, nn.modules.padding._ConstantPadNd)
    )


def _signals(shape, n=80, n_classes=2, seed=0):
    """Samples of ``shape`` (channels last) whose class shifts channel 0.

    Channels get different scales and a non-zero mean, so a network that
    ignores its input or mixes up the channels fails.
    """
    rng = np.random.RandomState(seed)
    y = np.arange(n) % n_classes
    X = rng.randn(n, *shape) * np.linspace(1.0, 3.0, shape[-1]) + 0.5
    shift = 1.5 * (y - (n_classes - 1) / 2).reshape((n,) + (1,) * len(shape))
    if len(shape) == 1:
        X += shift  # a table: one channel
    else:
        X[..., :1] += shift
    return X, y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.reshape(-1, 8, 8, 1) / 16.0, y


# -- input ranks and layouts ----------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "conv", "spatial", "channels"),
    [
        ((12,), nn.Conv1d, (12,), 1),
        ((12, 3), nn.Conv1d, (12,), 3),
        ((6, 7, 2), nn.Conv2d, (6, 7), 2),
        ((4, 5, 3, 2), nn.Conv3d, (4, 5, 3), 2),
    ],
)
def test_cnn_input_rank_selects_convolution(shape, conv, spatial, channels):
    X, y = _signals(shape)
    clf = _fast().fit(X, y)
    first = _conv(clf)
    assert type(first) is conv
    assert first.in_channels == channels
    assert clf.input_shape_ == shape
    assert clf.spatial_shape_ == spatial
    assert clf.n_channels_ == channels
    assert clf.n_features_in_ == math.prod(shape)
    assert clf.predict(X[:5]).shape == (5,)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("shape", [(10, 3), (6, 5, 3), (4, 3, 5, 2)])
def test_cnn_channels_first_equals_channels_last(shape):
    X, y = _signals(shape)
    X_first = np.moveaxis(X, -1, 1)
    last = _fast(dtype="float64", max_iter=5).fit(X, y)
    first = _fast(dtype="float64", max_iter=5, data_format="channels_first")
    first.fit(X_first, y)
    assert first.spatial_shape_ == last.spatial_shape_
    assert first.n_channels_ == last.n_channels_ == shape[-1]
    np.testing.assert_allclose(
        first.predict_proba(X_first), last.predict_proba(X), rtol=1e-10
    )
    # channels-first data is the wrong layout for the channels-last model
    with pytest.raises(ValueError, match="channels last"):
        last.predict(X_first)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape", [(6, 6, 3), (4, 4, 4, 2)])
def test_cnn_convolutions_see_channels_last_memory(data_format, shape):
    X, y = _signals(shape, n=20)
    if data_format == "channels_first":
        X = np.moveaxis(X, -1, 1)
    clf = _fast(max_iter=1, data_format=data_format).fit(X, y)
    memory_format = torch.channels_last if len(shape) == 3 else torch.channels_last_3d
    seen = []
    conv = clf.module_.features[0][0]
    handle = conv.register_forward_hook(
        lambda module, inputs, output: seen.append(
            inputs[0].is_contiguous(memory_format=memory_format)
        )
    )
    clf.predict(X)
    handle.remove()
    assert seen == [True]


def test_cnn_rank_ambiguity_rule_and_override():
    rng = np.random.RandomState(0)
    gray = rng.rand(60, 8, 9)
    y = np.arange(60) % 2
    gray[y == 1, 2:5, 3:6] += 1.0
    # the documented rule: (n, a, b) is a 1-D signal of a positions, b channels
    default = _fast(max_iter=3).fit(gray, y)
    assert isinstance(_conv(default), nn.Conv1d)
    assert (default.spatial_shape_, default.n_channels_) == ((8,), 9)
    # spatial_dims=2 reads it as one-channel images, the same network as on
    # (n, h, w, 1) images
    images = _fast(max_iter=3, spatial_dims=2).fit(gray, y)
    assert isinstance(images.module_.features[0][0], nn.Conv2d)
    assert (images.spatial_shape_, images.n_channels_) == ((8, 9), 1)
    assert images.input_shape_ == (8, 9)
    explicit = _fast(max_iter=3).fit(gray[..., None], y)
    np.testing.assert_array_equal(
        images.predict_proba(gray), explicit.predict_proba(gray[..., None])
    )
    # spatial_dims=2 still takes images with a channel axis
    rgb = _fast(max_iter=1, spatial_dims=2).fit(rng.rand(20, 8, 9, 3), y[:20])
    assert (rgb.spatial_shape_, rgb.n_channels_) == ((8, 9), 3)
    # spatial_dims=3 reads (n, d, h, w) as one-channel volumes
    volumes = _fast(max_iter=1, spatial_dims=3).fit(rng.rand(20, 3, 4, 5), y[:20])
    assert isinstance(volumes.module_.features[0][0], nn.Conv3d)
    assert volumes.n_channels_ == 1


@pytest.mark.parametrize(
    ("shape", "params", "match"),
    [
        ((10,), {"spatial_dims": 2}, "spatial_dims=2 needs samples with 2"),
        ((4, 4, 4, 4), {"spatial_dims": 1}, "got samples of shape (4, 4, 4, 4)"),
        ((2, 3, 2, 3, 2), {}, "samples of 1 to 4 axes"),
    ],
)
def test_cnn_unsupported_ranks(shape, params, match):
    X = np.ones((6, *shape))
    with pytest.raises(ValueError, match=re.escape(match)):
        _fast(**params).fit(X, np.arange(6) % 2)


def test_cnn_shape_checked_at_predict(digits):
    X, y = digits
    clf = _fast(max_iter=1).fit(X[:100], y[:100])
    msg = (
        "X has samples of shape (8, 8, 3), but CNNClassifier was fitted on samples "
        "of shape (8, 8, 1) (2-D convolution over (8, 8) positions with 1 "
        "channel(s), channels last)."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        clf.predict(np.ones((2, 8, 8, 3)))
    wrong_shapes = (
        np.ones((2, 64)),
        pd.DataFrame(np.ones((2, 64))),
        np.ones((2, 8, 8)),
        np.ones((2, 1, 8, 8)),
    )
    for wrong in wrong_shapes:
        with pytest.raises(ValueError, match=r"fitted on samples of shape \(8, 8, 1\)"):
            clf.predict_proba(wrong)
    with pytest.raises(ValueError, match=r"fitted on samples of shape"):
        clf.fit(X[:20], y[:20], X_val=X[:10, :4], y_val=y[:10])
    # tables keep scikit-learn's message
    table = _fast(max_iter=1).fit(np.ones((20, 5)), np.arange(20) % 2)
    msg = "X has 4 features, but CNNClassifier is expecting 5 features as input"
    with pytest.raises(ValueError, match=msg):
        table.predict(np.ones((3, 4)))


def test_cnn_partial_fit_checks_shape():
    X, y = _signals((5, 5, 2), n=40)
    clf = _fast()
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.history_) == 2
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        clf.partial_fit(X[:, :4], y)


def test_cnn_images_through_the_shared_training_options():
    X, y = _signals((6, 6, 2), n=60)
    clf = _fast(early_stopping=True, n_iter_no_change=3, max_iter=30)
    clf.fit(X, y, sample_weight=np.linspace(0.5, 2.0, 60))
    assert clf.validation_scores_ is not None
    assert clf.best_epoch_ is not None
    warm = _fast(warm_start=True, max_iter=2, class_weight="balanced")
    warm.fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ == 2 and len(warm.history_) == 4
    explicit = _fast(max_iter=2).fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    assert len(explicit.validation_scores_) == 2


def test_cnn_tables_and_dataframes():
    X, y = load_breast_cancer(return_X_y=True)
    frame = pd.DataFrame(X[:, :10], columns=[f"f{i}" for i in range(10)])
    clf = _fast(max_iter=20).fit(frame, y)
    assert isinstance(_conv(clf), nn.Conv1d)
    assert clf.spatial_shape_ == (10,)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"f0": "other"}))
    model = make_pipeline(StandardScaler(), _fast(max_iter=30))
    assert cross_val_score(model, X, y, cv=3).mean() > 0.9


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cnn_uint8_images_as_they_are(dtype):
    rng = np.random.RandomState(0)
    images = rng.randint(0, 200, size=(40, 10, 10, 3)).astype(np.uint8)
    y = np.arange(40) % 2
    images[y == 1, :, :, 0] += 50
    clf = _fast(dtype=dtype).fit(images, y)
    assert clf.score(images, y) > 0.9
    as_float = _fast(dtype=dtype).fit(images.astype(dtype), y)
    np.testing.assert_array_equal(
        clf.predict_proba(images), as_float.predict_proba(images.astype(dtype))
    )
    assert next(clf.module_.parameters()).dtype == getattr(torch, dtype)


# -- targets ---------------------------------------------------------------------


def test_cnn_binary_multiclass_multilabel():
    X, y = _signals((6, 6, 2), n=90, n_classes=3)
    binary = _fast().fit(X, np.array(["cat", "non_cat"])[y % 2])
    assert (binary.n_outputs_, binary.target_type_) == (1, "binary")
    assert set(binary.predict(X)) <= {"cat", "non_cat"}
    proba = binary.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)

    multi = _fast().fit(X, y)
    assert (multi.n_outputs_, multi.target_type_) == (3, "multiclass")
    assert multi.predict_proba(X).shape == (90, 3)
    assert multi.score(X, y) > 0.8

    Y = np.column_stack([y == 0, y == 2, X[:, 0, 0, 1] > 0.5]).astype(int)
    multilabel = _fast().fit(X, Y)
    assert multilabel.target_type_ == "multilabel-indicator"
    pred = multilabel.predict(X)
    assert pred.shape == Y.shape
    np.testing.assert_array_equal(pred, (multilabel.predict_proba(X) > 0.5) * 1)
    assert (pred[:, :2] == Y[:, :2]).mean() > 0.8


# -- the network -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pooling", "shape", "kernel", "out"),
    [
        ("max", (8, 8), (2, 2), (4, 4)),
        ("max", (5,), (2,), (3,)),
        ("avg", (3, 1), (2, 1), (2, 1)),
        ("max", (1, 1, 6), (1, 1, 2), (1, 1, 3)),
        ("avg", (1,), None, (1,)),
        (None, (8, 8), None, (8, 8)),
    ],
)
def test_cnn_pooling_never_shrinks_below_one(pooling, shape, kernel, out):
    layer, left = make_pooling(pooling, shape)
    assert left == out
    if kernel is None:
        assert isinstance(layer, nn.Identity)
    else:
        assert tuple(layer.kernel_size) == kernel
    x = torch.arange(2.0 * math.prod(shape)).reshape(1, 2, *shape)
    assert layer(x).shape[2:] == out


def test_cnn_avg_pooling_at_an_odd_edge():
    layer, _ = make_pooling("avg", (5,))
    x = torch.tensor([[[1.0, 3.0, 5.0, 7.0, 9.0]]])
    # the last window holds one position and averages over it alone
    np.testing.assert_allclose(layer(x)[0, 0], [2.0, 6.0, 9.0])


def test_cnn_many_blocks_on_tiny_images(digits):
    X, y = digits
    clf = _fast(filters=(4, 4, 4, 4, 4), max_iter=2).fit(X[:100], y[:100])
    pools = [block[3] for block in clf.module_.features]
    # 8 -> 4 -> 2 -> 1, then nothing is left to pool
    assert [type(p).__name__ for p in pools] == ["MaxPool2d"] * 3 + ["Identity"] * 2
    assert clf.predict(X[:3]).shape == (3,)


def test_cnn_forward_matches_functional_reference():
    torch.manual_seed(0)
    module = CNN((5, 6, 2), 3, filters=(4,), pooling=None, normalization="batch").eval()
    conv, norm = module.features[0][0], module.features[0][1]
    norm.running_mean.uniform_(-1, 1)
    norm.running_var.uniform_(0.5, 2)
    x = torch.randn(7, 5, 6, 2) * torch.tensor([1.0, 4.0]) + 2.0
    h = F.conv2d(x.permute(0, 3, 1, 2), conv.weight, conv.bias, padding=1)
    h = F.batch_norm(h, norm.running_mean, norm.running_var, norm.weight, norm.bias)
    expected = module.output(F.relu(h).mean(dim=(2, 3)))
    torch.testing.assert_close(module(x), expected)


def test_cnn_dense_head_and_dropout():
    X, y = _signals((6, 6, 1), n=40)
    clf = _fast(filters=(4, 6), dense_layer_sizes=(16, 8), dropout=0.3).fit(X, y)
    linears = [m for m in clf.module_.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (6, 16),
        (16, 8),
        (8, 1),
    ]
    dropouts = [m.p for m in clf.module_.modules() if isinstance(m, nn.Dropout)]
    assert dropouts == [0.3] * 4
    # evaluation mode at predict: deterministic
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("shape", [(10, 2), (6, 6, 2), (4, 4, 4, 2)])
@pytest.mark.parametrize("normalization", [None, *NORMALIZATION_METHODS])
def test_cnn_every_normalization_trains(normalization, shape):
    X, y = _signals(shape, n=40)
    clf = _fast(normalization=normalization, max_iter=3, dense_layer_sizes=(4,))
    clf.fit(X, y)
    assert np.all(np.isfinite(clf.loss_curve_))
    assert np.all(np.isfinite(clf.predict_proba(X)))
    conv, norm = clf.module_.features[0][:2]
    reparametrized = normalization in ("weight", "spectral")
    assert parametrize.is_parametrized(conv) == reparametrized
    assert isinstance(norm, nn.Identity) == (reparametrized or normalization is None)
    # the dense head is not normalized
    assert [type(m) for m in clf.module_.hidden] == [nn.Linear, nn.ReLU]


@pytest.mark.slow
def test_cnn_grid_search_over_every_normalization(digits):
    X, y = digits
    X, y = X[:600], y[:600]
    search = GridSearchCV(
        _fast(filters=(16, 32), max_iter=15),
        {"normalization": [None, *NORMALIZATION_METHODS]},
        cv=3,
        error_score="raise",
    )
    search.fit(X, y)
    scores = dict(
        zip(
            search.cv_results_["param_normalization"],
            search.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    assert len(scores) == len(NORMALIZATION_METHODS) + 1
    # every method learns digits well above chance (0.1)
    assert min(scores.values()) > 0.5, scores


@pytest.mark.parametrize(
    ("normalization", "options"),
    [
        ("BatchNorm", None),
        ("batch", {"groups": 2}),
        ("group", {"groups": 0}),
    ],
)
def test_cnn_normalization_errors_are_the_registry_s(normalization, options):
    with pytest.raises((ValueError, TypeError)) as expected:
        check_normalization(normalization, spatial_dims=2, options=options)
    X, y = _signals((4, 4, 1), n=10)
    clf = _fast(normalization=normalization, normalization_kwargs=options)
    with pytest.raises(expected.type, match=re.escape(str(expected.value))):
        clf.fit(X, y)


def test_cnn_normalization_options_per_method_and_rank():
    X, y = _signals((6, 6, 2), n=40)
    options = {"group": {"groups": 2}, "batch": {"momentum": 0.5}}
    group = _fast(filters=(8,), normalization="group", normalization_kwargs=options)
    assert group.fit(X, y).module_.features[0][1].num_groups == 2
    batch = _fast(normalization="batch", normalization_kwargs=options).fit(X, y)
    norm = batch.module_.features[0][1]
    assert (type(norm), norm.momentum) == (nn.BatchNorm2d, 0.5)
    volumes = _fast(normalization="instance").fit(*_signals((3, 3, 3, 2), n=40))
    assert type(volumes.module_.features[0][1]) is nn.InstanceNorm3d


def test_cnn_group_count_must_divide_filters():
    X, y = _signals((4, 4, 1), n=10)
    clf = _fast(filters=(6,), normalization="group", normalization_kwargs={"groups": 4})
    with pytest.raises(ValueError, match="groups=4 does not divide the 6 channels"):
        clf.fit(X, y)


# -- feature maps of a single position -------------------------------------------


@pytest.mark.parametrize(
    ("shape", "filters", "pooling"),
    [
        ((8, 8, 1), (2, 2, 2, 2, 2), "max"),
        ((5, 3), (2, 2, 2), "avg"),
        ((3, 1, 4, 2), (2, 2), "max"),
        ((6, 6, 1), (2, 2), None),
        ((1, 1, 1), (2,), "max"),
    ],
)
def test_feature_map_shapes_are_what_each_normalization_sees(shape, filters, pooling):
    module = CNN(shape, 2, filters=filters, pooling=pooling, normalization="batch")
    seen = []
    for block in module.features:
        block[1].register_forward_hook(
            lambda layer, inputs, output: seen.append(tuple(inputs[0].shape[2:]))
        )
    module.eval()(torch.zeros(3, *shape))
    assert feature_map_shapes(shape[:-1], len(filters), pooling) == seen


_ONE_POSITION = {
    # input, filters, where it happens, what to change
    "1x1 image": ((1, 1, 1), (4,), "block 1 normalizes the input itself", "larger"),
    "signal of length 1": ((1, 3), (4, 4), "block 1 normalizes the input", "larger"),
    "pooled to 1x1": (
        (4, 4, 1),
        (4, 4, 4, 4),
        "block 3 of filters=(4, 4, 4, 4) normalizes maps of a single position "
        "(the 'max' pooling of blocks 1 to 2 shrinks the (4, 4) input to (1, 1))",
        "at most 2 blocks (fewer pooling stages), pooling=None",
    ),
    "pooled to 1x1x1": (
        (2, 2, 2, 1),
        (4, 4),
        "block 2 of filters=(4, 4) normalizes maps of a single position (the "
        "'max' pooling of block 1 shrinks the (2, 2, 2) input to (1, 1, 1))",
        "at most 1 block (fewer",
    ),
}


@pytest.mark.parametrize("estimator", [CNNClassifier, CNNRegressor])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("normalization", ["instance", "batch_instance"])
@pytest.mark.parametrize("case", list(_ONE_POSITION))
def test_cnn_instance_statistics_need_two_positions(
    case, normalization, method, estimator
):
    shape, filters, where, change = _ONE_POSITION[case]
    X, y = _signals(shape, n=20)
    model = estimator(
        filters=filters, kernel_size=1, normalization=normalization, random_state=0
    )
    fit = getattr(model, method)
    kwargs = {}
    if method == "partial_fit" and estimator is CNNClassifier:
        kwargs["classes"] = [0, 1]
    with pytest.raises(ValueError) as error:
        fit(X, y, **kwargs)
    message = str(error.value)
    assert message.startswith(f"normalization={normalization!r} standardizes each")
    assert where in message
    assert change in message
    assert "'group' or 'layer'" in message
    assert not hasattr(model, "net_")  # refused before anything was trained


@pytest.mark.parametrize("estimator", [CNNClassifier, CNNRegressor])
@pytest.mark.parametrize("normalization", ["batch", "batch_renorm", "switchable"])
@pytest.mark.parametrize("case", list(_ONE_POSITION))
def test_cnn_batch_statistics_need_two_values_per_channel(
    case, normalization, estimator
):
    shape, filters, where, change = _ONE_POSITION[case]
    X, y = _signals(shape, n=20)
    params = {"filters": filters, "kernel_size": 1, "normalization": normalization}
    # batches of one sample: batch_size=1, or a first partial_fit chunk of one row
    one_by_one = estimator(batch_size=1, random_state=0, **params)
    with pytest.raises(ValueError, match=r"one sample \(batch_size=1\)") as error:
        one_by_one.fit(X, y)
    chunk = estimator(random_state=0, **params)
    kwargs = {"classes": [0, 1]} if estimator is CNNClassifier else {}
    with pytest.raises(ValueError, match="one sample \\(a single training sample"):
        chunk.partial_fit(X[:1], y[:1], **kwargs)
    message = str(error.value)
    assert message.startswith(f"normalization={normalization!r} takes each channel")
    assert where in message
    assert change in message
    assert "batch_size >= 2" in message
    assert not hasattr(one_by_one, "net_") and not hasattr(chunk, "net_")
    # two samples a batch give each channel two values: it trains
    model = estimator(batch_size=2, max_iter=1, random_state=0, **params)
    with pytest.warns(UserWarning, match="batch_size=2"):
        model.fit(X, y)
    assert np.isfinite(model.loss_).all()


@pytest.mark.parametrize(
    ("normalization", "batch_size", "shape", "filters"),
    [
        ("batch", 1, (2, 1, 1), (4,)),  # one sample, two positions a channel
        ("batch", 1, (4, 4, 1), (4, 4)),  # maps of (4, 4), then (2, 2)
        ("instance", 4, (4, 4, 1), (4, 4)),  # the last pooling leaves (1, 1)
        ("batch_instance", 4, (3, 1), (4,)),
        ("group", 1, (1, 1, 1), (4, 4)),  # statistics over channels
        ("layer", 1, (1, 3), (4,)),
        (None, 1, (1, 1, 1), (4,)),
    ],
)
def test_cnn_small_feature_maps_that_train(normalization, batch_size, shape, filters):
    X, y = _signals(shape, n=8)
    clf = _fast(
        filters=filters,
        pooling="max",
        normalization=normalization,
        batch_size=batch_size,
        max_iter=1,
    )
    if uses_batch_statistics(normalization):
        with pytest.warns(UserWarning, match=f"batch_size={batch_size}"):
            clf.fit(X, y)
    else:
        clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()


# -- the training plan and scikit-learn's class_weight check -----------------------


@pytest.mark.usefixtures("one_thread")
def test_cnn_defaults_pass_the_class_weight_check():
    # The check fits a noisy table of 50 rows and 2 features (signals of length
    # 2 to the CNN) with class_weight={0: 1000, others: 1e-4}, max_iter=1000 and
    # n_iter_no_change=20, then wants class 0 for more than 87% of the test
    # rows. A cosine over 1000 epochs ran its course for minutes and fitted
    # the classes the weights ask to ignore; a plateau now stops it.
    check_class_weight_classifiers("CNNClassifier", CNNClassifier())


def test_cnn_an_int_max_iter_is_a_ceiling_under_the_auto_schedule():
    X, y = _signals((12, 1), n=32)
    y = np.random.RandomState(0).randint(0, 2, 32)  # noise: the loss soon stalls
    params = {"filters": (4,), "max_iter": 200, "n_iter_no_change": 2, "tol": 1.0}
    auto = CNNClassifier(random_state=0, **params).fit(X, y)
    assert auto.n_iter_ < 10
    assert "cosine" not in dict(auto.net_.callbacks_)
    # an explicit cosine still runs its course over max_iter epochs
    params["max_iter"] = 20
    cosine = CNNClassifier(learning_rate="cosine", random_state=0, **params)
    assert cosine.fit(X, y).n_iter_ == 20
    # and max_iter="auto" plans a cosine over the run (at least 200 steps)
    planned = CNNClassifier(
        filters=(2,), kernel_size=1, normalization=None, random_state=0
    )
    planned.fit(X[:4, :2], y[:4])
    assert "cosine" in dict(planned.net_.callbacks_)
    assert planned.n_iter_ == dict(planned.net_.callbacks_)["cosine"].steps >= 200


# -- parameters, devices, state ----------------------------------------------------


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"filters": ()}, "filters must be a positive int or a non-empty"),
        ({"filters": (8, 0)}, "filters must be"),
        ({"filters": "wide"}, "'filters' parameter"),
        ({"dense_layer_sizes": (0,)}, "dense_layer_sizes must be"),
        ({"kernel_size": 0}, "'kernel_size' parameter"),
        ({"pooling": "min"}, "'pooling' parameter"),
        ({"data_format": "NHWC"}, "'data_format' parameter"),
        ({"spatial_dims": 4}, "'spatial_dims' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"device": "tpu"}, "device='tpu'"),
    ],
)
def test_cnn_bad_parameters(params, match):
    X, y = _signals((4, 4, 1), n=10)
    with pytest.raises((ValueError, TypeError), match=re.escape(match)):
        _fast(**params).fit(X, y)


def test_cnn_documented_defaults_match_the_signature():
    documented = dict(
        re.findall(
            r"^\s*(\w+) : [^\n]*, default=([^\n]+)$", CNNClassifier.__doc__, re.M
        )
    )
    params = CNNClassifier().get_params()
    assert set(params) - {"beta_1", "beta_2"} <= set(documented)
    for name, text in documented.items():
        assert ast.literal_eval(text) == params[name], name


def test_cnn_cuda_requested_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    X, y = _signals((4, 4, 1), n=10)
    with pytest.raises(ValueError, match="CUDA is not available"):
        _fast(device="cuda").fit(X, y)


@pytest.mark.cuda
def test_cnn_trains_the_same_on_cpu_and_cuda(trains_the_same):
    # well-separated blobs as 4 x 4 images: no sample near a tie, so the
    # labels must agree
    X, y = make_blobs(n_samples=300, n_features=16, centers=3, random_state=0)
    X = X.reshape(-1, 4, 4, 1)
    cpu = _fast(device="cpu", max_iter=10).fit(X, y)
    gpu = _fast(device="cuda", max_iter=10).fit(X, y)
    assert gpu.device_.startswith("cuda")
    assert next(gpu.module_.parameters()).is_cuda
    # it learns: this configuration scores 1.0 on the CPU (its loss goes
    # from 1.03 to 0.022)
    trains_the_same(cpu, gpu, X, y)


def test_cnn_unfitted_errors():
    clf = _fast()
    with pytest.raises(NotFittedError):
        clf.predict(np.ones((2, 4, 4, 1)))
    with pytest.raises(NotFittedError):
        clf.module_  # noqa: B018


def test_cnn_reproducible_and_leaves_global_rng_alone():
    X, y = _signals((6, 6, 2), n=60)
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    first = _fast(dropout=0.3).fit(X, y).predict_proba(X)
    second = _fast(dropout=0.3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    other = _fast(dropout=0.3, random_state=1).fit(X, y).predict_proba(X)
    assert not np.allclose(first, other)


@pytest.mark.parametrize("normalization", [None, "batch", "weight", "spectral"])
def test_cnn_pickle_and_clone(normalization):
    X, y = _signals((6, 6, 2), n=40)
    clf = _fast(normalization=normalization, max_iter=3).fit(X, y)
    torch_state = torch.get_rng_state()
    restored = pickle.loads(pickle.dumps(clf))
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.input_shape_ == (6, 6, 2)
    # the optimizer still updates the restored network's own parameters
    optimized = {
        id(p) for g in restored.net_.optimizer_.param_groups for p in g["params"]
    }
    assert {id(p) for p in restored.module_.parameters()} == optimized
    before = restored.predict_proba(X)
    restored.partial_fit(X, y)
    assert not np.allclose(restored.predict_proba(X), before)
    fresh = clone(clf)
    assert not hasattr(fresh, "net_")
    assert fresh.get_params() == clf.get_params()


def test_cnn_training_continues_identically_after_pickling():
    X, y = _signals((6, 6, 2), n=40)  # batches of 32 and 8: two penalties
    clf = _fast(max_iter=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.partial_fit(X, y)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_cnn_unpickled_batch_instance_keeps_rho_in_range():
    # the layers that constrain their parameters are the restored ones
    X, y = _signals((6, 6, 2), n=40)
    clf = _fast(normalization="batch_instance", learning_rate_init=0.5, max_iter=2)
    restored = pickle.loads(pickle.dumps(clf.fit(X, y)))
    for _ in range(5):
        restored.partial_fit(X, y)
    rho = restored.module_.features[0][1].rho
    assert 0.0 <= rho.min().item() <= rho.max().item() <= 1.0


# -- results ---------------------------------------------------------------------


def test_cnn_digits_default_accuracy(digits):
    X, y = digits
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    assert CNNClassifier(random_state=0).fit(X_tr, y_tr).score(X_te, y_te) > 0.97


@pytest.mark.slow
def test_cnn_digits_default_cross_validation(digits):
    X, y = digits
    scores = cross_val_score(CNNClassifier(random_state=0), X, y, cv=5)
    assert scores.mean() >= 0.97


# -- the image-folder loader --------------------------------------------------------


def _save(path, size=(12, 10), color=(200, 30, 60), mode="RGB", **kwargs):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path, **kwargs)


def test_load_image_folder_classes_resizing_and_formats(tmp_path):
    pytest.importorskip("PIL")
    _save(tmp_path / "non_cat" / "b.png", size=(30, 20), color=(0, 0, 255))
    _save(tmp_path / "non_cat" / "a.JPG", size=(8, 8), color=(0, 255, 0))
    _save(tmp_path / "cat" / "x.png", color=(255, 0, 0))
    _save(tmp_path / "cat" / "nested" / "y.gif", mode="L", color=128)
    _save(tmp_path / "cat" / "z.png", mode="RGBA", color=(10, 20, 30, 40))
    _save(tmp_path / "cat" / "p.bmp", mode="P", color=3)
    # not images, or hidden: ignored
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    (tmp_path / "cat" / ".DS_Store").write_bytes(b"\0\1")
    _save(tmp_path / "cat" / ".hidden" / "h.png")
    _save(tmp_path / ".thumbnails" / "t.png")
    (tmp_path / "README.md").write_text("the data set")

    X, y = load_image_folder(tmp_path, size=(16, 24))
    assert X.shape == (6, 16, 24, 3)
    assert X.dtype == np.uint8
    assert y.tolist() == ["cat"] * 4 + ["non_cat"] * 2
    # sorted by path within a class; solid colours survive resizing
    np.testing.assert_array_equal(X[0, 5, 5], [128, 128, 128])  # nested/y.gif
    np.testing.assert_array_equal(X[2, 5, 5], [255, 0, 0])  # x.png
    np.testing.assert_array_equal(X[3, 5, 5], [10, 20, 30])  # RGBA, alpha dropped
    np.testing.assert_array_equal(X[5], np.broadcast_to([0, 0, 255], (16, 24, 3)))
    assert np.abs(X[4].astype(int) - [0, 255, 0]).max() <= 2  # JPEG
    gray, _ = load_image_folder(tmp_path, size=(4, 4), color_mode="grayscale")
    assert gray.shape == (6, 4, 4, 1)


def test_load_image_folder_keeps_sizes_and_applies_exif(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    _save(tmp_path / "a" / "1.png", size=(12, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate by 90 degrees to display
    _save(tmp_path / "b" / "2.png", size=(10, 12), exif=exif)
    X, y = load_image_folder(tmp_path, size=None)
    assert X.shape == (2, 10, 12, 3)
    _save(tmp_path / "b" / "3.png", size=(5, 5))
    with pytest.raises(ValueError, match=r"different sizes .*pass size="):
        load_image_folder(tmp_path, size=None)


def test_load_image_folder_errors(tmp_path):
    pytest.importorskip("PIL")
    with pytest.raises(FileNotFoundError, match="No such folder"):
        load_image_folder(tmp_path / "missing")
    (tmp_path / "file.png").write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        load_image_folder(tmp_path / "file.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="has no class subfolders"):
        load_image_folder(empty)
    (empty / "cat").mkdir()
    (empty / "cat" / "notes.txt").write_text("no images here")
    with pytest.raises(ValueError, match="holds no image file"):
        load_image_folder(empty)
    (empty / "cat" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="Cannot read the image file .*broken.png"):
        load_image_folder(empty)
    for size in [(0, 4), (4,), 64, (4.0, 4)]:
        with pytest.raises(ValueError, match="size must be None or a pair"):
            load_image_folder(empty, size=size)
    with pytest.raises(ValueError, match="color_mode"):
        load_image_folder(empty, color_mode="cmyk")


def test_load_image_folder_without_pillow(tmp_path, monkeypatch):
    (tmp_path / "cat").mkdir()
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"sknn-torch\[images\]"):
        load_image_folder(tmp_path)


def test_load_image_folder_feeds_the_cnn(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.RandomState(0)
    for i in range(12):
        for label, color in (("cat", (220, 120, 40)), ("non_cat", (40, 120, 220))):
            _save(tmp_path / label / f"{i}.png", color=color)
    X, y = load_image_folder(tmp_path, size=(8, 8))
    X = np.clip(X + rng.randint(-30, 30, X.shape), 0, 255).astype(np.uint8)
    clf = _fast().fit(X, y)
    assert clf.score(X, y) == 1.0
    assert set(clf.classes_) == {"cat", "non_cat"}
