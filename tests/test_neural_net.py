"""NeuralNetClassifier: a user's network with the whole scikit-learn contract."""

import copy
import functools
import pickle
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
import user_modules
from sklearn.base import clone
from sklearn.datasets import load_digits, make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn
from user_modules import (
    AnyKwargs,
    ChannelsLastConv,
    Detached,
    DropoutBatchNormNet,
    Float64Logits,
    Frozen,
    InPlace,
    NeedsDepth,
    PositionalOnly,
    Recorder,
    Squeezed,
    TableNet,
    TrainTuple,
    TrainWidth,
    TupleOutput,
    VariadicChild,
    WithBackbone,
    WrongWidth,
    lazy_binary_net,
    make_table_net,
    not_a_module,
    shared_net,
)

import sknn
from sknn import CNNClassifier, MLPClassifier, NeuralNetClassifier
from sknn.inspection import TrainingHistoryDisplay


def _fast(module=TableNet, **params):
    defaults = {"max_iter": 20, "learning_rate_init": 0.01, "random_state": 0}
    return NeuralNetClassifier(module=module, **{**defaults, **params})


@pytest.fixture(scope="module")
def binary(iris):
    X, y = iris
    return X, (y == 0).astype(int)


@pytest.fixture(scope="module")
def images():
    """Digits as channels-last images of shape (8, 8, 1)."""
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).reshape(-1, 8, 8, 1)[:300], y[:300]


pytestmark = pytest.mark.usefixtures("quiet")


def _weights(module):
    """A copy of the weights, on the host (a fitted network may be on CUDA)."""
    return [p.detach().cpu().clone() for p in module.parameters()]


def _same_weights(a, b):
    return len(a) == len(b) and all(map(torch.equal, a, b))


# -- sizes from the data -----------------------------------------------------------


def test_sizes_binary_multiclass_multilabel(iris, binary):
    X, y = iris
    clf = _fast().fit(X, y)
    # every argument, the defaults included, in the signature's order
    assert clf.module_kwargs_ == {"n_features": 4, "n_outputs": 3, "hidden": 16}
    assert clf.module_.output.out_features == 3
    assert clf.predict_proba(X).shape == (150, 3)

    clf = _fast().fit(*binary)
    assert clf.module_kwargs_["n_outputs"] == 1
    assert clf.predict_proba(X).shape == (150, 2)

    Xm, Ym = make_multilabel_classification(n_samples=80, n_classes=4, random_state=0)
    clf = _fast().fit(Xm, Ym)
    assert clf.module_kwargs_ == {"n_features": 20, "n_outputs": 4, "hidden": 16}
    assert clf.predict(Xm).shape == (80, 4)


def test_input_shape_and_inputs_keep_their_shape(images):
    X, y = images
    clf = _fast(module=Recorder).fit(X, y)
    assert clf.module_kwargs_ == {"input_shape": (8, 8, 1), "n_outputs": 10}
    assert clf.input_shape_ == (8, 8, 1)
    assert clf.n_features_in_ == 64
    shapes = {shape[1:] for _, shape, _ in clf.module_.calls}
    assert shapes == {(8, 8, 1)}  # never flattened, no axis moved
    clf.module_.calls.clear()
    clf.predict(X[:5])
    assert clf.module_.calls == [(False, (5, 8, 8, 1), torch.float32)]
    with pytest.raises(ValueError, match=r"shape \(8, 8\).*\(8, 8, 1\)"):
        clf.predict(X[:5, :, :, 0])


def test_channels_last_images_through_input_shape(images):
    X, y = images
    clf = _fast(module=ChannelsLastConv, module__filters=16, max_iter=60).fit(X, y)
    assert isinstance(clf.module_.conv, nn.Conv2d)
    assert clf.module_.conv.in_channels == 1
    assert clf.score(X, y) > 0.4  # one convolution, pooled: far above chance


def test_tables_are_2d_and_dataframes_set_feature_names(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = _fast(module=Recorder).fit(frame, y)
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]
    assert clf.module_kwargs_["input_shape"] == (4,)
    assert {shape[1:] for _, shape, _ in clf.module_.calls} == {(4,)}
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["d", "c", "b", "a"]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_reaches_the_module(iris, dtype):
    X, y = iris
    clf = _fast(module=Recorder, dtype=dtype, max_iter=2).fit(X, y)
    expected = getattr(torch, dtype)
    assert {d for _, _, d in clf.module_.calls} == {expected}
    assert all(p.dtype == expected for p in clf.module_.parameters())


