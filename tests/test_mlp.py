"""Behaviour of MLPClassifier beyond scikit-learn's common checks."""

import copy
import os
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    make_blobs,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier


def _fast(**params):
    """A small, quick classifier that still learns the test problems."""
    defaults = {
        "hidden_layer_sizes": (32,),
        "max_iter": 40,
        "learning_rate_init": 0.01,
        "random_state": 0,
    }
    return MLPClassifier(**{**defaults, **params})


def _device_of(clf):
    """Where the fitted network lives (CUDA under device="auto" on a GPU)."""
    return next(clf.module_.parameters()).device


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# -- targets and labels ------------------------------------------------------


def test_mlp_binary_uses_one_output_unit(cancer):
    X, y = cancer
    clf = _fast().fit(X, y)
    assert clf.n_outputs_ == 1
    assert clf.module_.output.out_features == 1
    assert clf.target_type_ == "binary"
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(1)])
    assert clf.score(X, y) > 0.95


def test_mlp_multiclass_softmax(iris):
    X, y = iris
    clf = _fast().fit(X, y)
    assert clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # the probabilities are the softmax of the network's logits
    inputs = torch.as_tensor(X, dtype=torch.float32, device=_device_of(clf))
    with torch.no_grad():
        logits = clf.module_(inputs).double()
    np.testing.assert_allclose(proba, torch.softmax(logits, 1).cpu(), atol=1e-6)
    assert clf.score(X, y) > 0.9


def test_mlp_multilabel_one_sigmoid_per_label():
    X, Y = make_classification(n_samples=300, n_features=10, random_state=0), None
    X, y = X
    rng = np.random.RandomState(0)
    Y = np.column_stack([y, (X[:, 0] > 0).astype(int), rng.randint(0, 2, len(y))])
    clf = _fast(max_iter=60).fit(X, Y)
    assert clf.target_type_ == "multilabel-indicator"
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    assert not np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    # the two learnable labels are learnt
    assert (pred[:, :2] == Y[:, :2]).mean() > 0.9


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "non-cat"]),
        np.array([False, True]),
        np.array([-3, 7]),
        np.array(["a", "b", "c"]),
        np.array([2.0, 0.0, 1.0]),
    ],
)
def test_mlp_keeps_original_labels(labels, iris):
    X, y = iris
    y = y % len(labels)
    y_labels = labels[y]
    clf = _fast().fit(X, y_labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X)
    assert pred.dtype == y_labels.dtype
    assert set(pred) <= set(labels)
    assert clf.predict_proba(X[:1]).shape == (1, len(labels))


def test_mlp_pandas_categorical_labels_and_dataframe(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    target = pd.Series(pd.Categorical(np.array(["setosa", "versi", "virgi"])[y]))
    clf = _fast().fit(frame, target)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versi", "virgi"])
    assert set(clf.predict(frame)) <= {"setosa", "versi", "virgi"}
    assert clf.score(frame, target) > 0.9
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"sl": "other"}))


def test_mlp_string_labels_pipeline_grid_search_cross_val(iris):
    X, y = iris
    y = np.array(["setosa", "versicolor", "virginica"])[y]
    pipe = make_pipeline(StandardScaler(), _fast(max_iter=20))
    search = GridSearchCV(
        pipe, {"mlpclassifier__hidden_layer_sizes": [(8,), (16,)]}, cv=3
    )
    scores = cross_val_score(search, X, y, cv=StratifiedKFold(3))
    assert scores.mean() > 0.8
    search.fit(X, y)
    assert set(search.predict(X)) <= set(y)


# -- inputs ---------------------------------------------------------------


