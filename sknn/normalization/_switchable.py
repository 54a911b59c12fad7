"""Switchable normalization (Luo, Ren, Peng, Zhang & Li, 2019, arXiv:1806.10779)."""

from __future__ import annotations

import torch
from torch import nn

from ._validation import (
    check_batch_statistics,
    check_input,
    check_int,
    check_real,
    check_spatial_dims,
)

Moments = dict[str, tuple[torch.Tensor, torch.Tensor]]


def _moments(x: torch.Tensor, spatial_dims: int) -> Moments:
    """Instance, layer and batch means and biased variances of ``x``.

    The layer and batch statistics are derived from the instance ones, as in
    the paper, through the law of total variance (the variance of a union of
    equal-sized groups is the mean within-group variance plus the variance of
    the group means), which avoids the cancellation of
    :math:`E[x^2] - E[x]^2` on inputs far from zero. Every tensor keeps
    ``x``'s number of axes, so that it broadcasts against ``x``.

    A dense ``(N, C)`` input has one value per sample and channel: its
    "instance" mean is the value itself and its variance 0.
    """
    if spatial_dims:
        spatial = tuple(range(2, x.dim()))
        var_in, mean_in = torch.var_mean(x, dim=spatial, correction=0, keepdim=True)
    else:
        mean_in, var_in = x, torch.zeros_like(x)
    moments = {"instance": (mean_in, var_in)}
    for name, axis in (("layer", 1), ("batch", 0)):
        mean = mean_in.mean(axis, keepdim=True)
        var = var_in.mean(axis, keepdim=True) + (mean_in - mean).square().mean(
            axis, keepdim=True
        )
        moments[name] = (mean, var)
    return moments


def _mix(logits: torch.Tensor, stats: list[torch.Tensor]) -> torch.Tensor:
    """Softmax(logits)-weighted sum of statistics of broadcastable shapes."""
    weights = logits.softmax(0)
    mixed = weights[0] * stats[0]
    for weight, stat in zip(weights[1:], stats[1:], strict=True):
        mixed = mixed + weight * stat
    return mixed


