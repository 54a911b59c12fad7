"""Several named inputs of the same samples, handed to a module by name.

A network with several inputs (pictures beside a table, say) takes them as
keyword arguments of its ``forward``. :class:`NamedTensors` holds one tensor
per input, all with the same rows, and offers what the batch iterators and
the engine ask of an input tensor (``len``, ``device``, row slices,
``index_select`` along the rows, ``clone``), so that everything that moves
rows around works unchanged; :func:`call_module` is the one place that
turns it into keyword arguments.
"""

from __future__ import annotations

import torch
from torch import nn

from .._utils import as_tensor


class NamedTensors:
    """One tensor per named input, the same rows in each.

    Parameters
    ----------
    tensors : dict of str to torch.Tensor
        The inputs, by the name of the ``forward`` parameter they go to;
        all on one device, with the same number of rows.
    """

    def __init__(self, tensors: dict[str, torch.Tensor]) -> None:
        self.tensors = dict(tensors)

    def __len__(self) -> int:
        return len(next(iter(self.tensors.values())))

    @property
    def device(self) -> torch.device:
        return next(iter(self.tensors.values())).device

    @property
    def shape(self) -> dict[str, tuple[int, ...]]:
        """The shape of each input (what messages about a batch show)."""
        return {name: tuple(t.shape) for name, t in self.tensors.items()}

    @property
    def dtype(self) -> torch.dtype:
        return next(iter(self.tensors.values())).dtype

    def _map(self, function) -> NamedTensors:
        return NamedTensors({n: function(t) for n, t in self.tensors.items()})

    def __getitem__(self, rows) -> NamedTensors:
        return self._map(lambda t: t[rows])

    def index_select(self, dim: int, rows: torch.Tensor) -> NamedTensors:
        return self._map(lambda t: t.index_select(dim, rows))

    def clone(self) -> NamedTensors:
        return self._map(torch.Tensor.clone)

    def to(self, *args, **kwargs) -> NamedTensors:
        return self._map(lambda t: t.to(*args, **kwargs))

    def is_floating_point(self) -> bool:
        return all(t.is_floating_point() for t in self.tensors.values())


def call_module(module: nn.Module, X):
    """``module``'s output for a batch: named inputs as keyword arguments."""
    if isinstance(X, NamedTensors):
        return module(**X.tensors)
    return module(X)


class NamedArrays:
    """Validated named inputs on the host: one numpy array per input, in the
    network's shape, the same rows in each. Sliced by rows as one array is;
    :func:`~sknn._training.setup.tensor_data` makes :class:`NamedTensors`
    of it."""

    def __init__(self, arrays: dict) -> None:
        self.arrays = dict(arrays)

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values())))

    @property
    def shape(self) -> tuple[int]:
        return (len(self),)

    def __getitem__(self, rows) -> NamedArrays:
        return NamedArrays({n: a[rows] for n, a in self.arrays.items()})

    def astype(self, dtype, copy: bool = True) -> NamedArrays:
        return NamedArrays(
            {n: a.astype(dtype, copy=copy) for n, a in self.arrays.items()}
        )

    def to_tensors(self, device: torch.device) -> NamedTensors:
        """The arrays as tensors on ``device`` (wrapped, not copied, on the
        CPU)."""
        return NamedTensors({n: as_tensor(a, device) for n, a in self.arrays.items()})


class NamedBatches:
    """Consecutive batches of named inputs, for prediction (the counterpart
    of :class:`~sknn._training.data.InputBatches`; named inputs are checked
    for NaN and infinity when they are validated, so :meth:`all_finite` is
    always True)."""

    def __init__(self, tensors: NamedTensors, *, batch_size: int) -> None:
        self.tensors = tensors
        self.batch_size = batch_size

    def __iter__(self):
        for start in range(0, len(self.tensors), self.batch_size):
            # a copy: a forward that works in place must not change X
            yield self.tensors[start : start + self.batch_size].clone()

    def all_finite(self) -> bool:
        return True