def test_mlp_flattens_images_like_the_course():
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, size=(40, 64, 64, 3)).astype(np.uint8)
    y = np.arange(40) % 2
    clf = _fast(max_iter=2, hidden_layer_sizes=(8,)).fit(images / 255.0, y)
    assert clf.n_features_in_ == 12288
    assert clf.input_shape_ == (64, 64, 3)
    assert clf.predict(images[:3] / 255.0).shape == (3,)
    # the flattening is numpy's row-major reshape
    flat = _fast(max_iter=2, hidden_layer_sizes=(8,)).fit(
        images.reshape(40, -1) / 255.0, y
    )
    np.testing.assert_allclose(
        flat.predict_proba(images.reshape(40, -1) / 255.0),
        clf.predict_proba(images / 255.0),
        rtol=1e-5,
    )
    with pytest.raises(ValueError, match=r"samples of shape \(32, 32, 12\)"):
        clf.predict(rng.rand(2, 32, 32, 12))
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(64, 64, 3\)"):
        clf.predict(rng.rand(2, 12288))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_mlp_accepts_real_dtypes(dtype, iris):
    X, y = iris
    clf = _fast(max_iter=3).fit((X * 10).astype(dtype), y)
    assert clf.predict((X * 10).astype(dtype)).shape == y.shape


def test_mlp_n_features_checked_at_predict(iris):
    X, y = iris
    clf = _fast(max_iter=2).fit(X, y)
    msg = "X has 3 features, but MLPClassifier is expecting 4 features as input"
    with pytest.raises(ValueError, match=msg):
        clf.predict(X[:, :3])


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "NaN"),
        (np.array([[np.inf, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "infinity"),
        (np.empty((0, 3)), [], ValueError, "0 sample"),
        (np.ones((4, 2)), [0.1, 0.5, 0.7, 0.9], ValueError, "Unknown label type"),
        (np.ones((4, 2)) + 1j, [0, 1, 0, 1], ValueError, "Complex data"),
        (
            np.array([["a", "b"], ["c", "d"]], dtype=object),
            [0, 1],
            ValueError,
            "could not convert",
        ),
        (np.ones((4, 2)), [0, 1, 0], ValueError, "inconsistent numbers of samples"),
        (np.ones(4), [0, 1, 0, 1], ValueError, "Expected 2D array"),
        (np.ones((4, 2)), [[0.1, 0.2]] * 4, ValueError, "continuous-multioutput"),
    ],
)
def test_mlp_bad_input_errors(X, y, error, match):
    with pytest.raises(error, match=match):
        _fast(max_iter=1).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "big"}, "hidden_layer_sizes"),
        ({"alpha": -1.0}, "'alpha' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"solver": "rmsprop"}, "'solver' parameter"),
        ({"activation": "swish"}, "'activation' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"device": "tpu"}, "device='tpu'"),
        ({"class_weight": {7: 2.0}}, "class_weight has keys"),
        ({"dtype": "float16"}, "'dtype' parameter"),
    ],
)
def test_mlp_bad_parameters(params, match, iris):
    X, y = iris
    with pytest.raises((ValueError, TypeError), match=re.escape(match)):
        _fast(max_iter=1, **params).fit(X, y)


def test_mlp_cuda_requested_without_cuda(iris):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    X, y = iris
    with pytest.raises(ValueError, match="CUDA is not available"):
        _fast(device="cuda").fit(X, y)


def test_mlp_unfitted_errors(iris):
    X, _ = iris
    clf = _fast()
    for method in (clf.predict, clf.predict_proba):
        with pytest.raises(NotFittedError):
            method(X)
    with pytest.raises(NotFittedError):
        clf.module_  # noqa: B018


# -- training ----------------------------------------------------------------


