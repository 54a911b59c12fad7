"""The convolutional network of CNNClassifier."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..normalization import make_normalization, reparametrize
from ._activations import make_activation

_CONVS = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
#: Memory formats that put the channels last: measured on a 2-core CPU, 2-D and
#: 3-D convolutions train 20-30% faster on them (64x64x3 images, 16^3 volumes,
#: float32, batches of 32-64) than on torch's default contiguous layout.
_CHANNELS_LAST_FORMATS = {2: torch.channels_last, 3: torch.channels_last_3d}
_PADS = {1: nn.ConstantPad1d, 2: nn.ConstantPad2d, 3: nn.ConstantPad3d}
_POOLS = {
    "max": {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d},
    "avg": {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d},
}


def pooled_shape(pooling: str | None, spatial_shape: Sequence[int]) -> tuple[int, ...]:
    """The shape a feature map of ``spatial_shape`` has after a block's pooling
    (see :func:`make_pooling`): each axis halved, rounding up, one of length
    one kept; unchanged without pooling: ``(7, 1)`` becomes ``(4, 1)``."""
    shape = tuple(spatial_shape)
    if pooling is None:
        return shape
    return tuple((size + 1) // 2 for size in shape)


def feature_map_shapes(
    spatial_shape: Sequence[int], n_blocks: int, pooling: str | None
) -> list[tuple[int, ...]]:
    """Spatial shape of the feature maps that each block of a :class:`CNN`
    normalizes, for inputs of ``spatial_shape``.

    A block's convolution keeps the shape of its input (``"same"`` padding)
    and its pooling comes after the normalization, so block 1 normalizes maps
    of the input's shape and block ``k + 1`` those left by the pooling of
    block ``k``. A normalization that takes statistics over positions needs
    more than one there: four blocks with pooling normalize 8x8 images as
    ``[(8, 8), (4, 4), (2, 2), (1, 1)]``.
    """
    shapes = [tuple(spatial_shape)]
    for _ in range(n_blocks - 1):
        shapes.append(pooled_shape(pooling, shapes[-1]))
    return shapes


def make_pooling(
    pooling: str | None, spatial_shape: Sequence[int]
) -> tuple[nn.Module, tuple[int, ...]]:
    """A 2x down-sampling layer for a feature map, and the shape it leaves.

    Each axis longer than one is halved, rounding up (``ceil_mode``), so an odd
    length loses no position; an axis of length one is left alone. Nothing is
    left to pool (``pooling=None``, or every axis of length one) gives
    ``nn.Identity``. A feature map therefore never shrinks below one position,
    however many blocks see it.
    """
    shape = tuple(spatial_shape)
    kernel = tuple(2 if size > 1 else 1 for size in shape)
    if pooling is None or max(kernel) == 1:
        return nn.Identity(), shape
    pool = _POOLS[pooling][len(shape)]
    # Average pooling divides by the positions inside the input only, so the
    # padding-free ceil_mode windows at an odd edge stay true averages.
    layer = pool(kernel, stride=kernel, ceil_mode=True)
    return layer, pooled_shape(pooling, shape)


def _same_padding(kernel: int, spatial_dims: int) -> nn.Module:
    """Zero padding that keeps the length under an even kernel: one more
    position on the right than on the left, as torch's and Keras' ``"same"``
    (which torch would do with a copy of every input, and a warning)."""
    left = (kernel - 1) // 2
    return _PADS[spatial_dims]((left, kernel - 1 - left) * spatial_dims, 0.0)


class GlobalAvgPool(nn.Module):
    """Average each channel over all positions: ``(N, C, *spatial) -> (N, C)``.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import GlobalAvgPool
    >>> GlobalAvgPool()(torch.ones(2, 3, 4, 5)).shape
    torch.Size([2, 3])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=tuple(range(2, x.dim())))