def test_explicit_sizes_are_passed_and_checked(iris, binary):
    X, y = iris
    clf = _fast(module__n_outputs=3, module__n_features=4).fit(X, y)
    assert clf.module_kwargs_ == {"n_features": 4, "n_outputs": 3, "hidden": 16}
    with pytest.raises(ValueError, match=r"module__n_outputs=3, but a binary target"):
        _fast(module__n_outputs=3).fit(*binary)
    with pytest.raises(ValueError, match=r"module__n_features=5, but X has 4 features"):
        _fast(module__n_features=5).fit(X, y)
    with pytest.raises(ValueError, match=r"module__input_shape=\[8, 8\], but"):
        _fast(module=Recorder, module__input_shape=[8, 8]).fit(X, y)
    # a list given for a tuple is the same shape
    clf = _fast(module=Recorder, module__input_shape=[4], max_iter=1).fit(X, y)
    assert clf.module_kwargs_["input_shape"] == [4]


# -- module__ hyperparameters ------------------------------------------------------


def test_module_params_are_hyperparameters():
    clf = NeuralNetClassifier(module=TableNet, module__hidden=8)
    assert clf.get_params()["module__hidden"] == 8
    assert clf.get_params(deep=False)["module__hidden"] == 8
    assert clf.module__hidden == 8
    assert "module__hidden=8" in repr(clf)
    assert clf.set_params(module__hidden=4, max_iter=3) is clf
    assert (clf.module__hidden, clf.max_iter) == (4, 3)
    clf.set_params(module__other=1)  # new ones are added, checked at fit
    assert clf.get_params()["module__other"] == 1
    del clf.module__other
    assert "module__other" not in clf.get_params()
    cloned = clone(clf)
    assert cloned.get_params() == clf.get_params()
    with pytest.raises(AttributeError, match="module__missing"):
        clf.module__missing  # noqa: B018
    # shallow copies never share a change
    other = copy.copy(clf)
    other.set_params(module__hidden=99)
    assert clf.module__hidden == 4
    assert not any(k.startswith("module__") for k in vars(clf))


def test_unexpected_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'hiden'"):
        NeuralNetClassifier(module=TableNet, hiden=3)


def test_grid_search_over_module_params_reaches_the_network(iris):
    X, y = iris
    search = GridSearchCV(
        _fast(max_iter=5), {"module__hidden": [2, 24]}, cv=3, error_score="raise"
    ).fit(X, y)
    assert [p["module__hidden"] for p in search.cv_results_["params"]] == [2, 24]
    best = search.best_params_["module__hidden"]
    assert search.best_estimator_.module_.hidden.out_features == best
    # a grid over a module__ parameter the estimator was built without
    search = GridSearchCV(
        NeuralNetClassifier(module=TableNet, max_iter=2, random_state=0),
        {"module__hidden": [3]},
        cv=2,
    ).fit(X, y)
    assert search.best_estimator_.module_.hidden.out_features == 3


def test_unknown_module_param_names_the_parameter_and_the_module(iris):
    X, y = iris
    clf = _fast(module__hiden=8)
    with pytest.raises(
        ValueError,
        match=r"module__hiden is not a parameter of TableNet.*Did you mean "
        r"module__hidden\?",
    ):
        clf.fit(X, y)
    assert not hasattr(clf, "n_features_in_")  # left unfitted
    # a module taking **kwargs takes anything
    clf = _fast(module=AnyKwargs, module__anything=1, max_iter=1).fit(X, y)
    assert clf.module_.kwargs == {"anything": 1}


def test_required_module_parameter_without_a_value(iris):
    X, y = iris
    with pytest.raises(TypeError, match=r"NeedsDepth needs a value for its parameter"):
        _fast(module=NeedsDepth).fit(X, y)
    assert _fast(module=NeedsDepth, module__depth=2, max_iter=1).fit(X, y)


