"""scikit-learn's estimator checks over every public estimator: the contract."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks
from user_modules import ChannelsLastConv, FlatNet, TableNet, lazy_binary_net

import sknn
from sknn import (
    CNNClassifier,
    CNNRegressor,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    NeuralNetRegressor,
    RNNClassifier,
    RNNRegressor,
    TensorScaler,
)
from sknn.normalization import uses_batch_statistics


def _instances():
    # Small, fast instances; the defaults are exercised in the behaviour tests.
    for dtype in ("float32", "float64"):
        yield MLPClassifier(
            hidden_layer_sizes=(16,),
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            dtype=dtype,
        )
        yield CNNClassifier(
            filters=(8,),
            learning_rate="cosine",  # the schedule of their checks' figures
            batch_size=200,
            max_iter=30,
            learning_rate_init=0.01,
            dropout=0.0,
            normalization=None,
            random_state=0,
            dtype=dtype,
        )
    # a normalization with learnable parameters and per-sample statistics
    yield CNNClassifier(
        filters=(8,),
        learning_rate="cosine",  # the schedule of their checks' figures
        batch_size=200,
        max_iter=30,
        learning_rate_init=0.01,
        dropout=0.0,
        normalization="group",
        random_state=0,
        dtype="float64",
    )
    yield MLPClassifier(
        hidden_layer_sizes=(16,),
        max_iter=30,
        learning_rate_init=0.01,
        normalization="layer",
        random_state=0,
        dtype="float64",
    )
    # Networks of a user's: sized by n_features / n_outputs (two dtypes), by
    # input_shape (channels-last convolutions, which read a table's rows as
    # signals), and an instance (copied at every fit).
    for dtype in ("float32", "float64"):
        yield NeuralNetClassifier(
            module=TableNet,
            module__hidden=16,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            dtype=dtype,
        )
    yield NeuralNetClassifier(
        module=ChannelsLastConv,
        module__filters=8,
        max_iter=30,
        learning_rate_init=0.01,
        random_state=0,
        dtype="float64",
    )
    yield NeuralNetClassifier(
        module=lazy_binary_net(),
        max_iter=30,
        learning_rate_init=0.01,
        random_state=0,
        dtype="float64",
    )
    # recurrent networks read a table's rows as univariate sequences; one
    # batch per epoch, as scikit-learn's weight checks suppose
    for dtype in ("float32", "float64"):
        yield RNNClassifier(
            hidden_size=8,
            batch_size=200,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            dtype=dtype,
        )
    yield from _regressors()
    for method in ("standard", "minmax", "scale"):  # "standard": the default
        yield TensorScaler(method=method)
    yield from _defaults()


def _defaults():
    # Every estimator as a user first meets it: default-constructed (the
    # networks of a user's module with the test module), so that defaults
    # that stop passing scikit-learn's checks, or take minutes on their
    # small tables, are caught here.
    yield MLPClassifier()
    yield MLPRegressor()
    yield NeuralNetClassifier(module=TableNet)
    yield NeuralNetRegressor(module=TableNet)
    # max_iter lowered: "auto" plans 1,500 steps of the FCN on any table
    yield CNNClassifier(max_iter=5, random_state=0)
    yield CNNRegressor(max_iter=5, random_state=0)
    # "auto" plans 1,500 steps; 60 epochs of the checks' tables learn them
    yield RNNClassifier(max_iter=60, random_state=0)
    yield RNNRegressor(max_iter=60, random_state=0)


def _regressors():
    # The classifiers' small instances with a regression task. The check's
    # target depends on one feature of ten: a convolution over a table's row
    # needs kernels as wide as the row to tell its positions apart, and a
    # recurrent network more steps to learn which one.
    for dtype in ("float32", "float64"):
        yield MLPRegressor(
            hidden_layer_sizes=(16,),
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            dtype=dtype,
        )
        yield CNNRegressor(
            filters=(8,),
            learning_rate="cosine",  # the schedule of their checks' figures
            kernel_size=19,
            batch_size=200,
            max_iter=100,
            learning_rate_init=0.03,
            dropout=0.0,
            normalization=None,
            random_state=0,
            dtype=dtype,
        )
        yield NeuralNetRegressor(
            module=TableNet,
            module__hidden=16,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            dtype=dtype,
        )
        yield RNNRegressor(
            hidden_size=8,
            batch_size=200,
            max_iter=150,
            learning_rate_init=0.02,
            random_state=0,
            dtype=dtype,
        )
    yield MLPRegressor(
        hidden_layer_sizes=(16,),
        max_iter=30,
        learning_rate_init=0.01,
        loss="huber",
        normalization="layer",
        random_state=0,
        dtype="float64",
    )
    yield NeuralNetRegressor(
        module=FlatNet,
        max_iter=30,
        learning_rate_init=0.01,
        random_state=0,
        dtype="float64",
    )
    yield NeuralNetRegressor(
        module=lazy_binary_net(),
        max_iter=30,
        learning_rate_init=0.01,
        random_state=0,
        dtype="float64",
    )


# Each entry is a debt, with its reason.
_FLOAT32_ROUNDING = (
    "float32 sums differ from the float64 reference by rounding only: integer "
    "sample weights and repeated samples agree to a relative 5e-7, the check "
    "asks for 1e-7. The same check passes with dtype='float64', and "
    "test_mlp.py::test_mlp_sample_weight_equals_repetition_float32 pins the "
    "float32 agreement."
)


def _agrees_in_float32(estimator) -> bool:
    # The small float32 CNN instances and MLPRegressor happen to agree
    # within 1e-7, so they owe nothing.
    small_mlp = getattr(estimator, "hidden_layer_sizes", None) == (16,)
    return isinstance(estimator, (CNNClassifier, CNNRegressor)) or (
        isinstance(estimator, MLPRegressor) and small_mlp
    )


_BATCH_STATISTICS = (
    "the default CNN normalizes with batch norm, whose statistics are those "
    "of each batch: a sample's output depends on the other samples of its "
    "batch, which repeating or removing samples changes (CNNClassifier's "
    "Notes say so); normalization='layer' or None passes the check."
)


_CONVOLUTION_ROUNDING = (
    "float32 convolutions are computed by kernels that the CPU library picks "
    "by batch shape: the default CNNRegressor's predictions of a subset "
    "differ from the full batch's by float32 rounding (2e-7 absolute on "
    "values near 0.35), where the check asks for 1e-7."
)


_SMALL_BATCHES = (
    "the default batches of 16 (batch_size='auto') split the check's table "
    "into several: repeating a sample changes which samples share a batch, "
    "and so the steps. The check supposes one batch; the small RNN "
    "instances above (batch_size=200) pass it in float64."
)
_BATCH_WEIGHT_NORMALIZATION = (
    "each batch's loss is divided by its own weight sum, so a batch of 16 "
    "that holds only the classes weighted 1e-4 trains as if unweighted; "
    "over the check's 1,000 epochs on its unscaled 3-class blobs the share "
    "of class 0 reaches 0.82, not 0.87 (in one batch, batch_size=50, it is "
    "1.00). Dividing by the training set's mean weight times the batch size "
    "would fix it, in the engine's losses."
)


def _expected_failed_checks(estimator):
    if isinstance(estimator, (RNNClassifier, RNNRegressor)) and (
        estimator.batch_size == "auto"
    ):
        debts = {"check_sample_weight_equivalence_on_dense_data": _SMALL_BATCHES}
        if isinstance(estimator, RNNClassifier):
            debts["check_class_weight_classifiers"] = _BATCH_WEIGHT_NORMALIZATION
        return debts
    if isinstance(estimator, (CNNClassifier, CNNRegressor)) and (
        uses_batch_statistics(estimator.normalization)
    ):
        debts = {"check_sample_weight_equivalence_on_dense_data": _BATCH_STATISTICS}
        if isinstance(estimator, CNNRegressor) and estimator.dtype == "float32":
            debts["check_methods_subset_invariance"] = _CONVOLUTION_ROUNDING
        return debts
    if getattr(estimator, "dtype", None) == "float32" and not _agrees_in_float32(
        estimator
    ):
        return {
            "check_sample_weight_equivalence_on_dense_data": _FLOAT32_ROUNDING,
            "check_sample_weight_equivalence_on_sparse_data": _FLOAT32_ROUNDING,
        }
    return {}


@parametrize_with_checks(
    list(_instances()), expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", sknn._ESTIMATORS, ids=lambda cls: cls.__name__)
def test_docstrings_are_filled_in(cls):
    # what help() shows: every shared text substituted, no doubled percent
    assert "%(" not in cls.__doc__
    assert "%%" not in cls.__doc__
