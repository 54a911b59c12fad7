"""The estimator base every sknn classifier shares: the scikit-learn contract.

A subclass supplies which network it trains (:meth:`_BaseNeuralNet._module_factory`
and :meth:`_BaseNeuralNet._module_kwargs`) and, where it needs to, how the shape
of its samples is read (:meth:`_BaseNeuralNet._record_input_shape` and
:meth:`_BaseNeuralNet._shape_for_module`). Everything else lives here: input
validation, targets and labels, sample and class weights, validation data and
early stopping, seeding, devices, the training engine, history and prediction.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from skorch.history import History
from torch import nn

from ._module_params import qualified_name, sizes_hint
from ._persistence import check_format, engine_state, mark, to_tensors
from ._targets import (
    MULTICLASS,
    MULTILABEL,
    TargetSpec,
    check_logits,
    column_or_1d_target,
    decode_predictions,
    encode_targets,
    infer_target_spec,
    log_probabilities,
    probabilities,
)
from ._training.callbacks import (
    BatchProgress,
    Convergence,
    CosineDecay,
    EpochPrinter,
    InverseScaling,
)
from ._training.data import (
    InputBatches,
    SparseBatches,
    SparseRows,
    SplitData,
    TensorData,
    batch_bounds,
)
from ._training.device import resolve_device
from ._training.engine import Engine
from ._training.optim import OptimizerFactory
from ._training.random import RandomStream
from ._training.stream import BlockInputs, BlockRows
from ._training.threads import probe_forward, training_threads
from ._utils import (
    Interval,
    IntInterval,
    Options,
    StrOptions,
    as_tensor,
    forked_torch_rng,
    numeric_tensor,
    seed_from_random_state,
    warn,
)

#: Input dtypes that prediction keeps as they are and converts batch by batch;
#: any other (strings, objects, long double) is converted up front, as in fit.
_KEPT_DTYPES = tuple(
    np.dtype(name)
    for name in (
        "float64",
        "float32",
        "float16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint64",
        "uint32",
        "uint16",
        "uint8",
        "bool",
    )
)

#: Rows per forward pass at prediction time: large enough to keep the device
#: busy, small enough to bound the activations' memory.
PREDICT_BATCH_SIZE = 8192


@dataclasses.dataclass(frozen=True)
class _RunPlan:
    """What a fit's settings (``"auto"`` ones included) come to for its data."""

    batch_size: int
    epochs: int
    lr: float
    schedule: str


def _is_streamed(X) -> bool:
    """Data to read block by block rather than copy: a dask array or data
    frame, or a numpy memory map."""
    if isinstance(X, np.memmap):
        return True
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "compute")


def _is_data_frame(X) -> bool:
    """A pandas or polars data frame, a pyarrow table: anything with columns
    (scikit-learn reads their names; numpy would lose them)."""
    return hasattr(X, "columns") and hasattr(X, "shape") and not sp.issparse(X)


def _stochastic_solver(estimator) -> bool:
    """Whether ``partial_fit`` applies: scikit-learn's rule and message."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True


class _BaseNeuralNet(BaseEstimator):
    """Shared base of sknn's classifiers. Not for direct use."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [IntInterval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "scoring": [StrOptions({"loss", "accuracy"})],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            IntInterval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "solver": [StrOptions({"adam", "adamw", "sgd", "lbfgs"})],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_fun": [IntInterval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "device": [str, torch.device],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    # -- hooks for subclasses -------------------------------------------------

    def _module_factory(self) -> Callable[..., nn.Module] | nn.Module:
        """The network to train: a callable returning an ``nn.Module`` (built
        from :meth:`_module_kwargs` at every fit), or an instance (copied)."""
        raise NotImplementedError

    def _module_kwargs(
        self, spec: TargetSpec, n_train: int, batch_size: int
    ) -> dict | None:
        """Keyword arguments of :meth:`_module_factory` for this run, once the
        training data are validated (None for a module instance). They are
        kept as ``module_kwargs_``, from which unpickling rebuilds the network."""
        raise NotImplementedError

    #: How sparse input reaches the network: refused (None), as sparse COO
    #: batches (``"coo"``, for networks whose first layer is an
    #: ``nn.Linear``), or densified one batch at a time (``"dense"``).
    _sparse_input: str | None = None

    #: Whether NaN in ``X`` is padding (of sequences), checked at validation.
    _nan_padding = False

    def _record_input_shape(self, shape: tuple[int, ...]) -> None:
        """Record the shape of one sample at fit (or refuse it)."""
        self.input_shape_ = shape

    def _describe_input(self) -> str:
        """How the fitted samples are read, for error messages."""
        return ""

    def _shape_for_module(self, X: np.ndarray) -> np.ndarray:
        """Validated rows of values, in the shape the network takes."""
        return X.reshape(X.shape[0], *self.input_shape_)

    # -- public API -----------------------------------------------------------

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a binary indicator matrix for multilabel
            classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; a weight of ``k`` counts like
            ``k`` copies of the sample.
        X_val, y_val : array-like, default=None
            An explicit validation set, for users who keep their own train /
            validation / test split. Its loss and accuracy are recorded every
            epoch in ``history_``; with ``early_stopping=True`` it is monitored
            instead of holding out ``validation_fraction`` of ``X``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        with self._unchanged_on_error():
            self._validate_params()
            incremental = self.warm_start and hasattr(self, "net_")
            return self._fit(
                X,
                y,
                sample_weight,
                validation=(X_val, y_val, sample_weight_val),
                warm=incremental,
                partial=False,
            )

    @available_if(_stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch over ``X`` and ``y``, keeping the current weights.

        Only for the stochastic solvers (not ``"lbfgs"``), and without early
        stopping, as in scikit-learn. After ``fit``, training goes on from
        the fitted weights and optimizer state.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a binary indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear in any call. Required on the first
            call for class labels, since a chunk may not show them all; on
            later calls, if given, it must be the same.

        Returns
        -------
        self : object
            The updated classifier.
        """
        first_call = not hasattr(self, "net_")
        with self._unchanged_on_error():
            if first_call:
                self._validate_params()
                if self.class_weight == "balanced":
                    raise ValueError(
                        "class_weight='balanced' is not supported by partial_fit, "
                        "which sees one chunk at a time; compute the weights once "
                        "with sklearn.utils.class_weight.compute_class_weight and "
                        "pass them as a dict."
                    )
            if self.early_stopping:
                raise ValueError("partial_fit does not support early_stopping=True")
            return self._fit(
                X,
                y,
                sample_weight,
                validation=(None, None, None),
                warm=not first_call,
                partial=True,
                classes=classes,
            )

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class.

        Computed from the network's logits (a log-softmax, or log-sigmoids),
        so very small probabilities are accurate negative numbers rather
        than ``log(0) = -inf``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, in the order of ``classes_``.
        """
        check_is_fitted(self)
        target_type = self.target_type_
        log_proba = self._outputs(
            X, lambda logits: log_probabilities(logits, target_type)
        )
        return log_proba.cpu().numpy()

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For binary and multiclass targets the rows sum to one; for
            multilabel targets each column is the probability of its label.
        """
        check_is_fitted(self)
        target_type = self.target_type_
        proba = self._outputs(X, lambda logits: probabilities(logits, target_type))
        return proba.cpu().numpy()

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Inputs of the same shape per sample as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels in the type they were given to ``fit``; an indicator
            matrix for multilabel targets.
        """
        check_is_fitted(self)
        return decode_predictions(self._outputs(X), self._target_spec())

    @property
    def device_(self) -> str:
        """The device the network is on (the CPU after unpickling a GPU model on
        a machine without CUDA)."""
        check_is_fitted(self)
        return str(self.net_.device)

    @property
    def module_(self) -> torch.nn.Module:
        """The trained PyTorch network."""
        check_is_fitted(self)
        return self.net_.module_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = self._sparse_input is not None
        return tags

    # -- persistence ----------------------------------------------------------

    def __getstate__(self):
        # Plain values and numpy arrays only (sknn/_persistence.py): pickle
        # and skops save the same state, and loading needs no torch object.
        # A copy: object.__getstate__ hands back the live __dict__.
        state = mark(dict(super().__getstate__()))
        engine = state.pop("net_", None)
        if "history_" in state:
            state["history_"] = [dict(row) for row in state["history_"]]
        if engine is not None:
            state["_engine_state"] = engine_state(engine)
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved = state.pop("_engine_state", None)
        check_format(state, type(self).__name__)
        if "history_" in state:
            state["history_"] = History(state["history_"])
        super().__setstate__(state)
        if saved is not None:
            self.net_ = self._restore_engine(saved)

    def _restore_engine(self, saved: dict) -> Engine:
        device = torch.device(saved["device"])
        if device.type == "cuda" and not torch.cuda.is_available():
            warn(
                f"This model was trained on {saved['device']!r}, which is not "
                "available here; it is loaded on the CPU.",
                UserWarning,
            )
            device = torch.device("cpu")
        with forked_torch_rng(0, device):
            module = self._build_module(self.module_kwargs_)
        module = module.to(device=device, dtype=getattr(torch, self.dtype))
        # Loaded before the optimizer is built: a lazy layer of a module
        # instance takes its shape from the saved weights.
        module.load_state_dict(to_tensors(saved["module"], device))
        plan = _RunPlan(
            batch_size=saved["batch_size"],
            epochs=1,
            lr=self._learning_rate_init(),
            schedule=self._learning_rate_schedule(),
        )
        engine = self._make_engine(
            module, self._target_spec(), plan, device, seed=0, partial=False, n_train=0
        )
        engine.initialize()
        engine.optimizer_.load_state_dict(to_tensors(saved["optimizer"], device))
        engine.prepare_optimizer()
        engine.generator.set_state(torch.from_numpy(np.array(saved["generator"])))
        engine.history_ = self.history_
        return engine

    # -- internals ------------------------------------------------------------

    @contextmanager
    def _unchanged_on_error(self) -> Iterator[None]:
        """Put every attribute back as it was if the block raises: a fit is
        a transaction.

        Validation sets ``n_features_in_`` and the sample shape before the
        network is built or trained; a fit that fails after that must not
        leave them behind (an unfitted estimator stays unfitted). The engine
        itself puts a warm model's weights, optimizer state and history back
        (:meth:`~sknn._training.engine.Engine.partial_fit`). A
        ``KeyboardInterrupt`` after a completed epoch is the exception: the
        model of that epoch is kept, consistent, and the interrupt goes on.
        """
        saved = dict(self.__dict__)
        try:
            yield
        except BaseException as error:
            # An interrupt after a completed epoch keeps that epoch's model.
            if not getattr(error, "_sknn_model_kept", False):
                self.__dict__.clear()
                self.__dict__.update(saved)
            raise

    def _check_sample_shape(self, X, *, reset):
        """Record (``reset``) or check the shape of one sample, and return the
        samples as rows of values, so that ``validate_data`` does its usual
        checks and ``n_features_in_`` is the number of values in a sample."""
        # Data frames (pandas, polars, pyarrow tables) and sparse matrices go
        # to validate_data as they are: it reads their column names.
        if not (_is_data_frame(X) or sp.issparse(X)):
            X = np.asarray(X)
        if len(X.shape) < 2:
            return X  # validate_data explains what it expects
        shape = tuple(X.shape[1:])
        if reset:
            self._record_input_shape(shape)
        elif (
            len(shape) > 1 or len(self.input_shape_) > 1
        ) and shape != self.input_shape_:
            # Tables of the wrong width get validate_data's standard message.
            raise ValueError(
                f"X has samples of shape {shape}, but {type(self).__name__} was "
                f"fitted on samples of shape {self.input_shape_}"
                f"{self._describe_input()}."
            )
        if len(shape) > 1:
            X = X.reshape(X.shape[0], math.prod(shape))
        return X

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        """Validate ``X`` (and ``y`` unless ``"no_validation"``) and return a
        C-ordered array of ``self.dtype`` in the network's shape (and the
        checked ``y``).

        ``check_params`` override the keywords passed to ``validate_data``:
        prediction keeps the input's numeric dtype and leaves the conversion
        and the finite check to :class:`~sknn._training.data.InputBatches`."""
        if _is_streamed(X):
            return self._validate_streamed(X, y, reset=reset)
        X = self._check_sample_shape(X, reset=reset)
        kwargs = {"reset": reset, "dtype": np.dtype(self.dtype), "order": "C"}
        if self._sparse_input is not None:
            kwargs["accept_sparse"] = ["csr", "csc", "coo"]
        kwargs.update(check_params)
        if isinstance(y, str) and y == "no_validation":
            return self._network_input(validate_data(self, X, **kwargs))
        X, y = validate_data(self, X, y, multi_output=True, **kwargs)
        if sp.issparse(y):  # a sparse indicator matrix of labels
            y = y.toarray()
        return self._network_input(X), y

    def _validate_streamed(self, X, y="no_validation", *, reset):
        """Validate data too large to read whole (a dask array or data frame,
        a memory map) from what it says of itself; its values are checked
        block by block as training reads them. ``y`` is read whole."""
        names = None
        if hasattr(X, "columns"):  # a dask data frame
            names = np.asarray([str(c) for c in X.columns], dtype=object)
            X = X.to_dask_array(lengths=True)
        if X.ndim < 2:
            raise ValueError(
                f"Expected a 2D array, got a {X.ndim}D array instead; reshape "
                "your data to (n_samples, n_features)."
            )
        if X.dtype.kind not in "fiub":
            raise TypeError(
                f"X holds values of dtype {X.dtype}; a numeric array is expected."
            )
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(self).__name__}."
            )
        if not (isinstance(y, str) and y == "no_validation"):
            # first: validate_data, given no X, also forgets feature names
            y = self._validate_target(y, X.shape[0])
        shape = tuple(int(n) for n in X.shape[1:])
        if reset:
            self._record_input_shape(shape)
            self.n_features_in_ = math.prod(shape)
            if names is not None:
                self.feature_names_in_ = names
            else:
                self.__dict__.pop("feature_names_in_", None)
        else:
            if shape != tuple(self.input_shape_):
                raise ValueError(
                    f"X has samples of shape {shape}, but {type(self).__name__} "
                    f"was fitted on samples of shape {self.input_shape_}."
                )
            fitted = getattr(self, "feature_names_in_", None)
            if names is not None and fitted is not None:
                if list(names) != list(fitted):
                    raise ValueError(
                        "The feature names should match those that were passed "
                        "during fit."
                    )
        if isinstance(y, str) and y == "no_validation":
            return X
        return X, y

    def _validate_target(self, y, n_samples: int):
        """``y`` checked on its own, for samples ``validate_data`` does not
        read (streamed, or sequences); it must have ``n_samples`` rows."""
        if hasattr(y, "compute"):
            y = y.compute()
        y = y if sp.issparse(y) else np.asarray(y)
        y = validate_data(self, X="no_validation", y=y, multi_output=True)
        if sp.issparse(y):
            y = y.toarray()
        if len(y) != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of "
                f"samples: [{n_samples}, {len(y)}]"
            )
        return y

    def _network_input(self, X):
        """Validated samples in the network's shape; sparse rows as CSR."""
        return X.tocsr() if sp.issparse(X) else self._shape_for_module(X)

    def _build_module(self, kwargs: dict | None) -> nn.Module:
        """A new network: a copy of a module instance, or the factory's.

        A class builds a new module; a factory function may hand back one it
        keeps (a cached instance), so what it returns is copied: no fit ever
        trains an object it was given, or continues another fit's training.
        """
        factory = self._module_factory()
        if isinstance(factory, nn.Module):
            return copy.deepcopy(factory)
        try:
            module = factory(**kwargs)
        except TypeError as error:
            hint = sizes_hint(factory)
            if hint is not None and hasattr(error, "add_note"):
                error.add_note(hint)
            raise
        if not isinstance(module, nn.Module):
            raise TypeError(
                f"{qualified_name(factory)}(...) returned an object of type "
                f"{type(module).__name__}, not a torch.nn.Module."
            )
        constructor = (
            factory.func if isinstance(factory, functools.partial) else factory
        )
        return module if isinstance(constructor, type) else copy.deepcopy(module)

    def _target_spec(self) -> TargetSpec:
        return TargetSpec(self.target_type_, self.classes_)

    def _outputs(self, X, finish=None) -> torch.Tensor:
        """The network's logits for ``X``, or ``finish`` of them batch by batch.

        Numeric input keeps its dtype through validation (anything else, such
        as strings of numbers, is converted as ``fit`` converts it); each batch
        is converted to the network's dtype as it is fed, and NaN or infinity
        is reported afterwards in scikit-learn's words. Outputs of such input,
        or logits that overflowed inside the network, are never returned.
        """
        dtype, np_dtype = self.net_.network_dtype()
        ready = self._ready_inputs(X)
        if ready is not None:
            X = ready
        else:
            X = self._validate_inputs(
                X,
                reset=False,
                dtype=(np_dtype, *_KEPT_DTYPES),
                order=None,
                ensure_all_finite=False,
            )
        device = torch.device(self.net_.device)
        if _is_streamed(X):
            rows = BlockRows(
                X,
                np.arange(X.shape[0]),
                dtype=np_dtype,
                device=device,
                to_network=self._network_input,
            )
            batches = BlockInputs(rows, batch_size=PREDICT_BATCH_SIZE)
        elif sp.issparse(X):
            assert_all_finite(
                X.data, estimator_name=type(self).__name__, input_name="X"
            )
            rows = SparseRows(
                X.astype(np_dtype, copy=False),
                device=device,
                dense=self._sparse_input == "dense",
            )
            batches = SparseBatches(rows, batch_size=PREDICT_BATCH_SIZE)
        else:
            batches = InputBatches(
                numeric_tensor(X),
                batch_size=PREDICT_BATCH_SIZE,
                dtype=dtype,
                device=device,
            )
        finite = []

        def finish_batch(logits):
            finite.append(torch.isfinite(logits).all())
            return logits if finish is None else finish(logits)

        outputs = self.net_.predict_outputs(batches, finish_batch)
        if not (batches.all_finite() or self._nan_padding):
            # Element by element, in the network's dtype, as scikit-learn's
            # check_array would have seen it; silent if a sum only overflowed.
            with np.errstate(over="ignore"):
                converted = X.astype(np_dtype)
            assert_all_finite(
                converted, estimator_name=type(self).__name__, input_name="X"
            )
        if not bool(finite[0] if len(finite) == 1 else torch.stack(finite).all()):
            self._raise_not_finite(dtype)
        return outputs

    def _ready_inputs(self, X):
        """``X`` in the network's shape if it is already what prediction
        needs, else None (and ``validate_data`` checks it).

        The fast path for serving: a plain numpy array of a kept numeric
        dtype, with at least one row, of the fitted sample shape, for an
        estimator fitted without feature names. Everything ``validate_data``
        would check is then already true, except that the values are finite,
        which the batches check as they are fed (as on the slow path).
        """
        if (
            type(X) is not np.ndarray
            or X.dtype not in _KEPT_DTYPES
            or X.ndim < 2
            or X.shape[0] == 0
            or "feature_names_in_" in self.__dict__
        ):
            return None
        shape = X.shape[1:]
        if len(shape) == 1 and len(self.input_shape_) == 1:
            if shape[0] != self.n_features_in_:
                return None  # validate_data's message
        elif shape != tuple(self.input_shape_):
            return None
        return self._network_input(X.reshape(X.shape[0], self.n_features_in_))

    def __sklearn_is_fitted__(self) -> bool:
        # check_is_fitted's question, answered without scanning every
        # attribute: on the serving path it is asked at every call
        return "net_" in self.__dict__

    def _raise_not_finite(self, dtype: torch.dtype):
        parameters = self.net_.module_.parameters()
        if not all(bool(torch.isfinite(p).all()) for p in parameters):
            raise ValueError(
                "The network's weights are not finite: the last fit diverged. "
                "Fit it again with scaled inputs or a lower learning_rate_init."
            )
        name = str(dtype).removeprefix("torch.")
        raise ValueError(
            "The network's outputs for some rows of X are not finite: values "
            f"overflow {name} inside the network. If X is not scaled the way "
            "the training data were, scale it so; if it is, the network itself "
            "computes values too large for "
            f"{name}: refit it with dtype='float64' or a larger alpha."
        )

    def _effective_batch_size(self, n_samples: int) -> int:
        if self.solver == "lbfgs":
            return n_samples  # full batch
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _check_weights(self, sample_weight, X, y, spec, *, partial):
        """Sample weights times class weights; None when all are equal."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float32, ensure_non_negative=True
            )
            if not np.any(sample_weight > 0):
                raise ValueError(
                    "Sample weights must contain at least one non-zero number."
                )
        if isinstance(self.class_weight, dict):
            for label, weight in self.class_weight.items():
                if not (
                    isinstance(weight, Real)
                    and not isinstance(weight, bool)
                    and math.isfinite(weight)
                    and weight >= 0
                ):
                    raise ValueError(
                        "class_weight must map classes to finite, non-negative "
                        f"numbers; got {weight!r} for class {label!r}."
                    )
        if self.class_weight is not None:
            if isinstance(self.class_weight, dict) and spec.target_type != MULTILABEL:
                unknown = set(self.class_weight) - set(spec.classes.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight has keys {sorted(map(repr, unknown))} that "
                        f"are not classes of y; classes are {spec.classes.tolist()}."
                    )
            class_weight = compute_sample_weight(self.class_weight, y).astype(
                np.float32
            )
            sample_weight = (
                class_weight if sample_weight is None else sample_weight * class_weight
            )
        if sample_weight is None:
            return None
        if not np.any(sample_weight > 0):
            raise ValueError(
                "class_weight (with sample_weight, if given) leaves every sample "
                "with weight zero: there is nothing to learn from."
            )
        if spec.target_type != MULTILABEL and not partial:
            weighted = np.unique(y[sample_weight > 0])
            if len(weighted) < 2:
                raise ValueError(
                    "The sample weights leave only one class with non-zero weight "
                    f"({weighted.tolist()[0]!r}); the classifier needs at least 2 "
                    "classes."
                )
        return sample_weight

    def _split_validation(self, y, spec, seed):
        """The rows to train on and the rows held out: a stratified
        ``validation_fraction`` of the training data.

        As in scikit-learn, a class too small to stratify is an error (a
        class all of whose samples land in the validation part would never
        be trained on), and so is a validation part of fewer than 2 samples.
        """
        stratify = None if spec.target_type == MULTILABEL else y
        train, valid = train_test_split(
            np.arange(len(y)),
            test_size=self.validation_fraction,
            stratify=stratify,
            random_state=seed,
        )
        if len(valid) < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return np.sort(train), np.sort(valid)

    def _tensor_data(self, X, y, sample_weight, spec, device, rows=None):
        """The rows ``rows`` (all when None) of the data, as the engine takes
        them: tensors, or blocks read as training goes for data too large to
        hold (:class:`~sknn._training.stream.BlockRows`)."""
        dtype = np.dtype(self.dtype)
        if rows is not None:
            y = y[rows]
            sample_weight = None if sample_weight is None else sample_weight[rows]
        if sample_weight is not None:
            sample_weight = sample_weight.astype(dtype, copy=False)
        if _is_streamed(X):
            inputs = BlockRows(
                X,
                np.arange(X.shape[0]) if rows is None else rows,
                dtype=dtype,
                device=device,
                to_network=self._network_input,
            )
        else:
            if rows is not None:
                X = X[rows]
            if sp.issparse(X):
                dense = self._sparse_input == "dense"
                inputs = SparseRows(
                    X.astype(dtype, copy=False), device=device, dense=dense
                )
            else:
                inputs = as_tensor(X.astype(dtype, copy=False), device)
        return TensorData(
            inputs,
            as_tensor(encode_targets(y, spec, dtype), device),
            None if sample_weight is None else as_tensor(sample_weight, device),
            sample_weight,
        )

    def _validation_data(self, validation, spec, device):
        X_val, y_val, sample_weight_val = validation
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val was given without X_val and y_val.")
            return None
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be given together to use an explicit "
                "validation set."
            )
        X_val, y_val = self._validate_inputs(X_val, y_val, reset=False)
        y_val = column_or_1d_target(y_val)
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(
                sample_weight_val, X_val, dtype=np.float32, ensure_non_negative=True
            )
        return self._tensor_data(X_val, y_val, sample_weight_val, spec, device)

    def _make_callbacks(self, plan, *, partial, n_train, previous=None):
        """The training loop's callbacks; ``previous`` is the convergence
        callback of the last ``partial_fit`` call, whose counts go on."""
        lbfgs = self.solver == "lbfgs"
        cosine = plan.schedule == "cosine" and not (partial or lbfgs)
        carried = {}
        if previous is not None:
            carried = {"best": previous.best_, "count": previous.no_improvement_count_}
        callbacks = [
            (
                "convergence",
                Convergence(
                    tol=self.tol,
                    # L-BFGS stops by its own rules (see _training/lbfgs.py);
                    # a cosine schedule runs its course unless the validation
                    # score stops it (a plateau of the training loss early on
                    # is common and would end the run before it starts)
                    n_iter_no_change=(
                        math.inf
                        if lbfgs or (cosine and not self.early_stopping)
                        else self.n_iter_no_change
                    ),
                    early_stopping=self.early_stopping and not (partial or lbfgs),
                    scoring=self.scoring,
                    adaptive=self.solver == "sgd" and plan.schedule == "adaptive",
                    **carried,
                ),
            )
        ]
        if self.solver == "sgd" and plan.schedule == "invscaling":
            schedule = InverseScaling(
                lr_init=plan.lr,
                power_t=self.power_t,
                t_start=getattr(self, "t_", 0) if partial or self.warm_start else 0,
                samples=n_train,
            )
            callbacks.append(("invscaling", schedule))
        if cosine:
            steps = plan.epochs * len(batch_bounds(n_train, plan.batch_size, True))
            callbacks.append(("cosine", CosineDecay(lr_init=plan.lr, steps=steps)))
        if self.verbose:
            callbacks.append(("printer", EpochPrinter(max_epochs=plan.epochs)))
        if self.verbose >= 2:
            callbacks.append(("progress", BatchProgress()))
        return callbacks

    # -- what "auto" and the other defaults resolve to, for presets ------------

    def _run_plan(self, n_train: int, step_macs: int) -> _RunPlan:
        """Batch size, epochs, learning rate and schedule of this run."""
        batch_size = self._effective_batch_size(n_train)
        return _RunPlan(
            batch_size=batch_size,
            epochs=self._max_epochs(n_train, batch_size, step_macs),
            lr=self._learning_rate_init(),
            schedule=self._learning_rate_schedule(),
        )

    def _max_epochs(self, n_train: int, batch_size: int, step_macs: int) -> int:
        return self.max_iter

    def _learning_rate_init(self) -> float:
        return self.learning_rate_init

    def _learning_rate_schedule(self) -> str:
        return self.learning_rate

    def _max_grad_norm(self) -> float | None:
        return None

    def _make_engine(self, module, spec, plan, device, seed, *, partial, n_train):
        generator = torch.Generator().manual_seed(seed)
        return Engine(
            module=module,
            criterion=torch.nn.Identity,
            optimizer=OptimizerFactory(
                name=self.solver,
                lr=plan.lr,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                tol=self.tol,
            ),
            lr=plan.lr,
            max_epochs=1 if partial else plan.epochs,
            batch_size=plan.batch_size,
            train_split=None,
            callbacks=self._make_callbacks(plan, partial=partial, n_train=n_train),
            verbose=0,
            device=device,
            target_type=spec.target_type,
            shuffle=self.shuffle,
            generator=generator,
            alpha=self.alpha,
            max_fun=self.max_fun,
            max_grad_norm=self._max_grad_norm(),
            output_check=functools.partial(
                check_logits, spec=spec, dtype=getattr(torch, self.dtype), training=True
            ),
        )

    def _fit(self, X, y, sample_weight, *, validation, warm, partial, classes=None):
        X, y = self._validate_inputs(X, y, reset=not warm)
        y = column_or_1d_target(y)

        if warm:
            spec = self._target_spec()
            if partial and classes is not None and spec.target_type != MULTILABEL:
                if not np.array_equal(self.classes_, unique_labels(classes)):
                    raise ValueError(
                        f"`classes={classes!r}` is not the same as on last call "
                        f"to partial_fit, was: {self.classes_!r}"
                    )
            trained = next(self.net_.module_.parameters()).dtype
            if trained != getattr(torch, self.dtype):
                name = str(trained).removeprefix("torch.")
                raise ValueError(
                    f"dtype={self.dtype!r}, but the network was trained in {name}: "
                    f"{'partial_fit' if partial else 'warm_start'} goes on in the "
                    f"dtype of the first fit. Set dtype={name!r}, or fit anew "
                    "(warm_start=False)."
                )
            if not partial:
                new_spec = infer_target_spec(y)
                if new_spec.target_type != spec.target_type or not np.array_equal(
                    new_spec.classes, spec.classes
                ):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously got "
                        f"{spec.classes.tolist()}, `y` has "
                        f"{new_spec.classes.tolist()}."
                    )
        else:
            if partial and classes is None and y.ndim == 1:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            spec = infer_target_spec(y, classes if partial else None)
        sample_weight = self._check_weights(sample_weight, X, y, spec, partial=partial)
        if warm and partial:
            # A failed call leaves the engine's random stream and settings
            # as they were; its weights and history are the engine's to
            # put back.
            engine = self.net_
            saved = (engine.generator.get_state(), engine.max_epochs)
            saved += (engine.callbacks, engine.callbacks_)
            try:
                return self._train(X, y, sample_weight, spec, validation, warm, partial)
            except BaseException as error:
                if not getattr(error, "_sknn_model_kept", False):
                    engine.generator.set_state(saved[0])
                    engine.max_epochs, engine.callbacks, engine.callbacks_ = saved[1:]
                raise
        return self._train(X, y, sample_weight, spec, validation, warm, partial)

    def _train(self, X, y, sample_weight, spec, validation, warm, partial):
        """Build (or take up) the network and train it on validated data."""
        device = resolve_device(self.device)
        tiny = torch.finfo(getattr(torch, self.dtype)).tiny
        if self.solver in ("adam", "adamw") and self.epsilon < tiny:
            raise ValueError(
                f"epsilon={self.epsilon!r} is below the smallest normal "
                f"{self.dtype} ({tiny:.3g}): it rounds to zero in the network's "
                f"arithmetic, and Adam would divide by zero. Use epsilon >= "
                f"{tiny:.3g}, or dtype='float64'."
            )
        if warm and partial:
            seed = int(torch.randint(2**31 - 1, (1,), generator=self.net_.generator))
        else:
            seed = seed_from_random_state(check_random_state(self.random_state))

        valid = self._validation_data(validation, spec, device)
        rows = None  # all of them
        if valid is None and self.early_stopping and not partial:
            rows, valid_rows = self._split_validation(y, spec, seed)
            valid = self._tensor_data(X, y, sample_weight, spec, device, valid_rows)
        if valid is not None and valid.host_weight is not None:
            if not valid.host_weight.sum() > 0:
                raise ValueError(
                    "The validation samples all have weight zero, so the "
                    "validation loss and accuracy are undefined; give some of "
                    "them a positive weight."
                )
        train = self._tensor_data(X, y, sample_weight, spec, device, rows)
        batch_size = self._effective_batch_size(len(train))

        with forked_torch_rng(seed, device):
            if warm:
                module, module_kwargs = self.net_.module_, self.module_kwargs_
            else:
                module_kwargs = self._module_kwargs(spec, len(train), batch_size)
                module = self._build_module(module_kwargs).to(
                    device=device, dtype=getattr(torch, self.dtype)
                )
            # One forward pass before training: it checks what the network
            # returns, sizes the training step and, for a module with lazy
            # layers, creates their weights before an optimizer sees them.
            # (on a copy: a forward may work in place on its input)
            probe = train.X[:2].clone()
            try:
                logits, macs = probe_forward(module, probe)
            except ValueError as error:
                advice = self._normalization_advice(error, batch_size, len(train))
                if advice is not None:
                    raise ValueError(advice) from error
                raise
            check_logits(logits, probe.shape[0], spec, getattr(torch, self.dtype))
            if not any(p.requires_grad for p in module.parameters()):
                raise ValueError(
                    "The module has no trainable parameters (none, or all with "
                    "requires_grad=False): there is nothing to train."
                )
            plan = self._run_plan(len(train), batch_size * macs)
            if warm and partial:
                engine = self.net_
                engine.max_epochs = 1
                engine.callbacks = self._make_callbacks(
                    plan,
                    partial=True,
                    n_train=len(train),
                    previous=dict(engine.callbacks_)["convergence"],
                )
                engine.initialize_callbacks()
            else:
                engine = self._make_engine(
                    module,
                    spec,
                    plan,
                    device,
                    seed,
                    partial=partial,
                    n_train=len(train),
                )
                engine.initialize()
                if warm:
                    engine.history_ = self.net_.history_
        # Training draws (dropout) from the fit's own stream, not from the
        # global generators that the block above forked.
        engine.random_stream = RandomStream(seed, device)
        try:
            with training_threads(train.X.device, batch_size * macs):
                # A first fit's engine is thrown away if training fails; a
                # warm one must go back to where it was.
                engine.partial_fit(SplitData(train, valid), transactional=warm)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt) and engine.epochs_completed_:
                # Ctrl-C: keep the model of the last completed epoch.
                self._commit(
                    engine, spec, module_kwargs, len(train), partial, stopped=True
                )
                error._sknn_model_kept = True
            advice = self._normalization_advice(error, batch_size, len(train))
            if advice is not None:
                raise ValueError(advice) from error
            raise
        return self._commit(
            engine, spec, module_kwargs, len(train), partial, stopped=False
        )

    def _normalization_advice(self, error, batch_size, n_train) -> str | None:
        """What to change when a normalization layer could not compute its
        statistics (torch's error names the layer's input, not the cause)."""
        message = str(error)
        if not isinstance(error, ValueError):
            return None
        if message.startswith("Expected more than 1 value per channel"):
            return (
                "A normalization layer that uses batch statistics (a batch norm) "
                "got a training batch with a single value per channel "
                f"({message.split('got input size ')[-1]}), from which no "
                f"variance can be computed: the batches hold {batch_size} "
                f"sample(s) ({n_train} training samples, batch_size="
                f"{self.batch_size!r}). Use batch_size >= 2 and at least 2 "
                "training samples (a partial_fit chunk of 2 rows or more, "
                "enough rows for early stopping's split), or a normalization "
                "that works sample by sample, such as 'layer' or 'group'."
            )
        if message.startswith("Expected more than 1 spatial element"):
            return (
                "A normalization layer that standardizes each channel over its "
                "positions (instance norm) got feature maps with a single "
                f"position ({message.split('got input size ')[-1]}): the "
                "samples are too small for the network's pooling. Use fewer "
                "convolution blocks, pooling=None or larger inputs, or "
                "normalization='group' or 'layer'."
            )
        return None

    def _commit(self, engine, spec, module_kwargs, n_train, partial, *, stopped):
        """Make the trained engine the estimator's model."""
        warm = hasattr(self, "net_") and (partial or self.warm_start)
        self.net_ = engine
        self.module_kwargs_ = module_kwargs
        self.classes_ = spec.classes
        self.target_type_ = spec.target_type
        self.n_outputs_ = spec.n_outputs
        self.out_activation_ = (
            "softmax" if spec.target_type == MULTICLASS else "logistic"
        )
        # scikit-learn's counts: the epochs (L-BFGS: iterations) of this
        # call, and the training samples the stochastic solvers have seen
        # since the first fit.
        self.n_iter_ = engine.epochs_completed_
        seen = 0 if self.solver == "lbfgs" else n_train * engine.epochs_completed_
        self.t_ = (self.t_ if warm else 0) + seen
        self._set_history_attributes(engine, partial=partial, stopped=stopped)
        return self

    def _set_history_attributes(self, engine, *, partial, stopped):
        history = engine.history_
        convergence = dict(engine.callbacks_)["convergence"]
        self.history_ = history
        self.loss_curve_ = [row["train_loss"] for row in history]
        self.loss_ = self.loss_curve_[-1]
        scores = [row["valid_accuracy"] for row in history if "valid_accuracy" in row]
        self.validation_scores_ = scores or None
        early = convergence.early_stopping
        self.best_loss_ = None if early else min(self.loss_curve_)
        self.best_epoch_ = convergence.best_epoch_ if early else None
        if "valid_accuracy" in history[-1]:
            # the score of the model that is kept: early stopping's best
            # epoch, or the last one
            kept = history[self.best_epoch_ - 1] if early else history[-1]
            self.best_validation_score_ = kept["valid_accuracy"]
        elif not partial:
            self.best_validation_score_ = None
        if self.solver == "lbfgs":
            run = engine.lbfgs_
            if run.out_of_evaluations:
                warn(
                    f"lbfgs failed to converge: it reached max_fun={self.max_fun} "
                    f"evaluations of the loss after {self.n_iter_} iteration(s). "
                    "Increase max_fun, or scale the data.",
                    ConvergenceWarning,
                )
            elif not (run.converged or stopped):
                warn(
                    f"lbfgs failed to converge after {self.n_iter_} iteration(s): "
                    f"Maximum iterations (max_iter={engine.max_epochs}) reached. "
                    "Increase max_iter, or scale the data.",
                    ConvergenceWarning,
                )
        elif not (
            partial
            or stopped
            or convergence.converged_
            # a cosine schedule ends at zero: its last epoch is its plan
            or "cosine" in dict(engine.callbacks_)
        ):
            warn(
                f"Stochastic Optimizer: Maximum iterations ({engine.max_epochs}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
