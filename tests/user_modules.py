"""Networks a user might write, for the NeuralNetClassifier tests.

They live in a module of their own so that pickle (and worker processes) can
import them, as they would import a user's.
"""

import torch
from torch import nn


class TableNet(nn.Module):
    """A dense network sized by ``n_features`` and ``n_outputs``."""

    def __init__(self, n_features, n_outputs, hidden=16):
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.output = nn.Linear(hidden, n_outputs)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


class ChannelsLastConv(nn.Module):
    """A convolution over channels-last samples, sized by ``input_shape``.

    ``(length, channels)`` samples get a 1-D convolution, ``(height, width,
    channels)`` a 2-D one, and a table's rows ``(n_features,)`` are signals
    of one channel.
    """

    def __init__(self, input_shape, n_outputs, filters=8):
        super().__init__()
        self.flat = len(input_shape) == 1
        channels = 1 if self.flat else input_shape[-1]
        conv = nn.Conv1d if len(input_shape) <= 2 else nn.Conv2d
        self.conv = conv(channels, filters, 3, padding=1)
        self.output = nn.Linear(filters, n_outputs)

    def forward(self, x):
        x = x.unsqueeze(1) if self.flat else x.movedim(-1, 1)
        h = torch.relu(self.conv(x))
        return self.output(h.flatten(2).mean(dim=2))


class FlatNet(nn.Module):
    """A dense network sized by ``input_shape``: it flattens each sample."""

    def __init__(self, input_shape, n_outputs, hidden=16):
        super().__init__()
        n_features = int(torch.tensor(input_shape).prod())
        self.hidden = nn.Linear(n_features, hidden)
        self.output = nn.Linear(hidden, n_outputs)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x.flatten(1))))


class DropoutBatchNormNet(nn.Module):
    """Dropout and batch normalization: train and eval modes differ."""

    def __init__(self, n_features, n_outputs, hidden=32, p=0.5):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(hidden, n_outputs),
        )

    def forward(self, x):
        return self.layers(x)


def make_table_net(n_features, n_outputs, hidden=16):
    """A factory function rather than a class."""
    return TableNet(n_features, n_outputs, hidden=hidden)


def lazy_binary_net():
    """A module instance whose layers take any number of features: its
    weights are created at the first forward pass."""
    return nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(1))


class Recorder(nn.Module):
    """Records the mode and the input shape of every forward pass; raises in
    ``forward`` while ``fail`` is set."""

    def __init__(self, input_shape, n_outputs):
        super().__init__()
        self.output = nn.Linear(int(torch.tensor(input_shape).prod()), n_outputs)
        self.calls = []
        self.fail = False

    def forward(self, x):
        if self.fail:
            raise ZeroDivisionError("a bug in the user's forward")
        self.calls.append((self.training, tuple(x.shape), x.dtype))
        return self.output(x.flatten(1))


class WrongWidth(nn.Module):
    """Returns ``width`` logits whatever the target."""

    def __init__(self, n_features, width=3):
        super().__init__()
        self.output = nn.Linear(n_features, width)

    def forward(self, x):
        return self.output(x)


class Squeezed(TableNet):
    """Returns a 1-D output for a binary target, a common slip."""

    def forward(self, x):
        return super().forward(x).squeeze(1)


class TupleOutput(TableNet):
    """Returns logits and something else."""

    def forward(self, x):
        return super().forward(x), x


class Float64Logits(TableNet):
    """Returns logits in float64 whatever the network's dtype."""

    def forward(self, x):
        return super().forward(x).double()


class AnyKwargs(nn.Module):
    """Takes any keyword argument (and records them)."""

    def __init__(self, n_features, n_outputs, **kwargs):
        super().__init__()
        self.kwargs = kwargs
        self.output = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        return self.output(x)


class NeedsDepth(nn.Module):
    """A required parameter that no size supplies."""

    def __init__(self, n_features, n_outputs, depth):
        super().__init__()
        self.output = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        return self.output(x)


def not_a_module(n_features, n_outputs):
    """A factory that returns the wrong thing."""
    return [n_features, n_outputs]


class InterruptAt(TableNet):
    """Raises KeyboardInterrupt, as Ctrl-C would, in its ``at``-th training
    forward pass (counted from 1; never with ``at=None``)."""

    def __init__(self, n_features, n_outputs, hidden=16, at=None):
        super().__init__(n_features, n_outputs, hidden=hidden)
        self.at = at
        self.count = 0

    def forward(self, x):
        if self.training:
            self.count += 1
            if self.count == self.at:
                raise KeyboardInterrupt
        return super().forward(x)


class WithBackbone(nn.Module):
    """A head on a backbone given as an argument (a pretrained one, say)."""

    def __init__(self, backbone, n_outputs):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(backbone.out_features, n_outputs)

    def forward(self, x):
        return self.head(torch.relu(self.backbone(x)))


class TrainTuple(TableNet):
    """Returns (logits, auxiliary logits) in train mode only, as Inception."""

    def forward(self, x):
        logits = super().forward(x)
        return (logits, logits) if self.training else logits


class TrainWidth(nn.Module):
    """One logit too many in train mode only."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.output = nn.Linear(n_features, n_outputs + 1)

    def forward(self, x):
        logits = self.output(x)
        return logits if self.training else logits[:, :-1]


class InPlace(TableNet):
    """Scales its input in place, as PyTorch code may do to a fresh batch."""

    def forward(self, x):
        x /= 2.0
        return super().forward(x)


class PositionalOnly(nn.Module):
    def __init__(self, n_features, n_outputs, /, hidden=8):
        super().__init__()
        self.output = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        return self.output(x)


class Frozen(TableNet):
    def __init__(self, n_features, n_outputs):
        super().__init__(n_features, n_outputs)
        self.requires_grad_(False)


class Detached(TableNet):
    def forward(self, x):
        return super().forward(x).detach()


class VariadicChild(TableNet):
    """Forwards everything to its parent: its signature names no size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


_SHARED = TableNet(4, 3)


def shared_net(n_features, n_outputs):
    """A factory that returns one cached instance every time."""
    return _SHARED
