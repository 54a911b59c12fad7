"""Tests of ``sknn.normalization`` against independent references.

Every oracle takes another code path than the module under test: a torch
equivalent, the paper's formula in numpy, an equivalence between methods, or a
property of the definition. Inputs have a non-zero mean and a different scale
per channel, so that a layer that does nothing fails.
"""

import copy
import io
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

import sknn.normalization
from sknn.normalization import (
    NORMALIZATION_METHODS,
    BatchInstanceNorm,
    BatchRenorm,
    ScaleNorm,
    SwitchableNorm,
    batch_renorm_schedule,
    check_normalization,
    default_groups,
    make_normalization,
    reparametrize,
    uses_batch_statistics,
)
from sknn.normalization._scale import _ChannelsLast, _RMSNorm
from sknn.normalization._switchable import _moments

SHAPES = {0: (8, 4), 1: (6, 4, 5), 2: (5, 4, 3, 4), 3: (4, 4, 2, 3, 2)}
SPATIAL_ONLY = ("instance", "batch_instance")
BATCH_METHODS = ("batch", "batch_renorm", "batch_instance", "switchable")
REPARAMETRIZING = ("weight", "spectral")


def make_input(
    spatial_dims=2, *, seed=0, shape=None, dtype=torch.float64
) -> torch.Tensor:
    """Gaussian input, channel c with mean in [-3, 5] and scale in [0.5, 4]."""
    shape = SHAPES[spatial_dims] if shape is None else shape
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    view = (1, shape[1]) + (1,) * (len(shape) - 2)
    scale = torch.linspace(0.5, 4.0, shape[1], dtype=dtype).view(view)
    shift = torch.linspace(-3.0, 5.0, shape[1], dtype=dtype).view(view)
    return x * scale + shift


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def assert_close(actual, desired, **tolerances):
    """``np.testing.assert_allclose`` that also takes torch tensors."""
    np.testing.assert_allclose(as_numpy(actual), as_numpy(desired), **tolerances)


def channel_view(a, ndim):
    """Reshape a per-channel vector to broadcast against an (N, C, ...) array."""
    return np.reshape(a, (1, -1) + (1,) * (ndim - 2))


def np_affine(a, module):
    """Apply a module's per-channel weight and bias to a numpy array."""
    weight = channel_view(as_numpy(module.weight), a.ndim)
    return a * weight + channel_view(as_numpy(module.bias), a.ndim)


def np_standardize(a, axes, eps):
    """The standardization formula, biased variance, eps inside the root."""
    mean = a.mean(axis=axes, keepdims=True)
    var = a.var(axis=axes, keepdims=True)
    return (a - mean) / np.sqrt(var + eps)


def batch_axes(ndim):
    return (0, *range(2, ndim))


