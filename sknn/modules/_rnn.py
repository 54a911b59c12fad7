"""The recurrent network of RNNClassifier."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ..normalization import make_normalization, uses_batch_statistics

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
_POOLINGS = ("last", "mean", "attention")


def sequence_lengths(x: torch.Tensor) -> torch.Tensor:
    """Lengths of NaN-padded sequences ``(batch, time, features)``: a time
    step whose features are all NaN is padding."""
    return (~torch.isnan(x).all(dim=2)).sum(dim=1)


def downsample_sequences(
    x: torch.Tensor, lengths: torch.Tensor, factor: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Average each sequence of ``x`` ``(batch, time, features)`` over windows
    of ``factor`` time steps (stride ``factor``), padding excluded.

    The first ``lengths[b]`` steps of sequence ``b`` are its own, the rest
    padding (any value). A sequence of ``n`` steps becomes one of
    ``ceil(n / factor)`` steps, its last window the mean of the steps it
    holds, so a sequence's result does not depend on the padding after it.
    Returns the averaged batch, zero where it is padding, and the new lengths.
    """
    batch, steps, features = x.shape
    valid = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]
    x = torch.where(valid[..., None], x, torch.zeros_like(x))
    extra = (-steps) % factor
    if extra:
        x = nn.functional.pad(x, (0, 0, 0, extra))
        valid = nn.functional.pad(valid, (0, extra))
    windows = (steps + extra) // factor
    sums = x.reshape(batch, windows, factor, features).sum(dim=2)
    counts = valid.reshape(batch, windows, factor).sum(dim=2, keepdim=True)
    # an all-padding window has a sum of zero: divide it by one (no clamp,
    # whose ONNX form skl2onnx cannot place in a graph)
    means = sums / (counts + (counts == 0)).to(x.dtype)
    return means, (lengths + factor - 1) // factor


