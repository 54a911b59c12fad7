"""Multiclass-multioutput targets: one softmax head per column of ``y``, with
the shapes of scikit-learn's MultiOutputClassifier."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_predict,
    cross_val_score,
)
from sklearn.multioutput import MultiOutputClassifier
from torch import nn

from sknn import CNNClassifier, MLPClassifier, NeuralNetClassifier, RNNClassifier


@pytest.fixture(scope="module")
def data():
    """Two outputs of a table: a 3-class label and a string label of
    another rule."""
    X, a = make_classification(600, 10, n_informative=6, n_classes=3, random_state=0)
    b = np.where(X[:, 0] + X[:, 1] > 0, "high", "low")
    Y = np.empty((len(X), 2), dtype=object)
    Y[:, 0], Y[:, 1] = a, b
    return X.astype(np.float32), Y


class TwoHeads(nn.Module):
    """A user's network with one head per output: ``n_outputs`` is the
    tuple of the heads' widths."""

    def __init__(self, n_features, n_outputs, hidden=32):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
        self.heads = nn.ModuleList(nn.Linear(hidden, w) for w in n_outputs)

    def forward(self, X):
        h = self.body(X)
        return tuple(head(h) for head in self.heads)


def test_shapes_are_multioutputclassifiers(data):
    X, Y = data
    clf = MLPClassifier(random_state=0).fit(X, Y)
    # (scikit-learn cannot take columns of different kinds: strings for it)
    reference = MultiOutputClassifier(MLPClassifier(max_iter=2)).fit(X, Y.astype(str))
    assert clf.target_type_ == "multiclass-multioutput"
    assert len(clf.classes_) == 2
    np.testing.assert_array_equal(clf.classes_[0], [0, 1, 2])
    for ours, theirs in zip(clf.classes_, reference.classes_, strict=True):
        np.testing.assert_array_equal(ours.astype(str), theirs)
    assert clf.n_outputs_ == 3 + 2
    predicted = clf.predict(X)
    assert predicted.shape == reference.predict(X).shape == (600, 2)
    assert set(predicted[:, 0]) <= {0, 1, 2} and set(predicted[:, 1]) <= {"high", "low"}
    proba = clf.predict_proba(X)
    assert isinstance(proba, list) and [p.shape for p in proba] == [(600, 3), (600, 2)]
    for column, p in enumerate(proba):
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-12)
        labels = clf.classes_[column][p.argmax(axis=1)]
        np.testing.assert_array_equal(labels, predicted[:, column])
    log_proba = clf.predict_log_proba(X[:5])
    for p, lp in zip(clf.predict_proba(X[:5]), log_proba, strict=True):
        np.testing.assert_allclose(np.exp(lp), p, rtol=1e-9)
    # score is the subset accuracy, as MultiOutputClassifier's
    expected = np.mean(np.all(predicted == Y, axis=1))
    assert clf.score(X, Y) == pytest.approx(expected)
    assert clf.score(X, Y) > 0.8


def test_every_classifier_takes_it(data):
    X, Y = data
    images = X[:, :9].reshape(-1, 3, 3, 1)
    sequences = X.reshape(-1, 5, 2)
    for clf, inputs in [
        (CNNClassifier(max_iter=5, random_state=0), images),
        (RNNClassifier(max_iter=5, random_state=0), sequences),
        (NeuralNetClassifier(module=TwoHeads, max_iter=30, random_state=0), X),
    ]:
        clf.fit(inputs, Y)
        assert clf.predict(inputs).shape == (600, 2)
        assert [p.shape[1] for p in clf.predict_proba(inputs)] == [3, 2]
        assert clf.score(inputs, Y) > 0.5, type(clf).__name__


def test_a_users_module_gets_the_heads_widths_and_may_return_a_tuple(data):
    X, Y = data
    clf = NeuralNetClassifier(module=TwoHeads, max_iter=30, random_state=0)
    clf.fit(X, Y)
    assert clf.module_kwargs_["n_outputs"] == (3, 2)
    with pytest.raises(ValueError, match=r"one per class of each column"):
        NeuralNetClassifier(module=TwoHeads, module__n_outputs=(3, 3)).fit(X, Y)


def test_output_weights_weigh_the_columns_losses(data):
    X, Y = data
    only_first = MLPClassifier(output_weights=[1, 0], random_state=0).fit(X, Y)
    both = MLPClassifier(random_state=0).fit(X, Y)
    second = [np.mean(m.predict(X)[:, 1] == Y[:, 1]) for m in (only_first, both)]
    assert second[0] < 0.8 < second[1]  # the second head was never trained
    for bad, match in [
        ([1, 2, 3], "one weight per column"),
        ([1, -1], "non-negative"),
        ([0, 0], "all zero"),
    ]:
        with pytest.raises(ValueError, match=match):
            MLPClassifier(output_weights=bad, max_iter=1).fit(X, Y)
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        MLPClassifier(output_weights=[1], max_iter=1).fit(X, Y[:, 0].astype(int))


def test_cross_validation_and_grid_search(data):
    X, Y = data
    Y = Y.astype(str)  # scikit-learn's splitters sort y's labels together
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(MLPClassifier(random_state=0), X, Y, cv=cv)
    assert scores.shape == (3,) and scores.min() > 0.6
    predicted = cross_val_predict(MLPClassifier(random_state=0), X, Y, cv=cv)
    assert predicted.shape == (600, 2)
    search = GridSearchCV(
        MLPClassifier(random_state=0),
        {"output_weights": [None, [1, 0.5]]},
        cv=cv,
        n_jobs=2,
    ).fit(X, Y)
    assert search.best_estimator_.predict(X).shape == (600, 2)


def test_class_weight_and_sample_weight(data):
    X, Y = data
    MLPClassifier(class_weight="balanced", max_iter=2).fit(X, Y)
    weight = np.ones(len(X))
    weight[Y[:, 1] == "high"] = 0
    clf = MLPClassifier(random_state=0).fit(X, Y, sample_weight=weight)
    assert np.mean(clf.predict(X)[:, 1] == "low") > 0.9
    with pytest.raises(ValueError, match="'balanced' or None"):
        MLPClassifier(class_weight={0: 2.0}, max_iter=1).fit(X, Y)


def test_partial_fit_needs_each_columns_classes(data):
    X, Y = data
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, Y)
    with pytest.raises(ValueError, match="one array-like of labels per column"):
        MLPClassifier().partial_fit(X, Y, classes=[0, 1, 2])
    clf = MLPClassifier(random_state=0)
    classes = [[0, 1, 2], ["high", "low"]]
    clf.partial_fit(X[:300], Y[:300], classes=classes)
    clf.partial_fit(X[300:], Y[300:])
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X, Y, classes=[[0, 1, 2, 3], ["high", "low"]])
    with pytest.raises(ValueError, match="Column 1 of y contains labels"):
        bad = Y.copy()
        bad[0, 1] = "medium"
        clf.partial_fit(X, bad)


def test_warm_start_keeps_the_columns(data):
    X, Y = data
    clf = MLPClassifier(warm_start=True, max_iter=3, random_state=0).fit(X, Y)
    clf.fit(X, Y)
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X, Y[:, ::-1])


def test_mixed_label_kinds_within_a_column_are_refused(data):
    X, Y = data
    bad = Y.copy()
    bad[0, 0] = "zero"
    with pytest.raises(ValueError, match="column 0 of y holds strings and numbers"):
        MLPClassifier(max_iter=1).fit(X, bad)


def test_pickles_and_predicts_the_same(data):
    X, Y = data
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X, Y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_skops_round_trip_trusts_only_sknn(data):
    sio = pytest.importorskip("skops.io")
    from sknn import skops_trusted_types

    X, Y = data
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X, Y)
    saved = sio.dumps(clf)
    untrusted = sio.get_untrusted_types(data=saved)
    assert set(untrusted) <= set(skops_trusted_types()), untrusted
    loaded = sio.loads(saved, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    for a, b in zip(loaded.predict_proba(X), clf.predict_proba(X), strict=True):
        np.testing.assert_array_equal(a, b)


def test_onnx_export_says_it_is_not_supported(data):
    pytest.importorskip("skl2onnx")
    from sknn import to_onnx

    X, Y = data
    clf = MLPClassifier(max_iter=1).fit(X, Y)
    with pytest.raises(NotImplementedError, match="multiclass-multioutput"):
        to_onnx(clf, X[:2])


def test_heads_are_independent_softmaxes(data):
    # A module returning one tensor of 5 logits: the first 3 form column 0's
    # softmax and the last 2 column 1's, whatever the others' values.
    X, Y = data
    clf = MLPClassifier(max_iter=2, random_state=0).fit(X, Y)
    with torch.no_grad():
        clf.module_.output.bias[3:] += 100.0  # column 1's logits only
    before = clf.predict_proba(X[:10])
    assert np.allclose(before[1].sum(axis=1), 1)
    with torch.no_grad():
        clf.module_.output.bias[:3] += 5.0
    np.testing.assert_allclose(clf.predict_proba(X[:10])[1], before[1], rtol=1e-6)