def test_mlp_history_and_curves(iris):
    X, y = iris
    clf = _fast(max_iter=5, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf.fit(X, y)
    assert clf.n_iter_ == 5 == len(clf.history_)
    assert clf.loss_curve_ == list(clf.history_[:, "train_loss"])
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None
    assert all(row["dur"] >= 0 for row in clf.history_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_mlp_stops_on_training_loss_plateau(iris):
    X, y = iris
    clf = _fast(max_iter=500, tol=0.5, n_iter_no_change=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ < 500


def test_mlp_early_stopping_restores_best_weights(cancer):
    X, y = cancer
    clf = _fast(
        early_stopping=True, max_iter=200, n_iter_no_change=5, validation_fraction=0.2
    ).fit(X, y)
    assert clf.n_iter_ < 200
    valid_loss = clf.history_[:, "valid_loss"]
    best = int(np.argmin(valid_loss))
    assert clf.best_epoch_ == best + 1
    assert clf.best_loss_ is None
    # the score of the kept epoch (the best by loss, scoring="loss")
    assert clf.best_validation_score_ == clf.validation_scores_[best]
    # the restored weights give the best epoch's validation loss back: redo the
    # same stratified, seeded split and recompute it
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    _, X_val, _, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    proba = clf.predict_proba(X_val)[:, 1]
    loss = -np.mean(y_val * np.log(proba) + (1 - y_val) * np.log(1 - proba))
    assert loss == pytest.approx(valid_loss[best], rel=1e-4)


def test_mlp_early_stopping_on_accuracy(cancer):
    X, y = cancer
    clf = _fast(early_stopping=True, scoring="accuracy", n_iter_no_change=3).fit(X, y)
    scores = clf.validation_scores_
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1


def test_mlp_explicit_validation_set(cancer):
    X, y = cancer
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, random_state=0, stratify=y)
    clf = _fast(max_iter=10, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    assert len(clf.validation_scores_) == 10
    # the last recorded validation accuracy is that of the final weights
    assert clf.validation_scores_[-1] == pytest.approx(clf.score(X_val, y_val))
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        clf.fit(X_tr, y_tr, X_val=X_val)


def test_mlp_sample_weight_zero_equals_removal(iris):
    X, y = iris
    keep = np.arange(len(y)) % 3 != 0
    common = {"batch_size": 500, "max_iter": 20, "dtype": "float64"}
    removed = _fast(**common).fit(X[keep], y[keep])
    weighted = _fast(**common)
    weighted.fit(X, y, sample_weight=keep.astype(float))
    np.testing.assert_allclose(
        weighted.predict_proba(X), removed.predict_proba(X), rtol=1e-6
    )


def test_mlp_sample_weight_equals_repetition_float32():
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 5, size=15)
    repeated = _fast(hidden_layer_sizes=(16,), max_iter=30).fit(
        X.repeat(sw, axis=0), y.repeat(sw)
    )
    weighted = _fast(hidden_layer_sizes=(16,), max_iter=30).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5
    )


def test_mlp_class_weight_balanced_matches_sample_weight():
    X, y = make_classification(
        n_samples=300, weights=[0.9, 0.1], random_state=0, n_features=5
    )
    balanced = _fast(class_weight="balanced", dtype="float64").fit(X, y)
    counts = np.bincount(y)
    sw = (len(y) / (2 * counts))[y]
    by_hand = _fast(dtype="float64").fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(
        balanced.predict_proba(X), by_hand.predict_proba(X), rtol=1e-6
    )
    unweighted = _fast(dtype="float64").fit(X, y)
    # the minority class gets predicted more often when it weighs more
    assert (balanced.predict(X) == 1).sum() > (unweighted.predict(X) == 1).sum()


def test_mlp_class_weight_dict(iris):
    X, y = iris
    clf = _fast(class_weight={0: 1.0, 1: 5.0, 2: 1.0}).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_mlp_sample_weight_errors(iris):
    X, y = iris
    with pytest.raises(ValueError, match="non-zero"):
        _fast().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="Negative values"):
        _fast().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="only one class"):
        _fast().fit(X, y, sample_weight=(y == 0).astype(float))


