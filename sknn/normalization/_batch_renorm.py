"""Batch renormalization (Ioffe, 2017, arXiv:1702.03275)."""

from __future__ import annotations

import math

import torch
from torch import nn

from ._validation import (
    check_batch_statistics,
    check_input,
    check_int,
    check_real,
    check_spatial_dims,
)

# A 1,000-step run is the middle of what sknn's estimators train for (digits:
# ~30 batches of 64 per epoch); see ``batch_renorm_schedule`` for the rule.
_DEFAULT_TOTAL_STEPS = 1000
_WARMUP_FRACTION = 0.1
_RAMP_FRACTION = 0.4


def batch_renorm_schedule(total_steps: int) -> dict[str, int]:
    """Scale batch renormalization's warm-up and ramp to a run's length.

    The paper trains Inception-v3 with plain batch norm for the first 5,000
    steps, then lets ``r_max`` grow to 3 and ``d_max`` to 5 over tens of
    thousands of steps. A small-data run is a few hundred to a few thousand
    steps long, so the schedule is given as fractions of the run instead: plain
    batch norm for the first 10% (the running statistics settle meanwhile), a
    linear ramp over the next 40%, full limits for the second half of the run,
    so that training has adapted to the running statistics that evaluation
    uses.

    Parameters
    ----------
    total_steps : int
        Number of optimizer steps the run will make (epochs times batches per
        epoch; an upper bound when early stopping may end the run sooner).

    Returns
    -------
    schedule : dict
        ``{"warmup_steps": ..., "ramp_steps": ...}``, ready to be passed as
        options to :class:`BatchRenorm` or ``make_normalization``.

    Examples
    --------
    >>> from sknn.normalization import batch_renorm_schedule
    >>> batch_renorm_schedule(1000)
    {'warmup_steps': 100, 'ramp_steps': 400}
    >>> batch_renorm_schedule(30)
    {'warmup_steps': 3, 'ramp_steps': 12}
    """
    total_steps = check_int("total_steps", total_steps, minimum=1)
    return {
        "warmup_steps": math.ceil(_WARMUP_FRACTION * total_steps),
        "ramp_steps": math.ceil(_RAMP_FRACTION * total_steps),
    }


_DEFAULT_SCHEDULE = batch_renorm_schedule(_DEFAULT_TOTAL_STEPS)


