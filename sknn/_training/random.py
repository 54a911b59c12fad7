"""One fit's stream of random numbers, apart from torch's global generator.

Dropout, and whatever else a network draws at random in training, takes its
numbers from torch's global generators, shared by the whole process. A fit
that seeded them and let its network draw from them would change the caller's
random numbers, and two fits running at the same time in two threads would
draw from each other's stream. A :class:`RandomStream` keeps one fit's state
of the generators: for each training forward pass it swaps that state in,
under :data:`sknn._utils.RNG_LOCK`, and the caller's back out afterwards. A
network that draws nothing (found at its first pass) is then left alone, so it
pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from .._utils import RNG_LOCK


class RandomStream:
    """The global generators' state for one fit, seeded with ``seed``.

    Parameters
    ----------
    seed : int
        The fit's seed.
    device : torch.device
        The network's device; a CUDA device's generator is kept too.
    """

    def __init__(self, seed: int, device: torch.device) -> None:
        self.device = torch.device(device)
        self.draws: bool | None = None  # unknown until the first pass
        # the state torch.manual_seed(seed) would give the global generators
        cpu = torch.Generator().manual_seed(seed).get_state()
        cuda = None
        if self.device.type == "cuda":
            cuda = torch.Generator(device=self.device).manual_seed(seed).get_state()
        self.state = cpu, cuda

    def state_arrays(self) -> dict:
        """The stream's state as numpy arrays (to pickle)."""
        cpu, cuda = self.state
        return {
            "cpu": cpu.numpy().copy(),
            "cuda": None if cuda is None else cuda.cpu().numpy().copy(),
            "draws": self.draws,
        }

    def load_state_arrays(self, saved: dict) -> None:
        """Take up a state saved by :meth:`state_arrays` (a CUDA generator's
        state only where this stream's device is one)."""
        cpu = torch.from_numpy(np.array(saved["cpu"]))
        cuda = self.state[1]
        if cuda is not None and saved["cuda"] is not None:
            cuda = torch.from_numpy(np.array(saved["cuda"]))
        self.state = cpu, cuda
        self.draws = saved["draws"]

    def _get(self):
        cpu = torch.get_rng_state()
        if self.device.type == "cuda":
            return cpu, torch.cuda.get_rng_state(self.device)
        return cpu, None

    def _set(self, state) -> None:
        cpu, cuda = state
        torch.set_rng_state(cpu)
        if cuda is not None:
            torch.cuda.set_rng_state(cuda, self.device)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Let the block draw from this stream (a training forward pass)."""
        if self.draws is False:
            yield
            return
        with RNG_LOCK:
            saved = self._get()
            self._set(self.state)
            try:
                yield
            finally:
                state = self._get()
                if self.draws is None:
                    self.draws = not all(
                        a is b or (a is not None and torch.equal(a, b))
                        for a, b in zip(state, self.state, strict=True)
                    )
                self.state = state
                self._set(saved)