def test_factory_function_and_wrong_factories(iris):
    X, y = iris
    clf = _fast(module=make_table_net, module__hidden=5, max_iter=2).fit(X, y)
    assert clf.module_.hidden.out_features == 5
    with pytest.raises(TypeError, match=r"not_a_module\(\.\.\.\) returned .* list"):
        _fast(module=not_a_module).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'module' parameter"):
        NeuralNetClassifier(module="TableNet").fit(X, y)


# -- a module instance -------------------------------------------------------------


def test_instance_is_copied_and_never_trained_in_place(iris):
    X, y = iris
    torch.manual_seed(0)
    net = TableNet(4, 3, hidden=8)
    before = _weights(net)
    clf = _fast(module=net).fit(X, y)
    assert clf.module_ is not net
    assert _same_weights(_weights(net), before)
    assert not _same_weights(_weights(clf.module_), before)
    # a refit starts from the instance again, not from the last fit
    first = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.fit(X, y).predict_proba(X), first)
    # folds never share weights: each fold starts from the instance
    cv = KFold(3, shuffle=True, random_state=0)
    result = cross_validate(_fast(module=net), X, y, cv=cv, return_estimator=True)
    assert _same_weights(_weights(net), before)
    for (train, _), fold in zip(cv.split(X), result["estimator"], strict=True):
        alone = _fast(module=net).fit(X[train], y[train])
        np.testing.assert_array_equal(fold.predict_proba(X), alone.predict_proba(X))


def test_instance_rejects_module_params_and_has_fixed_width(iris, binary):
    X, y = iris
    with pytest.raises(ValueError, match="instance of TableNet.*module__hidden"):
        _fast(module=TableNet(4, 3), module__hidden=3).fit(X, y)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        _fast(module=TableNet(4, 1)).fit(X, y)
    tags = NeuralNetClassifier(module=lazy_binary_net()).__sklearn_tags__()
    assert not tags.classifier_tags.multi_class
    assert not tags.classifier_tags.multi_label
    tags = NeuralNetClassifier(module=TableNet).__sklearn_tags__()
    assert tags.classifier_tags.multi_class and tags.classifier_tags.multi_label


def test_lazy_instance_fits_pickles_and_refits(binary):
    X, y = binary
    net = lazy_binary_net()
    clf = _fast(module=net).fit(X, y)
    assert clf.module_[0].in_features == 4
    assert isinstance(net[0].weight, nn.parameter.UninitializedParameter)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert len(restored.history_) == len(clf.history_) + 2


# -- seeding -------------------------------------------------------------------------


def test_same_seed_same_weights_and_predictions(iris):
    X, y = iris
    a = _fast(module=DropoutBatchNormNet).fit(X, y)
    b = _fast(module=DropoutBatchNormNet).fit(X, y)
    assert _same_weights(_weights(a.module_), _weights(b.module_))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = _fast(module=DropoutBatchNormNet, random_state=1).fit(X, y)
    assert not _same_weights(_weights(a.module_), _weights(c.module_))


def test_presets_are_the_same_machinery(iris, images):
    X, y = iris
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    net = NeuralNetClassifier(
        module=sknn.modules.MLP,
        module__hidden_layer_sizes=(16,),
        alpha=0.1,
        learning_rate_init=5e-3,
        max_iter=5,
        random_state=0,
    )
    np.testing.assert_array_equal(
        mlp.fit(X, y).predict_proba(X), net.fit(X, y).predict_proba(X)
    )
    Xi, yi = images
    cnn = CNNClassifier(filters=(4,), dropout=0.0, max_iter=2, random_state=0)
    net = NeuralNetClassifier(
        module=sknn.modules.CNN,
        module__filters=(4,),
        module__normalization="batch",
        batch_size=128,
        learning_rate_init=3e-3,
        max_iter=2,
        random_state=0,
    )
    np.testing.assert_array_equal(
        cnn.fit(Xi, yi).predict_proba(Xi), net.fit(Xi, yi).predict_proba(Xi)
    )


# -- what the module returns -------------------------------------------------------


