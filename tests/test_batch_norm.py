"""Batch-norm statistics recomputed at the end of a fit."""

import numpy as np
import torch
from torch import nn

from sknn import MLPClassifier, NeuralNetClassifier
from sknn._training.batch_norm import recompute_batch_norm


def test_a_fit_ends_with_the_statistics_of_the_training_data(iris):
    # three equal batches: the average of their means is the mean of all rows
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        normalization="batch",
        batch_size=50,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    linear, norm = clf.module_.hidden[0], clf.module_.hidden[1]
    assert isinstance(norm, nn.BatchNorm1d)
    with torch.no_grad():
        pre = linear(torch.as_tensor(X, dtype=torch.float32))
    torch.testing.assert_close(norm.running_mean, pre.mean(0), rtol=1e-4, atol=1e-5)
    batch_vars = torch.stack([pre[i : i + 50].var(0) for i in range(0, 150, 50)])
    torch.testing.assert_close(
        norm.running_var, batch_vars.mean(0), rtol=1e-4, atol=1e-5
    )
    assert norm.momentum == 0.1  # put back
    assert not clf.module_.training


def test_the_statistics_describe_the_network_with_dropout_off():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.BatchNorm1d(4))
    X = torch.randn(64, 3)
    assert recompute_batch_norm(net, [(X[:32],), (X[32:],)])
    with torch.no_grad():
        pre = net[0](X)  # dropout is off at prediction
    torch.testing.assert_close(net[2].running_mean, pre.mean(0), rtol=1e-5, atol=1e-6)


def test_networks_without_batch_norm_and_batches_of_one_are_left_alone():
    assert not recompute_batch_norm(nn.Linear(3, 2), [torch.randn(4, 3)])
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    net[1].running_mean.fill_(2.0)
    assert not recompute_batch_norm(net, [torch.randn(1, 3)])
    assert torch.all(net[1].running_mean == 2.0)


def test_a_users_module_gets_the_same(iris):
    # one machinery: a user's module with torch's BatchNorm is recomputed too
    X, y = iris
    module = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 3))
    clf = NeuralNetClassifier(module=module, max_iter=2, batch_size=50).fit(X, y)
    norm = clf.module_[1]
    with torch.no_grad():
        device = next(clf.module_.parameters()).device
        pre = clf.module_[0](torch.as_tensor(X, dtype=torch.float32, device=device))
    torch.testing.assert_close(norm.running_mean, pre.mean(0), rtol=1e-4, atol=1e-5)


def test_a_short_run_of_small_batches_predicts_as_it_trained():
    # few steps: the running averages of training would still trail the
    # weights; the recomputed ones give eval mode the train-mode predictions
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 5)) * 3 + 10
    y = (X[:, 0] > 10).astype(int)
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        normalization="batch",
        batch_size=32,
        max_iter=30,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X, y)
    assert clf.score(X, y) > 0.9
