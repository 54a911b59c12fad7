"""NeuralNetClassifier and NeuralNetRegressor: any PyTorch network, with the
whole scikit-learn contract."""

from __future__ import annotations

from torch import nn

from ._base import _BaseNeuralNet
from ._docstrings import (
    AUTO_MAX_ITER,
    REGRESSOR,
    SHARED,
    Substitution,
    with_defaults,
    with_entries,
)
from ._module_params import PREFIX, resolve_module_kwargs
from ._named_inputs import NamedInputsMixin
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin

#: Defaults for a network of unknown size: Adam's usual learning rate and
#: scikit-learn's L2 penalty.
_DEFAULTS = {"alpha": "1e-4", "learning_rate_init": "1e-3"}
_MAX_ITER = {"max_iter": AUTO_MAX_ITER}


class _NeuralNet(NamedInputsMixin, _BaseNeuralNet):
    """The architecture of a user's module, task-neutral:
    NeuralNetClassifier and NeuralNetRegressor add their task."""

    _sparse_input = "dense"

    _parameter_constraints: dict = {
        **_BaseNeuralNet._parameter_constraints,
        "module": [callable],
    }

    def _store_module_params(self, module__params: dict) -> None:
        """Store the ``module__<name>`` arguments of ``__init__``."""
        for key, value in module__params.items():
            if not key.startswith(PREFIX):
                raise TypeError(
                    f"{type(self).__name__}.__init__() got an unexpected keyword "
                    f"argument {key!r}; arguments of the module are passed as "
                    f"{PREFIX}<name>."
                )
            setattr(self, key, value)

    # -- module__<name> hyperparameters ----------------------------------------
    # They are attributes to their users (``clf.module__hidden``), but live in
    # one private dict: scikit-learn reads an estimator's public attributes
    # after __init__ as the parameters of its signature, which these are not.
    # The dict is replaced, never changed in place, so that shallow copies of
    # an estimator never share a change.

    def __setattr__(self, name, value):
        if name.startswith(PREFIX):
            params = dict(self.__dict__.get("_module_params", {}))
            params[name] = value
            self.__dict__["_module_params"] = params
        else:
            super().__setattr__(name, value)

    def __getattr__(self, name):
        # Called only when normal lookup fails.
        params = self.__dict__.get("_module_params", {})
        if name in params:
            return params[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __delattr__(self, name):
        params = self.__dict__.get("_module_params", {})
        if name in params:
            self.__dict__["_module_params"] = {
                key: value for key, value in params.items() if key != name
            }
        else:
            super().__delattr__(name)

    def get_params(self, deep=True):
        """Get the parameters of this estimator, ``module__<name>`` included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self.__dict__.get("_module_params", {}))
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator, ``module__<name>`` included.

        A ``module__<name>`` that was not set before is added: it is checked
        against the module's signature at ``fit``.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
            The estimator.
        """
        for key in [key for key in params if key.startswith(PREFIX)]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def _single_output(self) -> bool:
        # a module instance with a fixed output width of 1: one logit (a
        # binary target only), or one target
        return isinstance(self.module, nn.Module) and _output_width(self.module) == 1

    # -- the network -------------------------------------------------------------

    def _module_factory(self):
        return self.module

    def _module_kwargs(self, task, steps_per_epoch, batch_size):
        given = {
            key[len(PREFIX) :]: value
            for key, value in self.__dict__.get("_module_params", {}).items()
        }
        if isinstance(self.module, nn.Module):
            if given:
                names = ", ".join(PREFIX + key for key in given)
                raise ValueError(
                    f"module is an instance of {type(self.module).__name__}, which "
                    f"is copied as it is, so {names} cannot apply; pass the class "
                    "instead to build the network from them."
                )
            return None
        return resolve_module_kwargs(
            self.module,
            given,
            n_features=self.n_features_in_,
            input_shape=self.input_shape_,
            task=task,
            input_sizes=self._named_sizes(),
        )


@Substitution(**with_entries(with_defaults(SHARED, _DEFAULTS), _MAX_ITER))
class NeuralNetClassifier(ClassifierTaskMixin, _NeuralNet):
    """Classifier that trains a PyTorch network of your own.

    ``module`` is any :class:`torch.nn.Module` subclass (or a callable that
    returns a module, or a module instance) whose ``forward`` takes a batch of
    samples and returns one logit per output unit. The estimator builds the
    network at every ``fit`` from the ``module__<name>`` arguments, sizes it
    from the data, and trains it exactly as :class:`~sknn.MLPClassifier`
    trains its own: the loss follows the target (one logit and binary
    cross-entropy for a binary target, softmax cross-entropy over one logit
    per class for multiclass, one sigmoid per label for a multilabel
    indicator matrix), with the same optimizers, early stopping, sample and
    class weights, ``partial_fit``, ``warm_start``, seeding and devices.

    **Sized from the data.** When the module's constructor has parameters
    named ``n_features`` (the number of values in one sample: the columns of
    a table), ``input_shape`` (the shape of one sample, e.g. ``(64, 64, 3)``
    for colour images or ``(timesteps, features)`` for sequences) or
    ``n_outputs`` (1 for a binary target, the number of classes or labels
    otherwise), the estimator passes them; a value given explicitly, such as
    ``module__n_outputs=3``, is passed as it is and must agree with the data.

    **Inputs keep their shape.** A table reaches the module as
    ``(batch, n_features)``, an N-D array as ``(batch, *input_shape)``,
    without flattening or moving axes, converted to ``dtype``. A DataFrame
    sets ``feature_names_in_``. The module is trained in train mode and
    predicts in eval mode, so dropout and batch normalization behave as
    PyTorch users expect.

    Parameters
    ----------
    module : nn.Module subclass, callable or nn.Module instance
        The network. A class or callable is called with the
        ``module__<name>`` arguments (plus the sizes above) at every ``fit``,
        so that :func:`~sklearn.base.clone`, cross-validation folds and
        ``set_params`` always start from fresh weights drawn with
        ``random_state``. An instance is deep-copied at every ``fit`` and
        never trained in place: every fit starts from its current weights (a
        pretrained network, say), and its sizes are yours to get right.

    %(training_parameters)s

    %(task_parameters)s

    **module__params : module__<name>=value
        Arguments of the module's constructor, one hyperparameter each:
        listed by ``get_params``, changed by ``set_params``, kept by ``clone``
        and searched by :class:`~sklearn.model_selection.GridSearchCV` like
        any other (``{"module__hidden": [32, 64]}``). A name the constructor
        does not take (and no ``**kwargs`` either) is an error at ``fit``.

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit``; inputs to ``predict`` must
        have the same shape.

    See Also
    --------
    sknn.MLPClassifier : A preset: this training with :class:`sknn.modules.MLP`.
    sknn.CNNClassifier : A preset: this training with :class:`sknn.modules.CNN`.

    Notes
    -----
    The module must return logits of shape ``(batch, n_outputs)`` in the
    dtype of its inputs; anything else is refused with a ``ValueError`` or
    ``TypeError`` before training starts. An exception raised inside your
    ``forward`` propagates with its own traceback, and the estimator is left
    as it was before the call.

    To pickle a fitted estimator, the module class (or factory) must be
    importable, i.e. defined at the top level of a module or script;
    pickle cannot find a class defined inside a function when loading. A
    module instance is pickled with the estimator, which torch refuses for
    modules with parametrizations (``weight_norm``, ``spectral_norm``): pass
    the class or a factory instead.

    A module instance has a fixed output width: one of width 1 supports
    binary targets only, and the estimator tells scikit-learn so through its
    tags (``multi_class`` and ``multi_label`` are False).

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import NeuralNetClassifier
    >>> class Net(nn.Module):
    ...     def __init__(self, n_features, n_outputs, hidden=32):
    ...         super().__init__()
    ...         self.layers = nn.Sequential(
    ...             nn.Linear(n_features, hidden), nn.ReLU(),
    ...             nn.Linear(hidden, n_outputs))
    ...     def forward(self, x):
    ...         return self.layers(x)
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), NeuralNetClassifier(
    ...     module=Net, module__hidden=16, random_state=0))
    >>> bool(cross_val_score(clf, X, y, cv=3).mean() > 0.9)
    True
    >>> clf.fit(X, y)[-1].module_kwargs_
    {'n_features': 30, 'n_outputs': 1, 'hidden': 16}
    """

    _parameter_constraints: dict = {
        **_NeuralNet._parameter_constraints,
        **ClassifierTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        module,
        solver="adam",
        alpha=1e-4,
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=1e-3,
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
        class_weight=None,
        output_weights=None,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
        # Named with the prefix, so that scikit-learn's checks, which pass
        # every name of the signature, pass a module__ argument here too.
        **module__params,
    ):
        self.module = module
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
        self.class_weight = class_weight
        self.output_weights = output_weights
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile
        self._store_module_params(module__params)


@Substitution(**with_entries(with_defaults(REGRESSOR, _DEFAULTS), _MAX_ITER))
class NeuralNetRegressor(RegressorTaskMixin, _NeuralNet):
    """Regressor that trains a PyTorch network of your own.

    ``module`` is any :class:`torch.nn.Module` subclass (or a callable that
    returns a module, or a module instance) whose ``forward`` takes a batch of
    samples and returns one value per target, shape ``(batch, n_outputs)``.
    It is built, sized from the data and trained exactly as
    :class:`~sknn.NeuralNetClassifier` does (see there for the
    ``module__<name>`` hyperparameters, module instances and pickling), with
    a regression loss instead of a classification one: the network learns
    the standardized target (``scale_target``) and ``predict`` returns the
    original units.

    **Sized from the data.** Constructor parameters named ``n_features``,
    ``input_shape`` and ``n_outputs`` receive the number of values in a
    sample, the shape of a sample and the number of targets (1 for a 1-D
    ``y``).

    Parameters
    ----------
    module : nn.Module subclass, callable or nn.Module instance
        The network: a class or callable is called with the
        ``module__<name>`` arguments (plus the sizes above) at every ``fit``;
        an instance is deep-copied at every ``fit``.

    %(training_parameters)s

    %(task_parameters)s

    **module__params : module__<name>=value
        Arguments of the module's constructor, one hyperparameter each, as
        for :class:`~sknn.NeuralNetClassifier`.

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit``; inputs to ``predict`` must
        have the same shape.

    See Also
    --------
    sknn.MLPRegressor : A preset: this training with :class:`sknn.modules.MLP`.
    sknn.NeuralNetClassifier : The same for class labels.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import NeuralNetRegressor
    >>> class Net(nn.Module):
    ...     def __init__(self, n_features, n_outputs, hidden=32):
    ...         super().__init__()
    ...         self.layers = nn.Sequential(
    ...             nn.Linear(n_features, hidden), nn.ReLU(),
    ...             nn.Linear(hidden, n_outputs))
    ...     def forward(self, x):
    ...         return self.layers(x)
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), NeuralNetRegressor(
    ...     module=Net, module__hidden=16, random_state=0))
    >>> bool(cross_val_score(reg, X, y, cv=3).mean() > 0.3)
    True
    >>> reg.fit(X, y)[-1].module_kwargs_
    {'n_features': 10, 'n_outputs': 1, 'hidden': 16}
    """

    _parameter_constraints: dict = {
        **_NeuralNet._parameter_constraints,
        **RegressorTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        module,
        solver="adam",
        alpha=1e-4,
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=1e-3,
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
        loss="squared_error",
        huber_delta=1.0,
        quantile=0.5,
        scale_target=True,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
        # Named with the prefix, so that scikit-learn's checks, which pass
        # every name of the signature, pass a module__ argument here too.
        **module__params,
    ):
        self.module = module
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
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.scale_target = scale_target
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile
        self._store_module_params(module__params)


def _output_width(module: nn.Module) -> int | None:
    """The width of a module instance's last linear layer, if it has one."""
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    return linears[-1].out_features if linears else None