def test_wrong_output_width_is_a_clear_error(iris, binary):
    X, y = iris
    with pytest.raises(
        ValueError,
        match=r"returned logits of shape \(2, 3\) for a batch of 2 samples; a "
        r"binary target needs 1 output, one logit, i\.e\. logits of shape \(2, 1\)",
    ):
        _fast(module=WrongWidth).fit(*binary)
    with pytest.raises(ValueError, match=r"a multiclass target with 3 classes"):
        _fast(module=WrongWidth, module__width=4).fit(X, y)
    with pytest.raises(ValueError, match=r"logits of shape \(2,\)"):
        _fast(module=Squeezed).fit(*binary)
    # several tensors are several outputs, side by side: (logits, x) is 3 + 4
    with pytest.raises(ValueError, match=r"tuple of 2 tensors of widths \[3, 4\]"):
        _fast(module=TupleOutput).fit(X, y)
    with pytest.raises(TypeError, match="dtype float64, but it trains in float32"):
        _fast(module=Float64Logits).fit(X, y)
    assert _fast(module=Float64Logits, dtype="float64", max_iter=1).fit(X, y)


def test_a_forward_that_raises_propagates_and_leaves_the_estimator(iris):
    X, y = iris

    class Failing(Recorder):  # defined here: pickling is not needed
        def __init__(self, input_shape, n_outputs):
            super().__init__(input_shape, n_outputs)
            self.fail = True

    clf = _fast(module=Failing)
    with pytest.raises(ZeroDivisionError, match="a bug in the user's forward") as info:
        clf.fit(X, y)
    assert any(entry.name == "forward" for entry in info.traceback)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert not any(key.endswith("_") for key in vars(clf))

    # a fitted estimator is left as it was, weights and history included
    clf = _fast(module=Recorder, warm_start=True, max_iter=3).fit(X, y)
    state = dict(vars(clf))
    weights, history = _weights(clf.module_), list(clf.history_)
    clf.module_.fail = True
    for call in (lambda: clf.fit(X, y), lambda: clf.partial_fit(X, y)):
        with pytest.raises(ZeroDivisionError):
            call()
        assert vars(clf).keys() == state.keys()
        assert all(vars(clf)[key] is value for key, value in state.items())
        assert _same_weights(_weights(clf.module_), weights)
        assert list(clf.history_) == history
        assert clf.n_iter_ == 3
    clf.module_.fail = False
    assert len(clf.fit(X, y).history_) == 6


def test_dropout_and_batch_norm_train_and_eval_modes(iris):
    X, y = iris
    clf = _fast(module=DropoutBatchNormNet, early_stopping=True).fit(X, y)
    norm = clf.module_.layers[1]
    assert norm.num_batches_tracked > 0  # trained in train mode
    assert not clf.module_.training  # predicts in eval mode
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    probe = Recorder((4,), 3)
    clf = _fast(module=probe, early_stopping=True, max_iter=2, batch_size=50)
    clf.fit(X, y)
    modes = {(training, shape[0]) for training, shape, _ in clf.module_.calls}
    # the first pass sizes the network (eval), then training batches (train)
    # and the held-out validation set (eval)
    assert (True, 50) in modes and (False, 15) in modes and (False, 2) in modes
    assert (True, 15) not in modes


# -- everything MLPClassifier has ------------------------------------------------


