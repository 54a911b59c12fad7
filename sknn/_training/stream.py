"""Training on data larger than memory: rows read one block at a time.

A dask array (or a numpy memory map, or any array that slices without copying
itself whole) is never read whole: :class:`BlockRows` reads one block of rows
at a time, as the epoch reaches it, converts it to the network's dtype and
checks it is finite, and :class:`StreamBatches` cuts batches out of it.
Shuffling is at two levels: the order of the blocks is drawn anew every
epoch, and so is the order of the rows within each block. That gives up
mixing rows of different blocks in one batch (a batch never spans two
blocks), which a full shuffle would do; with blocks of many batches, and
blocks that are not sorted by label, it trains as well. With ``shuffle=False``
and blocks whose sizes are multiples of the batch size, the batches are
exactly those of the same data in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from .data import Batch, TensorBatches, TensorData, batch_bounds


def block_bounds(X) -> list[tuple[int, int]]:
    """Start and stop of each block of rows: a dask array's chunks along its
    first axis, or blocks of about 64 MB of a memory map."""
    chunks = getattr(X, "chunks", None)
    if chunks is not None and not isinstance(X, np.ndarray):
        stops = np.cumsum(chunks[0]).tolist()
    else:
        row_bytes = max(1, int(np.prod(X.shape[1:])) * X.dtype.itemsize)
        rows = max(1, (64 << 20) // row_bytes)
        stops = list(range(rows, X.shape[0], rows)) + [X.shape[0]]
    starts = [0] + stops[:-1]
    return [(a, b) for a, b in zip(starts, stops, strict=True) if b > a]


class BlockRows:
    """Some rows of a large array, read block by block as tensors.

    Parameters
    ----------
    source : dask array or numpy memory map
        Samples along the first axis; never read whole.
    rows : ndarray of int
        The rows used (sorted), e.g. the training part of a split.
    dtype : numpy dtype
        The network's floating dtype.
    device : torch.device
        Where the blocks go.
    to_network : callable
        Puts a block of flat rows into the shape the network takes.
    """

    def __init__(self, source, rows, *, dtype, device, to_network) -> None:
        self.source = source
        self.dtype = np.dtype(dtype)
        self.device = torch.device(device)
        self.to_network = to_network
        bounds = block_bounds(source)
        rows = np.asarray(rows, dtype=np.int64)
        #: per block: (start, stop, the used rows' offsets in the block, and
        #: their positions in ``rows``, which index the targets)
        self.blocks = []
        for start, stop in bounds:
            lo, hi = np.searchsorted(rows, [start, stop])
            if hi > lo:
                offsets = rows[lo:hi] - start
                self.blocks.append((start, stop, offsets, np.arange(lo, hi)))
        self._n = len(rows)

    def __len__(self) -> int:
        return self._n

    def read(self, index: int) -> torch.Tensor:
        """The used rows of block ``index``, in the network's dtype and shape,
        on the device (only this block is read)."""
        start, stop, offsets, _ = self.blocks[index]
        block = self.source[start:stop]
        if hasattr(block, "compute"):
            block = block.compute()
        block = np.asarray(block)
        if len(offsets) != stop - start:
            block = block[offsets]
        if block.dtype.kind not in "fiub":
            raise TypeError(
                f"X holds values of dtype {block.dtype}; a numeric array is expected."
            )
        block = block.reshape(len(block), -1).astype(self.dtype, copy=False)
        if not np.isfinite(block).all():
            kind = "NaN" if np.isnan(block).any() else "infinity"
            raise ValueError(
                f"Input X contains {kind} (in rows {start} to {stop - 1})."
            )
        block = self.to_network(np.ascontiguousarray(block))
        if not block.flags.writeable:
            # still the caller's read-only memory map (of the network's
            # dtype): torch takes only writable arrays
            block = block.copy()
        return torch.from_numpy(block).to(self.device)

    def positions(self, index: int) -> np.ndarray:
        """Where the rows of block ``index`` are in the targets."""
        return self.blocks[index][3]

    def __getitem__(self, rows: slice) -> torch.Tensor:
        """The first rows (the probe pass before training): a slice of the
        first block."""
        return self.read(0)[rows]


class StreamBatches:
    """Batches of a :class:`TensorData` whose ``X`` is :class:`BlockRows`.

    The same interface as :class:`~sknn._training.data.TensorBatches`; the
    targets and weights are in memory, the inputs are read a block at a time.
    """

    def __init__(
        self,
        data,
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
        self.merge_singleton = merge_singleton

    def __len__(self) -> int:
        return sum(
            len(batch_bounds(len(b[2]), self.batch_size, self.merge_singleton))
            for b in self.data.X.blocks
        )

    def __iter__(self) -> Iterator[Batch]:
        rows = self.data.X
        y, w, host = self.data.y, self.data.sample_weight, self.data.host_weight
        n_blocks = len(rows.blocks)
        order = (
            torch.randperm(n_blocks, generator=self.generator).tolist()
            if self.shuffle
            else range(n_blocks)
        )
        for index in order:
            X = rows.read(index)
            positions = rows.positions(index)
            if self.shuffle:
                within = torch.randperm(len(positions), generator=self.generator)
                within = within.numpy()
            else:
                within = np.arange(len(positions))
            bounds = batch_bounds(len(positions), self.batch_size, self.merge_singleton)
            for start, stop in bounds:
                local = within[start:stop]
                targets = torch.from_numpy(positions[local]).to(X.device)
                picked = torch.from_numpy(local).to(X.device)
                weight_sum = (
                    float(stop - start)
                    if host is None
                    else float(np.sum(host[positions[local]], dtype=np.float64))
                )
                yield (
                    X.index_select(0, picked),
                    (
                        None if y is None else y.index_select(0, targets),
                        None if w is None else w.index_select(0, targets),
                    ),
                    weight_sum,
                )


def make_batches(
    data: TensorData,
    *,
    batch_size: int,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
    training: bool = False,
):
    """The batches of ``data`` as the engine iterates over them (training
    batches merge a last batch of one sample into the one before)."""
    batches = StreamBatches if isinstance(data.X, BlockRows) else TensorBatches
    return batches(
        data,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        merge_singleton=training,
    )


class BlockInputs:
    """Prediction inputs read block by block, in batches of at most
    ``batch_size`` rows (the counterpart of
    :class:`~sknn._training.data.InputBatches`; the blocks are checked for
    NaN and infinity as they are read, so :meth:`all_finite` is True)."""

    def __init__(self, rows: BlockRows, *, batch_size: int) -> None:
        self.rows = rows
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[torch.Tensor]:
        for index in range(len(self.rows.blocks)):
            X = self.rows.read(index)
            for start, stop in batch_bounds(len(X), self.batch_size, False):
                yield X[start:stop]

    def all_finite(self) -> bool:
        return True