class RNN(nn.Module):
    """Recurrent network (LSTM, GRU or Elman RNN) producing one logit per
    output unit.

    It takes batches ``(batch, time, features)`` and reads sequences of
    unequal lengths padded at the end with NaN: padding is never seen by the
    recurrent layers (they run on packed sequences), so an output does not
    depend on how much padding follows a sequence. The sequence is summarised
    for the output layer by the final hidden state (of both directions when
    bidirectional), the mean of the outputs over the sequence's time steps, or
    attention pooling (a learned score per step, softmax over the steps).

    With ``downsample`` above one, the sequences are first averaged over
    windows of that many time steps (padding left out), so the
    recurrent layers run ``downsample`` times fewer steps: long series cost
    less and their gradients travel over fewer steps.

    Parameters
    ----------
    input_shape : sequence of int
        ``(time, features)``, or ``(time,)`` for univariate sequences, which
        get a feature axis of one; only the number of features sizes the
        network, so sequences of any length pass.
    n_outputs : int
        Width of the output layer: 1 for a binary target, the number of
        classes or labels otherwise.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer.
    hidden_size : int, default=128
        Units of each recurrent layer (per direction).
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    pooling : {"last", "mean", "attention"}, default="last"
        How the sequence is summarised for the output layer.
    downsample : int, default=1
        Time steps averaged into one before the first recurrent layer
        (windows of ``downsample`` steps, stride ``downsample``; padding is
        left out of the means). A sequence of ``n`` steps reaches the
        recurrent layers as ``ceil(n / downsample)`` steps. 1 reads every
        step as it is.
    normalization : {None, "layer", "rms"}, default=None
        Normalization of each recurrent layer's outputs (between layers and
        before the pooling), sample by sample. Methods that use batch
        statistics are refused: across time steps and padding they are
        ill-defined for recurrent layers.
    normalization_kwargs : dict or None, default=None
        Options of the normalization method.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import RNN
    >>> net = RNN((20, 3), 2, hidden_size=16)
    >>> x = torch.randn(4, 20, 3)
    >>> x[0, 15:] = float("nan")  # the first sequence has 15 steps
    >>> net(x).shape
    torch.Size([4, 2])
    """

    #: read by networks pickled before the parameter existed
    downsample: int = 1

    def __init__(
        self,
        input_shape: Sequence[int],
        n_outputs: int,
        *,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        pooling: str = "last",
        downsample: int = 1,
        normalization: str | None = None,
        normalization_kwargs: dict | None = None,
    ) -> None:
        super().__init__()
        input_shape = tuple(input_shape)
        if len(input_shape) not in (1, 2):
            raise ValueError(
                f"input_shape must be (time, features) or (time,), got {input_shape}."
            )
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}.")
        if pooling not in _POOLINGS:
            raise ValueError(f"pooling must be one of {_POOLINGS}, got {pooling!r}.")
        if isinstance(downsample, bool) or not (
            isinstance(downsample, Integral) and downsample >= 1
        ):
            raise ValueError(
                f"downsample must be an int of at least 1, got {downsample!r}."
            )
        if normalization is not None and uses_batch_statistics(normalization):
            raise ValueError(
                f"normalization={normalization!r} normalizes with statistics of "
                "the batch, which recurrent layers do not have in a usable form: "
                "they change with every time step, and padding enters them. "
                "Use 'layer' or 'rms', which normalize each step of each "
                "sequence on its own."
            )
        self.add_feature_axis = len(input_shape) == 1
        self.pooling = pooling
        self.downsample = int(downsample)
        n_features = 1 if self.add_feature_axis else input_shape[1]
        directions = 2 if bidirectional else 1
        width = hidden_size * directions
        options = normalization_kwargs or {}
        self.layers = nn.ModuleList()
        self.norms = nn.ModuleList()
        for index in range(num_layers):
            self.layers.append(
                _CELLS[cell](
                    n_features if index == 0 else width,
                    hidden_size,
                    batch_first=True,
                    bidirectional=bidirectional,
                )
            )
            self.norms.append(
                make_normalization(normalization, width, spatial_dims=0, **options)
            )
        self.dropout = nn.Dropout(dropout)
        self.attention = nn.Linear(width, 1) if pooling == "attention" else None
        self.output = nn.Linear(width, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.add_feature_axis:
            x = x.unsqueeze(-1)
        if torch.compiler.is_exporting():
            return self._forward_masked(x)
        x, lengths = self._read(x)
        packed = pack_padded_sequence(
            x, lengths.clamp_min(1).cpu(), batch_first=True, enforce_sorted=False
        )
        hidden = None
        for index, (layer, norm) in enumerate(
            zip(self.layers, self.norms, strict=True)
        ):
            packed, hidden = layer(packed)
            data = norm(packed.data)
            if index < len(self.layers) - 1:
                data = self.dropout(data)
            packed = PackedSequence(
                data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
            )
        if self.pooling == "last":
            state = hidden[0] if isinstance(hidden, tuple) else hidden
            directions = 2 if self.layers[-1].bidirectional else 1
            # the last layer's final state of each direction, (batch, width)
            summary = torch.cat(list(state[-directions:]), dim=1)
            if not isinstance(self.norms[-1], nn.Identity):
                summary = self.norms[-1](summary)
        else:
            steps, _ = pad_packed_sequence(
                packed, batch_first=True, total_length=x.shape[1]
            )
            valid = (
                torch.arange(x.shape[1], device=x.device)[None, :]
                < lengths.to(x.device)[:, None]
            )
            summary = self._pool_over_time(steps, valid)
        return self.output(self.dropout(summary))

    def _read(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The sequences as the first recurrent layer reads them, padding set
        to zero, and their lengths."""
        lengths = sequence_lengths(x)
        x = torch.nan_to_num(x, nan=0.0)
        if self.downsample > 1:
            x, lengths = downsample_sequences(x, lengths, self.downsample)
        return x, lengths

    def _pool_over_time(self, steps: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Mean or attention pooling of ``(batch, time, width)`` outputs over
        the ``valid`` steps of each sequence."""
        if self.pooling == "mean":
            weights = valid.to(steps.dtype)
            weights = weights / weights.sum(dim=1, keepdim=True).clamp_min(1)
        else:
            scores = self.attention(steps).squeeze(-1)
            scores = scores.masked_fill(~valid, float("-inf"))
            weights = torch.softmax(scores, dim=1)
        return (steps * weights.unsqueeze(-1)).sum(dim=1)

    def _forward_masked(self, x: torch.Tensor) -> torch.Tensor:
        """The same function as :meth:`forward` in tensor operations only, for
        ``torch.export`` (and so ONNX), which cannot trace packed sequences.

        A recurrent layer reading forwards from the start of a sequence padded
        at its end computes the real steps before any padding, so its outputs
        there are exact. The backward direction is made exact the same way:
        the layer also reads each sequence moved to the end of the time axis
        (padding first), and those outputs are moved back. It costs a second
        pass of each bidirectional layer.
        """
        x, lengths = self._read(x)
        steps = x.shape[1]
        time = torch.arange(steps, device=x.device)[None, :]
        valid = time < lengths[:, None]
        # Index arithmetic without clamp, whose ONNX form (Clip with an
        # omitted bound) skl2onnx cannot place in a graph.
        shift = (steps - lengths)[:, None]  # right alignment moves step t to t+shift
        moved = time >= shift
        to_right = (time - shift) * moved  # right-aligned step -> source step
        to_left = torch.where(valid, time + shift, time)  # and back
        data = x * valid[..., None]
        outputs = None
        for index, (layer, norm) in enumerate(
            zip(self.layers, self.norms, strict=True)
        ):
            forwards, _ = layer(data)
            if layer.bidirectional:
                width = layer.hidden_size
                right = _take_steps(data, to_right) * moved[..., None]
                backwards, _ = layer(right)
                backwards = _take_steps(backwards[..., width:], to_left)
                outputs = torch.cat([forwards[..., :width], backwards], dim=2)
            else:
                outputs = forwards
            data = norm(outputs) * valid[..., None]
            if index < len(self.layers) - 1:
                data = self.dropout(data)
        if self.pooling == "last":
            layer = self.layers[-1]
            final = ((lengths - 1) * (lengths > 0))[:, None]
            last = _take_steps(outputs, final)[:, 0]
            if layer.bidirectional:
                width = layer.hidden_size
                summary = torch.cat([last[:, :width], outputs[:, 0, width:]], dim=1)
            else:
                summary = last
            if not isinstance(self.norms[-1], nn.Identity):
                summary = self.norms[-1](summary)
        else:
            summary = self._pool_over_time(data, valid)
        return self.output(self.dropout(summary))


def _take_steps(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``x[b, index[b, t]]`` for a batch ``(batch, time, width)``."""
    return torch.gather(x, 1, index[..., None].expand(-1, -1, x.shape[2]))
