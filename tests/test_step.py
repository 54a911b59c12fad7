"""The lean optimizer step matches torch's own ``optimizer.step`` bit for bit."""

import copy

import pytest
import torch

from sknn._training.step import StepRunner


def _network(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )


def _groups(module, scaled):
    params = list(module.parameters())
    if not scaled:
        return [{"params": params, "weight_decay": 0.0}]
    # a second group with its own learning rate, as batch-instance norm asks
    return [
        {"params": params[:2], "weight_decay": 0.0},
        {"params": params[2:], "weight_decay": 0.0, "lr": 0.05},
    ]


def _train(module, optimizer, step, zero_grad, n_steps=6, skip=None):
    gen = torch.Generator().manual_seed(1)
    for i in range(n_steps):
        X = torch.randn(16, 6, generator=gen)
        y = torch.randint(0, 3, (16,), generator=gen)
        zero_grad()
        loss = torch.nn.functional.cross_entropy(module(X), y)
        loss.backward()
        if skip is not None and i == skip:
            module[2].bias.grad = None  # a parameter without a gradient
        step()


@pytest.mark.parametrize("optimizer_class", [torch.optim.Adam, torch.optim.AdamW])
@pytest.mark.parametrize("scaled", [False, True])
@pytest.mark.parametrize("skip", [None, 0, 3])
def test_lean_adam_equals_optimizer_step(optimizer_class, scaled, skip):
    lean_net, ref_net = _network(), _network()
    kwargs = {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-7, "fused": True}
    lean_opt = optimizer_class(_groups(lean_net, scaled), **kwargs)
    ref_opt = optimizer_class(_groups(ref_net, scaled), **kwargs)
    runner = StepRunner(lean_opt)
    assert not runner.lean  # no state before the first step
    _train(lean_net, lean_opt, runner.step, runner.zero_grad, skip=skip)
    _train(
        ref_net,
        ref_opt,
        ref_opt.step,
        lambda: ref_opt.zero_grad(set_to_none=True),
        skip=skip,
    )
    assert runner.lean  # from the first step that left state for every parameter
    for lean, ref in zip(lean_net.parameters(), ref_net.parameters(), strict=True):
        assert torch.equal(lean, ref)
    for lean, ref in zip(
        lean_opt.state_dict()["state"].values(),
        ref_opt.state_dict()["state"].values(),
        strict=True,
    ):
        for key in ("step", "exp_avg", "exp_avg_sq"):
            assert torch.equal(lean[key], ref[key]), key


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: torch.optim.Adam(p, lr=0.01),  # not fused
        lambda p: torch.optim.Adam(p, lr=0.01, fused=True, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=0.01, fused=True, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, fused=True),  # default decay
    ],
)
def test_other_optimizers_go_through_their_own_step(make_optimizer):
    lean_net = _network()
    ref_net = copy.deepcopy(lean_net)
    lean_opt, ref_opt = (
        make_optimizer(lean_net.parameters()),
        make_optimizer(ref_net.parameters()),
    )
    runner = StepRunner(lean_opt)
    _train(lean_net, lean_opt, runner.step, runner.zero_grad)
    _train(ref_net, ref_opt, ref_opt.step, ref_opt.zero_grad)
    assert not runner.lean
    for lean, ref in zip(lean_net.parameters(), ref_net.parameters(), strict=True):
        assert torch.equal(lean, ref)


def test_zero_grad_clears_every_gradient():
    net = _network()
    runner = StepRunner(torch.optim.Adam(net.parameters(), fused=True))
    net(torch.randn(4, 6)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    runner.zero_grad()
    assert all(p.grad is None for p in net.parameters())
