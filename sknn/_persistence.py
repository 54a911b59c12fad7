"""What a fitted estimator saves: plain Python values and numpy arrays only.

Pickle and skops (``skops.io``, which loads without executing code) save the
state that ``__getstate__`` returns. It holds no torch object: the network's
weights, the optimizer's state and the random generator's are numpy arrays,
the training history a list of dicts, so that loading trusts no type but the
estimator's own class, never unpickles and never calls ``torch.load``. The
network is rebuilt from the estimator's ``module_kwargs_`` and the arrays are
copied into it. A format number in the state tells a file of another layout
from one this version can read.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from skorch.history import History

from ._training.random import RandomStream
from ._training.setup import RunPlan, make_engine
from ._utils import forked_torch_rng, warn
from ._version import __version__

#: The layout of the saved state; bumped when it changes incompatibly.
STATE_FORMAT = 1


def to_arrays(value):
    """``value`` with every tensor replaced by a numpy array (on the host),
    through dicts, lists and tuples."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, dict):
        return {key: to_arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_arrays(item) for item in value)
    return value


def to_tensors(value, device: torch.device):
    """The inverse of :func:`to_arrays`: numpy arrays become tensors on
    ``device`` (a torch state holds no numpy array of its own)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value)).to(device)
    if isinstance(value, dict):
        return {key: to_tensors(item, device) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_tensors(item, device) for item in value)
    return value


def engine_state(engine) -> dict:
    """What a trained engine needs to predict and to go on training."""
    state = {
        "module": to_arrays(engine.module_.state_dict()),
        "optimizer": to_arrays(engine.optimizer_.state_dict()),
        "generator": engine.generator.get_state().numpy().copy(),
        "device": str(engine.device),
        "batch_size": engine.batch_size,
        "alpha": engine.alpha,
    }
    stream = getattr(engine, "random_stream", None)
    if stream is not None:  # partial_fit goes on drawing from it
        state["random_stream"] = stream.state_arrays()
    return state


def mark(state: dict) -> dict:
    """``state`` with the format and the version that wrote it."""
    state["_sknn_state_format"] = STATE_FORMAT
    state["_sknn_version"] = __version__
    return state


def check_format(state: dict, name: str) -> None:
    """Refuse a state this version cannot read, saying who wrote it; the
    markers are taken out of ``state``."""
    found = state.pop("_sknn_state_format", None)
    version = state.pop("_sknn_version", "an earlier development version")
    if found != STATE_FORMAT:
        raise ValueError(
            f"This {name} was saved by sknn {version}, in a format that sknn "
            f"{__version__} cannot read (state format {found}, expected "
            f"{STATE_FORMAT}). Load it with sknn {version}, or fit it again."
        )


class PersistenceMixin:
    """Pickling (and skops) of an sknn estimator: its state as plain values,
    the network rebuilt from ``module_kwargs_`` when loaded."""

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

    def _restore_engine(self, saved: dict):
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
        plan = RunPlan(
            batch_size=saved["batch_size"],
            epochs=1,
            lr=self._learning_rate_init(),
            schedule=self._learning_rate_schedule(),
            steps_per_epoch=1,
        )
        task = self._fitted_task()
        # the penalty the model was trained with ("auto" resolved)
        settings = self._settings(n_train=1)
        if "alpha" in saved:
            settings = dataclasses.replace(settings, alpha=float(saved["alpha"]))
        engine = make_engine(
            settings,
            plan,
            module=module,
            criterion=task.criterion(getattr(torch, self.dtype)),
            metric=task.metric(),
            output_check=None,
            device=device,
            seed=0,
            partial=False,
            n_train=0,
            t_start=0,
        )
        engine.initialize()
        engine.optimizer_.load_state_dict(to_tensors(saved["optimizer"], device))
        engine.prepare_optimizer()
        engine.generator.set_state(torch.from_numpy(np.array(saved["generator"])))
        engine.history_ = self.history_
        if saved.get("random_stream") is not None:
            engine.random_stream = RandomStream(0, device)
            engine.random_stream.load_state_arrays(saved["random_stream"])
        return engine


def skops_trusted_types() -> list[str]:
    """The names of sknn's classes as ``skops.io`` spells them, to pass as
    ``trusted=`` when loading a file of sknn models.

    These are the only types an sknn estimator, or a Pipeline of sknn and
    scikit-learn steps, asks skops to trust (a NeuralNetClassifier adds its
    module's class, which is your code).

    Returns
    -------
    list of str
        Qualified names of sknn's estimators and transformers.

    Examples
    --------
    >>> from sknn import skops_trusted_types
    >>> "sknn._mlp.MLPClassifier" in skops_trusted_types()
    True
    """
    from . import _ESTIMATORS

    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in _ESTIMATORS)