def randomize_affine(module, seed=1):
    """Give weight and bias values other than 1 and 0."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in ("weight", "bias"):
            param = getattr(module, name, None)
            if param is not None:
                param.copy_(torch.rand(param.shape, generator=generator) + 0.5)
    return module


def applicable(spatial_dims_values=(0, 1, 2, 3)):
    """(method, spatial_dims) pairs that make sense together."""
    return [
        (method, sd)
        for method in NORMALIZATION_METHODS
        for sd in spatial_dims_values
        if not (sd == 0 and method in SPATIAL_ONLY)
    ]


def assert_gradcheck(module, x):
    """gradcheck with respect to the input and every parameter, in float64.

    Buffers are restored before each call, so that the running statistics that
    a training forward updates do not change the function under test.
    """
    module = module.double()
    names = [name for name, _ in module.named_parameters()]
    buffers = {name: b.clone() for name, b in module.named_buffers()}

    def function(x, *values):
        state = {name: b.clone() for name, b in buffers.items()}
        state.update(zip(names, values, strict=True))
        return functional_call(module, state, (x,))

    inputs = (x.detach().clone().requires_grad_(),) + tuple(
        p.detach().clone().requires_grad_() for p in module.parameters()
    )
    # Hundreds of tiny forwards: intra-op threads only add synchronization,
    # which costs seconds on a busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert torch.autograd.gradcheck(function, inputs)
    finally:
        torch.set_num_threads(threads)


# --------------------------------------------------------------------- batch


@pytest.mark.parametrize(
    "spatial_dims, expected",
    [
        (0, nn.BatchNorm1d),
        (1, nn.BatchNorm1d),
        (2, nn.BatchNorm2d),
        (3, nn.BatchNorm3d),
    ],
)
def test_batch_registry_builds_torch_batch_norm(spatial_dims, expected):
    layer = make_normalization("batch", 4, spatial_dims=spatial_dims)
    assert type(layer) is expected


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_batch_running_statistics_follow_torch_momentum(spatial_dims):
    layer = make_normalization(
        "batch", 4, spatial_dims=spatial_dims, momentum=0.2, eps=1e-3
    ).double()
    x = make_input(spatial_dims)
    layer(x)
    a = x.numpy()
    axes = batch_axes(a.ndim)
    assert_close(layer.running_mean, 0.2 * a.mean(axes))
    assert_close(layer.running_var, 0.8 + 0.2 * a.var(axes, ddof=1))


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_batch_eval_uses_running_statistics(spatial_dims):
    layer = make_normalization("batch", 4, spatial_dims=spatial_dims, eps=1e-3)
    layer = randomize_affine(layer.double())
    x = make_input(spatial_dims)
    layer(x)
    layer.eval()
    a = x.numpy()
    mean = channel_view(layer.running_mean.numpy(), a.ndim)
    var = channel_view(layer.running_var.numpy(), a.ndim)
    expected = np_affine((a - mean) / np.sqrt(var + 1e-3), layer)
    assert_close(layer(x).detach(), expected, rtol=1e-12)


# -------------------------------------------------------------------- weight


WEIGHTED_LAYERS = {
    "linear": lambda: nn.Linear(5, 3),
    "conv": lambda: nn.Conv2d(4, 3, 3),
    "convT": lambda: nn.ConvTranspose2d(4, 3, 3),
}


def make_weighted_layer(kind):
    torch.manual_seed(0)
    return WEIGHTED_LAYERS[kind]().double()


@pytest.mark.parametrize("kind", WEIGHTED_LAYERS)
def test_weight_registration_keeps_the_function(kind):
    layer = make_weighted_layer(kind)
    x = make_input(0, shape=(6, 5)) if isinstance(layer, nn.Linear) else make_input()
    before = layer(x).detach()
    reparametrized = reparametrize(layer, "weight")
    assert reparametrized is layer
    assert_close(layer(x).detach(), before, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", WEIGHTED_LAYERS)
def test_weight_norm_is_g_times_unit_direction(kind):
    layer = reparametrize(make_weighted_layer(kind), "weight")
    out_axis = 1 if isinstance(layer, nn.ConvTranspose2d) else 0
    with torch.no_grad():
        g = layer.parametrizations.weight.original0
        g.copy_(torch.linspace(-2.0, 3.0, g.numel()).view(g.shape))
    v = layer.parametrizations.weight.original1.detach().numpy()
    w = layer.weight.detach().numpy()
    rows_v = np.moveaxis(v, out_axis, 0).reshape(v.shape[out_axis], -1)
    rows_w = np.moveaxis(w, out_axis, 0).reshape(w.shape[out_axis], -1)
    g = g.detach().numpy().reshape(-1)
    assert_close(
        rows_w, g[:, None] * rows_v / np.linalg.norm(rows_v, axis=1, keepdims=True)
    )
    assert_close(np.linalg.norm(rows_w, axis=1), np.abs(g))


def test_weight_norm_ignores_the_length_of_v():
    layer = reparametrize(nn.Linear(5, 3).double(), "weight")
    x = make_input(0, shape=(6, 5))
    before = layer(x).detach()
    with torch.no_grad():
        layer.parametrizations.weight.original1.mul_(3.7)
    assert_close(layer(x).detach(), before, rtol=1e-12)


# --------------------------------------------------------------------- layer


def test_layer_dense_standardizes_each_sample():
    layer = make_normalization("layer", 4, spatial_dims=0, eps=1e-3).double()
    x = make_input(0)
    y = layer(x).detach().numpy()
    assert_close(y, np_standardize(x.numpy(), 1, 1e-3), rtol=1e-12)
    assert_close(y.mean(1), 0.0, atol=1e-12)
    assert_close(y.var(1), 1.0, rtol=1e-2)  # eps shrinks it


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_layer_ignores_per_sample_scale_and_shift(spatial_dims):
    layer = make_normalization("layer", 4, spatial_dims=spatial_dims, eps=1e-12)
    layer = randomize_affine(layer.double())
    x = make_input(spatial_dims)
    sample = (-1,) + (1,) * (x.dim() - 1)
    scale = torch.linspace(0.1, 10.0, x.shape[0], dtype=x.dtype).view(sample)
    shift = torch.linspace(-50.0, 50.0, x.shape[0], dtype=x.dtype).view(sample)
    assert_close(
        layer(x * scale + shift).detach(), layer(x).detach(), rtol=1e-8, atol=1e-9
    )


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_layer_sample_does_not_depend_on_the_batch(spatial_dims):
    layer = make_normalization("layer", 4, spatial_dims=spatial_dims).double()
    x = make_input(spatial_dims)
    assert_close(layer(x)[:1].detach(), layer(x[:1]).detach(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_layer_conv_normalizes_over_channels_and_positions(spatial_dims):
    layer = make_normalization("layer", 4, spatial_dims=spatial_dims, eps=1e-3)
    layer = randomize_affine(layer.double())
    x = make_input(spatial_dims)
    a = x.numpy()
    expected = np_standardize(a, tuple(range(1, a.ndim)), 1e-3)
    expected = np_affine(expected, layer)
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ instance


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_instance_equals_group_norm_with_one_channel_per_group(spatial_dims):
    layer = make_normalization("instance", 4, spatial_dims=spatial_dims).double()
    x = make_input(spatial_dims)
    assert_close(layer(x).detach(), F.group_norm(x, 4), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_instance_equals_batch_norm_of_samples_as_channels(spatial_dims):
    layer = make_normalization("instance", 4, spatial_dims=spatial_dims).double()
    x = make_input(spatial_dims)
    n, c = x.shape[:2]
    reshaped = x.reshape(1, n * c, *x.shape[2:])
    expected = F.batch_norm(reshaped, None, None, training=True).view_as(x)
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)


def test_instance_is_affine_and_the_same_in_eval():
    layer = randomize_affine(make_normalization("instance", 4, spatial_dims=2))
    assert layer.affine and not layer.track_running_stats
    x = make_input(2, dtype=torch.float32)
    train = layer(x)
    assert_close(layer.eval()(x).detach(), train.detach())
    assert not torch.allclose(train, F.instance_norm(x))  # the affine map acts


# --------------------------------------------------------------------- group


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_group_with_one_group_equals_layer_norm(spatial_dims):
    layer = make_normalization("group", 4, spatial_dims=spatial_dims, groups=1)
    x = make_input(spatial_dims)
    assert_close(
        layer.double()(x).detach(),
        F.layer_norm(x, x.shape[1:]),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_group_with_one_channel_per_group_equals_instance_norm(spatial_dims):
    layer = make_normalization("group", 4, spatial_dims=spatial_dims, groups=4)
    x = make_input(spatial_dims)
    assert_close(layer.double()(x).detach(), F.instance_norm(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_group_matches_numpy_formula(spatial_dims):
    layer = make_normalization(
        "group", 6, spatial_dims=spatial_dims, eps=1e-3, groups=3
    )
    layer = randomize_affine(layer.double())
    shape = (5, 6) + (3, 2) * (spatial_dims // 2)
    x = make_input(shape=shape)
    a = x.numpy()
    grouped = a.reshape(a.shape[0], 3, -1)
    expected = np_standardize(grouped, 2, 1e-3).reshape(a.shape)
    expected = np_affine(expected, layer)
    assert layer.num_groups == 3
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "num_features, expected",
    [(1, 1), (2, 1), (3, 1), (4, 2), (7, 1), (10, 5), (16, 8), (48, 24), (64, 32)]
    + [(96, 32), (100, 25), (256, 32), (31 * 2, 31), (37 * 3, 3)],
)
def test_group_default_groups_rule(num_features, expected):
    assert default_groups(num_features) == expected
    assert num_features % expected == 0


@pytest.mark.parametrize(("spatial_dims", "expected"), [(0, 4), (1, 32), (2, 32)])
def test_group_registry_uses_default_groups(spatial_dims, expected):
    layer = make_normalization("group", 64, spatial_dims=spatial_dims)
    assert layer.num_groups == expected


@pytest.mark.parametrize(
    ("num_features", "expected"), [(8, 1), (31, 1), (32, 2), (100, 5), (256, 16)]
)
def test_group_dense_default_keeps_16_features_per_group(num_features, expected):
    assert default_groups(num_features, spatial_dims=0) == expected


def test_group_refuses_groups_that_do_not_divide_channels():
    with pytest.raises(ValueError, match="groups=3 does not divide the 8 channels"):
        make_normalization("group", 8, spatial_dims=2, groups=3)


def test_group_refuses_one_feature_per_group_on_dense_layers():
    with pytest.raises(ValueError, match="one feature per group"):
        make_normalization("group", 8, spatial_dims=0, groups=8)
    with pytest.raises(ValueError, match="needs at least 2 features"):
        make_normalization("group", 1, spatial_dims=0)
    # Feature maps have positions to normalize over: instance norm is fine.
    make_normalization("group", 8, spatial_dims=2, groups=8)
    make_normalization("group", 1, spatial_dims=2)


# -------------------------------------------------------------- batch_renorm


def np_batch_renorm(a, mu, sigma, *, eps, r_max, d_max):
    """Algorithm 1 of Ioffe (2017), training mode, without the affine map."""
    axes = batch_axes(a.ndim)
    mean = a.mean(axes)
    std = np.sqrt(a.var(axes) + eps)
    r = np.clip(std / sigma, 1 / r_max, r_max)
    d = np.clip((mean - mu) / sigma, -d_max, d_max)
    mean_, std_, r_, d_ = (channel_view(v, a.ndim) for v in (mean, std, r, d))
    x_hat = (a - mean_) / std_ * r_ + d_
    return x_hat, mean, std


def _renorm_with_running_stats(spatial_dims, x, *, std_ratio, mean_shift, **kwargs):
    """A BatchRenorm whose running statistics sit at chosen distances from x's."""
    layer = BatchRenorm(x.shape[1], spatial_dims=spatial_dims, **kwargs)
    layer = randomize_affine(layer)
    a = x.numpy()
    axes = batch_axes(a.ndim)
    std = np.sqrt(a.var(axes) + layer.eps)
    with torch.no_grad():
        layer.running_std.copy_(torch.from_numpy(std * np.asarray(std_ratio)))
        layer.running_mean.copy_(
            torch.from_numpy(a.mean(axes) + np.asarray(mean_shift) * std)
        )
    return layer.double()


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_batch_renorm_matches_numpy_in_training(spatial_dims):
    x = make_input(spatial_dims)
    # Channels 0 and 3 within the limits, 1 and 2 clipped (r above / below,
    # d below / above).
    layer = _renorm_with_running_stats(
        spatial_dims,
        x,
        std_ratio=[1.2, 0.1, 3.0, 1.0],
        mean_shift=[0.1, 2.0, -3.0, 0.0],
        r_max=1.5,
        d_max=0.5,
        warmup_steps=0,
        ramp_steps=0,
        momentum=0.3,
    )
    mu, sigma = layer.running_mean.numpy().copy(), layer.running_std.numpy().copy()
    a = x.numpy()
    x_hat, mean, std = np_batch_renorm(
        a, mu, sigma, eps=layer.eps, r_max=1.5, d_max=0.5
    )
    expected = np_affine(x_hat, layer)
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)
    assert_close(layer.running_mean, 0.7 * mu + 0.3 * mean)
    assert_close(layer.running_std, 0.7 * sigma + 0.3 * std)
    assert int(layer.num_batches_tracked) == 1