class SwitchableNorm(nn.Module):
    r"""A learned softmax mixture of instance, layer and batch normalization.

    .. math::

        y = \gamma\, \frac{x - \sum_k w_k \mu_k}
                          {\sqrt{\sum_k w'_k \sigma^2_k + \epsilon}} + \beta,
        \qquad k \in \{\text{instance}, \text{layer}, \text{batch}\},

    with :math:`w = \mathrm{softmax}(\text{mean\_weight})` and
    :math:`w' = \mathrm{softmax}(\text{var\_weight})`, two sets of logits that
    start equal (every statistic weighs 1/3). Instance statistics are taken
    per sample and channel over the spatial axes; layer and batch statistics
    are derived from them, by averaging over channels and over samples. All
    variances are biased (divide by the count): only then does a one-hot
    mixture reproduce instance, layer or batch norm exactly (the authors' code
    uses unbiased ones).

    Only the batch statistics need running averages: evaluation uses them in
    place of the batch's, with torch's momentum convention and, as
    :class:`torch.nn.BatchNorm2d`, the unbiased batch variance in the running
    variance, so that a layer whose weights select batch norm behaves as
    ``BatchNorm2d`` in evaluation too.

    Dense ``(N, C)`` activations (``spatial_dims=0``) have no instance
    statistics; there the layer mixes layer and batch normalization only, as
    the authors' 1-D version does.

    Parameters
    ----------
    num_features : int
        Number of channels ``C`` (axis 1 of the input).
    spatial_dims : {0, 1, 2, 3}
        Number of axes after the channel axis: 0 for ``(N, C)``, 1 for
        ``(N, C, L)``, 2 for ``(N, C, H, W)``, 3 for ``(N, C, D, H, W)``.
    eps : float, default=1e-5
        Added to the mixed variance inside the square root.
    momentum : float, default=0.1
        Weight of the new batch in the running averages (torch's convention;
        the authors' code writes 0.997 for the weight of the old value).
    affine : bool, default=True
        Learn a per-channel scale :math:`\gamma` (``weight``) and shift
        :math:`\beta` (``bias``).

    Attributes
    ----------
    components : tuple of str
        Names of the mixed statistics, in the order of the logits:
        ``("instance", "layer", "batch")``, or ``("layer", "batch")`` when
        ``spatial_dims=0``.
    mean_weight, var_weight : torch.nn.Parameter of shape (len(components),)
        Logits of the mixture of means and of variances.

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization import SwitchableNorm
    >>> layer = SwitchableNorm(3, spatial_dims=2)
    >>> layer(torch.randn(4, 3, 5, 5)).shape
    torch.Size([4, 3, 5, 5])
    >>> layer.importance_weights()["mean"]  # doctest: +ELLIPSIS
    {'instance': 0.333..., 'layer': 0.333..., 'batch': 0.333...}
    """

    running_mean: torch.Tensor
    running_var: torch.Tensor

    def __init__(
        self,
        num_features: int,
        *,
        spatial_dims: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.spatial_dims = check_spatial_dims(spatial_dims)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        self.momentum = check_real(
            "momentum", momentum, low=0.0, high=1.0, low_open=True
        )
        self.affine = bool(affine)
        self.components: tuple[str, ...] = (
            ("instance", "layer", "batch") if self.spatial_dims else ("layer", "batch")
        )
        self.mean_weight = nn.Parameter(torch.empty(len(self.components)))
        self.var_weight = nn.Parameter(torch.empty(len(self.components)))
        if self.affine:
            self.weight = nn.Parameter(torch.empty(self.num_features))
            self.bias = nn.Parameter(torch.empty(self.num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(self.num_features))
        self.register_buffer("running_var", torch.ones(self.num_features))
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Reset the running mean to 0 and the running variance to 1."""
        self.running_mean.zero_()
        self.running_var.fill_(1.0)

    def reset_parameters(self) -> None:
        """Reset running statistics, equal logits, :math:`\\gamma=1`,
        :math:`\\beta=0`."""
        self.reset_running_stats()
        nn.init.ones_(self.mean_weight)
        nn.init.ones_(self.var_weight)
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def importance_weights(self) -> dict[str, dict[str, float]]:
        """Return the current softmax weights of each statistic.

        Returns
        -------
        weights : dict
            ``{"mean": {component: weight}, "var": {component: weight}}``.
        """
        with torch.no_grad():
            return {
                kind: dict(
                    zip(self.components, logits.softmax(0).tolist(), strict=True)
                )
                for kind, logits in (
                    ("mean", self.mean_weight),
                    ("var", self.var_weight),
                )
            }

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        owner = type(self).__name__
        check_input(
            x,
            num_features=self.num_features,
            spatial_dims=self.spatial_dims,
            owner=owner,
        )
        moments = _moments(x, self.spatial_dims)
        shape = (1, self.num_features) + (1,) * self.spatial_dims
        if self.training:
            check_batch_statistics(x, owner=owner)
            mean_bn, var_bn = moments["batch"]
            count = x.numel() // self.num_features
            with torch.no_grad():
                unbiased = var_bn.flatten() * (count / (count - 1))
                self.running_mean.lerp_(
                    mean_bn.flatten().to(self.running_mean), self.momentum
                )
                self.running_var.lerp_(unbiased.to(self.running_var), self.momentum)
        else:
            moments["batch"] = (
                self.running_mean.view(shape),
                self.running_var.view(shape),
            )
        mean = _mix(self.mean_weight, [moments[k][0] for k in self.components])
        var = _mix(self.var_weight, [moments[k][1] for k in self.components])
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, spatial_dims={self.spatial_dims}, eps={self.eps}, "
            f"momentum={self.momentum}, affine={self.affine}"
        )
