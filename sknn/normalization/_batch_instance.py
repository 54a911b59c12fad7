"""Batch-instance normalization (Nam & Kim, 2018, arXiv:1805.07925)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ._validation import (
    check_batch_statistics,
    check_input,
    check_int,
    check_real,
    check_spatial_dims,
)

#: Learning-rate multiplier the authors give the gate ``rho``; a training loop
#: reads it from the parameter's ``_sknn_lr_scale`` attribute.
RHO_LR_SCALE = 10.0


class BatchInstanceNorm(nn.Module):
    r"""A learned per-channel blend of batch and instance normalization.

    .. math::

        y = \left(\rho\, \hat x^{(B)} + (1 - \rho)\, \hat x^{(I)}\right)
            \gamma + \beta

    where :math:`\hat x^{(B)}` is batch norm without affine map (batch
    statistics in training, running statistics in evaluation, as in
    :class:`torch.nn.BatchNorm2d`) and :math:`\hat x^{(I)}` instance norm
    (statistics of each sample and channel over the spatial axes, in training
    and evaluation alike). The gate :math:`\rho \in [0, 1]` starts at 1 (batch
    norm); a channel that carries style rather than content can learn to move
    towards instance norm.

    The gate must stay in :math:`[0, 1]`: the training loop calls
    :meth:`constrain_` after every optimizer step. Following the authors, the
    gate learns ten times faster than the other parameters and without weight
    decay; it carries the attributes ``rho._sknn_lr_scale = 10.0`` and
    ``rho._sknn_no_weight_decay = True`` for the training loop to read.

    Parameters
    ----------
    num_features : int
        Number of channels ``C`` (axis 1 of the input).
    spatial_dims : {1, 2, 3}
        Number of spatial axes: 1 for ``(N, C, L)``, 2 for ``(N, C, H, W)``, 3
        for ``(N, C, D, H, W)``. Dense ``(N, C)`` activations are refused: their
        instance statistics are single values.
    eps : float, default=1e-5
        Added to each variance inside the square root.
    momentum : float, default=0.1
        Weight of the new batch in the running averages (torch's convention).
    affine : bool, default=True
        Learn a per-channel scale :math:`\gamma` (``weight``) and shift
        :math:`\beta` (``bias``).

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization import BatchInstanceNorm
    >>> layer = BatchInstanceNorm(3, spatial_dims=2)
    >>> layer(torch.randn(4, 3, 6, 6)).shape
    torch.Size([4, 3, 6, 6])
    >>> with torch.no_grad():
    ...     _ = layer.rho.add_(0.5)
    >>> layer.constrain_()
    >>> layer.rho
    Parameter containing:
    tensor([1., 1., 1.], requires_grad=True)
    >>> layer.rho._sknn_lr_scale
    10.0
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
        if spatial_dims == 0:
            raise ValueError(
                "BatchInstanceNorm needs spatial axes (spatial_dims in 1, 2, 3): "
                "the instance statistics of a dense (N, C) input are single values."
            )
        self.spatial_dims = check_spatial_dims(spatial_dims, allowed=(1, 2, 3))
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        self.momentum = check_real(
            "momentum", momentum, low=0.0, high=1.0, low_open=True
        )
        self.affine = bool(affine)
        self.rho = nn.Parameter(torch.empty(self.num_features))
        self._mark_rho()
        if self.affine:
            self.weight = nn.Parameter(torch.empty(self.num_features))
            self.bias = nn.Parameter(torch.empty(self.num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(self.num_features))
        self.register_buffer("running_var", torch.ones(self.num_features))
        self.reset_parameters()

    def _mark_rho(self) -> None:
        self.rho._sknn_lr_scale = RHO_LR_SCALE  # type: ignore[attr-defined]
        self.rho._sknn_no_weight_decay = True  # type: ignore[attr-defined]

    def __setstate__(self, state: dict[str, Any]) -> None:
        # copy.deepcopy rebuilds parameters through Parameter.__deepcopy__,
        # which drops attributes set on them.
        super().__setstate__(state)  # type: ignore[no-untyped-call]
        self._mark_rho()

    def reset_running_stats(self) -> None:
        """Reset the running mean to 0 and the running variance to 1."""
        self.running_mean.zero_()
        self.running_var.fill_(1.0)

    def reset_parameters(self) -> None:
        """Reset running statistics, set :math:`\\rho=1`, :math:`\\gamma=1`,
        :math:`\\beta=0`."""
        self.reset_running_stats()
        nn.init.ones_(self.rho)
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    @torch.no_grad()
    def constrain_(self) -> None:
        """Clamp the gate ``rho`` to :math:`[0, 1]` in place.

        Call it after every optimizer step.
        """
        self.rho.clamp_(0.0, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        owner = type(self).__name__
        check_input(
            x,
            num_features=self.num_features,
            spatial_dims=self.spatial_dims,
            owner=owner,
        )
        if self.training:
            check_batch_statistics(x, owner=owner)
        batch = F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            training=self.training,
            momentum=self.momentum,
            eps=self.eps,
        )
        instance = F.instance_norm(x, eps=self.eps)
        shape = (1, self.num_features) + (1,) * self.spatial_dims
        rho = self.rho.view(shape)
        y = rho * batch + (1.0 - rho) * instance
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, spatial_dims={self.spatial_dims}, eps={self.eps}, "
            f"momentum={self.momentum}, affine={self.affine}"
        )
