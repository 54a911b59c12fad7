"""Normalizations by a norm without centring: ScaleNorm and RMSNorm.

ScaleNorm (Nguyen & Salazar, 2019, arXiv:1910.05895) and RMSNorm (Zhang &
Sennrich, 2019, arXiv:1910.07467) both divide a feature vector by its size
without subtracting its mean. torch ships RMSNorm from version 2.4 on; this
module provides the same computation for older versions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._validation import check_int, check_real


class ScaleNorm(nn.Module):
    r"""Project each feature vector onto a sphere of learned radius.

    .. math::

        y = g\, \frac{x}{\max(\lVert x \rVert_2, \epsilon)}

    where the norm is taken over axis 1 (the features of an ``(N, C)`` input,
    the channels at each position of an ``(N, C, *spatial)`` one) and
    :math:`g` is one learned scalar, initialised to :math:`\sqrt{C}` so that
    the output starts with a root mean square of 1. :math:`\epsilon` bounds
    the norm from below, as in the authors' code (the paper's formula has no
    :math:`\epsilon`).

    Parameters
    ----------
    num_features : int
        Size ``C`` of axis 1, the dimension of the normalized vectors.
    eps : float, default=1e-5
        Lower bound on the norm.

    Attributes
    ----------
    scale : torch.nn.Parameter of shape ()
        The radius :math:`g`.

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization import ScaleNorm
    >>> layer = ScaleNorm(16)
    >>> y = layer(torch.randn(4, 16) * 7 + 3)
    >>> norms = torch.linalg.vector_norm(y, dim=1)  # g = sqrt(16) at the start
    >>> torch.allclose(norms, torch.full((4,), 4.0))
    True
    """

    def __init__(self, num_features: int, *, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        self.scale = nn.Parameter(torch.empty(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set :math:`g = \\sqrt{C}`."""
        nn.init.constant_(self.scale, math.sqrt(self.num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"ScaleNorm expects an input of shape (N, {self.num_features}, ...), "
                f"got shape {tuple(x.shape)}."
            )
        norm: torch.Tensor = torch.linalg.vector_norm(x, dim=1, keepdim=True)
        return x * (self.scale / norm.clamp_min(self.eps))

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}"


class _RMSNorm(nn.Module):
    r"""RMSNorm over the last axes, with the interface of ``torch.nn.RMSNorm``.

    Used only where torch is older than 2.4. Computes
    :math:`x / \sqrt{\mathrm{mean}(x^2) + \epsilon} \cdot \gamma` over the
    trailing ``normalized_shape`` axes, :math:`\epsilon` inside the root as in
    torch (``eps=None`` means the machine epsilon of the input's dtype, as in
    torch).

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization._scale import _RMSNorm
    >>> y = _RMSNorm(8, eps=1e-6)(torch.randn(3, 8) * 5 + 2)
    >>> torch.allclose(y.square().mean(1), torch.ones(3), atol=1e-4)
    True
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float | None = None,
        elementwise_affine: bool = True,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """Set :math:`\\gamma = 1`."""
        if self.weight is not None:
            nn.init.ones_(self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        axes = tuple(range(-len(self.normalized_shape), 0))
        y = x * torch.rsqrt(x.square().mean(axes, keepdim=True) + eps)
        if self.weight is not None:
            y = y * self.weight
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}"
        )


#: torch's RMSNorm where it exists (torch >= 2.4), else the fallback above.
RMSNorm: type[nn.Module] = getattr(nn, "RMSNorm", _RMSNorm)


class _ChannelsLast(nn.Module):
    """Apply a last-axis normalization to the channel axis of ``(N, C, ...)``.

    Lets ``torch.nn.RMSNorm(C)`` normalize the channel vector at each position
    of a feature map.

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization._scale import RMSNorm, _ChannelsLast
    >>> layer = _ChannelsLast(RMSNorm(3, eps=1e-5))
    >>> layer(torch.randn(2, 3, 4, 4)).shape
    torch.Size([2, 3, 4, 4])
    """

    def __init__(self, norm: nn.Module) -> None:
        super().__init__()
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.norm(x.movedim(1, -1))
        return y.movedim(-1, 1)