class CNN(nn.Module):
    """Convolutional network for 1-D signals, 2-D images and 3-D volumes.

    Blocks of (convolution -> normalization -> activation -> pooling ->
    dropout), one per entry of ``filters``; then global average pooling, dense
    hidden layers (linear -> activation -> dropout) and a linear output layer
    producing one logit per output unit.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(*spatial, channels)`` with ``channels_last``,
        ``(channels, *spatial)`` otherwise, with 1, 2 or 3 spatial axes, which
        select ``Conv1d``, ``Conv2d`` or ``Conv3d``. A shape of one axis,
        ``(length,)``, is a signal of one channel without a channel axis
        (a table's row, say).
    n_outputs : int
        Width of the output layer: 1 for a binary target, the number of
        classes or labels otherwise.
    filters : sequence of int, default=(32, 64)
        Output channels of each convolution block; at least one block.
    kernel_size : int or sequence of int, default=3
        Side of the convolution kernels, one for every block or one per
        block; ``"same"`` padding keeps the spatial shape, so only pooling
        shrinks it (an even kernel pads its right side one more than its
        left, as in Keras and PyTorch).
    pooling : {"max", "avg"} or None, default="max"
        2x down-sampling after each block (see :func:`make_pooling`).
    dense_layer_sizes : sequence of int, default=()
        Widths of the dense hidden layers after global pooling.
    activation : str, default="relu"
        Activation of conv blocks and dense hidden layers.
    dropout : float, default=0.0
        Dropout probability after each block and dense hidden layer.
    normalization : str or None, default=None
        Normalization of the convolutions' activations, built by the
        :mod:`sknn.normalization` registry; ``"weight"`` and ``"spectral"``
        reparametrize the convolutions instead.
    normalization_kwargs : dict or None, default=None
        Options of the normalization method.
    channels_last : bool, default=True
        Whether samples come as ``(*spatial, C)`` rather than torch's
        ``(C, *spatial)``. Either way, 2-D and 3-D inputs reach the
        convolutions in torch's channels-last memory format: channels-last
        input by a permutation without copy, channels-first input by one
        copy per batch.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import CNN
    >>> net = CNN((64, 64, 3), 1, filters=(8, 16))  # cat vs non-cat images
    >>> net(torch.rand(4, 64, 64, 3)).shape
    torch.Size([4, 1])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_outputs: int,
        *,
        filters: Sequence[int] = (32, 64),
        kernel_size: int | Sequence[int] = 3,
        pooling: str | None = "max",
        dense_layer_sizes: Sequence[int] = (),
        activation: str = "relu",
        dropout: float = 0.0,
        normalization: str | None = None,
        normalization_kwargs: dict | None = None,
        channels_last: bool = True,
    ) -> None:
        super().__init__()
        input_shape = tuple(input_shape)
        if len(input_shape) == 1:
            in_channels, spatial_shape = 1, input_shape
        elif channels_last:
            in_channels, spatial_shape = input_shape[-1], input_shape[:-1]
        else:
            in_channels, spatial_shape = input_shape[0], input_shape[1:]
        spatial_dims = len(spatial_shape)
        if spatial_dims not in _CONVS:
            raise ValueError(
                "input_shape must have 1, 2 or 3 spatial axes and a channel "
                f"axis, got {input_shape}."
            )
        # Samples without a channel axis get one in ``forward``.
        self.add_channel = len(input_shape) == 1
        options = normalization_kwargs or {}
        self.channels_last = channels_last
        kernels = (
            (kernel_size,) * len(filters)
            if isinstance(kernel_size, int)
            else tuple(kernel_size)
        )
        if len(kernels) != len(filters):
            raise ValueError(
                f"kernel_size has {len(kernels)} entries for {len(filters)} "
                "blocks of filters: give one int, or one per block."
            )
        blocks: list[nn.Module] = []
        width_in = in_channels
        for width, kernel in zip(filters, kernels, strict=True):
            conv = _CONVS[spatial_dims](
                width_in, width, kernel, padding="same" if kernel % 2 else 0
            )
            block = [] if kernel % 2 else [_same_padding(kernel, spatial_dims)]
            block += [
                reparametrize(conv, normalization, **options),
                make_normalization(
                    normalization, width, spatial_dims=spatial_dims, **options
                ),
                make_activation(activation),
            ]
            pool, spatial_shape = make_pooling(pooling, spatial_shape)
            block.append(pool)
            if dropout:
                block.append(nn.Dropout(dropout))
            blocks.append(nn.Sequential(*block))
            width_in = width
        self.features = nn.Sequential(*blocks)
        self.global_pool = GlobalAvgPool()
        dense: list[nn.Module] = []
        for width in dense_layer_sizes:
            dense += [nn.Linear(width_in, width), make_activation(activation)]
            if dropout:
                dense.append(nn.Dropout(dropout))
            width_in = width
        self.hidden = nn.Sequential(*dense)
        self.output = nn.Linear(width_in, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.add_channel:
            x = x.unsqueeze(1)
        elif self.channels_last:
            x = x.movedim(-1, 1)
        memory_format = _CHANNELS_LAST_FORMATS.get(x.dim() - 2)
        if memory_format is not None:
            # A no-op for channels-last input, which the permutation above
            # already left in this layout.
            x = x.contiguous(memory_format=memory_format)
        x = self.global_pool(self.features(x))
        return self.output(self.hidden(x))
