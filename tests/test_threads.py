"""Small fits run on one CPU thread and give torch its thread count back."""

import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from torch import nn

from sknn import CNNClassifier, MLPClassifier
from sknn._training.engine import Engine
from sknn._training.threads import SINGLE_THREAD_MACS, macs_per_sample, training_threads


def test_macs_per_sample_dense_and_conv():
    dense = nn.Sequential(nn.Linear(100, 64), nn.ReLU(), nn.Linear(64, 5))
    assert macs_per_sample(dense, torch.zeros(1, 100)) == 100 * 64 + 64 * 5
    conv = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),  # 8 x 8 output positions
        nn.MaxPool2d(2),
        nn.Conv2d(8, 4, 3, padding=1),  # 4 x 4
        nn.Flatten(),
        nn.Linear(64, 10),
    )
    expected = 8 * 9 * 64 + 4 * 8 * 9 * 16 + 64 * 10
    conv.train()
    assert macs_per_sample(conv, torch.zeros(1, 1, 8, 8)) == expected
    assert conv.training  # mode restored
    assert all(not m._forward_hooks for m in conv.modules())


@pytest.mark.parametrize(
    ("device", "macs", "inside"),
    [
        ("cpu", SINGLE_THREAD_MACS - 1, 1),
        ("cpu", SINGLE_THREAD_MACS, 2),
        ("meta", 10, 2),  # not the CPU: torch's setting stays
    ],
)
def test_training_threads(two_threads, device, macs, inside):
    with training_threads(torch.device(device), macs) as n:
        assert n == inside == torch.get_num_threads()
    assert torch.get_num_threads() == 2


def test_training_threads_restores_after_an_error(two_threads):
    with pytest.raises(RuntimeError), training_threads(torch.device("cpu"), 1):
        raise RuntimeError
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize(
    ("estimator", "threads"),
    [
        (MLPClassifier(hidden_layer_sizes=(8,), max_iter=2), 1),
        (MLPClassifier(hidden_layer_sizes=(2048, 2048), max_iter=1), 2),
        (CNNClassifier(filters=(4,), learning_rate="constant", max_iter=2), 1),
    ],
)
def test_fit_threads(two_threads, monkeypatch, estimator, threads):
    seen = []
    run = Engine.run_single_epoch

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return run(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "run_single_epoch", spy)
    X, y = load_iris(return_X_y=True)
    # on the CPU whatever the machine: on CUDA, torch's setting stays
    with pytest.warns(ConvergenceWarning):  # too few epochs to converge
        estimator.set_params(random_state=0, device="cpu").fit(X, y)
    assert set(seen) == {threads}
    assert torch.get_num_threads() == 2


class _LastStep(nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        out = self.layer(x)
        return out[0] if isinstance(out, tuple) else out


def test_macs_per_sample_recurrent_attention_and_other_layers():
    lstm = nn.LSTM(12, 32, batch_first=True)
    weights = 4 * 32 * 12 + 4 * 32 * 32
    assert macs_per_sample(_LastStep(lstm), torch.zeros(2, 50, 12)) == weights * 50
    gru = nn.GRU(12, 32)  # (time, batch, features)
    assert (
        macs_per_sample(_LastStep(gru), torch.zeros(50, 2, 12))
        == (3 * 32 * 12 + 3 * 32 * 32) * 50
    )

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(16, 2, batch_first=True)

        def forward(self, x):
            return self.attention(x, x, x)[0]

    length = 10
    projections = 3 * 16 * 16 + 16 * 16
    expected = projections * length + 2 * length**2 * 16
    assert macs_per_sample(SelfAttention(), torch.zeros(2, length, 16)) == expected
    # a linear layer at every step of a sequence; embeddings cost nothing
    seq = nn.Sequential(nn.Embedding(1000, 8), nn.Linear(8, 4))
    assert macs_per_sample(seq, torch.zeros(2, 7, dtype=torch.long)) == 8 * 4 * 7
