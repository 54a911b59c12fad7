"""How many CPU threads a training run uses.

torch runs its operators on a pool of OpenMP threads, one per core by default.
A small network gains nothing from it: each operator is too short to split,
while every parallel region ends in a barrier where the threads spin until the
last one arrives. When anything else keeps a core busy (another fit of a
``GridSearchCV``, a second program), a thread waits for a whole scheduler time
slice at each barrier. Measured on a 2-core machine under load, a training
step of a 100-64-64-5 network took 200 times longer with 2 threads than with
one (60 ms instead of 0.3 ms); on an idle machine one thread is also faster
for such networks (see ``benchmarks/README.md``).

So a fit on the CPU whose training step is small (:data:`SINGLE_THREAD_MACS`)
runs on one thread and gives torch its thread count back afterwards; larger
networks keep torch's setting (``torch.set_num_threads``), which the user
controls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from .named import call_module

#: Multiply-accumulates of one training step's forward pass (batch size times
#: the network's multiply-accumulates per sample) below which the step runs on
#: one thread. Measured on an idle 2-core machine (fused Adam, steps of a
#: 100-w-w-5 network, 2 threads vs 1): batch 32, w=64 (0.34 M) 1.11x slower;
#: batch 128, w=64 (1.4 M) 1.09x slower; batch 200, w=100 (4.1 M) 0.98x;
#: batch 128, w=256 (11.8 M) 0.82x; batch 128, w=1024 (148 M) 0.56x.
SINGLE_THREAD_MACS = 4_000_000


def probe_forward(module: nn.Module, batch: torch.Tensor) -> tuple[object, int]:
    """The module's output for ``batch`` and its multiply-accumulates per sample.

    One forward pass in eval mode, without gradients, counting each layer
    with weights by what it computes for one sample:

    - a convolution, its weight's size at each output position;
    - a linear layer, its weight's size at each position it is applied to
      (once for a table's row, at every step of a sequence);
    - a recurrent layer (``RNN``, ``LSTM``, ``GRU``), its weights' size at
      every time step;
    - multi-head attention, its projections at every position plus the
      ``2 * length**2 * embed_dim`` of the attention itself;
    - any other layer that holds parameters directly, their size once
      (embeddings excepted: a lookup multiplies nothing).

    The module's train / eval mode is restored.
    """
    total = 0

    def count(layer, inputs, output):
        nonlocal total
        total += _layer_macs(layer, inputs, output)

    # On every layer: a lazy one only becomes a Linear or ConvNd in the pass.
    handles = [layer.register_forward_hook(count) for layer in module.modules()]
    training = module.training
    try:
        module.eval()
        with torch.no_grad():
            output = call_module(module, batch)
    finally:
        module.train(training)
        for handle in handles:
            handle.remove()
    return output, total


def _layer_macs(layer: nn.Module, inputs: tuple, output) -> int:
    if isinstance(layer, nn.modules.conv._ConvNd):
        return layer.weight.numel() * output[0, 0].numel()
    if isinstance(layer, nn.Linear):
        positions = output[0].numel() // layer.out_features if layer.out_features else 0
        return layer.weight.numel() * positions
    if isinstance(layer, nn.RNNBase):
        steps = _sequence_length(inputs[0], layer.batch_first)
        weights = sum(w.numel() for w in layer.parameters() if w.dim() > 1)
        return weights * steps
    if isinstance(layer, nn.MultiheadAttention):
        query = inputs[0]
        if query.dim() == 2:  # one unbatched sequence
            length = query.shape[0]
        else:
            length = query.shape[1 if layer.batch_first else 0]
        projections = sum(w.numel() for w in layer.parameters() if w.dim() > 1)
        return projections * length + 2 * length * length * layer.embed_dim
    if isinstance(layer, (nn.Embedding, nn.EmbeddingBag)):
        return 0
    return sum(p.numel() for p in layer.parameters(recurse=False))


def _sequence_length(inputs, batch_first: bool) -> int:
    """Time steps per sample of a recurrent layer's input."""
    if isinstance(inputs, nn.utils.rnn.PackedSequence):
        return max(1, inputs.data.shape[0] // int(inputs.batch_sizes[0]))
    if inputs.dim() == 2:  # one unbatched sequence
        return inputs.shape[0]
    return inputs.shape[1 if batch_first else 0]


def macs_per_sample(module: nn.Module, sample: torch.Tensor) -> int:
    """Multiply-accumulates for one sample of ``sample`` (a batch), as
    :func:`probe_forward` counts them."""
    return probe_forward(module, sample)[1]


#: Fits running on one thread at the same time (in several Python threads),
#: and torch's thread count before the first of them; torch's count is
#: process-wide, so the last to finish restores it.
_single = {"fits": 0, "previous": None}
_single_lock = threading.Lock()


@contextmanager
def training_threads(device: torch.device, step_macs: int) -> Iterator[int]:
    """Run the block on one CPU thread if the training step is small.

    Yields the number of threads the block runs on; torch's setting is
    restored on exit, once no other such block runs in another thread.
    """
    with _single_lock:
        single = device.type == "cpu" and step_macs < SINGLE_THREAD_MACS
        if single and _single["fits"] == 0:
            if torch.get_num_threads() == 1:
                single = False  # nothing to change
            else:
                _single["previous"] = torch.get_num_threads()
                torch.set_num_threads(1)
        if single:
            _single["fits"] += 1
        threads = torch.get_num_threads()
    if not single:
        yield threads
        return
    try:
        yield 1
    finally:
        with _single_lock:
            _single["fits"] -= 1
            if _single["fits"] == 0:
                torch.set_num_threads(_single["previous"])
