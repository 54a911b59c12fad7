"""MLPClassifier and MLPRegressor: a dense network for tables and flattened tensors."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._categorical import CategoricalMixin
from ._docstrings import (
    AUTO_MAX_ITER,
    REGRESSOR,
    SHARED,
    Substitution,
    shared_entry,
    with_defaults,
    with_entries,
)
from ._preset import _BasePreset
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin
from ._utils import Interval, IntInterval, StrOptions, is_int
from .modules import MLP

#: ``alpha="auto"``: this penalty on tables of up to ``AUTO_ALPHA_ROWS``
#: training rows, and proportionally less on larger ones.
AUTO_ALPHA = 0.5
AUTO_ALPHA_ROWS = 400

_MAX_ITER = {"max_iter": AUTO_MAX_ITER}
_ALPHA = (
    shared_entry("alpha")
    .replace("alpha : float, default=0.1", 'alpha : float or "auto", default={default}')
    .rstrip()
    + f"""
        ``"auto"``: {AUTO_ALPHA} on tables of up to {AUTO_ALPHA_ROWS:,} training
        rows, ``{AUTO_ALPHA} * {AUTO_ALPHA_ROWS} / n`` on larger ones, since the
        penalty is a prior whose weight against ``n`` samples should fall as
        ``1 / n``."""
)
#: The categorical-column entries of both MLP docstrings.
_CATEGORICAL = {
    "categorical_parameters": """categorical_features : "from_dtype", array-like \
or None, default="from_dtype"
        The categorical columns of a table, learned as one embedding each
        (a learned vector per level, beside the numeric columns at the
        first layer) instead of a one-hot block. ``"from_dtype"``: the
        columns of a pandas or polars DataFrame of categorical dtype (pandas
        ``category``, polars ``Categorical`` or ``Enum``), as in
        scikit-learn's ``HistGradientBoostingClassifier``; otherwise column
        indices, names (of a DataFrame) or a boolean mask; None: no
        categorical columns. A DataFrame column of strings that is not
        categorical is an error that says how to declare it. Missing values
        and levels not seen in ``fit`` have rows of their own, so ``predict``
        takes new levels.

    embedding_dims : "auto", int or dict, default="auto"
        Length of each categorical column's vectors. ``"auto"``:
        ``min(600, round(1.6 * r ** 0.56))`` for an embedding of ``r`` rows
        (the column's levels plus the rows of missing and unseen values), a
        rule of thumb of the fastai library; an int for every column; a dict
        by column name or index (others ``"auto"``).""",
    "categorical_attributes": """is_categorical_ : ndarray of shape \
(`n_features_in_`,) of bool or None
        Which columns were learned as categorical; None when none were.

    categories_ : list of ndarray
        The levels of each categorical column, in column order: code
        ``2 + i`` is level ``i``, 0 a missing value, 1 a level not seen in
        ``fit``.

    embedding_dims_ : list of int
        Length of each categorical column's vectors.""",
}
_DOCSTRINGS = with_entries(
    with_defaults(SHARED, {"learning_rate_init": "5e-3"}),
    {**_MAX_ITER, "alpha": _ALPHA.replace("{default}", "0.1")},
)
_REGRESSOR_DOCSTRINGS = with_entries(
    with_defaults(REGRESSOR, {"learning_rate_init": "5e-3"}),
    {**_MAX_ITER, "alpha": _ALPHA.replace("{default}", '"auto"')},
)


