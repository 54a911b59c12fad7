"""Normalization inside MLPClassifier: every method end to end."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier
from sknn.normalization import NORMALIZATION_METHODS, BatchRenorm

DENSE_METHODS = [m for m in NORMALIZATION_METHODS if "instance" not in m]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[:600], y[:600]


def _clf(**params):
    defaults = {
        "hidden_layer_sizes": (32, 32),
        "max_iter": 15,
        "learning_rate_init": 0.005,
        "batch_size": 64,
        "random_state": 0,
    }
    return MLPClassifier(**{**defaults, **params})


def test_mlp_grid_search_over_every_dense_method(digits):
    X, y = digits
    search = GridSearchCV(
        _clf(), {"normalization": [None, *DENSE_METHODS]}, cv=3, error_score="raise"
    )
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == len(DENSE_METHODS) + 1
    # every method learns digits well above chance (0.1)
    assert scores.min() > 0.7, dict(
        zip(search.cv_results_["param_normalization"], scores, strict=True)
    )


@pytest.mark.parametrize("method", DENSE_METHODS)
def test_mlp_normalization_layers_are_in_the_network(method, digits):
    X, y = digits
    clf = _clf(normalization=method, max_iter=2).fit(X, y)
    hidden = clf.module_.hidden
    if method in ("weight", "spectral"):
        linear = hidden[0]
        assert torch.nn.utils.parametrize.is_parametrized(linear, "weight")
        assert isinstance(hidden[1], torch.nn.Identity)
    else:
        assert not isinstance(hidden[1], torch.nn.Identity)
        assert sum(p.numel() for p in hidden[1].parameters()) > 0 or method == "scale"


@pytest.mark.parametrize("method", DENSE_METHODS)
def test_mlp_normalization_pickles(method, digits):
    X, y = digits
    clf = _clf(normalization=method, max_iter=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # the running statistics and parameters came back, not a fresh network
    for (name, a), b in zip(
        clf.module_.state_dict().items(),
        restored.module_.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b), name
    restored.partial_fit(X, y)
    assert len(restored.history_) == len(clf.history_) + 1


@pytest.mark.parametrize("method", ["instance", "batch_instance"])
def test_mlp_refuses_instance_methods_on_vectors(method, digits):
    X, y = digits
    with pytest.raises(ValueError, match="spatial") as info:
        _clf(normalization=method).fit(X, y)
    assert "layer" in str(info.value)


def test_mlp_unknown_normalization(digits):
    X, y = digits
    with pytest.raises(ValueError, match="'batch'"):
        _clf(normalization="BatchNorm").fit(X, y)
    with pytest.raises(TypeError):
        _clf(normalization=3).fit(X, y)


def test_mlp_normalization_kwargs_flat_and_per_method(digits):
    X, y = digits
    clf = _clf(normalization="group", normalization_kwargs={"groups": 4}, max_iter=1)
    clf.fit(X, y)
    assert clf.module_.hidden[1].num_groups == 4
    with pytest.raises(ValueError, match="groups"):
        _clf(normalization="batch", normalization_kwargs={"groups": 4}).fit(X, y)
    with pytest.raises(ValueError, match="divide"):
        _clf(normalization="group", normalization_kwargs={"groups": 5}).fit(X, y)
    per_method = {"group": {"groups": 8}, "batch": {"momentum": 0.5}}
    search = GridSearchCV(
        _clf(max_iter=1, normalization_kwargs=per_method),
        {"normalization": ["group", "batch", "layer"]},
        cv=2,
        error_score="raise",
    ).fit(X, y)
    assert search.best_estimator_.normalization in ("group", "batch", "layer")
    batch = _clf(normalization="batch", normalization_kwargs=per_method, max_iter=1)
    assert batch.fit(X, y).module_.hidden[1].momentum == 0.5


def test_mlp_batch_renorm_schedule_scaled_to_the_run(digits):
    X, y = digits
    clf = _clf(normalization="batch_renorm", max_iter=10, batch_size=100).fit(X, y)
    layer = clf.module_.hidden[1]
    assert isinstance(layer, BatchRenorm)
    steps = 10 * 6  # 600 samples in batches of 100
    assert layer.warmup_steps == 6 and layer.ramp_steps == 24
    assert int(layer.num_batches_tracked) == steps
    custom = _clf(
        normalization="batch_renorm",
        normalization_kwargs={"warmup_steps": 3},
        max_iter=1,
    ).fit(X, y)
    assert custom.module_.hidden[1].warmup_steps == 3


def test_mlp_small_batch_warning_for_batch_statistics(digits):
    X, y = digits
    with pytest.warns(UserWarning, match="batch_size=4"):
        _clf(normalization="batch", batch_size=4, max_iter=1).fit(X[:40], y[:40])
    # batch-independent methods do not warn
    _clf(normalization="layer", batch_size=4, max_iter=1).fit(X[:40], y[:40])


def test_mlp_batch_norm_last_batch_of_one(digits):
    X, y = digits
    # 65 samples in batches of 64 leave one sample: it is merged, not fed alone
    clf = _clf(normalization="batch", batch_size=64, max_iter=2).fit(X[:65], y[:65])
    assert clf.history_[-1]["train_batch_count"] == 1


def test_mlp_batch_norm_running_stats_used_at_predict(digits):
    X, y = digits
    clf = _clf(normalization="batch", max_iter=3).fit(X, y)
    # predictions of one sample do not depend on the rest of the batch
    alone = clf.predict_proba(X[:1])
    together = clf.predict_proba(X[:50])[:1]
    np.testing.assert_allclose(alone, together, rtol=1e-5, atol=1e-7)
    assert clf.module_.hidden[1].running_mean.count_nonzero() > 0


def test_mlp_penalty_under_weight_and_spectral_normalization(digits):
    """The L2 penalty acts on w itself: on weight norm's g, not on v.

    Penalising v (which w does not depend on in scale) drove it to zero and
    the loss to NaN with small batches; ||w|| = |g| row by row, so the
    penalty on g is the penalty on w.
    """
    X, y = digits
    clf = _clf(
        normalization="weight", hidden_layer_sizes=(64, 64), batch_size=2, alpha=0.1
    )
    clf.set_params(max_iter=3).fit(X[:300], y[:300])
    assert np.all(np.isfinite(clf.loss_curve_))
    layer = clf.module_.hidden[0]
    penalized = {id(p) for p in clf.net_.penalized_}
    weights = layer.parametrizations.weight
    assert id(weights.original0) in penalized  # g
    assert id(weights.original1) not in penalized  # v
    g, v = weights.original0.detach(), weights.original1.detach()
    torch.testing.assert_close(
        layer.weight.detach().norm(dim=1), g.abs().squeeze(1), rtol=1e-5, atol=0
    )
    assert v.norm() > 0
    spectral = _clf(normalization="spectral").set_params(max_iter=2).fit(X, y)
    penalized = {id(p) for p in spectral.net_.penalized_}
    for layer in spectral.module_.modules():
        if torch.nn.utils.parametrize.is_parametrized(layer):
            assert id(layer.parametrizations.weight.original) not in penalized
        elif isinstance(layer, torch.nn.Linear):  # the output layer
            assert id(layer.weight) in penalized


@pytest.mark.parametrize(
    ("options", "match"),
    [
        # a method's name for its option: the per-method form with a number
        ({"group": 4}, r"'group' maps to 4.*'group' accepts 'eps', 'groups'"),
        ({"layer": "x"}, r"'layer' maps to 'x'"),
        ({"grups": 4}, r"does not accept the option\(s\) 'grups'; it accepts"),
    ],
)
def test_mistyped_normalization_options_name_the_valid_ones(options, match):
    X, y = np.random.RandomState(0).rand(20, 3), [0, 1] * 10
    clf = MLPClassifier(max_iter=1, normalization="group", normalization_kwargs=options)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