class BatchRenorm(nn.Module):
    r"""Batch renormalization over the batch (and spatial) axes.

    In training, each channel is normalized with the statistics of the batch,
    then corrected towards the running statistics:

    .. math::

        \hat x = \frac{x - \mu_B}{\sigma_B}\, r + d, \qquad
        r = \mathrm{clip}_{[1/r_{max},\, r_{max}]}
            \left(\frac{\sigma_B}{\sigma}\right),
        \qquad
        d = \mathrm{clip}_{[-d_{max},\, d_{max}]}
            \left(\frac{\mu_B - \mu}{\sigma}\right),

    where :math:`\sigma_B = \sqrt{\mathrm{Var}_B[x] + \epsilon}` (biased
    variance, :math:`\epsilon` inside the root as in the paper) and ``r``, ``d``
    are treated as constants by back-propagation. The running mean :math:`\mu`
    and the running **standard deviation** :math:`\sigma` (not the variance:
    the paper averages :math:`\sigma_B`) are then updated. In evaluation the
    output is :math:`(x - \mu) / \sigma`. Both are followed by the per-channel
    affine map :math:`\gamma \hat x + \beta`.

    With ``r_max=1`` and ``d_max=0`` this is batch norm; while the clipping is
    inactive the training output equals the evaluation output, which is what
    makes batch renorm robust to small or non-i.i.d. batches.

    Parameters
    ----------
    num_features : int
        Number of channels ``C`` (axis 1 of the input).
    spatial_dims : int, default=0
        Number of axes after the channel axis: 0 for ``(N, C)``, 1 for
        ``(N, C, L)``, 2 for ``(N, C, H, W)``, 3 for ``(N, C, D, H, W)``.
    eps : float, default=1e-5
        Added to the batch variance inside the square root.
    momentum : float, default=0.1
        Weight of the new batch in the running averages (torch's convention:
        ``running = (1 - momentum) * running + momentum * batch``; the paper's
        :math:`\alpha`). The paper used 0.01 on long runs; on a few hundred
        steps that leaves the running statistics unsettled.
    r_max : float, default=3.0
        Final bound on ``r`` (``>= 1``).
    d_max : float, default=5.0
        Final bound on ``|d|`` (``>= 0``).
    warmup_steps : int, default=100
        Training steps of plain batch norm (``r_max=1``, ``d_max=0``) before
        the bounds start to grow.
    ramp_steps : int, default=400
        Training steps over which the bounds grow linearly from 1 and 0 to
        ``r_max`` and ``d_max``; 0 jumps straight to them. The defaults are
        ``batch_renorm_schedule(1000)``; pass ``batch_renorm_schedule(n)`` for a
        run of ``n`` steps.
    affine : bool, default=True
        Learn a per-channel scale :math:`\gamma` (``weight``) and shift
        :math:`\beta` (``bias``).

    Attributes
    ----------
    running_mean : torch.Tensor of shape (num_features,)
    running_std : torch.Tensor of shape (num_features,)
    num_batches_tracked : torch.Tensor
        Training forward passes seen; drives the ``r_max`` / ``d_max`` schedule
        (one forward per optimizer step in a plain training loop).

    Examples
    --------
    >>> import torch
    >>> from sknn.normalization import BatchRenorm
    >>> layer = BatchRenorm(4, spatial_dims=2, warmup_steps=0, ramp_steps=0)
    >>> y = layer(torch.randn(8, 4, 5, 5))
    >>> y.shape
    torch.Size([8, 4, 5, 5])
    >>> layer.current_limits()
    (3.0, 5.0)
    >>> int(layer.num_batches_tracked)
    1
    """

    running_mean: torch.Tensor
    running_std: torch.Tensor
    num_batches_tracked: torch.Tensor

    def __init__(
        self,
        num_features: int,
        *,
        spatial_dims: int = 0,
        eps: float = 1e-5,
        momentum: float = 0.1,
        r_max: float = 3.0,
        d_max: float = 5.0,
        warmup_steps: int = _DEFAULT_SCHEDULE["warmup_steps"],
        ramp_steps: int = _DEFAULT_SCHEDULE["ramp_steps"],
        affine: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features, minimum=1)
        self.spatial_dims = check_spatial_dims(spatial_dims)
        self.eps = check_real("eps", eps, low=0.0, low_open=True)
        self.momentum = check_real(
            "momentum", momentum, low=0.0, high=1.0, low_open=True
        )
        self.r_max = check_real("r_max", r_max, low=1.0)
        self.d_max = check_real("d_max", d_max, low=0.0)
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
        self.ramp_steps = check_int("ramp_steps", ramp_steps, minimum=0)
        self.affine = bool(affine)
        if self.affine:
            self.weight = nn.Parameter(torch.empty(self.num_features))
            self.bias = nn.Parameter(torch.empty(self.num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(self.num_features))
        self.register_buffer("running_std", torch.ones(self.num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Reset the running mean to 0, the running std to 1 and the step count."""
        self.running_mean.zero_()
        self.running_std.fill_(1.0)
        self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset running statistics and set :math:`\\gamma=1`, :math:`\\beta=0`."""
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def current_limits(self) -> tuple[float, float]:
        """Return the ``(r_max, d_max)`` that the next training step will use.

        Returns
        -------
        limits : tuple of float
            ``(1.0, 0.0)`` during warm-up, then a linear ramp to
            ``(r_max, d_max)`` over ``ramp_steps`` steps.
        """
        step = int(self.num_batches_tracked) - self.warmup_steps
        if step < 0:
            progress = 0.0
        elif self.ramp_steps == 0:
            progress = 1.0
        else:
            progress = min(1.0, step / self.ramp_steps)
        return 1.0 + (self.r_max - 1.0) * progress, self.d_max * progress

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(
            x,
            num_features=self.num_features,
            spatial_dims=self.spatial_dims,
            owner=type(self).__name__,
        )
        shape = (1, self.num_features) + (1,) * self.spatial_dims
        if self.training:
            check_batch_statistics(x, owner=type(self).__name__)
            axes = [0, *range(2, x.dim())]
            var, mean = torch.var_mean(x, dim=axes, correction=0)
            std = torch.sqrt(var + self.eps)
            r_max, d_max = self.current_limits()
            with torch.no_grad():
                r = (std / self.running_std).clamp(1.0 / r_max, r_max)
                d = ((mean - self.running_mean) / self.running_std).clamp(-d_max, d_max)
                # Updated after r and d, which must compare the batch with the
                # statistics accumulated *before* it.
                self.running_mean.lerp_(mean.to(self.running_mean), self.momentum)
                self.running_std.lerp_(std.to(self.running_std), self.momentum)
                self.num_batches_tracked.add_(1)
            scale = r / std  # r carries no gradient, std does
            x_hat = (x - mean.view(shape)) * scale.view(shape) + d.view(shape)
        else:
            x_hat = (x - self.running_mean.view(shape)) / self.running_std.view(shape)
        if self.affine:
            x_hat = x_hat * self.weight.view(shape) + self.bias.view(shape)
        return x_hat

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, spatial_dims={self.spatial_dims}, eps={self.eps}, "
            f"momentum={self.momentum}, r_max={self.r_max}, d_max={self.d_max}, "
            f"warmup_steps={self.warmup_steps}, ramp_steps={self.ramp_steps}, "
            f"affine={self.affine}"
        )