def test_training_features_work_the_same(iris, binary, auto_device):
    X, y = iris
    clf = _fast(early_stopping=True, n_iter_no_change=2, max_iter=200).fit(X, y)
    assert clf.best_epoch_ is not None and clf.n_iter_ < 200
    clf = _fast(max_iter=3).fit(X, y, X_val=X[:30], y_val=y[:30])
    assert len(clf.validation_scores_) == 3
    weights = np.where(y == 2, 5.0, 1.0)
    assert _fast(max_iter=3).fit(X, y, sample_weight=weights).n_iter_ == 3
    assert _fast(class_weight="balanced", max_iter=3).fit(X, y).n_iter_ == 3
    clf = _fast(solver="sgd", max_iter=2).fit(X, y)
    assert isinstance(clf.net_.optimizer_, torch.optim.SGD)
    clf = NeuralNetClassifier(module=TableNet, random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert len(clf.history_) == 3
    warm = _fast(warm_start=True, max_iter=2).fit(X, y)
    assert len(warm.fit(X, y).history_) == 4
    assert torch.device(clf.device_).type == auto_device
    assert next(clf.module_.parameters()).device.type == auto_device
    display = TrainingHistoryDisplay.from_estimator(_fast(max_iter=3).fit(X, y))
    assert len(display.train_loss) == 3


def test_verbose_prints_epochs(iris, capsys):
    X, y = iris
    _fast(verbose=1, max_iter=2).fit(X, y)
    assert capsys.readouterr().out.count("Iteration") == 2


# -- pickling and clone ------------------------------------------------------------


@pytest.mark.parametrize(
    "module", [TableNet, make_table_net, DropoutBatchNormNet], ids=lambda m: m.__name__
)
def test_pickle_round_trip(iris, module):
    X, y = iris
    clf = _fast(module=module, max_iter=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.module_kwargs_ == clf.module_kwargs_
    # training goes on from the restored state, as from the original
    clf.set_params(warm_start=True, max_iter=2)
    restored.set_params(warm_start=True, max_iter=2)
    np.testing.assert_allclose(
        restored.fit(X, y).predict_proba(X), clf.fit(X, y).predict_proba(X)
    )


def test_pickle_is_built_from_the_fitted_kwargs(iris):
    X, y = iris
    clf = _fast(module__hidden=6, max_iter=2).fit(X, y)
    clf.set_params(module__hidden=50)  # after fit: no effect on the fitted net
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.module_.hidden.out_features == 6


def test_pickling_a_class_that_cannot_be_imported_names_it(iris):
    X, y = iris

    class Local(TableNet):
        pass

    clf = _fast(module=Local, max_iter=1).fit(X, y)
    with pytest.raises((AttributeError, pickle.PicklingError), match="Local"):
        pickle.dumps(clf)
    # clone and deep copies do not pickle
    assert copy.deepcopy(clf).predict(X[:3]).shape == (3,)
    assert clone(clf).module is Local


# -- what the module is given and what it may do ----------------------------------


def test_a_module_given_as_an_argument_is_never_trained_in_place(iris):
    X, y = iris
    torch.manual_seed(0)
    backbone = nn.Linear(4, 8)
    before = _weights(backbone)
    clf = _fast(module=WithBackbone, module__backbone=backbone)
    first = clf.fit(X, y).predict_proba(X)
    assert _same_weights(_weights(backbone), before)
    assert clf.module_.backbone is not backbone
    # a refit starts from the backbone again
    np.testing.assert_array_equal(clf.fit(X, y).predict_proba(X), first)


def test_a_factory_returning_a_cached_instance_gets_a_copy(iris):
    X, y = iris
    before = _weights(user_modules._SHARED)
    first = _fast(module=shared_net).fit(X, y)
    second = _fast(module=shared_net).fit(X, y)
    assert _same_weights(_weights(user_modules._SHARED), before)
    assert first.module_ is not second.module_
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_outputs_are_checked_in_train_mode_too(iris, binary):
    X, y = iris
    with pytest.raises(ValueError, match=r"\(64, 6\) \(a tuple of 2 .* in train mode"):
        _fast(module=TrainTuple).fit(X, y)
    with pytest.raises(ValueError, match=r"shape \(64, 4\) .* in train mode"):
        _fast(module=TrainWidth).fit(X, y)
    with pytest.raises(ValueError, match="do not require grad"):
        _fast(module=Detached).fit(X, y)
    with pytest.raises(ValueError, match="no trainable parameters"):
        _fast(module=Frozen).fit(X, y)


@pytest.mark.parametrize("shuffle", [True, False])
def test_a_forward_working_in_place_never_changes_x(iris, shuffle):
    X, y = iris
    X = X.astype(np.float32)  # no conversion: the arrays could be shared
    before = X.copy()
    clf = _fast(module=InPlace, shuffle=shuffle, early_stopping=True).fit(X, y)
    np.testing.assert_array_equal(X, before)
    clf.predict_proba(X)
    np.testing.assert_array_equal(X, before)
    # and the network saw the same data every epoch: as a copy of X would
    copy_fit = _fast(module=InPlace, shuffle=shuffle, early_stopping=True)
    np.testing.assert_array_equal(
        copy_fit.fit(X.copy(), y).predict_proba(X), clf.predict_proba(X)
    )


def test_signatures_sknn_cannot_fill(iris):
    X, y = iris
    with pytest.raises(TypeError, match="'n_features' is positional-only"):
        _fast(module=PositionalOnly).fit(X, y)
    with pytest.raises(TypeError) as info:
        _fast(module=VariadicChild).fit(X, y)
    notes = "\n".join(getattr(info.value, "__notes__", [])) or str(info.value)
    if sys.version_info >= (3, 11):
        assert "names none of them" in notes


@pytest.mark.parametrize(
    ("value", "size"),
    [(3.0, "n_outputs"), (True, "n_outputs"), (np.int64(3), None), ("3", "n_outputs")],
)
def test_explicit_sizes_must_have_the_right_type(iris, value, size):
    X, y = iris
    clf = _fast(module__n_outputs=value, max_iter=1)
    if size is None:
        assert clf.fit(X, y).module_.output.out_features == 3
    else:
        with pytest.raises(ValueError, match=f"module__{size}="):
            clf.fit(X, y)


def test_explicit_shape_as_an_array(iris):
    X, y = iris
    clf = _fast(module=Recorder, module__input_shape=np.array([4]), max_iter=1)
    assert clf.fit(X, y).module_kwargs_["input_shape"].tolist() == [4]
    with pytest.raises(ValueError, match="module__input_shape"):
        _fast(module=Recorder, module__input_shape=np.array([5])).fit(X, y)


def test_a_partial_bound_size_is_checked(binary):
    X, y = binary
    factory = functools.partial(make_table_net, n_outputs=3)
    with pytest.raises(ValueError, match="n_outputs=3 is bound in make_table_net"):
        _fast(module=factory).fit(X, y)
    factory = functools.partial(make_table_net, n_outputs=1, hidden=4)
    assert _fast(module=factory, max_iter=1).fit(X, y).module_.hidden.out_features == 4


def test_changing_dtype_under_warm_start_is_refused(iris):
    X, y = iris
    clf = _fast(warm_start=True, max_iter=2).fit(X, y)
    clf.set_params(dtype="float64")
    for call in (lambda: clf.fit(X, y), lambda: clf.partial_fit(X, y)):
        with pytest.raises(ValueError, match="trained in float32"):
            call()
    assert clf.n_iter_ == 2


def test_the_module_is_left_in_eval_mode(iris):
    X, y = iris
    clf = _fast(module=DropoutBatchNormNet, max_iter=2).fit(X, y)
    assert not any(m.training for m in clf.module_.modules())


class _ChannelsFirstConv(nn.Module):
    """A torch-style convolution: channels-first images."""

    def __init__(self, n_outputs):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.output = nn.Linear(4, n_outputs)

    def forward(self, x):
        return self.output(self.conv(x).mean(dim=(2, 3)))


def test_a_forward_error_names_the_batch_and_the_channel_layout():
    images = np.random.RandomState(0).rand(6, 16, 16, 3).astype(np.float32)
    y = [0, 1] * 3
    clf = NeuralNetClassifier(module=_ChannelsFirstConv, max_iter=1)
    message = (
        r"forward pass failed on a batch of shape \(2, 16, 16, 3\) \(float32\).*"
        r"expected input.*to have 3 channels.*pass X\.transpose\(0, 3, 1, 2\)"
    )
    with pytest.raises(ValueError, match=message):
        clf.fit(images, y)
    assert not hasattr(clf, "module_")
    assert clf.fit(images.transpose(0, 3, 1, 2), y).predict(
        images[:2].transpose(0, 3, 1, 2)
    ).shape == (2,)


class _BiasOnly(nn.Module):
    """Logits that ignore the inputs: the majority class, at best."""

    def __init__(self, n_outputs):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n_outputs))

    def forward(self, x):
        return self.bias + 0.0 * x.flatten(1)[:, :1]


def test_a_model_that_predicts_one_class_on_its_training_data_is_flagged():
    X = np.random.RandomState(0).rand(100, 4)
    y = np.r_[[0] * 60, [1] * 40]  # sorted: the check spreads over the rows
    clf = NeuralNetClassifier(module=_BiasOnly, max_iter=50, learning_rate_init=0.1)
    with pytest.warns(
        UserWarning, match=r"predicts one class, 0, for all 100 training"
    ):
        clf.fit(X, y)
    # a model that tells the classes apart is not
    X[:, 0] += 5 * y
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*predicts one class")
        NeuralNetClassifier(module=TableNet, random_state=0).fit(X, y)
    # nor is a target of a single class
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*predicts one class")
        NeuralNetClassifier(module=_BiasOnly, max_iter=2).fit(X, np.zeros(100))