def test_batch_renorm_first_step_updates_running_std_not_variance():
    layer = BatchRenorm(4, spatial_dims=2).double()
    x = make_input(2)
    layer(x)
    a = x.numpy()
    axes = batch_axes(a.ndim)
    assert_close(layer.running_mean, 0.1 * a.mean(axes))
    assert_close(layer.running_std, 0.9 + 0.1 * np.sqrt(a.var(axes) + 1e-5))


def test_batch_renorm_unclipped_training_output_uses_running_statistics():
    x = make_input(2)
    layer = _renorm_with_running_stats(
        2,
        x,
        std_ratio=[0.8, 1.5, 2.0, 0.6],
        mean_shift=[0.5, -1.0, 0.3, 0.0],
        r_max=1e6,
        d_max=1e6,
        warmup_steps=0,
        ramp_steps=0,
    )
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.zero_()
    mu = channel_view(layer.running_mean.numpy().copy(), 4)
    sigma = channel_view(layer.running_std.numpy().copy(), 4)
    assert_close(layer(x).detach(), (x.numpy() - mu) / sigma, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [0, 2])
@pytest.mark.parametrize("schedule", ["no limits", "warm-up"])
def test_batch_renorm_without_limits_is_batch_norm(spatial_dims, schedule):
    x = make_input(spatial_dims)
    if schedule == "no limits":
        kwargs = {"r_max": 1.0, "d_max": 0.0, "warmup_steps": 0, "ramp_steps": 0}
    else:  # first step of the default schedule, whatever r_max and d_max
        kwargs = {"r_max": 5.0, "d_max": 5.0}
    layer = _renorm_with_running_stats(
        spatial_dims, x, std_ratio=[3, 0.2, 1, 2], mean_shift=[4, -2, 0, 1], **kwargs
    )
    weight = layer.weight.detach().clone().requires_grad_()
    bias = layer.bias.detach().clone().requires_grad_()
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    upstream = torch.randn(
        x.shape, dtype=x.dtype, generator=torch.Generator().manual_seed(2)
    )
    y = layer(x1)
    expected = F.batch_norm(x2, None, None, weight, bias, training=True, eps=1e-5)
    assert_close(y.detach(), expected.detach(), rtol=1e-10, atol=1e-12)
    got = torch.autograd.grad(y, (x1, layer.weight, layer.bias), upstream)
    want = torch.autograd.grad(expected, (x2, weight, bias), upstream)
    for g, w in zip(got, want, strict=True):
        assert_close(g, w, rtol=1e-9, atol=1e-12)


def test_batch_renorm_r_and_d_carry_no_gradient():
    x = make_input(2)
    layer = _renorm_with_running_stats(
        2,
        x,
        std_ratio=[1.2, 0.1, 3.0, 1.0],
        mean_shift=[0.1, 2.0, -3.0, 0.0],
        r_max=1.5,
        d_max=0.5,
        warmup_steps=0,
        ramp_steps=0,
    )
    mu, sigma, weight, bias = (
        t.detach().clone().view(1, -1, 1, 1)
        for t in (layer.running_mean, layer.running_std, layer.weight, layer.bias)
    )
    upstream = torch.randn(
        x.shape, dtype=x.dtype, generator=torch.Generator().manual_seed(2)
    )
    x1 = x.clone().requires_grad_()
    (got,) = torch.autograd.grad(layer(x1), x1, upstream)

    def reference(x, stop_gradient):
        mean = x.mean((0, 2, 3), keepdim=True)
        std = torch.sqrt(x.var((0, 2, 3), keepdim=True, correction=0) + 1e-5)
        r = (std / sigma).clamp(1 / 1.5, 1.5)
        d = ((mean - mu) / sigma).clamp(-0.5, 0.5)
        if stop_gradient:
            r, d = r.detach(), d.detach()
        return ((x - mean) / std * r + d) * weight + bias

    x2, x3 = x.clone().requires_grad_(), x.clone().requires_grad_()
    (want,) = torch.autograd.grad(reference(x2, True), x2, upstream)
    (through_r_d,) = torch.autograd.grad(reference(x3, False), x3, upstream)
    assert_close(got, want, rtol=1e-9, atol=1e-12)
    # The two gradients differ on the unclipped channels: the check can fail.
    assert not torch.allclose(want, through_r_d)


