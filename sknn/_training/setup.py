"""Setting up a fit: the training data, the run plan, the callbacks, the engine.

An estimator hands over plain values (its :class:`Settings`, validated
arrays, a module, the task's criterion and metric); nothing here knows an
estimator or a task. The number of optimizer steps in an epoch is derived
in one place, :func:`steps_per_epoch`, from the very batches the engine will
iterate over (data read block by block has batches that never span two
blocks, so it may have more than ``ceil(n / batch_size)``).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import scipy.sparse as sp
import torch

from .._utils import as_tensor
from .callbacks import (
    BatchProgress,
    Convergence,
    CosineDecay,
    EpochPrinter,
    InverseScaling,
)
from .data import SparseRows, TensorData
from .engine import Engine
from .named import NamedArrays
from .optim import OptimizerFactory
from .stream import BlockRows, make_batches

#: ``max_iter="auto"`` on a table: at least this many epochs...
AUTO_MIN_EPOCHS = 20
#: ...and at least this many optimizer steps (small tables need many epochs).
AUTO_MIN_STEPS = 200
#: ``max_iter="auto"`` with ``solver="lbfgs"``: scikit-learn's iterations.
AUTO_LBFGS_ITERATIONS = 200


def auto_table_epochs(steps_per_epoch: int, solver: str) -> int:
    """Epochs (L-BFGS: iterations) of a run of ``max_iter="auto"`` on a table:
    ``AUTO_MIN_EPOCHS``, or as many as make ``AUTO_MIN_STEPS`` steps."""
    if solver == "lbfgs":
        return AUTO_LBFGS_ITERATIONS
    return max(AUTO_MIN_EPOCHS, math.ceil(AUTO_MIN_STEPS / steps_per_epoch))


@dataclasses.dataclass(frozen=True)
class Settings:
    """The training hyperparameters of an estimator, as plain values."""

    solver: str
    alpha: float
    beta_1: float
    beta_2: float
    epsilon: float
    momentum: float
    nesterov: bool
    tol: float
    max_fun: int
    shuffle: bool
    early_stopping: bool
    n_iter_no_change: float
    scoring: str
    power_t: float
    verbose: int
    max_grad_norm: float | None
    precision: str = "exact"
    compile: bool | str = False


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """What a fit's settings (``"auto"`` ones included) come to for its data."""

    batch_size: int
    epochs: int
    lr: float
    schedule: str
    steps_per_epoch: int

    @property
    def steps(self) -> int:
        """Optimizer steps of the whole run (if it is not stopped early)."""
        return self.epochs * self.steps_per_epoch


def steps_per_epoch(data: TensorData, batch_size: int) -> int:
    """Optimizer steps in one epoch over ``data``: the one derivation."""
    return len(make_batches(data, batch_size=batch_size, training=True))


def is_streamed(X) -> bool:
    """Data to read block by block rather than copy: a dask array or data
    frame, or a numpy memory map."""
    if isinstance(X, np.memmap):
        return True
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "compute")


