"""Batch-norm statistics recomputed on the training data after training.

A batch-norm layer normalizes with the statistics of each batch while it
trains and with running averages of them at prediction. The averages trail
the weights: after a short run (a few hundred pictures, two batches an
epoch, thirty epochs) they still describe the network of many steps ago,
and a network that scores 1.00 on its training pictures in train mode may
score at chance in eval mode. Recomputing them once at the end of a fit,
as the plain average over the training batches of the final weights (with
dropout off, as at prediction), makes eval mode describe the network that
was trained. Only torch's own batch-norm layers are recomputed (in sknn's
networks and in a user's module alike); layers whose training uses their
running statistics (batch renormalization) keep them. The validation scores
recorded during training are those of the network as it trained.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from .named import call_module


def batch_norm_layers(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The layers of ``module`` whose running statistics can be recomputed."""
    return [
        layer
        for layer in module.modules()
        if isinstance(layer, nn.modules.batchnorm._BatchNorm)
        and layer.track_running_stats
    ]


def recompute_batch_norm(module: nn.Module, batches: Iterable) -> bool:
    """Recompute the running statistics of ``module``'s batch-norm layers.

    Parameters
    ----------
    module : nn.Module
        The trained network; left in eval mode.
    batches : iterable
        Batches of training inputs (or tuples whose first item is one).

    Returns
    -------
    recomputed : bool
        Whether the network has such layers (and they were recomputed).
    """
    layers = batch_norm_layers(module)
    if not layers:
        return False
    momenta = [layer.momentum for layer in layers]
    saved = [
        {name: buffer.clone() for name, buffer in layer.named_buffers()}
        for layer in layers
    ]
    module.eval()  # dropout off, as at prediction
    used = 0
    try:
        for layer in layers:
            layer.reset_running_stats()
            layer.momentum = None  # a cumulative average over the batches
            layer.train()
        with torch.no_grad():
            for batch in batches:
                inputs = batch[0] if isinstance(batch, (tuple, list)) else batch
                if len(inputs) > 1:  # one sample has no variance
                    call_module(module, inputs)
                    used += 1
    finally:
        for layer, momentum, buffers in zip(layers, momenta, saved, strict=True):
            layer.momentum = momentum
            if not used:  # nothing to average: the statistics stay
                for name, buffer in layer.named_buffers():
                    buffer.copy_(buffers[name])
        module.eval()
    return bool(used)