def test_batch_renorm_r_and_d_stay_within_limits():
    generator = torch.Generator().manual_seed(3)
    num_features, r_max, d_max = 64, 2.0, 0.7
    layer = BatchRenorm(
        num_features, r_max=r_max, d_max=d_max, warmup_steps=0, ramp_steps=0
    ).double()
    with torch.no_grad():
        layer.running_std.copy_(torch.rand(num_features, generator=generator) * 6)
        layer.running_mean.copy_(torch.randn(num_features, generator=generator) * 5)
    x = make_input(0, shape=(32, num_features))
    y = layer(x).detach()  # weight 1, bias 0: y = x_bn * r + d per channel
    x_bn = F.batch_norm(x, None, None, training=True, eps=1e-5)
    d = y.mean(0)
    r = y.std(0, correction=0) / x_bn.std(0, correction=0)
    assert torch.all(r >= 1 / r_max - 1e-9) and torch.all(r <= r_max + 1e-9)
    assert torch.all(d.abs() <= d_max + 1e-9)
    # The extreme statistics above push some r and d to the limits.
    assert torch.isclose(r, torch.tensor(r_max, dtype=r.dtype)).any()
    assert torch.isclose(d.abs(), torch.tensor(d_max, dtype=d.dtype)).any()


def test_batch_renorm_limits_follow_the_schedule():
    layer = BatchRenorm(2, r_max=3.0, d_max=5.0, warmup_steps=3, ramp_steps=4)
    x = make_input(0, shape=(8, 2), dtype=torch.float32)
    expected = [(1.0, 0.0)] * 4 + [(1.5, 1.25), (2.0, 2.5), (2.5, 3.75)]
    expected += [(3.0, 5.0)] * 3
    seen = []
    for _ in expected:
        seen.append(layer.current_limits())
        layer(x)
        layer.eval()(x)  # evaluation does not advance the schedule
        layer.train()
    assert_close(seen, expected)
    assert int(layer.num_batches_tracked) == len(expected)


@pytest.mark.parametrize(
    "total_steps, warmup, ramp",
    [(1, 1, 1), (30, 3, 12), (250, 25, 100), (1000, 100, 400)],
)
def test_batch_renorm_schedule_is_a_fraction_of_the_run(total_steps, warmup, ramp):
    assert batch_renorm_schedule(total_steps) == {
        "warmup_steps": warmup,
        "ramp_steps": ramp,
    }


def test_batch_renorm_default_schedule_suits_a_thousand_steps():
    layer = BatchRenorm(3)
    schedule = batch_renorm_schedule(1000)
    assert (layer.warmup_steps, layer.ramp_steps) == (
        schedule["warmup_steps"],
        schedule["ramp_steps"],
    )
    with pytest.raises(ValueError, match="total_steps must be an integer >= 1"):
        batch_renorm_schedule(0)


@pytest.mark.parametrize("spatial_dims", [0, 3])
def test_batch_renorm_eval_uses_running_statistics(spatial_dims):
    x = make_input(spatial_dims)
    layer = _renorm_with_running_stats(
        spatial_dims, x, std_ratio=[2, 0.5, 1, 3], mean_shift=[1, 0, -1, 2]
    ).eval()
    state = copy.deepcopy(layer.state_dict())
    a = x.numpy()
    mu = channel_view(state["running_mean"].numpy(), a.ndim)
    sigma = channel_view(state["running_std"].numpy(), a.ndim)
    assert_close(layer(x), np_affine((a - mu) / sigma, layer), rtol=1e-12)
    for key, value in layer.state_dict().items():
        assert torch.equal(value, state[key]), key


@pytest.mark.parametrize("clipped", ["all clipped", "warm-up", "eval"])
def test_batch_renorm_gradcheck(clipped):
    # Back-propagation treats r and d as constants; the finite differences of
    # gradcheck see their true derivative, so the two agree only where r and
    # d are locally constant: clipped, during warm-up, or in evaluation.
    x = make_input(2, shape=(4, 3, 3, 2))
    kwargs = {"warmup_steps": 0, "ramp_steps": 0}
    if clipped == "warm-up":
        kwargs = {}
    layer = _renorm_with_running_stats(
        2, x, std_ratio=[50, 60, 0.01], mean_shift=[1e3, -1e3, 1e3], **kwargs
    )
    if clipped == "eval":
        layer.eval()
    assert_gradcheck(layer, x)


