"""The dense network of MLPClassifier."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..normalization import make_normalization, reparametrize
from ._activations import make_activation


class MLP(nn.Module):
    """Multi-layer perceptron producing one logit per output unit.

    Blocks of (linear -> normalization -> activation -> dropout), one per
    hidden layer, then a linear output layer. Weight and spectral
    normalization reparametrize the linear layers instead of adding a layer.
    The linear layers start as scikit-learn's do (Glorot uniform weights and
    biases, see :func:`glorot_uniform_`).
    Samples with more than one axis (images, say) are flattened first, so
    ``(N, 64, 64, 3)`` batches feed ``n_features=12288`` inputs; sparse
    (COO) batches of a table go to the first layer without densifying.
    Columns named in ``categorical`` hold codes of categories (0, 1, 2, ...
    as floats); each is looked up in its own embedding, whose vector joins
    the other columns before the first layer.

    Parameters
    ----------
    n_features : int
        Number of values in one sample.
    n_outputs : int
        Width of the output layer: 1 for a binary target, the number of
        classes or labels otherwise.
    hidden_layer_sizes : sequence of int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : str, default="relu"
        Activation of the hidden layers, by name (scikit-learn's names plus
        ``"leaky_relu"``, ``"elu"``, ``"gelu"`` and ``"silu"``).
    dropout : float, default=0.0
        Dropout probability after each hidden layer.
    normalization : str or None, default=None
        Normalization of the hidden layers, built by the
        :mod:`sknn.normalization` registry.
    normalization_kwargs : dict or None, default=None
        Options of the normalization method.
    categorical : sequence of (int, int, int), default=()
        One ``(column, rows, dim)`` per categorical column of a table: the
        column's index among the ``n_features``, the number of codes it can
        hold (rows of its embedding) and the length of its vectors.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import MLP
    >>> net = MLP(20, 3, hidden_layer_sizes=(32, 16), normalization="layer")
    >>> net(torch.randn(8, 20)).shape
    torch.Size([8, 3])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden_layer_sizes: Sequence[int] = (100,),
        *,
        activation: str = "relu",
        dropout: float = 0.0,
        normalization: str | None = None,
        normalization_kwargs: dict | None = None,
        categorical: Sequence[tuple[int, int, int]] = (),
    ) -> None:
        super().__init__()
        options = normalization_kwargs or {}
        blocks: list[nn.Module] = []
        columns = [int(column) for column, _, _ in categorical]
        if len(set(columns)) != len(columns) or not all(
            0 <= c < n_features for c in columns
        ):
            raise ValueError(
                f"categorical names columns {columns}, which must be distinct "
                f"indices below n_features={n_features}."
            )
        numeric = [j for j in range(n_features) if j not in set(columns)]
        self.embeddings = nn.ModuleList(
            nn.Embedding(int(rows), int(dim)) for _, rows, dim in categorical
        )
        # indices move with the module (buffers), and are rebuilt from the
        # arguments, so they are not saved
        self.register_buffer("codes_at", torch.tensor(columns, dtype=torch.long), False)
        self.register_buffer(
            "numbers_at", torch.tensor(numeric, dtype=torch.long), False
        )
        width_in = len(numeric) + sum(int(dim) for _, _, dim in categorical)
        for width in hidden_layer_sizes:
            linear = glorot_uniform_(nn.Linear(width_in, width), activation)
            linear = reparametrize(linear, normalization, **options)
            blocks += [
                linear,
                make_normalization(normalization, width, spatial_dims=0, **options),
                make_activation(activation),
            ]
            if dropout:
                blocks.append(nn.Dropout(dropout))
            width_in = width
        self.hidden = nn.Sequential(*blocks)
        self.output = glorot_uniform_(nn.Linear(width_in, n_outputs), activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # A sparse batch (rows of a sparse matrix) goes to the first linear
        # layer as it is: nn.Linear multiplies sparse tensors.
        if x.layout == torch.strided:
            x = x.flatten(1)
        if len(self.embeddings):
            codes = x.index_select(1, self.codes_at).long()
            parts = [x.index_select(1, self.numbers_at)]
            parts += [embed(codes[:, i]) for i, embed in enumerate(self.embeddings)]
            x = torch.cat(parts, dim=1)
        return self.output(self.hidden(x))


def glorot_uniform_(linear: nn.Linear, activation: str) -> nn.Linear:
    """scikit-learn's MLP initialization, in place: weights and biases drawn
    uniformly from ``[-b, b]`` with ``b = sqrt(6 / (fan_in + fan_out))``
    (Glorot and Bengio, 2010), ``sqrt(2 / ...)`` under the logistic
    activation.

    torch's default bound, ``1 / sqrt(fan_in)``, gives a narrow layer (the
    output layer, say) weights several times smaller than its inputs'
    layer; an L2 penalty then grows them while it shrinks the rest, so a
    larger ``alpha`` did not shrink every layer, as it does in
    scikit-learn.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    bound = math.sqrt(factor / (linear.in_features + linear.out_features))
    with torch.no_grad():
        linear.weight.uniform_(-bound, bound)
        linear.bias.uniform_(-bound, bound)
    return linear
