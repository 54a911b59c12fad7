"""In-memory tensors and the whole-batch iterators that feed the network.

skorch's default path builds every batch sample by sample (``Dataset.__getitem__``
then a collate step). sknn's data already sits in memory as tensors, so a batch
is one slice or one gather of rows: this is what keeps the training loop as fast
as a hand-written one. At prediction time, :class:`InputBatches` converts the
input one batch at a time, so no second copy of it is ever made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch


class SparseRows:
    """A scipy sparse matrix whose rows are handed out as torch tensors, one
    batch at a time, so that the whole matrix is never densified.

    Batches are sparse COO tensors, which ``nn.Linear`` multiplies without
    densifying (sknn's MLP), or dense tensors (``dense=True``: a user's
    network, whose layers may not take sparse input). It offers what
    :class:`TensorBatches` asks of an input tensor: ``len``, ``device``,
    slices and ``index_select`` along the rows.

    Parameters
    ----------
    matrix : scipy.sparse matrix or array
        Validated, in the network's floating dtype.
    device : torch.device
        Where the batches go.
    dense : bool
        Whether batches are densified.
    """

    def __init__(self, matrix, *, device: torch.device, dense: bool) -> None:
        self.matrix = matrix.tocsr()
        self.device = torch.device(device)
        self.dense = dense

    def __len__(self) -> int:
        return self.matrix.shape[0]

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def _tensor(self, block) -> torch.Tensor:
        non_blocking = self.device.type == "cuda"
        if self.dense:
            tensor = torch.from_numpy(block.toarray())
            return tensor.to(self.device, non_blocking=non_blocking)
        block.sum_duplicates()  # sorted, unique indices: a coalesced COO
        rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
        indices = np.vstack([rows, block.indices]).astype(np.int64)
        # Built where it is used: moving a sparse tensor to a GPU builds it
        # anew there, with torch's warning that invariant checks are off.
        return torch.sparse_coo_tensor(
            torch.from_numpy(indices).to(self.device, non_blocking=non_blocking),
            torch.from_numpy(block.data).to(self.device, non_blocking=non_blocking),
            block.shape,
            check_invariants=False,
            is_coalesced=True,
        )

    def __getitem__(self, rows: slice) -> torch.Tensor:
        return self._tensor(self.matrix[rows])

    def index_select(self, dim: int, rows: torch.Tensor) -> torch.Tensor:
        if dim != 0:
            raise ValueError("SparseRows selects rows only.")
        return self._tensor(self.matrix[rows.cpu().numpy()])


class SparseBatches:
    """Consecutive batches of :class:`SparseRows`, for prediction (the
    counterpart of :class:`InputBatches`; sparse input is checked for NaN and
    infinity when it is validated, so :meth:`all_finite` is always True)."""

    def __init__(self, rows: SparseRows, *, batch_size: int) -> None:
        self.rows = rows
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[torch.Tensor]:
        for start, stop in batch_bounds(len(self.rows), self.batch_size, False):
            yield self.rows[start:stop]

    def all_finite(self) -> bool:
        return True


@dataclass(frozen=True)
class TensorData:
    """Inputs, encoded targets and optional sample weights, all on one device.

    ``X`` is a tensor, or :class:`SparseRows` for sparse input."""

    X: torch.Tensor | SparseRows
    y: torch.Tensor | None = None
    sample_weight: torch.Tensor | None = None
    #: The weights again, on the host, so each batch's weight sum (which scales
    #: the L2 penalty) is known without a device synchronisation.
    host_weight: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.X)


@dataclass(frozen=True)
class SplitData:
    """A training set and an optional validation set, handed to the engine."""

    train: TensorData
    valid: TensorData | None = None


#: ``(X, (y, sample_weight), weight_sum)``: ``weight_sum`` is the batch's total
#: sample weight as a Python float (its size when unweighted).
Batch = tuple[torch.Tensor, tuple[torch.Tensor | None, torch.Tensor | None], float]


def batch_bounds(n_samples: int, batch_size: int, merge_singleton: bool) -> list:
    """Start and stop of each batch.

    With ``merge_singleton``, a last batch of one sample joins the batch before
    it: batch statistics of a single sample are undefined, and dropping the
    sample would silently lose data.
    """
    stops = list(range(batch_size, n_samples, batch_size)) + [n_samples]
    if merge_singleton and len(stops) > 1 and stops[-1] - stops[-2] == 1:
        del stops[-2]
    starts = [0] + stops[:-1]
    return list(zip(starts, stops, strict=True))


class TensorBatches:
    """Iterate over batches of a :class:`TensorData` by slicing whole rows.

    Parameters
    ----------
    data : TensorData
        The tensors to iterate over.
    batch_size : int
        Number of rows per batch.
    shuffle : bool
        Draw a new permutation of the rows for every pass.
    generator : torch.Generator or None
        Source of the permutations, so shuffling is reproducible without
        touching torch's global random state.
    merge_singleton : bool
        Merge a trailing one-sample batch into the previous one.
    """

    def __init__(
        self,
        data: TensorData,
        *,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        merge_singleton: bool = False,
    ) -> None:
        self.data = data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.bounds = batch_bounds(len(data), batch_size, merge_singleton)

    def __len__(self) -> int:
        return len(self.bounds)

    def _weight_sums(self, order: np.ndarray | None) -> list[float]:
        starts = [start for start, _ in self.bounds]
        weight = self.data.host_weight
        if weight is None:
            return [float(stop - start) for start, stop in self.bounds]
        if order is not None:
            weight = weight[order]
        return np.add.reduceat(weight, starts, dtype=np.float64).tolist()

    def __iter__(self) -> Iterator[Batch]:
        X, y, w = self.data.X, self.data.y, self.data.sample_weight
        if self.shuffle:
            order = torch.randperm(len(self.data), generator=self.generator)
            sums = self._weight_sums(order.numpy())
            order = order.to(X.device)
            for (start, stop), weight_sum in zip(self.bounds, sums, strict=True):
                rows = order[start:stop]
                yield (
                    X.index_select(0, rows),
                    (
                        None if y is None else y.index_select(0, rows),
                        None if w is None else w.index_select(0, rows),
                    ),
                    weight_sum,
                )
        else:
            sums = self._weight_sums(None)
            for (start, stop), weight_sum in zip(self.bounds, sums, strict=True):
                yield (
                    # a copy, as a gather would be: a forward that works in
                    # place on its input must not change the data
                    X[start:stop].clone(),
                    (
                        None if y is None else y[start:stop],
                        None if w is None else w[start:stop],
                    ),
                    weight_sum,
                )


class InputBatches:
    """Batches of prediction inputs, each converted to the network's dtype and
    device only when it is needed.

    Converting batch by batch keeps the copy in the cache and never holds a
    second copy of the whole input; a batch already of the right dtype and
    layout is copied too, so that the network never sees the caller's
    memory. The finite check rides along: each floating batch is summed
    while it is in the cache, and :meth:`all_finite` tells afterwards
    whether every sum (hence every element) was finite.

    Parameters
    ----------
    X : torch.Tensor
        The validated inputs on the CPU, in any numeric dtype and layout.
    batch_size : int
        Number of rows per batch.
    dtype : torch.dtype
        The network's floating dtype.
    device : torch.device
        The network's device.
    """

    def __init__(
        self,
        X: torch.Tensor,
        *,
        batch_size: int,
        dtype: torch.dtype,
        device: torch.device,
    ) -> None:
        self.X = X
        self.batch_size = batch_size
        self.dtype = dtype
        self.device = device
        self._sums: list[torch.Tensor] = []

    def __len__(self) -> int:
        return len(batch_bounds(len(self.X), self.batch_size, False))

    def __iter__(self) -> Iterator[torch.Tensor]:
        self._sums = []
        check = self.X.is_floating_point()
        non_blocking = self.device.type == "cuda"
        for start, stop in batch_bounds(len(self.X), self.batch_size, False):
            rows = self.X[start:stop]
            Xi = rows.to(dtype=self.dtype, memory_format=torch.contiguous_format)
            if check:
                self._sums.append(Xi.sum())
            Xi = Xi.to(self.device, non_blocking=non_blocking)
            if Xi.data_ptr() == rows.data_ptr():
                # Still the caller's memory: a forward that works in place
                # on its input must not change their X.
                Xi = Xi.clone()
            yield Xi

    def all_finite(self) -> bool:
        """Whether the batches seen so far held only finite values.

        ``False`` can also mean that finite values overflowed the sum; the
        caller then checks element by element.
        """
        if not self._sums:
            return True
        if len(self._sums) == 1:
            return bool(torch.isfinite(self._sums[0]))
        return bool(torch.isfinite(torch.stack(self._sums).sum()))