def test_mlp_partial_fit_continues(iris):
    X, y = iris
    clf = _fast()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    first = clf.loss_curve_[-1]
    for _ in range(20):
        clf.partial_fit(X, y)
    # scikit-learn's counts: one epoch per call, 21 in the history
    assert clf.n_iter_ == 1 and len(clf.history_) == 21
    assert clf.loss_curve_[-1] < first
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X[:2], [0, 5])
    with pytest.raises(ValueError, match="balanced"):
        _fast(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_mlp_warm_start_continues_training(iris):
    X, y = iris
    clf = _fast(warm_start=True, max_iter=5, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    weights = clf.module_.output.weight.detach().clone()
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 5  # the epochs of the last call, as scikit-learn
    assert clf.history_[-1]["epoch"] == 10
    # training went on from the previous weights, not from a new network
    cold = _fast(max_iter=5, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        cold.fit(X, y)
    np.testing.assert_allclose(cold.module_.output.weight.detach().cpu(), weights.cpu())
    assert not torch.allclose(clf.module_.output.weight, weights)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X[y < 2], y[y < 2])


def test_mlp_batch_of_one_at_epoch_end_is_merged():
    X, y = make_classification(n_samples=65, random_state=0)
    # 65 = 2 * 32 + 1: the trailing sample joins the second batch
    clf = _fast(batch_size=32, max_iter=2, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.history_[-1]["train_batch_count"] == 2


def test_mlp_reproducible_and_leaves_global_rng_alone(iris):
    X, y = iris
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    first = _fast(dropout=0.2).fit(X, y).predict_proba(X)
    second = _fast(dropout=0.2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    other = _fast(dropout=0.2, random_state=1).fit(X, y).predict_proba(X)
    assert not np.allclose(first, other)


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_mlp_optimizers_learn(optimizer, iris):
    X, y = iris
    clf = _fast(solver=optimizer, max_iter=60).fit(X, y)
    assert clf.score(X, y) > 0.85
    expected = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    assert type(clf.net_.optimizer_) is expected.get(optimizer, torch.optim.SGD)


def test_mlp_alpha_penalises_weights_only(iris):
    X, y = iris
    small = _fast(alpha=0.0, max_iter=30).fit(X, y)
    large = _fast(alpha=50.0, max_iter=30).fit(X, y)
    norm = lambda clf: clf.module_.hidden[0].weight.norm().item()  # noqa: E731
    assert norm(large) < 0.5 * norm(small)


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_mlp_l2_penalty_matches_torch_weight_decay(iris, optimizer):
    """sknn's penalty is torch's own weight decay of alpha / n on weights only.

    Oracle: the same step taken by torch's optimizer with two parameter
    groups, the layers' weights with ``weight_decay=alpha / n`` and the rest
    without, from the same weights and optimizer state.
    """
    X, y = iris
    alpha, n = 3.0, len(y)
    clf = _fast(
        solver=optimizer,
        alpha=alpha,
        batch_size=n,
        shuffle=False,
        max_iter=2,
        momentum=0.9,
        dtype="float64",
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    reference = copy.deepcopy(clf.module_)
    names = dict(clf.module_.named_parameters())
    weights = [p for name, p in reference.named_parameters() if "weight" in name]
    others = [p for name, p in reference.named_parameters() if "weight" not in name]
    assert weights and others
    fitted = clf.net_.optimizer_
    hyper = {k: v for k, v in fitted.param_groups[0].items() if k != "params"}
    hyper.pop("weight_decay", None)
    optim = type(fitted)(
        [
            {"params": weights, "weight_decay": alpha / n},
            {"params": others, "weight_decay": 0.0},
        ],
        **{
            k: hyper[k]
            for k in ("lr", "betas", "eps", "momentum", "nesterov")
            if k in hyper
        },
    )
    for name, param in reference.named_parameters():
        optim.state[param] = copy.deepcopy(fitted.state[names[name]])
    reference.train()
    device = _device_of(clf)
    loss = torch.nn.functional.cross_entropy(
        reference(torch.as_tensor(X, dtype=torch.float64, device=device)),
        torch.as_tensor(y, device=device),
    )
    loss.backward()
    optim.step()
    clf.partial_fit(X, y)
    for name, param in reference.named_parameters():
        torch.testing.assert_close(names[name].detach(), param.detach())


def test_mlp_dropout_layers(iris):
    X, y = iris
    clf = _fast(dropout=0.3, hidden_layer_sizes=(8, 8), max_iter=2)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    dropouts = [m for m in clf.module_.modules() if isinstance(m, torch.nn.Dropout)]
    assert [d.p for d in dropouts] == [0.3, 0.3]
    # eval mode at predict: deterministic
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


def test_mlp_verbose_output(iris, capsys):
    X, y = iris
    _fast(max_iter=3, verbose=0, n_iter_no_change=100, tol=0).fit(X, y)
    assert capsys.readouterr().out == ""
    _fast(max_iter=3, verbose=1, early_stopping=True, n_iter_no_change=100).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert re.match(
        r"Iteration 1, loss = \d+\.\d{8}, valid_loss = \d+\.\d{8}, "
        r"valid_accuracy = \d\.\d{4}, \d+\.\d{2}s",
        lines[0],
    )


def test_mlp_verbose_counts_iterations_across_partial_fit(capsys):
    # scikit-learn's lines: "Iteration N, loss = ...", N counting on from fit
    X, y = [[3.0, 2.0], [1.0, 6.0]], [1, 0]
    clf = _fast(solver="sgd", max_iter=2, verbose=10, hidden_layer_sizes=2)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    clf.partial_fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]
    assert all(re.search(r"loss = \d+\.\d{8}", line) for line in lines)


def test_mlp_verbose_2_progress_bar(capsys):
    X, y = make_classification(n_samples=600, random_state=0)
    clf = _fast(max_iter=1, verbose=2, batch_size=10)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    captured = capsys.readouterr()
    assert "Iteration 1, loss = " in captured.out
    assert "/60 [" in captured.err
    # short epochs get no bar
    clf = _fast(max_iter=1, verbose=2, batch_size=100)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert capsys.readouterr().err == ""


# -- persistence and cloning ------------------------------------------------


def test_mlp_pickle_and_clone(iris):
    X, y = iris
    unfitted = _fast()
    assert pickle.loads(pickle.dumps(unfitted)).get_params() == unfitted.get_params()
    clf = _fast().fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # training can go on after unpickling, one epoch per partial_fit
    restored.partial_fit(X, y)
    assert len(restored.history_) == len(clf.history_) + 1
    fresh = clone(clf)
    assert not hasattr(fresh, "net_")
    assert fresh.get_params() == clf.get_params()


@pytest.mark.parametrize("normalization", [None, "batch", "weight", "batch_renorm"])
def test_mlp_training_continues_identically_after_pickling(iris, normalization):
    # 150 rows in batches of 64: batches of unequal weight, so the per-batch L2
    # penalty, the optimizer state and the shuffling RNG must all travel
    X, y = iris
    clf = _fast(max_iter=3, batch_size=64, alpha=0.1, normalization=normalization)
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    for _ in range(2):
        restored.partial_fit(X, y)
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.skipif(
    torch.cuda.is_available(),
    reason="simulates a GPU model; with a GPU, "
    "test_mlp_cuda_pickle_loads_where_cuda_is_hidden loads a real one",
)
def test_mlp_gpu_pickle_loads_on_cpu(iris, monkeypatch):
    """A model pickled on a CUDA machine loads on a CPU-only one.

    The GPU side is simulated: the pickled engine claims device 'cuda', as it
    does after training on a GPU, and this machine reports no CUDA.
    """
    X, y = iris
    clf = _fast().fit(X, y)
    expected = clf.predict_proba(X)
    clf.net_.device = "cuda"
    payload = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="not available here"):
        restored = pickle.loads(payload)
    assert str(restored.net_.device) == "cpu"
    assert restored.device_ == "cpu"
    np.testing.assert_allclose(restored.predict_proba(X), expected)


@pytest.mark.cuda
def test_mlp_cuda_pickle_loads_where_cuda_is_hidden(
    iris, load_without_cuda, cuda_tolerance
):
    """A model trained on a GPU loads on the CPU of a process without CUDA."""
    X, y = iris
    clf = _fast(device="cuda").fit(X, y)
    assert _device_of(clf).type == "cuda"
    seen, proba = load_without_cuda(pickle.dumps(clf), "pickle", X)
    assert not seen["cuda_available"]
    assert seen["device_"] == seen["weights_on"] == "cpu"
    assert any("not available here" in m for m in seen["warnings"]), seen
    # the same weights: only the forward pass's order of sums differs
    np.testing.assert_allclose(proba, clf.predict_proba(X), **cuda_tolerance)


@pytest.mark.cuda
def test_mlp_trains_the_same_on_cpu_and_cuda(trains_the_same):
    # well-separated blobs: no sample near a tie, so the labels must agree
    X, y = make_blobs(n_samples=300, n_features=4, centers=3, random_state=0)
    cpu = _fast(device="cpu", max_iter=10).fit(X, y)
    gpu = _fast(device="cuda", max_iter=10).fit(X, y)
    assert gpu.device_.startswith("cuda") and _device_of(gpu).type == "cuda"
    # it learns: this configuration scores 1.0 on the CPU (its loss goes
    # from 1.2 to 0.015)
    trains_the_same(cpu, gpu, X, y)


def test_mlp_digits_default_accuracy():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_tr, y_tr)
    assert pipe.score(X_te, y_te) > 0.95


@pytest.mark.parametrize(
    ("n_samples", "epochs"),
    [(128, 100), (150, 67), (1280, 20), (5000, 20)],
)
def test_mlp_auto_max_iter_gives_small_tables_enough_steps(n_samples, epochs):
    # 20 epochs, or as many as make 200 optimizer steps (batches of 64)
    X, y = make_classification(n_samples=n_samples, n_features=5, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(4,), n_iter_no_change=np.inf)
    assert clf.get_params()["max_iter"] == "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == epochs
    # an explicit number of epochs is taken as it is
    assert clf.set_params(max_iter=3).fit(X, y).n_iter_ == 3


def test_mlp_auto_max_iter_of_lbfgs_is_scikit_learns():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = MLPClassifier(solver="lbfgs", tol=0.0, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=200"):
        clf.fit(X, y)
    assert clf.n_iter_ == 200


def _torch_threads(estimator, X, y):
    """A 'score' that reports how many threads torch uses where the fit ran."""
    return float(torch.get_num_threads())


def test_mlp_grid_search_workers_do_not_oversubscribe(iris):
    X, y = iris
    search = GridSearchCV(
        _fast(max_iter=2),
        {"alpha": [1e-4, 1e-3]},
        cv=2,
        n_jobs=2,
        scoring=_torch_threads,
    )
    search.fit(X, y)
    # joblib's workers cap each process at its share of the cores, and torch
    # honours the cap: two fits at once never ask for more threads than cores.
    budget = max(1, (os.cpu_count() or 1) // 2)
    assert search.cv_results_["mean_test_score"].max() <= budget


def test_a_validation_label_not_in_y_names_y_val(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"y_val contains labels \[7\]"):
        _fast().fit(X, y, X_val=X[:3], y_val=[0, 1, 7])


def test_the_readme_quick_start_runs_without_warnings():
    # max_iter="auto" chose its epochs: reaching the last one is the plan,
    # not a failure to converge that the user could act on
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_val_score(model, X, y, cv=5).mean() > 0.9
    # an explicit max_iter that ends the run early still says so
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\)"):
        MLPClassifier(max_iter=2, random_state=0).fit(X, y)


def test_a_pipeline_transforms_x_val_with_metadata_routing():
    # scikit-learn's way to give a pipeline's network a validation set that
    # goes through the same preprocessing as X
    from sklearn import config_context
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = X[:1200], X[1200:], y[:1200], y[1200:]

    def pipeline(**kwargs):
        net = _fast(max_iter=3).set_fit_request(X_val=True, y_val=True)
        return Pipeline([("scale", StandardScaler()), ("net", net)], **kwargs)

    with config_context(enable_metadata_routing=True):
        routed = pipeline(transform_input=["X_val"])
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="X_val's values")
            routed.fit(X_train, y_train, X_val=X_val, y_val=y_val)
        # the network saw the scaled validation set: its recorded score is
        # the pipeline's own on it
        last = routed[-1].history_[-1]
        assert last["valid_accuracy"] == pytest.approx(routed.score(X_val, y_val))
        # without transform_input the raw pictures arrive, and fit says so
        with pytest.warns(UserWarning, match=r"X_val's values are of another scale"):
            pipeline().fit(X_train, y_train, X_val=X_val, y_val=y_val)


def test_a_validation_set_of_the_same_scale_is_not_flagged(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="X_val's values")
        _fast(max_iter=2).fit(X[::2], y[::2], X_val=X[1::2] * 3, y_val=y[1::2])
