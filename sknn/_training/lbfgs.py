"""Full-batch L-BFGS, one iteration per epoch, with scikit-learn's stopping rules.

torch's ``LBFGS.step`` runs iterations until its own limits; the engine runs it
one iteration at a time instead (``max_iter=1``), so that each iteration is an
epoch of the history: Ctrl-C keeps the last completed iteration, and the loss
of each is recorded. Two things make that as cheap as one long run: the loss
and gradient where an iteration ends, which its line search has evaluated,
are kept for the start of the next (torch would evaluate them again), and the
evaluations a line search may spend are
capped by what is left of ``max_fun``. The run ends like scipy's L-BFGS-B,
which scikit-learn uses: converged when the largest gradient is at most
``tol``, or when an iteration no longer lowers the loss by more than scipy's
relative ``ftol``; out of budget after ``max_fun`` evaluations.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .optim import LBFGS_EVALS_PER_ITERATION

#: scipy's default relative decrease below which L-BFGS-B has converged
#: (``factr * eps = 1e7 * 2.2e-16``).
FTOL = 2.220446049250313e-09


class LBFGSRun:
    """One L-BFGS optimization, driven an iteration at a time.

    Parameters
    ----------
    optimizer : torch.optim.LBFGS
        Built with ``max_iter=1`` and a single parameter group.
    max_fun : int
        The most loss evaluations the whole run may make.
    """

    def __init__(self, optimizer: torch.optim.LBFGS, max_fun: int) -> None:
        self.optimizer = optimizer
        self.max_fun = max_fun
        self.converged = False
        self.out_of_evaluations = False
        #: loss evaluations actually made (torch's count also has the start
        #: of each iteration, which is kept from the one before)
        self.evaluations = 0
        self._cached: torch.Tensor | None = None

    def forget(self) -> None:
        """Drop the kept loss and gradient (the weights were changed)."""
        self._cached = None

    def iterate(self, evaluate: Callable[[], torch.Tensor]) -> torch.Tensor:
        """One iteration; ``evaluate()`` returns the loss with its graph.

        Returns the (detached) loss where the iteration ended.
        """
        group = self.optimizer.param_groups[0]
        params = group["params"]
        state = self.optimizer.state[params[0]]
        # torch counts the iteration's start, then the line search's
        left = self.max_fun - self.evaluations
        group["max_eval"] = 1 + max(1, min(LBFGS_EVALS_PER_ITERATION - 1, left))
        iterations = state.get("n_iter", 0)
        before = [p.detach().clone() for p in params]
        cached, self._cached = self._cached, None
        # Every evaluation of this iteration: the weights, loss and gradient.
        evaluations = []

        def closure():
            nonlocal cached
            if cached is not None:
                # the gradient at these weights is still in .grad
                loss, cached = cached, None
                return loss
            self.optimizer.zero_grad()
            loss = evaluate()
            loss.backward()
            self.evaluations += 1
            evaluations.append((_flat(params), loss.detach(), [p.grad for p in params]))
            return loss

        start = float(self.optimizer.step(closure).detach())
        # The loss and gradient where the iteration ended, kept for the next
        # iteration's start: the line search has usually evaluated them.
        current = _flat(params)
        for weights, loss, grads in reversed(evaluations):
            if torch.equal(weights, current):
                for p, grad in zip(params, grads, strict=True):
                    p.grad = grad
                end = loss
                break
        else:
            self.optimizer.zero_grad()
            end = evaluate()
            end.backward()
            self.evaluations += 1
            end = end.detach()
        self._cached = end
        moved = not all(torch.equal(b, p) for b, p in zip(before, params, strict=True))
        decrease = (start - float(end)) / max(abs(start), abs(float(end)), 1.0)
        if state.get("n_iter", 0) == iterations or not moved or decrease <= FTOL:
            self.converged = True
        elif self.evaluations >= self.max_fun:
            self.out_of_evaluations = True
        return end


def _flat(params: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in params])
