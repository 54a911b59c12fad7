"""Optimizer steps without ``torch.optim``'s per-call bookkeeping.

On a small network most of a training step's time is Python, not arithmetic:
``Optimizer.step`` enters profiler ranges, runs hooks and rebuilds its lists of
parameters and state tensors on every call, and ``zero_grad`` walks the groups
again. Measured on a 100-64-64-5 network with batches of 32 (one CPU thread),
that bookkeeping was a third of the step. :class:`StepRunner` keeps the lists
once and calls torch's functional Adam, the very kernel ``Adam(fused=True)``
runs, so the arithmetic is identical (the tests compare both paths bit for
bit). Whenever the shortcut does not apply (another optimizer, options the
shortcut does not handle, a parameter without a gradient or without state
yet) it calls ``optimizer.step()`` itself.
"""

from __future__ import annotations

import inspect

import torch

_ADAM_ARGUMENTS = {
    "params",
    "grads",
    "exp_avgs",
    "exp_avg_sqs",
    "max_exp_avg_sqs",
    "state_steps",
    "fused",
    "amsgrad",
    "beta1",
    "beta2",
    "lr",
    "weight_decay",
    "eps",
    "maximize",
}


def _functional_adam():
    """torch's functional Adam, if its signature is the one this module knows."""
    try:
        from torch.optim.adam import adam
    except ImportError:  # pragma: no cover - every supported torch has it
        return None
    if not _ADAM_ARGUMENTS <= set(inspect.signature(adam).parameters):
        return None
    return adam


def _plain_fused_adam(optimizer: torch.optim.Optimizer) -> bool:
    """Whether every group is a fused Adam without the options we skip."""
    if not isinstance(optimizer, (torch.optim.Adam, torch.optim.AdamW)):
        return False
    return all(
        group.get("fused")
        and not group.get("amsgrad")
        and not group.get("maximize")
        and not group.get("capturable")
        and not group.get("differentiable")
        and not isinstance(group["lr"], torch.Tensor)
        and group.get("weight_decay", 0.0) == 0.0
        for group in optimizer.param_groups
    )


class StepRunner:
    """``zero_grad`` and ``step`` of an optimizer, with a lean path for Adam.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to drive. Build a new runner after
        ``optimizer.load_state_dict``, which replaces the state tensors.
    """

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        self._adam = _functional_adam() if _plain_fused_adam(optimizer) else None
        self._groups: list | None = None

    @property
    def lean(self) -> bool:
        """Whether steps now bypass ``optimizer.step``."""
        return self._groups is not None

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        if self._groups is None:
            self.optimizer.step()
            if self._adam is not None:
                self._groups = self._collect()
            return
        grads = [[p.grad for p in group[1]] for group in self._groups]
        if any(g is None for group_grads in grads for g in group_grads):
            # Adam skips a parameter without a gradient; let it.
            self.optimizer.step()
            return
        for (group, params, exp_avgs, exp_avg_sqs, steps), group_grads in zip(
            self._groups, grads, strict=True
        ):
            beta1, beta2 = group["betas"]
            self._adam(
                params,
                group_grads,
                exp_avgs,
                exp_avg_sqs,
                [],
                steps,
                fused=True,
                amsgrad=False,
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=0.0,
                eps=group["eps"],
                maximize=False,
            )

    def _collect(self) -> list | None:
        """Per group: the group, its parameters and their state tensors."""
        collected = []
        for group in self.optimizer.param_groups:
            states = [self.optimizer.state.get(p, {}) for p in group["params"]]
            if not all({"exp_avg", "exp_avg_sq", "step"} <= set(s) for s in states):
                return None  # some parameter has not been stepped yet
            collected.append(
                (
                    group,
                    list(group["params"]),
                    [s["exp_avg"] for s in states],
                    [s["exp_avg_sq"] for s in states],
                    [s["step"] for s in states],
                )
            )
        return collected