def test_batch_renorm_refuses_bad_input_and_arguments():
    layer = BatchRenorm(4, spatial_dims=2)
    with pytest.raises(ValueError, match=r"expects a 4-D input \(N, C, H, W\)"):
        layer(torch.randn(8, 4))
    with pytest.raises(ValueError, match="built for 4 channels"):
        layer(torch.randn(8, 3, 2, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        BatchRenorm(4)(torch.randn(1, 4))
    assert BatchRenorm(4).eval()(torch.randn(1, 4)).shape == (1, 4)
    with pytest.raises(ValueError, match=r"r_max must lie in \[1.0"):
        BatchRenorm(4, r_max=0.5)
    with pytest.raises(ValueError, match="momentum must lie in"):
        BatchRenorm(4, momentum=0.0)
    with pytest.raises(TypeError, match="warmup_steps must be an integer"):
        BatchRenorm(4, warmup_steps=1.5)


# ------------------------------------------------------------ batch_instance


def _batch_instance(spatial_dims=2, rho=None, **kwargs):
    layer = BatchInstanceNorm(4, spatial_dims=spatial_dims, **kwargs).double()
    if rho is not None:
        with torch.no_grad():
            layer.rho.copy_(torch.tensor(rho, dtype=torch.float64))
    return randomize_affine(layer)


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_batch_instance_rho_one_is_batch_norm(spatial_dims):
    layer = _batch_instance(spatial_dims, rho=[1.0] * 4, momentum=0.3)
    batch_norm = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[spatial_dims]
    reference = batch_norm(4, momentum=0.3).double()
    reference.load_state_dict(
        {k: v for k, v in layer.state_dict().items() if k != "rho"}, strict=False
    )
    for seed in range(3):
        x = make_input(spatial_dims, seed=seed)
        assert_close(layer(x).detach(), reference(x).detach(), rtol=1e-10, atol=1e-12)
    layer.eval()
    reference.eval()
    x = make_input(spatial_dims, seed=9)
    assert_close(layer(x).detach(), reference(x).detach(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batch_instance_rho_zero_is_instance_norm(mode):
    layer = _batch_instance(2, rho=[0.0] * 4)
    layer(make_input(2, seed=5))  # running statistics away from their start
    layer.train(mode == "train")
    x = make_input(2)
    weight = layer.weight.detach()
    bias = layer.bias.detach()
    expected = F.instance_norm(x, weight=weight, bias=bias, eps=1e-5)
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [1, 2, 3])
def test_batch_instance_matches_numpy_formula(spatial_dims):
    rho = [0.0, 0.25, 0.6, 1.0]
    layer = _batch_instance(spatial_dims, rho=rho, eps=1e-3)
    x = make_input(spatial_dims)
    a = x.numpy()
    batch = np_standardize(a, batch_axes(a.ndim), 1e-3)
    instance = np_standardize(a, tuple(range(2, a.ndim)), 1e-3)
    gate = channel_view(np.array(rho), a.ndim)
    expected = gate * batch + (1 - gate) * instance
    expected = np_affine(expected, layer)
    assert_close(layer(x).detach(), expected, rtol=1e-10, atol=1e-12)


def test_batch_instance_constrain_clamps_rho():
    layer = _batch_instance(2, rho=[-0.5, 0.3, 1.7, 1.0])
    layer.constrain_()
    np.testing.assert_array_equal(as_numpy(layer.rho), [0.0, 0.3, 1.0, 1.0])
    # After an optimizer step that pushes rho out of [0, 1].
    optimizer = torch.optim.SGD([layer.rho], lr=100.0)
    layer(make_input(2)).pow(3).sum().backward()
    optimizer.step()
    assert (layer.rho < 0).any() or (layer.rho > 1).any()
    layer.constrain_()
    assert ((layer.rho >= 0) & (layer.rho <= 1)).all()


def test_batch_instance_marks_rho_for_the_training_loop():
    layer = BatchInstanceNorm(4, spatial_dims=2)
    copies = {
        "self": layer,
        "double": copy.deepcopy(layer).double(),
        "deepcopy": copy.deepcopy(layer),
        "pickle": pickle.loads(pickle.dumps(layer)),
    }
    for how, module in copies.items():
        assert module.rho._sknn_lr_scale == 10.0, how
        assert module.rho._sknn_no_weight_decay is True, how
        for name, param in module.named_parameters():
            if name != "rho":
                assert not hasattr(param, "_sknn_lr_scale"), (how, name)


def test_batch_instance_refuses_dense_layers():
    with pytest.raises(ValueError, match="instance statistics of a dense"):
        BatchInstanceNorm(4, spatial_dims=0)


def test_batch_instance_gradcheck():
    layer = _batch_instance(2, rho=[0.2, 0.5, 0.9, 0.0])
    assert_gradcheck(layer, make_input(2, shape=(2, 4, 2, 3)))


# ---------------------------------------------------------------- switchable


def _switchable(spatial_dims, *, mean_logits=None, var_logits=None, **kwargs):
    layer = SwitchableNorm(4, spatial_dims=spatial_dims, **kwargs).double()
    with torch.no_grad():
        if mean_logits is not None:
            layer.mean_weight.copy_(torch.tensor(mean_logits, dtype=torch.float64))
        if var_logits is not None:
            layer.var_weight.copy_(torch.tensor(var_logits, dtype=torch.float64))
    return layer


def _one_hot(component, components):
    return [0.0 if name == component else -1e3 for name in components]


def test_switchable_starts_with_equal_weights():
    for spatial_dims, count in ((2, 3), (0, 2)):
        weights = SwitchableNorm(4, spatial_dims=spatial_dims).importance_weights()
        for kind in ("mean", "var"):
            assert_close(list(weights[kind].values()), [1 / count] * count)


def _switchable_reference(component, x):
    if component == "instance":
        return F.instance_norm(x, eps=1e-5)
    if component == "layer":
        return F.layer_norm(x, x.shape[1:], eps=1e-5)
    return F.batch_norm(x, None, None, training=True, eps=1e-5)


def _components(spatial_dims):
    return ("instance", "layer", "batch") if spatial_dims else ("layer", "batch")


@pytest.mark.parametrize(
    "spatial_dims, component",
    [(sd, c) for sd in (0, 1, 2, 3) for c in _components(sd)],
)
def test_switchable_one_hot_weights_reproduce_each_norm(spatial_dims, component):
    components = _components(spatial_dims)
    one_hot = _one_hot(component, components)
    layer = _switchable(spatial_dims, mean_logits=one_hot, var_logits=one_hot)
    x = make_input(spatial_dims)
    assert_close(
        layer(x).detach(),
        _switchable_reference(component, x),
        rtol=1e-9,
        atol=1e-11,
    )


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_switchable_derived_statistics_equal_direct_ones(spatial_dims):
    x = make_input(spatial_dims) * 10 + 100  # far from zero: cancellation
    moments = _moments(x, spatial_dims)
    spatial = tuple(range(2, x.dim()))
    axes = {
        "layer": tuple(range(1, x.dim())),
        "batch": (0, *spatial),
        "instance": spatial,
    }
    for name, dims in axes.items():
        mean, var = moments[name]
        if dims:
            want_var, want_mean = torch.var_mean(x, dims, correction=0, keepdim=True)
        else:  # dense "instance": one value per sample and channel
            want_var, want_mean = torch.zeros_like(x), x
        assert_close(mean, want_mean, rtol=1e-12, err_msg=name)
        assert_close(var, want_var, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_switchable_matches_numpy_formula(spatial_dims):
    components = _components(spatial_dims)
    mean_logits = [0.3, -1.0, 0.8][-len(components) :]
    var_logits = [-0.5, 1.2, 0.1][-len(components) :]
    layer = randomize_affine(
        _switchable(spatial_dims, mean_logits=mean_logits, var_logits=var_logits)
    )
    x = make_input(spatial_dims)
    a = x.numpy()
    spatial = tuple(range(2, a.ndim))
    stats = {
        "instance": (a.mean(spatial, keepdims=True), a.var(spatial, keepdims=True)),
        "layer": (
            a.mean(tuple(range(1, a.ndim)), keepdims=True),
            a.var(tuple(range(1, a.ndim)), keepdims=True),
        ),
        "batch": (
            a.mean(batch_axes(a.ndim), keepdims=True),
            a.var(batch_axes(a.ndim), keepdims=True),
        ),
    }
    w_mean = np.exp(mean_logits) / np.exp(mean_logits).sum()
    w_var = np.exp(var_logits) / np.exp(var_logits).sum()
    mean = sum(w * stats[k][0] for w, k in zip(w_mean, components, strict=True))
    var = sum(w * stats[k][1] for w, k in zip(w_var, components, strict=True))
    expected = (a - mean) / np.sqrt(var + 1e-5)
    expected = np_affine(expected, layer)
    assert_close(layer(x).detach(), expected, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_switchable_with_batch_weights_behaves_as_batch_norm(spatial_dims):
    components = _components(spatial_dims)
    one_hot = _one_hot("batch", components)
    layer = _switchable(
        spatial_dims, mean_logits=one_hot, var_logits=one_hot, momentum=0.3
    )
    reference = (nn.BatchNorm2d if spatial_dims else nn.BatchNorm1d)(4, momentum=0.3)
    reference = reference.double()
    for seed in range(3):
        x = make_input(spatial_dims, seed=seed)
        assert_close(layer(x).detach(), reference(x).detach(), rtol=1e-9, atol=1e-11)
    assert_close(layer.running_mean, reference.running_mean)
    assert_close(layer.running_var, reference.running_var)
    layer.eval()
    reference.eval()
    x = make_input(spatial_dims, seed=7)
    assert_close(layer(x).detach(), reference(x).detach(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("spatial_dims", [0, 2])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_switchable_gradcheck(spatial_dims, mode):
    count = 3 if spatial_dims else 2
    layer = _switchable(
        spatial_dims,
        mean_logits=[0.3, -0.2, 0.5][:count],
        var_logits=[0.1, 0.4, -0.3][:count],
    )
    layer = randomize_affine(layer).double()
    layer(make_input(spatial_dims, seed=4))  # running statistics off their start
    layer.train(mode == "train")
    shape = (5, 4) if spatial_dims == 0 else (3, 4, 2, 3)
    assert_gradcheck(layer, make_input(shape=shape))


# ------------------------------------------------------------------ spectral


@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_spectral_largest_singular_value_is_one(kind):
    layer = reparametrize(make_weighted_layer(kind), "spectral")
    x = make_input(0, shape=(4, 5)) if kind == "linear" else make_input(2)
    for _ in range(30):  # one power iteration per training forward
        layer(x)
    layer.eval()
    weight = layer.weight.detach().reshape(layer.weight.shape[0], -1)
    assert_close(torch.linalg.matrix_norm(weight, ord=2), 1.0, rtol=1e-6)
    original = layer.parametrizations.weight.original.detach()
    assert torch.linalg.matrix_norm(original.reshape(weight.shape), ord=2) != 1.0


def test_spectral_power_iteration_is_frozen_in_eval():
    layer = reparametrize(nn.Linear(6, 5).double(), "spectral", n_power_iterations=2)
    parametrization = layer.parametrizations.weight[0]
    assert parametrization.n_power_iterations == 2
    x = make_input(0, shape=(4, 6))
    u = parametrization._u.clone()
    layer.eval()
    layer(x)
    assert torch.equal(parametrization._u, u)
    layer.train()
    layer(x)
    assert not torch.equal(parametrization._u, u)


# --------------------------------------------------------------------- scale


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_scale_output_norm_is_g(spatial_dims):
    layer = make_normalization("scale", 4, spatial_dims=spatial_dims).double()
    x = make_input(spatial_dims)
    norms = torch.linalg.vector_norm(layer(x), dim=1).detach()
    assert_close(norms, 2.0, rtol=1e-12)  # g starts at sqrt(4)
    with torch.no_grad():
        layer.scale.fill_(0.37)
    norms = torch.linalg.vector_norm(layer(x), dim=1).detach()
    assert_close(norms, 0.37, rtol=1e-12)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_scale_ignores_positive_scaling(spatial_dims):
    layer = ScaleNorm(4).double()
    x = make_input(spatial_dims)
    shape = x.shape[:1] + (1,) + x.shape[2:]
    generator = torch.Generator().manual_seed(4)
    factor = torch.rand(shape, generator=generator, dtype=x.dtype) * 10 + 0.1
    assert_close(layer(x * factor).detach(), layer(x).detach(), rtol=1e-12)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_scale_with_g_sqrt_d_is_rms_norm_without_gain(spatial_dims):
    layer = ScaleNorm(4, eps=1e-30).double()
    x = make_input(spatial_dims)
    a = x.numpy()
    expected = a / np.sqrt((a**2).mean(axis=1, keepdims=True))
    assert_close(layer(x).detach(), expected, rtol=1e-12)


def test_scale_gradcheck_and_bad_input():
    assert_gradcheck(ScaleNorm(4), make_input(2, shape=(2, 4, 2, 3)))
    with pytest.raises(ValueError, match=r"expects an input of shape \(N, 4, ...\)"):
        ScaleNorm(4)(torch.randn(3, 5))


# ----------------------------------------------------------------------- rms


@pytest.mark.parametrize("spatial_dims", [0, 1, 2, 3])
def test_rms_mean_square_of_each_vector_is_one(spatial_dims):
    layer = make_normalization("rms", 4, spatial_dims=spatial_dims, eps=1e-12)
    x = make_input(spatial_dims)
    y = layer.double()(x).detach()
    assert_close(y.square().mean(1), 1.0, rtol=1e-10)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_rms_equals_layer_norm_on_zero_mean_input(spatial_dims):
    layer = randomize_affine(
        make_normalization("rms", 4, spatial_dims=spatial_dims, eps=1e-3)
    ).double()
    gain = layer.weight if spatial_dims == 0 else layer.norm.weight
    with torch.no_grad():
        gain.copy_(torch.linspace(0.5, 2.0, 4))
    x = make_input(spatial_dims)
    x = x - x.mean(1, keepdim=True)
    expected = F.layer_norm(x.movedim(1, -1), (4,), weight=gain.detach(), eps=1e-3)
    assert_close(layer(x).detach(), expected.movedim(-1, 1), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spatial_dims", [0, 2])
def test_rms_registry_sets_eps_explicitly(spatial_dims):
    # nn.RMSNorm's own default is the dtype's machine epsilon, not 1e-5.
    layer = make_normalization("rms", 4, spatial_dims=spatial_dims)
    inner = layer if spatial_dims == 0 else layer.norm
    assert inner.eps == 1e-5
    inner = make_normalization("rms", 4, spatial_dims=0, eps=1e-3)
    assert inner.eps == 1e-3


@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_fallback_matches_torch_rms_norm(eps):
    if not hasattr(nn, "RMSNorm"):
        pytest.skip("torch < 2.4 has no nn.RMSNorm to compare with")
    reference = randomize_affine(nn.RMSNorm(4, eps=eps)).double()
    fallback = _RMSNorm(4, eps=eps).double()
    fallback.load_state_dict(reference.state_dict())
    x = make_input(2).movedim(1, -1)
    assert_close(fallback(x).detach(), reference(x).detach(), rtol=1e-12)
    a = x.numpy()
    expected = a / np.sqrt((a**2).mean(-1, keepdims=True) + (eps or 2.0**-52))
    expected *= reference.weight.detach().numpy()
    assert_close(fallback(x).detach(), expected, rtol=1e-12)


def test_rms_fallback_and_channels_last_gradcheck():
    assert_gradcheck(randomize_affine(_RMSNorm(4, eps=1e-5)), make_input(0))
    layer = _ChannelsLast(randomize_affine(_RMSNorm(4, eps=1e-5)))
    assert_gradcheck(layer, make_input(2, shape=(2, 4, 2, 3)))


# ------------------------------------------------------------------ registry


def test_registry_names_and_public_api():
    assert NORMALIZATION_METHODS == (
        "batch",
        "weight",
        "layer",
        "instance",
        "group",
        "batch_renorm",
        "batch_instance",
        "switchable",
        "spectral",
        "scale",
        "rms",
    )
    assert sknn.normalization.__all__ == sorted(sknn.normalization.__all__)
    for name in sknn.normalization.__all__:
        assert hasattr(sknn.normalization, name), name


@pytest.mark.parametrize("method, spatial_dims", [(None, 0), (None, 2), *applicable()])
def test_registry_builds_every_method(method, spatial_dims):
    torch.manual_seed(0)
    layer = make_normalization(method, 4, spatial_dims=spatial_dims)
    x = (10 * make_input(spatial_dims, dtype=torch.float32) + 20).requires_grad_()
    y = layer(x)
    assert y.shape == x.shape and y.dtype == torch.float32
    y.square().sum().backward()
    assert torch.isfinite(x.grad).all()
    if method in (None, *REPARAMETRIZING):
        assert isinstance(layer, nn.Identity)
    else:
        # Normalized: an input of magnitude ~20 comes out of magnitude ~1.
        assert y.detach().abs().max() < 5.0 < 10.0 < x.detach().abs().mean()


@pytest.mark.parametrize("method, spatial_dims", applicable((0, 2)))
def test_registry_eval_output_of_a_sample_ignores_the_batch(method, spatial_dims):
    torch.manual_seed(0)
    layer = make_normalization(method, 4, spatial_dims=spatial_dims).double()
    for seed in range(2):
        layer(make_input(spatial_dims, seed=seed))
    layer.eval()
    x = make_input(spatial_dims, seed=3)
    assert_close(layer(x)[:2].detach(), layer(x[:2]).detach(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", BATCH_METHODS)
def test_registry_running_statistics_change_only_in_training(method):
    layer = make_normalization(method, 4, spatial_dims=2).double()
    x = make_input(2)

    def buffers():
        return {k: v.clone() for k, v in layer.named_buffers()}

    start = buffers()
    layer.eval()(x)
    assert all(torch.equal(v, start[k]) for k, v in buffers().items())
    layer.train()(x)
    changed = [k for k, v in buffers().items() if not torch.equal(v, start[k])]
    assert "running_mean" in changed


def _network(method, spatial_dims, seed):
    torch.manual_seed(seed)
    layer = nn.Linear(4, 6) if spatial_dims == 0 else nn.Conv2d(4, 6, 3, padding=1)
    return nn.Sequential(
        reparametrize(layer, method),
        make_normalization(method, 6, spatial_dims=spatial_dims),
    ).double()


@pytest.mark.parametrize("method, spatial_dims", applicable((0, 2)))
def test_registry_state_dict_round_trip(method, spatial_dims):
    network = _network(method, spatial_dims, seed=0)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.1)
    for seed in range(2):
        optimizer.zero_grad()
        network(make_input(spatial_dims, seed=seed)).pow(2).mean().backward()
        optimizer.step()
    buffer = io.BytesIO()
    torch.save(network.state_dict(), buffer)
    buffer.seek(0)
    restored = _network(method, spatial_dims, seed=1)
    restored.load_state_dict(torch.load(buffer, weights_only=True))
    network.eval()
    restored.eval()
    x = make_input(spatial_dims, seed=5)
    assert_close(restored(x).detach(), network(x).detach(), rtol=1e-12)
    fresh = _network(method, spatial_dims, seed=1).eval()
    assert not torch.allclose(fresh(x), network(x))


@pytest.mark.parametrize("method", BATCH_METHODS)
def test_registry_batch_methods_refuse_one_value_per_channel(method):
    spatial_dims = 1 if method in SPATIAL_ONLY else 0
    layer = make_normalization(method, 4, spatial_dims=spatial_dims)
    x = torch.randn((1, 4) + (1,) * spatial_dims)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(x)
    if method not in SPATIAL_ONLY:  # instance statistics need two positions
        assert layer.eval()(x).shape == x.shape


def test_uses_batch_statistics_lists_the_batch_methods():
    got = {m for m in NORMALIZATION_METHODS if uses_batch_statistics(m)}
    assert got == set(BATCH_METHODS)
    assert uses_batch_statistics(None) is False
    with pytest.raises(ValueError, match="Unknown normalization"):
        uses_batch_statistics("bacth")


@pytest.mark.parametrize(
    "name, suggestion",
    [("batch_norm", "batch"), ("LayerNorm", "layer"), ("renorm", "batch_renorm")],
)
def test_registry_unknown_name_lists_valid_names(name, suggestion):
    with pytest.raises(ValueError) as info:
        check_normalization(name, spatial_dims=0)
    message = str(info.value)
    assert f"Unknown normalization {name!r}" in message
    assert f"Did you mean {suggestion!r}?" in message
    for method in (None, *NORMALIZATION_METHODS):
        assert repr(method) in message
    with pytest.raises(ValueError, match="Unknown normalization"):
        make_normalization(name, 4, spatial_dims=2)


@pytest.mark.parametrize("method", [3, True, ["batch"], nn.BatchNorm1d])
def test_registry_refuses_non_string_names(method):
    with pytest.raises(TypeError, match="normalization must be a str or None"):
        check_normalization(method, spatial_dims=0)
    with pytest.raises(TypeError, match="normalization must be a str or None"):
        reparametrize(nn.Linear(2, 2), method)


@pytest.mark.parametrize("method", SPATIAL_ONLY)
def test_registry_refuses_instance_methods_on_dense_layers(method):
    with pytest.raises(ValueError) as info:
        check_normalization(method, spatial_dims=0)
    message = str(info.value)
    assert f"normalization={method!r} does not apply to dense layers" in message
    assert "spatial axes" in message
    applies = message.split("Methods that apply to dense layers:")[1]
    assert "'layer'" in applies and "'batch'" in applies and "None" in applies
    assert "'instance'" not in applies and "'batch_instance'" not in applies
    with pytest.raises(ValueError, match="does not apply to dense layers"):
        make_normalization(method, 4, spatial_dims=0)
    for spatial_dims in (1, 2, 3):
        check_normalization(method, spatial_dims=spatial_dims)


@pytest.mark.parametrize(
    "method, options, accepted",
    [
        ("layer", {"momentum": 0.1}, "it accepts 'eps'"),
        ("weight", {"eps": 1e-3}, "it takes none"),
        (None, {"groups": 2}, "it takes none"),
        ("group", {"group": 2}, "it accepts 'eps', 'groups'"),
        ("batch_renorm", {"rmax": 2}, "'r_max', 'ramp_steps', 'warmup_steps'"),
    ],
)
def test_registry_unknown_option_names_method_and_accepted(method, options, accepted):
    with pytest.raises(ValueError) as info:
        check_normalization(method, spatial_dims=2, options=options)
    message = str(info.value)
    assert f"normalization={method!r} does not accept" in message
    assert repr(next(iter(options))) in message
    assert accepted in message
    with pytest.raises(ValueError, match="does not accept"):
        make_normalization(method, 4, spatial_dims=2, **options)


@pytest.mark.parametrize(
    "method, option, value, error",
    [
        ("batch", "momentum", 0, ValueError),
        ("batch", "momentum", 1.5, ValueError),
        ("batch", "momentum", None, TypeError),
        ("layer", "eps", 0.0, ValueError),
        ("layer", "eps", math.nan, ValueError),
        ("layer", "eps", "small", TypeError),
        ("group", "groups", 0, ValueError),
        ("group", "groups", 2.0, TypeError),
        ("group", "groups", True, TypeError),
        ("batch_renorm", "r_max", 0.5, ValueError),
        ("batch_renorm", "d_max", -1, ValueError),
        ("batch_renorm", "warmup_steps", -1, ValueError),
        ("spectral", "n_power_iterations", 0, ValueError),
    ],
)
def test_registry_refuses_bad_option_values(method, option, value, error):
    with pytest.raises(error, match=f"normalization={method!r}: {option} must"):
        check_normalization(method, spatial_dims=2, options={option: value})
    with pytest.raises(error, match=f"{option} must"):
        make_normalization(method, 4, spatial_dims=2, **{option: value})


def test_registry_refuses_bad_layer_description():
    with pytest.raises(ValueError, match=r"spatial_dims must be one of \(0, 1, 2, 3\)"):
        check_normalization("batch", spatial_dims=4)
    with pytest.raises(TypeError, match="spatial_dims must be an integer"):
        make_normalization("batch", 4, spatial_dims="2")
    with pytest.raises(ValueError, match="num_features must be an integer >= 1"):
        make_normalization("batch", 0, spatial_dims=0)
    with pytest.raises(TypeError, match="options must be a dict"):
        check_normalization("batch", spatial_dims=0, options=[("eps", 1e-3)])


@pytest.mark.parametrize(
    "method, options, attributes",
    [
        ("batch", {"eps": 1e-3, "momentum": 0.2}, {"eps": 1e-3, "momentum": 0.2}),
        ("layer", {"eps": 1e-3}, {"eps": 1e-3}),
        ("group", {"eps": 1e-3, "groups": 4}, {"eps": 1e-3, "num_groups": 4}),
        (
            "batch_renorm",
            {"r_max": 2, "d_max": 1, "warmup_steps": 7, "ramp_steps": 9},
            {"r_max": 2.0, "d_max": 1.0, "warmup_steps": 7, "ramp_steps": 9},
        ),
        ("switchable", {"momentum": 0.05}, {"momentum": 0.05}),
        ("scale", {"eps": 1e-3}, {"eps": 1e-3}),
    ],
)
def test_registry_forwards_options(method, options, attributes):
    for spatial_dims in (0, 2):
        layer = make_normalization(method, 8, spatial_dims=spatial_dims, **options)
        for name, value in attributes.items():
            assert getattr(layer, name) == value, (spatial_dims, name)
    layer = make_normalization("batch_instance", 8, spatial_dims=3, momentum=0.05)
    assert layer.momentum == 0.05
    layer = make_normalization("instance", 8, spatial_dims=1, eps=1e-3)
    assert layer.eps == 1e-3 and layer.affine


@pytest.mark.parametrize(
    "method", [m for m in NORMALIZATION_METHODS if m not in REPARAMETRIZING] + [None]
)
def test_reparametrize_leaves_other_methods_alone(method):
    layer = nn.Linear(3, 2)
    weight = layer.weight
    assert reparametrize(layer, method) is layer
    assert layer.weight is weight
    assert not hasattr(layer, "parametrizations")


def test_reparametrize_needs_a_weight():
    with pytest.raises(TypeError, match="ReLU has no such parameter"):
        reparametrize(nn.ReLU(), "weight")
    layer = reparametrize(nn.Linear(3, 2), "spectral")
    with pytest.raises(TypeError, match="parametrized already"):
        reparametrize(layer, "weight")
    with pytest.raises(ValueError, match="does not accept"):
        reparametrize(nn.Linear(3, 2), "weight", n_power_iterations=3)


@pytest.mark.cuda
@pytest.mark.parametrize("method, spatial_dims", applicable((0, 2)))
def test_registry_cuda_matches_cpu(method, spatial_dims):
    networks = {}
    for device in ("cpu", "cuda"):
        network = _network(method, spatial_dims, seed=0).to(device)
        for seed in range(2):
            network(make_input(spatial_dims, seed=seed).to(device))
        networks[device] = network.eval()
    x = make_input(spatial_dims, seed=5)
    assert_close(
        networks["cuda"](x.cuda()).cpu(), networks["cpu"](x), rtol=1e-9, atol=1e-11
    )