def tensor_data(
    X,
    targets: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    dtype: np.dtype,
    device: torch.device,
    rows: np.ndarray | None = None,
    dense_sparse: bool,
    to_network,
) -> TensorData:
    """The rows ``rows`` (all when None) of validated data as the engine takes
    them: tensors, sparse rows, or blocks read as training goes for data too
    large to hold (:class:`~sknn._training.stream.BlockRows`). ``targets``
    are already encoded for the loss; ``to_network`` puts flat rows into the
    network's shape."""
    dtype = np.dtype(dtype)
    if rows is not None:
        targets = targets[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    if sample_weight is not None:
        sample_weight = sample_weight.astype(dtype, copy=False)
    if is_streamed(X):
        inputs = BlockRows(
            X,
            np.arange(X.shape[0]) if rows is None else rows,
            dtype=dtype,
            device=device,
            to_network=to_network,
        )
    else:
        if rows is not None:
            X = X[rows]
        if isinstance(X, NamedArrays):
            inputs = X.astype(dtype, copy=False).to_tensors(device)
        elif sp.issparse(X):
            inputs = SparseRows(
                X.astype(dtype, copy=False), device=device, dense=dense_sparse
            )
        else:
            inputs = as_tensor(X.astype(dtype, copy=False), device)
    return TensorData(
        inputs,
        as_tensor(targets, device),
        None if sample_weight is None else as_tensor(sample_weight, device),
        sample_weight,
    )


def make_callbacks(
    settings: Settings,
    plan: RunPlan,
    *,
    partial: bool,
    n_train: int,
    t_start: int,
    previous: Convergence | None = None,
) -> list:
    """The training loop's callbacks; ``previous`` is the convergence
    callback of the last ``partial_fit`` call, whose counts go on, and
    ``t_start`` the samples seen before this call (``"invscaling"``)."""
    lbfgs = settings.solver == "lbfgs"
    cosine = plan.schedule == "cosine" and not (partial or lbfgs)
    carried = {}
    if previous is not None:
        carried = {"best": previous.best_, "count": previous.no_improvement_count_}
    callbacks = [
        (
            "convergence",
            Convergence(
                tol=settings.tol,
                # L-BFGS stops by its own rules (see lbfgs.py); a cosine
                # schedule runs its course unless the validation score stops
                # it (a plateau of the training loss early on is common and
                # would end the run before it starts)
                n_iter_no_change=(
                    math.inf
                    if lbfgs or (cosine and not settings.early_stopping)
                    else settings.n_iter_no_change
                ),
                early_stopping=settings.early_stopping and not (partial or lbfgs),
                scoring=settings.scoring,
                adaptive=settings.solver == "sgd" and plan.schedule == "adaptive",
                **carried,
            ),
        )
    ]
    if settings.solver == "sgd" and plan.schedule == "invscaling":
        schedule = InverseScaling(
            lr_init=plan.lr,
            power_t=settings.power_t,
            t_start=t_start,
            samples=n_train,
        )
        callbacks.append(("invscaling", schedule))
    if cosine:
        callbacks.append(("cosine", CosineDecay(lr_init=plan.lr, steps=plan.steps)))
    if settings.verbose:
        callbacks.append(("printer", EpochPrinter(max_epochs=plan.epochs)))
    if settings.verbose >= 2:
        callbacks.append(("progress", BatchProgress()))
    return callbacks


def make_engine(
    settings: Settings,
    plan: RunPlan,
    *,
    module: torch.nn.Module,
    criterion: torch.nn.Module,
    metric,
    output_check,
    device: torch.device,
    seed: int,
    partial: bool,
    n_train: int,
    t_start: int,
) -> Engine:
    """The engine of a new run (not yet initialized)."""
    return Engine(
        module=module,
        criterion=criterion,
        optimizer=OptimizerFactory(
            name=settings.solver,
            lr=plan.lr,
            beta_1=settings.beta_1,
            beta_2=settings.beta_2,
            epsilon=settings.epsilon,
            momentum=settings.momentum,
            nesterov=settings.nesterov,
            tol=settings.tol,
        ),
        lr=plan.lr,
        max_epochs=1 if partial else plan.epochs,
        batch_size=plan.batch_size,
        train_split=None,
        callbacks=make_callbacks(
            settings, plan, partial=partial, n_train=n_train, t_start=t_start
        ),
        verbose=0,
        device=device,
        metric=metric,
        shuffle=settings.shuffle,
        generator=torch.Generator().manual_seed(seed),
        alpha=settings.alpha,
        max_fun=settings.max_fun,
        max_grad_norm=settings.max_grad_norm,
        output_check=output_check,
        precision=settings.precision,
        compile_mode=settings.compile,
    )


def output_checker(check, dtype: torch.dtype):
    """``output_check`` for the engine: the task's check in train mode."""
    return functools.partial(check, dtype=dtype, training=True)
