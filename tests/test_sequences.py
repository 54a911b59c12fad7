"""Sequences: RNNClassifier, and CNNClassifier on signals of any length."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from sknn import CNNClassifier, RNNClassifier
from sknn.modules import RNN

FAST_RNN = {
    "hidden_size": 16,
    "batch_size": 32,
    "learning_rate_init": 1e-2,
    "random_state": 0,
}
FAST_CNN = {
    "filters": (8, 8),
    "kernel_size": 5,
    "batch_size": 32,
    "learning_rate_init": 1e-2,
    "random_state": 0,
}


def order_task(n, rng, *, lengths=(12, 24), n_features=1):
    """Sequences of unequal lengths holding a bump (+3) and a dip (-3); the
    label says whether the bump comes first. Both patterns are in every
    sequence, so only a model that reads the order can solve it."""
    X, y = [], []
    for _ in range(n):
        length = rng.randint(lengths[0], lengths[1] + 1)
        sequence = rng.normal(scale=0.3, size=(length, n_features))
        first, second = sorted(rng.choice(length, size=2, replace=False))
        bump_first = rng.rand() < 0.5
        sequence[first, 0] += 3.0 if bump_first else -3.0
        sequence[second, 0] += -3.0 if bump_first else 3.0
        X.append(sequence)
        y.append(int(bump_first))
    return X, np.array(y)


def pad(X, length=None):
    """The list of sequences as one array padded at the end with NaN."""
    length = length or max(len(s) for s in X)
    padded = np.full((len(X), length, X[0].shape[1]), np.nan)
    for i, s in enumerate(X):
        padded[i, : len(s)] = s
    return padded


# -- what the models learn ------------------------------------------------------


def test_rnn_solves_a_task_only_order_aware_models_can():
    rng = np.random.RandomState(0)
    X, y = order_task(400, rng)
    X_test, y_test = order_task(200, rng)
    clf = RNNClassifier(max_iter=25, **FAST_RNN).fit(X, y)
    assert clf.score(X_test, y_test) > 0.9
    # order-free summaries of the same sequences carry no signal
    summary = [np.r_[np.sort(s[:, 0])[[0, -1]], s.mean(), len(s)] for s in X]
    test_summary = [np.r_[np.sort(s[:, 0])[[0, -1]], s.mean(), len(s)] for s in X_test]
    baseline = LogisticRegression().fit(summary, y)
    assert baseline.score(test_summary, y_test) < 0.65


def test_cnn_solves_the_order_task_on_sequences_of_unequal_lengths():
    rng = np.random.RandomState(1)
    X, y = order_task(400, rng)
    X_test, y_test = order_task(200, rng)
    clf = CNNClassifier(max_iter=25, **FAST_CNN).fit(X, y)
    assert clf.spatial_shape_ == (24,)  # the longest training sequence
    assert clf.score(X_test, y_test) > 0.85


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_rnn_learns_from_the_right_feature_of_multivariate_sequences(cell):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10, 3))
    y = (X[:, :, 2].sum(axis=1) > 0).astype(int)
    clf = RNNClassifier(cell=cell, max_iter=20, **FAST_RNN).fit(X, y)
    assert clf.n_features_in_ == 3
    assert clf.input_shape_ == (10, 3)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
def test_rnn_multiclass_and_multilabel(pooling):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 8, 2))
    y = np.digitize(X[:, :, 0].mean(axis=1), [-0.15, 0.15])
    clf = RNNClassifier(pooling=pooling, max_iter=5, **FAST_RNN).fit(X, y)
    assert clf.predict_proba(X).shape == (120, 3)
    Y = np.c_[X[:, 0, 0] > 0, X[:, -1, 1] > 0].astype(int)
    multilabel = RNNClassifier(pooling=pooling, max_iter=5, **FAST_RNN).fit(X, Y)
    assert multilabel.predict(X).shape == (120, 2)


# -- padding is never seen --------------------------------------------------------


@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
@pytest.mark.parametrize("normalization", [None, "layer", "rms"])
def test_rnn_prediction_does_not_depend_on_padding(pooling, normalization):
    rng = np.random.RandomState(0)
    X, y = order_task(60, rng, n_features=2)
    clf = RNNClassifier(
        pooling=pooling,
        normalization=normalization,
        num_layers=2,
        max_iter=2,
        **FAST_RNN,
    ).fit(X, y)
    from_list = clf.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(pad(X)), from_list, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(pad(X, 50)), from_list, atol=1e-6)
    alone = np.vstack([clf.predict_proba([s]) for s in X[:5]])
    np.testing.assert_allclose(alone, from_list[:5], atol=1e-6)


def test_training_on_a_list_or_on_nan_padding_gives_the_same_model():
    rng = np.random.RandomState(0)
    X, y = order_task(80, rng)
    from_list = RNNClassifier(max_iter=3, **FAST_RNN).fit(X, y)
    from_padded = RNNClassifier(max_iter=3, **FAST_RNN).fit(pad(X, 40), y)
    assert from_padded.input_shape_ == (40, 1)
    np.testing.assert_allclose(
        from_list.predict_proba(X), from_padded.predict_proba(X), atol=1e-5
    )


def test_cnn_resamples_sequences_to_the_training_length():
    rng = np.random.RandomState(0)
    X, y = order_task(60, rng)
    clf = CNNClassifier(max_iter=2, **FAST_CNN).fit(X, y)
    # a NaN-padded array is the same data as the list
    np.testing.assert_allclose(
        clf.predict_proba(pad(X, 40)), clf.predict_proba(X), atol=1e-6
    )
    # a sequence is stretched linearly to the training length, 24 steps
    short = X[0]
    stretched = np.interp(
        np.linspace(0, len(short) - 1, 24), np.arange(len(short)), short[:, 0]
    )
    np.testing.assert_allclose(
        clf.predict_proba([short]),
        clf.predict_proba(stretched[None, :, None]),
        atol=1e-6,
    )
    # longer sequences than any in fit are squeezed to it
    long = rng.normal(size=(3, 70, 1))
    assert clf.predict_proba(long).shape == (3, 2)


def test_rnn_predicts_sequences_longer_than_any_in_fit():
    rng = np.random.RandomState(0)
    X, y = order_task(60, rng)
    clf = RNNClassifier(max_iter=2, **FAST_RNN).fit(X, y)
    X_long, _ = order_task(10, rng, lengths=(30, 40))
    proba = clf.predict_proba(X_long)
    assert proba.shape == (10, 2)
    assert np.isfinite(proba).all()


@pytest.mark.parametrize(
    ("estimator", "X_shape"),
    [
        (RNNClassifier(max_iter=2, **FAST_RNN), (40, 15, 3)),
        (CNNClassifier(max_iter=2, **FAST_CNN), (40, 15, 3)),
    ],
    ids=["rnn", "cnn"],
)
def test_channels_first_and_last_give_the_same_model(estimator, X_shape):
    rng = np.random.RandomState(0)
    X = rng.normal(size=X_shape)
    y = (X[:, :5, 0].sum(axis=1) > 0).astype(int)
    last = clone(estimator).fit(X, y)
    first = clone(estimator).set_params(data_format="channels_first")
    first.fit(X.transpose(0, 2, 1), y)
    np.testing.assert_allclose(
        last.predict_proba(X), first.predict_proba(X.transpose(0, 2, 1)), atol=1e-5
    )
    # lists too: (features, timesteps_i) per sequence
    ragged = [X[0, :9], X[1]]
    np.testing.assert_allclose(
        last.predict_proba(ragged),
        first.predict_proba([s.T for s in ragged]),
        atol=1e-5,
    )


def test_univariate_sequences_as_a_table_or_with_a_feature_axis():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 12))
    y = (X[:, 0] > 0).astype(int)
    table = RNNClassifier(max_iter=2, **FAST_RNN).fit(X, y)
    assert table.n_features_in_ == 12
    sequences = RNNClassifier(max_iter=2, **FAST_RNN).fit(X[:, :, None], y)
    assert sequences.n_features_in_ == 1
    np.testing.assert_allclose(
        table.predict_proba(X), sequences.predict_proba(X[:, :, None]), atol=1e-5
    )
    # fitted on sequences, a table holds univariate sequences of any length
    assert sequences.predict(X[:, :7]).shape == (50,)


# -- training ------------------------------------------------------------------------


def test_cosine_schedule_decays_the_learning_rate_to_zero():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 6, 1))
    y = (X[:, 0, 0] > 0).astype(int)
    clf = RNNClassifier(max_iter=4, **FAST_RNN).fit(X, y)
    rates = [group["lr"] for group in clf.net_.optimizer_.param_groups]
    assert rates == [pytest.approx(0.0, abs=1e-12)]
    assert clf.n_iter_ == 4


def test_a_cosine_schedule_runs_its_course_unless_validation_stops_it():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 6, 1))
    y = rng.randint(0, 2, 64)  # noise: the training loss soon stops improving
    params = {**FAST_RNN, "max_iter": 40, "n_iter_no_change": 2, "tol": 1.0}
    assert RNNClassifier(**params).fit(X, y).n_iter_ == 40
    stopped = RNNClassifier(early_stopping=True, **params).fit(X, y)
    assert stopped.n_iter_ < 10
    constant = RNNClassifier(learning_rate="constant", **params).fit(X, y)
    assert constant.n_iter_ < 10


def test_gradient_clipping_bounds_each_step():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 6, 1)) * 50
    y = (X[:, 0, 0] > 0).astype(int)
    params = {
        "hidden_size": 8,
        "solver": "sgd",
        "momentum": 0.0,
        "learning_rate": "constant",
        "learning_rate_init": 1.0,
        "batch_size": 64,
        "max_iter": 1,
        "random_state": 0,
    }

    def change(gradient_clipping):
        clf = RNNClassifier(gradient_clipping=gradient_clipping, **params)
        clf.set_params(max_iter=1, warm_start=True).fit(X, y)
        before = torch.cat([p.detach().flatten() for p in clf.module_.parameters()])
        clf.fit(X, y)
        after = torch.cat([p.detach().flatten() for p in clf.module_.parameters()])
        return float((after - before).norm())

    assert change(1e-3) == pytest.approx(1e-3, rel=1e-3)
    assert change(None) > 1e-2


def test_auto_batch_size_and_epochs_of_the_rnn():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5, 1))
    y = (X[:, 0, 0] > 0).astype(int)
    clf = RNNClassifier(hidden_size=8, random_state=0).fit(X, y)
    # 40 samples in batches of 16: 3 steps an epoch, 500 epochs make 1,500
    assert clf.n_iter_ == 500


def test_cnn_auto_defaults_resolve_by_kind_of_input():
    rng = np.random.RandomState(0)
    signal = CNNClassifier(max_iter=1, random_state=0)
    signal.fit(rng.normal(size=(20, 30, 2)), np.arange(20) % 2)
    convs = [m for m in signal.module_.modules() if isinstance(m, torch.nn.Conv1d)]
    assert [c.out_channels for c in convs] == [128, 256, 128]
    assert [c.kernel_size[0] for c in convs] == [8, 5, 3]
    image = CNNClassifier(max_iter=1, random_state=0)
    image.fit(rng.normal(size=(20, 8, 8, 1)), np.arange(20) % 2)
    convs = [m for m in image.module_.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 64]
    assert [c.kernel_size for c in convs] == [(3, 3), (3, 3)]


@pytest.mark.parametrize("kernel_size", [4, (6, 3)])
def test_cnn_even_and_per_block_kernels_keep_the_length(kernel_size):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 17, 1))
    clf = CNNClassifier(
        filters=(4, 4),
        kernel_size=kernel_size,
        pooling=None,
        max_iter=1,
        random_state=0,
    ).fit(X, np.arange(20) % 2)
    assert clf.predict_proba(X).shape == (20, 2)


# -- bad input ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted_rnn():
    rng = np.random.RandomState(0)
    X, y = order_task(40, rng, n_features=2)
    return RNNClassifier(max_iter=1, **FAST_RNN).fit(X, y)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros((4, 3, 2, 2)), "3-D array"),
        (
            [np.zeros((5, 2)), np.zeros((6, 3))],
            "same number of features: X\\[0\\] has 2",
        ),
        ([np.zeros((5, 2)), np.zeros((0, 2))], "X\\[1\\] is a sequence of length 0"),
        (np.zeros((4, 0, 2)), "length 0"),
        (np.zeros((0, 5, 2)), "0 sample"),
        ([np.zeros((5, 2)), np.full((4, 2), np.nan)], "length 0 \\(all NaN\\)"),
        (
            [np.zeros((5, 2)), [[1, 2], [np.nan, np.nan], [3, 4]]],
            "X\\[1\\].*time step 1",
        ),
        ([np.zeros((5, 2)), [[1, 2], [np.nan, 3]]], "X\\[1\\].*beside real values"),
        ([np.zeros((5, 2)), [[1, np.inf]]], "infinity \\(X\\[1\\] at time step 0\\)"),
        (
            [np.zeros((5, 2)), np.array([["a", "b"]])],
            "X\\[1\\] is not an array of numbers",
        ),
    ],
    ids=[
        "4-D",
        "ragged-features",
        "empty-sequence",
        "empty-steps",
        "no-samples",
        "all-nan",
        "nan-inside",
        "partial-step",
        "inf",
        "strings",
    ],
)
@pytest.mark.parametrize("stage", ["fit", "predict"])
def test_bad_sequences_get_clear_errors(fitted_rnn, X, match, stage):
    if stage == "fit":
        y = np.arange(len(X)) % 2
        with pytest.raises(ValueError, match=match):
            RNNClassifier(max_iter=1, **FAST_RNN).fit(X, y)
    else:
        with pytest.raises(ValueError, match=match):
            fitted_rnn.predict(X)


def test_bad_sequences_for_the_cnn_get_the_same_errors():
    X = [np.zeros((5, 2)), [[1, 2], [np.nan, np.nan], [3, 4]]]
    with pytest.raises(ValueError, match="X\\[1\\].*time step 1"):
        CNNClassifier(max_iter=1, **FAST_CNN).fit(X, [0, 1])


def test_other_number_of_features_at_predict(fitted_rnn):
    with pytest.raises(ValueError, match="X has 3 features per time step.*of 2"):
        fitted_rnn.predict(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="univariate sequences.*2 features"):
        fitted_rnn.predict(np.zeros((2, 5)))


def test_a_failed_refit_leaves_the_fitted_rnn_as_it_was(fitted_rnn):
    model = clone(fitted_rnn).fit(
        *order_task(40, np.random.RandomState(0), n_features=2)
    )
    before = model.predict_proba(np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="length 0"):
        model.fit([np.zeros((3, 2)), np.zeros((0, 2))], [0, 1])
    assert model.input_shape_ == (24, 2)
    np.testing.assert_array_equal(model.predict_proba(np.zeros((1, 4, 2))), before)


def test_sparse_and_table_nan_errors():
    import scipy.sparse as sp

    with pytest.raises(TypeError, match="Sparse data was passed for X"):
        RNNClassifier(max_iter=1).fit(sp.csr_matrix(np.eye(4)), [0, 1, 0, 1])
    X = np.zeros((4, 5))
    X[1, 4] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        RNNClassifier(max_iter=1).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("normalization", ["batch", "batch_renorm", "switchable"])
def test_batch_statistics_are_refused_for_recurrent_layers(normalization):
    X = np.zeros((4, 5, 1))
    with pytest.raises(ValueError, match="'layer' or 'rms'"):
        RNNClassifier(normalization=normalization).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="'layer' or 'rms'"):
        RNN((5, 1), 1, normalization=normalization)


def test_rnn_module_on_its_own():
    net = RNN((10,), 3, hidden_size=4, bidirectional=False, pooling="mean")
    x = torch.randn(2, 10)
    x[1, 6:] = float("nan")
    out = net(x)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(
        net(x[1:, :6]).detach().numpy(), out[1:].detach().numpy(), atol=1e-6
    )
    with pytest.raises(ValueError, match="input_shape must be"):
        RNN((2, 3, 4), 1)
    with pytest.raises(ValueError, match="cell must be one of"):
        RNN((2, 3), 1, cell="transformer")


def test_tensor_scaler_on_nan_padded_sequences():
    from sknn import TensorScaler

    rng = np.random.RandomState(0)
    X, _ = order_task(20, rng, n_features=2)
    padded = pad(X)
    scaled = TensorScaler(mode="channel").fit_transform(padded)
    np.testing.assert_array_equal(np.isnan(scaled), np.isnan(padded))
    np.testing.assert_allclose(np.nanmean(scaled, axis=(0, 1)), 0, atol=1e-6)
    with pytest.raises(ValueError, match="padded at the end with NaN"):
        TensorScaler(mode="channel").fit(X)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
def test_the_traceable_forward_equals_the_packed_one(cell, bidirectional, pooling):
    # What torch.export (and ONNX) see: masks instead of packed sequences.
    torch.manual_seed(0)
    net = RNN(
        (9, 3),
        2,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
        num_layers=2,
        normalization="layer",
        hidden_size=5,
    ).eval()
    x = torch.randn(4, 9, 3)
    x[1, 4:] = float("nan")
    x[2, 1:] = float("nan")
    with torch.no_grad():
        np.testing.assert_allclose(
            net._forward_masked(x).numpy(), net(x).numpy(), rtol=0, atol=1e-6
        )


# -- averaging over time before the recurrent layers ------------------------------


def test_downsampled_lengths_and_means_of_ragged_sequences():
    from sknn.modules._rnn import downsample_sequences

    rng = np.random.RandomState(0)
    lengths = [7, 1, 9, 3, 6]
    X = pad([rng.normal(size=(n, 2)) for n in lengths])
    x = torch.as_tensor(X, dtype=torch.float64)
    means, new = downsample_sequences(torch.nan_to_num(x), torch.as_tensor(lengths), 3)
    assert new.tolist() == [3, 1, 3, 1, 2]  # ceil(n / 3)
    assert means.shape == (5, 3, 2)
    for i, n in enumerate(lengths):
        # the mean of each window of the sequence alone, a short last one too
        expected = [X[i, s : min(s + 3, n)].mean(axis=0) for s in range(0, n, 3)]
        np.testing.assert_allclose(means[i, : new[i]].numpy(), expected)
        np.testing.assert_array_equal(means[i, new[i] :].numpy(), 0.0)


@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
@pytest.mark.parametrize("downsample", [2, 4])
def test_downsampling_does_not_see_the_padding(pooling, downsample):
    torch.manual_seed(0)
    net = RNN((11, 2), 3, hidden_size=5, pooling=pooling, downsample=downsample)
    net.eval()
    x = torch.randn(4, 11, 2)
    x[1, 5:] = float("nan")
    x[2, 1:] = float("nan")
    with torch.no_grad():
        out = net(x)
        alone = torch.cat([net(x[1:2, :5]), net(x[2:3, :1])])
        wider = net(torch.cat([x, torch.full((4, 6, 2), float("nan"))], dim=1))
        masked = net._forward_masked(x)  # what torch.export and ONNX see
    np.testing.assert_allclose(alone.numpy(), out[1:3].numpy(), atol=1e-6)
    np.testing.assert_allclose(wider.numpy(), out.numpy(), atol=1e-6)
    np.testing.assert_allclose(masked.numpy(), out.numpy(), atol=1e-6)


def test_downsampling_averages_what_the_recurrent_layer_reads():
    torch.manual_seed(0)
    net = RNN((12, 1), 2, hidden_size=4, downsample=3).eval()
    plain = RNN((4, 1), 2, hidden_size=4)
    plain.load_state_dict(net.state_dict())
    x = torch.randn(3, 12, 1)
    with torch.no_grad():
        np.testing.assert_allclose(
            net(x).numpy(),
            plain.eval()(x.reshape(3, 4, 3, 1).mean(dim=2)).numpy(),
            atol=1e-6,
        )


@pytest.mark.parametrize("downsample", [0, 1.5, True, "2"])
def test_rnn_module_refuses_a_bad_downsample(downsample):
    with pytest.raises(ValueError, match="downsample must be an int"):
        RNN((5, 1), 1, downsample=downsample)


@pytest.mark.filterwarnings("ignore:The fitted:UserWarning")  # one epoch
@pytest.mark.parametrize(
    ("timesteps", "downsample", "expected"),
    [(50, "auto", 1), (51, "auto", 2), (230, "auto", 5), (230, 1, 1), (24, 4, 4)],
)
def test_the_auto_downsample_reads_at_most_50_steps(timesteps, downsample, expected):
    from sknn import RNNRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, timesteps, 1))
    y = X[:, :5, 0].sum(axis=1)
    for model in (RNNClassifier(), RNNRegressor()):
        model.set_params(hidden_size=4, max_iter=1, downsample=downsample)
        model.fit(X, y > 0 if isinstance(model, RNNClassifier) else y)
        assert model.module_kwargs_["downsample"] == expected
        assert model.module_.downsample == expected
        # sequences of other lengths at prediction, shorter than a window too
        assert model.predict([X[0, :2], X[1, :137]]).shape == (2,)


@pytest.mark.parametrize("downsample", [0, -1, 2.5, "half"])
def test_rnn_estimator_refuses_a_bad_downsample(downsample):
    from sklearn.utils._param_validation import InvalidParameterError

    X = np.zeros((4, 6, 1))
    with pytest.raises(InvalidParameterError, match="'downsample' parameter"):
        RNNClassifier(downsample=downsample).fit(X, [0, 1, 0, 1])


@pytest.mark.filterwarnings("ignore:The fitted:UserWarning")  # one epoch
def test_small_recurrent_steps_train_on_one_thread(monkeypatch):
    import sknn._rnn

    seen = []
    original = sknn._rnn.training_threads

    def spy(device, step_macs):
        seen.append(step_macs)
        return original(device, step_macs)

    monkeypatch.setattr(sknn._rnn, "training_threads", spy)
    X = np.random.RandomState(0).normal(size=(40, 7, 3))
    before = torch.get_num_threads()
    RNNClassifier(max_iter=1).fit(X, np.arange(40) % 2)
    RNNClassifier(cell="gru", num_layers=2, hidden_size=8, max_iter=1).fit(
        X, np.arange(40) % 2
    )
    # one product of a time step: batch x gates x hidden x (inputs + hidden)
    assert seen == [16 * 4 * 128 * (3 + 128), 16 * 3 * 8 * (16 + 8)]
    assert torch.get_num_threads() == before
