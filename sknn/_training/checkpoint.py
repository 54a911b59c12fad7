"""The state a training run can return to: weights, optimizer, random stream.

A fit is a transaction: training that fails (a diverging loss, an error in a
user's ``forward``) goes back to where it started, and training that is
interrupted (Ctrl-C) goes back to the end of the last epoch it completed. The
engine therefore keeps one :class:`Checkpoint`, saved when training begins and
again after every epoch. Saving copies the tensors into buffers allocated once,
in one multi-tensor kernel; restoring copies them back in place, so every
object that holds a tensor (the optimizer, the lean step) stays valid.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class Checkpoint:
    """A copy of a module's state, its optimizer's and a generator's.

    Parameters
    ----------
    module : nn.Module
        The network; its parameters and buffers are saved.
    optimizer : torch.optim.Optimizer
        Its per-parameter state and each group's learning rate are saved;
        state that did not exist at the save is dropped on restore.
    generator : torch.Generator
        The source of the epochs' permutations.
    """

    def __init__(
        self,
        module: nn.Module,
        optimizer: torch.optim.Optimizer,
        generator: torch.Generator,
    ) -> None:
        self.module = module
        self.optimizer = optimizer
        self.generator = generator
        self._saved = False
        self._buffers: list[torch.Tensor] = []

    def _params(self) -> list[torch.Tensor]:
        return [p for group in self.optimizer.param_groups for p in group["params"]]

    def _module_tensors(self) -> list[torch.Tensor]:
        state = self.module.state_dict(keep_vars=True)
        return [v.detach() for v in state.values() if isinstance(v, torch.Tensor)]

    def save(self) -> None:
        """Copy the current state into the checkpoint."""
        tensors = self._module_tensors()
        n_module = len(tensors)
        # per parameter index: name -> ("tensor", position) or ("value", value)
        layout: dict[int, dict] = {}
        for index, param in enumerate(self._params()):
            state = self.optimizer.state.get(param)
            if not state:
                continue
            layout[index] = {}
            for name, value in state.items():
                if isinstance(value, torch.Tensor):
                    layout[index][name] = ("tensor", len(tensors))
                    tensors.append(value.detach())
                else:
                    layout[index][name] = ("value", _snapshot(value))
        reuse = len(self._buffers) == len(tensors) and all(
            b.shape == t.shape and b.dtype == t.dtype and b.device == t.device
            for b, t in zip(self._buffers, tensors, strict=True)
        )
        with torch.no_grad():
            if reuse:
                torch._foreach_copy_(self._buffers, tensors)
            else:
                self._buffers = [t.clone() for t in tensors]
        self._n_module = n_module
        self._layout = layout
        self._lrs = [group["lr"] for group in self.optimizer.param_groups]
        self._generator = self.generator.get_state()
        self._saved = True

    def restore(self) -> None:
        """Put the saved state back, in place where the tensors still exist."""
        if not self._saved:
            raise RuntimeError("restore() before any save()")
        with torch.no_grad():
            torch._foreach_copy_(
                self._module_tensors(), self._buffers[: self._n_module]
            )
            for index, param in enumerate(self._params()):
                if index not in self._layout:
                    self.optimizer.state.pop(param, None)
                    continue
                live = self.optimizer.state[param]
                for name in set(live) - set(self._layout[index]):
                    del live[name]
                for name, (kind, saved) in self._layout[index].items():
                    if kind == "value":
                        live[name] = _snapshot(saved)
                        continue
                    buffer = self._buffers[saved]
                    current = live.get(name)
                    if (
                        isinstance(current, torch.Tensor)
                        and current.shape == buffer.shape
                        and current.dtype == buffer.dtype
                    ):
                        current.copy_(buffer)
                    else:
                        live[name] = buffer.clone()
        for group, lr in zip(self.optimizer.param_groups, self._lrs, strict=True):
            group["lr"] = lr
        self.generator.set_state(self._generator)


def _snapshot(value):
    """A copy of a non-tensor state value, such as L-BFGS's lists of past
    directions: tensors are cloned (far cheaper than ``copy.deepcopy``)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value)
    return copy.deepcopy(value)