class _MLP(CategoricalMixin, _BasePreset):
    """The dense architecture, task-neutral: MLPClassifier and MLPRegressor
    add their task."""

    _sparse_input = "coo"

    _parameter_constraints: dict = {
        **_BasePreset._parameter_constraints,
        **CategoricalMixin._categorical_constraints,
        "hidden_layer_sizes": [
            "array-like",
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
    }

    def _hidden_layer_sizes(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if is_int(sizes) else tuple(sizes)
        if not all(is_int(s) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a sequence of "
                f"positive ints, got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _validate_params(self):
        super()._validate_params()
        self._hidden_layer_sizes()

    def _alpha(self, n_train):
        if self.alpha != "auto":
            return self.alpha
        # A Gaussian prior's weight against n samples' evidence falls as 1/n:
        # small tables need a strong penalty, large ones hardly any.
        return AUTO_ALPHA * min(1.0, AUTO_ALPHA_ROWS / max(n_train, 1))

    # -- scikit-learn's fitted attributes ------------------------------------

    def _linear_layers(self) -> list[nn.Linear]:
        module = self.module_
        return [m for m in module.hidden if isinstance(m, nn.Linear)] + [module.output]

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weights of each linear layer, in scikit-learn's shapes.

        ``coefs_[i]`` has shape ``(n_in, n_out)``: the weight from each unit
        of layer ``i`` to each of layer ``i + 1``, in the network's dtype.
        With categorical columns the first layer's inputs are the numeric
        columns, then each categorical column's vector (the embeddings are
        ``module_.embeddings``).
        Under weight or spectral normalization they are the effective
        (normalized) weights. The parameters of normalization layers are not
        here; they are in ``module_``. The arrays are copies: change the
        network through ``module_``.
        """
        check_is_fitted(self)
        return [
            layer.weight.detach().cpu().numpy().T.copy()
            for layer in self._linear_layers()
        ]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Biases of each linear layer: ``intercepts_[i]`` has shape
        ``(n_out,)`` (copies, in the network's dtype)."""
        check_is_fitted(self)
        return [
            layer.bias.detach().cpu().numpy().copy() for layer in self._linear_layers()
        ]

    @property
    def n_layers_(self) -> int:
        """Number of layers, input and output included (scikit-learn's count:
        ``len(hidden_layer_sizes) + 2``)."""
        check_is_fitted(self)
        return len(self._linear_layers()) + 1

    def _shape_for_module(self, X: np.ndarray) -> np.ndarray:
        return X  # N-D samples stay flattened to vectors

    def _module_factory(self):
        return MLP

    def _module_kwargs(self, task, steps_per_epoch, batch_size):
        sizes = self._hidden_layer_sizes()
        widths = (self.n_features_in_, *sizes, task.n_outputs)
        parameters = sum((a + 1) * b for a, b in zip(widths, widths[1:], strict=False))
        self._check_network_size(parameters, "hidden_layer_sizes")
        return {
            "n_features": self.n_features_in_,
            "n_outputs": task.n_outputs,
            "hidden_layer_sizes": sizes,
            **self._network_kwargs(steps_per_epoch, batch_size),
            **self._categorical_module_kwargs(),
        }


@Substitution(**_DOCSTRINGS, **_CATEGORICAL)
class MLPClassifier(ClassifierTaskMixin, _MLP):
    """Multi-layer perceptron classifier on PyTorch.

    A dense network trained with mini-batch gradient descent, with the
    parameter names of :class:`sklearn.neural_network.MLPClassifier` plus what
    deep-learning users expect (dropout, optimizer choice, normalization
    inside the network, class weights, GPU). Binary targets get one output
    unit with a sigmoid, multiclass targets a softmax, multilabel indicator
    matrices one sigmoid per label.

    Inputs are tables (numpy arrays of any real dtype, converted once to
    float32, or pandas DataFrames) or N-D arrays such as images of shape
    ``(n, 64, 64, 3)``, which are flattened to ``64 * 64 * 3 = 12288``
    features per sample; the per-sample shape is checked again at predict
    time.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model.

    %(network_parameters)s

    %(categorical_parameters)s

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit`` (before flattening).

    %(categorical_attributes)s

    coefs_ : list of ndarray of shape (n_in, n_out)
        Weights of each linear layer, as in scikit-learn (copies of the
        network's; see the property's documentation).

    intercepts_ : list of ndarray of shape (n_out,)
        Biases of each linear layer.

    n_layers_ : int
        Number of layers, input and output included.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's numpy implementation.
    sknn.modules.MLP : The network it trains, for your own PyTorch code.
    sknn.NeuralNetClassifier : The same training for a network of your own.

    Notes
    -----
    Four defaults differ from scikit-learn's (``batch_size="auto"``, i.e. up
    to 200, ``learning_rate_init=1e-3``, ``max_iter=200``, ``alpha=1e-4``):
    batches of 64 at a learning rate of 5e-3 with a stronger L2 penalty
    (0.1), for ``max_iter="auto"``: 20 epochs, or more on small tables, as
    many as make 200 optimizer steps (a small table needs steps, not
    passes). Measured by ``benchmarks/bench_defaults.py`` (a
    ``StandardScaler`` first, shuffled stratified 5-fold cross-validation,
    ``random_state=0``), against scikit-learn's defaults and pytabkit's
    RealMLP-TD (Holzmüller et al., 2024):

    ======================  =======  ============  ==========
    data set                sknn     scikit-learn  RealMLP-TD
    ======================  =======  ============  ==========
    digits                  0.980    0.977         0.984
    breast cancer           0.979    0.975         0.974
    wine                    0.983    0.978         0.983
    iris                    0.967    0.947         0.967
    synthetic 20,000 x 50   0.982    0.976         0.992
    ======================  =======  ============  ==========

    On the four small data sets sknn took 0.34 times scikit-learn's time and
    0.015 times RealMLP-TD's (1.7 s, 4.9 s and 113 s on 2 CPU cores). Large
    tables train for the same 20 epochs as before. Pass scikit-learn's values
    to get its schedule.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import MLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, stratify=y, random_state=0)
    >>> clf = make_pipeline(
    ...     StandardScaler(), MLPClassifier(max_iter=50, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **_MLP._parameter_constraints,
        **ClassifierTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
        alpha=0.1,
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=5e-3,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="loss",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        normalization=None,
        normalization_kwargs=None,
        categorical_features="from_dtype",
        embedding_dims="auto",
        class_weight=None,
        output_weights=None,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.normalization = normalization
        self.normalization_kwargs = normalization_kwargs
        self.categorical_features = categorical_features
        self.embedding_dims = embedding_dims
        self.class_weight = class_weight
        self.output_weights = output_weights
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile


@Substitution(**_REGRESSOR_DOCSTRINGS, **_CATEGORICAL)
class MLPRegressor(RegressorTaskMixin, _MLP):
    """Multi-layer perceptron regressor on PyTorch.

    A dense network trained with mini-batch gradient descent, with the
    parameter names, attributes and behaviour of
    :class:`sklearn.neural_network.MLPRegressor` (solvers, schedules,
    ``partial_fit``, ``warm_start``, early stopping on the validation R²),
    plus what deep-learning users expect: dropout, normalization inside the
    network, robust and quantile losses, GPU. Targets of shape ``(n,)`` or
    ``(n, n_outputs)``; the network learns them standardized and
    ``predict`` returns the original units (``scale_target``), so no
    :class:`~sklearn.compose.TransformedTargetRegressor` is needed.

    Inputs are tables (numpy arrays of any real dtype, pandas or polars
    DataFrames, sparse matrices) or N-D arrays, flattened to one row per
    sample, as for :class:`~sknn.MLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model.

    %(network_parameters)s

    %(categorical_parameters)s

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit`` (before flattening).

    %(categorical_attributes)s

    coefs_ : list of ndarray of shape (n_in, n_out)
        Weights of each linear layer, as in scikit-learn (they act on the
        scaled target; see ``target_scale_``).

    intercepts_ : list of ndarray of shape (n_out,)
        Biases of each linear layer.

    n_layers_ : int
        Number of layers, input and output included.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's numpy implementation.
    sknn.MLPClassifier : The same network for class labels.
    sknn.NeuralNetRegressor : The same training for a network of your own.

    Notes
    -----
    The defaults are :class:`~sknn.MLPClassifier`'s (batches of 64, Adam
    at 5e-3, ``max_iter="auto"``), with the target scaled and
    ``alpha="auto"``, a penalty that weighs less as the table grows: a
    constant 0.1 overfits tables of a few dozen rows and underfits tables
    of tens of thousands. Shuffled 5-fold R² (``StandardScaler`` first,
    ``benchmarks/bench_regression.py``):

    ======================  =======  ============  ==========
    data set                sknn     scikit-learn  RealMLP-TD
    ======================  =======  ============  ==========
    diabetes                0.482    -1.032        0.468
    Friedman #1, 2,000      0.937    0.840         0.955
    synthetic 20,000 x 50   0.870    0.848         0.917
    ======================  =======  ============  ==========

    in 0.32 times scikit-learn's fit time (RealMLP-TD: first fold only on
    the synthetic table).
    ``benchmarks/bench_regression.py`` compares them with scikit-learn's
    MLPRegressor, RealMLP-TD and gradient boosting. ``score`` is R²
    (uniform average over outputs), as for every scikit-learn regressor.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import MLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), MLPRegressor(random_state=0))
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.25
    True
    >>> reg.predict(X_test[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **_MLP._parameter_constraints,
        **RegressorTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
        alpha="auto",
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=5e-3,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="r2",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        normalization=None,
        normalization_kwargs=None,
        categorical_features="from_dtype",
        embedding_dims="auto",
        loss="squared_error",
        huber_delta=1.0,
        quantile=0.5,
        scale_target=True,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.normalization = normalization
        self.normalization_kwargs = normalization_kwargs
        self.categorical_features = categorical_features
        self.embedding_dims = embedding_dims
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.scale_target = scale_target
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile
