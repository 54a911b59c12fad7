"""The estimator base every sknn estimator shares: the scikit-learn contract.

An architecture (dense, convolutional, recurrent, a user's module) supplies
which network it trains (:meth:`_BaseNeuralNet._module_factory` and
:meth:`_BaseNeuralNet._module_kwargs`) and how its samples are read
(:mod:`sknn._inputs`); a task mixin (:mod:`sknn._tasks`) supplies what
differs between classification and regression, through a task object made
from ``y``. Everything else lives here: fits as transactions, seeding,
devices, validation data and early stopping, the run plan, history and
prediction. Setting up the training itself is :mod:`sknn._training.setup`.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from torch import nn

from ._fit_advice import (
    check_validation_scale,
    forward_failure,
    unexpected_fit_arguments,
)
from ._inputs import InputsMixin
from ._module_params import qualified_name, sizes_hint
from ._persistence import PersistenceMixin
from ._predict import PredictionMixin
from ._training.batch_norm import recompute_batch_norm
from ._training.data import SplitData
from ._training.device import resolve_device
from ._training.engine import DIVERGENCE_ADVICE, Diverged, join_outputs
from ._training.numerics import COMPILE_MODES, PRECISIONS, numerics
from ._training.random import RandomStream
from ._training.setup import (
    RunPlan,
    Settings,
    auto_table_epochs,
    make_callbacks,
    make_engine,
    output_checker,
    steps_per_epoch,
    tensor_data,
)
from ._training.threads import probe_forward, training_threads
from ._utils import (
    Interval,
    IntInterval,
    Options,
    StrOptions,
    forked_torch_rng,
    seed_from_random_state,
    warn,
)


class _BaseNeuralNet(InputsMixin, PredictionMixin, PersistenceMixin, BaseEstimator):
    """Shared base of sknn's estimators. Not for direct use."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
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
        "device": [str, torch.device],
        "dtype": [StrOptions({"float32", "float64"})],
        "precision": [StrOptions(set(PRECISIONS))],
        "compile": ["boolean", StrOptions(set(COMPILE_MODES))],
    }

    # -- hooks for subclasses -------------------------------------------------
    # The task mixin (sknn._tasks) supplies _check_raw_target, _check_target,
    # _new_task, _fitted_task, _check_warm_target, _set_task_attributes,
    # _task_sample_weight and _check_fitted_model; the architecture supplies
    # the ones below.

    def _module_factory(self) -> Callable[..., nn.Module] | nn.Module:
        """The network to train: a callable returning an ``nn.Module`` (built
        from :meth:`_module_kwargs` at every fit), or an instance (copied)."""
        raise NotImplementedError

    def _module_kwargs(
        self, task, steps_per_epoch: int, batch_size: int
    ) -> dict | None:
        """Keyword arguments of :meth:`_module_factory` for this run, once the
        training data are validated (None for a module instance); ``task``
        gives ``n_outputs``. They are kept as ``module_kwargs_``, from which
        unpickling rebuilds the network."""
        raise NotImplementedError

    #: How sparse input reaches the network: refused (None), as sparse COO
    #: batches (``"coo"``, for networks whose first layer is an
    #: ``nn.Linear``), or densified one batch at a time (``"dense"``).
    _sparse_input: str | None = None

    #: Whether NaN in ``X`` is padding (of sequences), checked at validation.
    _nan_padding = False

    def _single_output(self) -> bool:
        """Whether the network has a fixed output width of 1 (scikit-learn's
        tags then say it supports binary targets, or one target, only)."""
        return False

    def _record_input_shape(self, shape: tuple[int, ...]) -> None:
        """Record the shape of one sample at fit (or refuse it)."""
        self.input_shape_ = shape

    def _describe_input(self) -> str:
        """How the fitted samples are read, for error messages."""
        return ""

    def _shape_for_module(self, X: np.ndarray) -> np.ndarray:
        """Validated rows of values, in the shape the network takes."""
        return X.reshape(X.shape[0], *self.input_shape_)

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        **kwargs,
    ):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels or a binary indicator matrix of labels for
            a classifier, real values for a regressor.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; a weight of ``k`` counts like
            ``k`` copies of the sample.
        X_val, y_val : array-like, default=None
            An explicit validation set, for users who keep their own train /
            validation / test split. Its loss and score (accuracy, or R² for
            a regressor) are recorded every
            epoch in ``history_``; with ``early_stopping=True`` it is monitored
            instead of holding out ``validation_fraction`` of ``X``. It goes
            to the network as it is: in a Pipeline, have it transformed as
            ``X`` is with metadata routing, ``Pipeline(...,
            transform_input=["X_val"])`` and
            ``set_fit_request(X_val=True, y_val=True)`` on this estimator
            (the user guide's validation page shows it); ``fit`` warns when
            its values are of another scale than ``X``'s.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.
        **kwargs : dict
            Nothing else is taken: any other argument raises a
            ``TypeError`` that says where Keras's ``fit`` arguments live in
            sknn (``validation_data=(X_val, y_val)`` is ``X_val=X_val,
            y_val=y_val``; ``epochs`` is the estimator's ``max_iter``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if kwargs:
            raise TypeError(unexpected_fit_arguments(type(self).__name__, kwargs))
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

    def _partial_fit(self, X, y, sample_weight, *, classes):
        """One epoch over ``X`` and ``y`` (the task mixin's ``partial_fit``)."""
        first_call = not hasattr(self, "net_")
        with self._unchanged_on_error():
            if first_call:
                self._validate_params()
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

    def __sklearn_is_fitted__(self) -> bool:
        # check_is_fitted's question, answered without scanning every
        # attribute: on the serving path it is asked at every call
        return "net_" in self.__dict__

    def _effective_batch_size(self, n_samples: int) -> int:
        if self.solver == "lbfgs":
            return n_samples  # full batch
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _check_sample_weight(self, sample_weight, X):
        """Validated sample weights (float32, non-negative, not all zero)."""
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float32, ensure_non_negative=True
        )
        if not np.any(sample_weight > 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        return sample_weight

    def _split_validation(self, y, task, seed):
        """The rows to train on and the rows held out: ``validation_fraction``
        of the training data (stratified for classification).

        As in scikit-learn, a class too small to stratify is an error (a
        class all of whose samples land in the validation part would never
        be trained on), and so is a validation part of fewer than 2 samples.
        """
        train, valid = train_test_split(
            np.arange(len(y)),
            test_size=self.validation_fraction,
            stratify=task.stratify(y),
            random_state=seed,
        )
        if len(valid) < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return np.sort(train), np.sort(valid)

    def _tensor_data(self, X, y, sample_weight, task, device, rows=None, name="y"):
        return tensor_data(
            X,
            task.encode(y, np.dtype(self.dtype), name),
            sample_weight,
            dtype=np.dtype(self.dtype),
            device=device,
            rows=rows,
            dense_sparse=self._sparse_input == "dense",
            to_network=self._network_input,
        )

    def _validation_data(self, validation, task, device):
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
        self._check_raw_target(y_val, "y_val")
        X_val, y_val = self._validate_inputs(X_val, y_val, reset=False)
        y_val = self._check_target(y_val)
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(
                sample_weight_val, X_val, dtype=np.float32, ensure_non_negative=True
            )
        return self._tensor_data(
            X_val, y_val, sample_weight_val, task, device, name="y_val"
        )

    # -- what "auto" and the other defaults resolve to, for presets ------------

    def _settings(self, n_train: int) -> Settings:
        return Settings(
            solver=self.solver,
            alpha=self._alpha(n_train),
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            momentum=self.momentum,
            nesterov=self.nesterovs_momentum,
            tol=self.tol,
            max_fun=self.max_fun,
            shuffle=self.shuffle,
            early_stopping=self.early_stopping,
            n_iter_no_change=self.n_iter_no_change,
            scoring=self.scoring,
            power_t=self.power_t,
            verbose=self.verbose,
            max_grad_norm=self._max_grad_norm(),
            precision=self.precision,
            compile=self.compile,
        )

    def _run_plan(self, batch_size: int, per_epoch: int, step_macs: int) -> RunPlan:
        """Batch size, epochs, learning rate and schedule of this run."""
        return RunPlan(
            batch_size=batch_size,
            epochs=self._max_epochs(per_epoch, step_macs),
            lr=self._learning_rate_init(),
            schedule=self._learning_rate_schedule(),
            steps_per_epoch=per_epoch,
        )

    def _max_epochs(self, steps_per_epoch: int, step_macs: int) -> int:
        """Epochs of this run: ``max_iter``; ``"auto"``, the rule for tables
        (the convolutional and recurrent networks plan theirs by compute)."""
        if self.max_iter == "auto":
            return auto_table_epochs(steps_per_epoch, self.solver)
        return self.max_iter

    def _alpha(self, n_train: int) -> float:
        """The L2 penalty of a run on ``n_train`` samples."""
        return self.alpha

    def _learning_rate_init(self) -> float:
        return self.learning_rate_init

    def _learning_rate_schedule(self) -> str:
        return self.learning_rate

    def _max_grad_norm(self) -> float | None:
        return None

    def _t_start(self, partial: bool) -> int:
        """Training samples seen before this call, for ``"invscaling"``."""
        return getattr(self, "t_", 0) if partial or self.warm_start else 0

    # -- fitting ---------------------------------------------------------------

    def _fit(self, X, y, sample_weight, *, validation, warm, partial, classes=None):
        self._check_raw_target(y, "y")
        X, y = self._validate_inputs(X, y, reset=not warm)
        y = self._check_target(y)
        sample_weight = self._check_sample_weight(sample_weight, X)
        if warm:
            task = self._fitted_task()
            self._check_warm_target(task, y, partial=partial, classes=classes)
            trained = next(self.net_.module_.parameters()).dtype
            if trained != getattr(torch, self.dtype):
                name = str(trained).removeprefix("torch.")
                raise ValueError(
                    f"dtype={self.dtype!r}, but the network was trained in {name}: "
                    f"{'partial_fit' if partial else 'warm_start'} goes on in the "
                    f"dtype of the first fit. Set dtype={name!r}, or fit anew "
                    "(warm_start=False)."
                )
        else:
            task = self._new_task(y, sample_weight, partial=partial, classes=classes)
        sample_weight = self._task_sample_weight(
            sample_weight, y, task, partial=partial
        )
        if warm and partial:
            # A failed call leaves the engine's random stream and settings
            # as they were; its weights and history are the engine's to
            # put back.
            engine = self.net_
            saved = (engine.generator.get_state(), engine.max_epochs)
            saved += (engine.callbacks, engine.callbacks_)
            saved += (engine.precision_, engine.__dict__.get("compile_mode", False))
            try:
                return self._train(X, y, sample_weight, task, validation, warm, partial)
            except BaseException as error:
                if not getattr(error, "_sknn_model_kept", False):
                    engine.generator.set_state(saved[0])
                    engine.max_epochs, engine.callbacks, engine.callbacks_ = saved[1:4]
                    engine.precision, engine.compile_mode = saved[4:]
                raise
        return self._train(X, y, sample_weight, task, validation, warm, partial)

    def _train(self, X, y, sample_weight, task, validation, warm, partial):
        """Build (or take up) the network and train it on validated data,
        under sknn's numeric settings (:mod:`sknn._training.numerics`)."""
        device = resolve_device(self.device)
        if self.precision == "bf16" and self.dtype != "float32":
            raise ValueError(
                f"precision='bf16' computes a float32 network's forward passes "
                f"in bfloat16, but dtype={self.dtype!r}; use dtype='float32', "
                "or precision='exact'."
            )
        with numerics(device, self.precision):
            return self._train_scoped(
                device, X, y, sample_weight, task, validation, warm, partial
            )

    def _train_scoped(
        self, device, X, y, sample_weight, task, validation, warm, partial
    ):
        dtype = getattr(torch, self.dtype)
        tiny = torch.finfo(dtype).tiny
        if self.solver in ("adam", "adamw") and self.epsilon < tiny:
            raise ValueError(
                f"epsilon={self.epsilon!r} is below the smallest normal "
                f"{self.dtype} ({tiny:.3g}): it rounds to zero in the network's "
                f"arithmetic, and Adam would divide by zero. Use epsilon >= "
                f"{tiny:.3g}, or dtype='float64'."
            )
        if warm and partial and hasattr(self.net_, "random_stream"):
            # The engine's shuffling generator and random stream go on where
            # the last call left them, so that n calls train as a fit of n
            # epochs; the seed only forks the global generators below.
            seed = 0
        elif warm and partial:  # a loaded model: its stream was not saved
            seed = int(torch.randint(2**31 - 1, (1,), generator=self.net_.generator))
        else:
            seed = seed_from_random_state(check_random_state(self.random_state))

        valid = self._validation_data(validation, task, device)
        rows = None  # all of them
        if valid is None and self.early_stopping and not partial:
            rows, valid_rows = self._split_validation(y, task, seed)
            valid = self._tensor_data(X, y, sample_weight, task, device, valid_rows)
        if valid is not None and valid.host_weight is not None:
            if not valid.host_weight.sum() > 0:
                raise ValueError(
                    "The validation samples all have weight zero, so the "
                    "validation loss and score are undefined; give some of "
                    "them a positive weight."
                )
        train = self._tensor_data(X, y, sample_weight, task, device, rows)
        if validation[0] is not None:
            check_validation_scale(train.X, valid.X)
        batch_size = self._effective_batch_size(len(train))
        per_epoch = steps_per_epoch(train, batch_size)
        settings = self._settings(len(train))

        with forked_torch_rng(seed, device):
            if warm:
                module, module_kwargs = self.net_.module_, self.module_kwargs_
            else:
                module_kwargs = self._module_kwargs(task, per_epoch, batch_size)
                module = self._build_module(module_kwargs).to(
                    device=device, dtype=dtype
                )
            # One forward pass before training: it checks what the network
            # returns, sizes the training step and, for a module with lazy
            # layers, creates their weights before an optimizer sees them.
            # (on a copy: a forward may work in place on its input)
            probe = train.X[:2].clone()
            try:
                outputs, macs = probe_forward(module, probe)
                outputs = join_outputs(outputs)
            except (ValueError, RuntimeError, TypeError, IndexError) as error:
                advice = self._normalization_advice(error, batch_size, len(train))
                if advice is not None:
                    raise ValueError(advice) from error
                raise ValueError(forward_failure(error, probe)) from error
            task.check_outputs(outputs, len(probe), dtype)
            if not any(p.requires_grad for p in module.parameters()):
                raise ValueError(
                    "The module has no trainable parameters (none, or all with "
                    "requires_grad=False): there is nothing to train."
                )
            plan = self._run_plan(batch_size, per_epoch, batch_size * macs)
            t_start = self._t_start(partial)
            if warm and partial:
                engine = self.net_
                engine.max_epochs = 1
                engine.precision = settings.precision
                engine.compile_mode = settings.compile
                engine.callbacks = make_callbacks(
                    settings,
                    plan,
                    partial=True,
                    n_train=len(train),
                    t_start=t_start,
                    previous=dict(engine.callbacks_)["convergence"],
                )
                engine.initialize_callbacks()
            else:
                engine = make_engine(
                    settings,
                    plan,
                    module=module,
                    criterion=task.criterion(dtype),
                    metric=task.metric(),
                    output_check=output_checker(task.check_outputs, dtype),
                    device=device,
                    seed=seed,
                    partial=partial,
                    n_train=len(train),
                    t_start=t_start,
                )
                engine.initialize()
                if warm:
                    engine.history_ = self.net_.history_
        # Training draws (dropout) from the fit's own stream, not from the
        # global generators that the block above forked.
        if not (warm and partial and hasattr(engine, "random_stream")):
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
                    engine, task, module_kwargs, len(train), partial, stopped=True
                )
                error._sknn_model_kept = True
            advice = self._normalization_advice(error, batch_size, len(train))
            if advice is not None:
                raise ValueError(advice) from error
            if isinstance(error, Diverged):  # the engine's own type: a ValueError
                raise ValueError(str(error)) from None
            raise
        if not partial:  # batch norm's running statistics trail the weights
            with engine.autocast():
                recompute_batch_norm(engine.module_, engine.get_iterator(train))
        diverged = engine.divergence_ is not None
        self._commit(engine, task, module_kwargs, len(train), partial, stopped=diverged)
        if diverged:
            warn(
                f"{engine.divergence_} Early stopping kept the weights of "
                f"epoch {self.best_epoch_}, the best on the validation set. "
                f"{DIVERGENCE_ADVICE}",
                ConvergenceWarning,
            )
        if not partial:
            self._check_fitted_model(
                engine, task, train, y if rows is None else y[rows]
            )
        return self

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

    def _commit(self, engine, task, module_kwargs, n_train, partial, *, stopped):
        """Make the trained engine the estimator's model."""
        warm = hasattr(self, "net_") and (partial or self.warm_start)
        self.net_ = engine
        self.module_kwargs_ = module_kwargs
        self._set_task_attributes(task)
        # scikit-learn's counts: the epochs (L-BFGS: iterations) of this
        # call, and the training samples the stochastic solvers have seen
        # since the first fit.
        self.n_iter_ = engine.epochs_completed_
        seen = 0 if self.solver == "lbfgs" else n_train * engine.epochs_completed_
        self.t_ = (self.t_ if warm else 0) + seen
        self._set_history_attributes(
            engine, "valid_" + task.metric_name, partial=partial, stopped=stopped
        )
        return self

    def _set_history_attributes(self, engine, score, *, partial, stopped):
        history = engine.history_
        convergence = dict(engine.callbacks_)["convergence"]
        self.history_ = history
        self.loss_curve_ = [row["train_loss"] for row in history]
        self.loss_ = self.loss_curve_[-1]
        scores = [row[score] for row in history if score in row]
        self.validation_scores_ = scores or None
        early = convergence.early_stopping
        self.best_loss_ = None if early else min(self.loss_curve_)
        self.best_epoch_ = convergence.best_epoch_ if early else None
        if score in history[-1]:
            # the score of the model that is kept: early stopping's best
            # epoch, or the last one
            kept = history[self.best_epoch_ - 1] if early else history[-1]
            self.best_validation_score_ = kept[score]
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
            # so does a run of max_iter="auto", whose length sknn chose
            or self.max_iter == "auto"
        ):
            warn(
                f"Stochastic Optimizer: Maximum iterations ({engine.max_epochs}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
