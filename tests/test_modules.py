"""The public pure-PyTorch networks of sknn.modules."""

import ast
import pathlib

import pytest
import torch
from torch import nn

import sknn
from sknn.modules import CNN, MLP

_PACKAGE = pathlib.Path(sknn.__file__).parent


def _imports(path: pathlib.Path) -> set[str]:
    """Top-level names of the absolute imports of a source file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path",
    sorted((_PACKAGE / "modules").glob("*.py"))
    + sorted((_PACKAGE / "normalization").glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_networks_know_nothing_of_scikit_learn(path):
    # sknn.modules and what it imports (the normalization layers) are plain
    # torch; relative imports stay inside those two packages.
    standard = {"__future__", "collections", "difflib", "math", "numbers", "typing"}
    assert _imports(path) <= standard | {"torch"}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            assert node.module in ("modules", "normalization")


def test_modules_all_is_sorted_and_public():
    assert sknn.modules.__all__ == sorted(sknn.modules.__all__)
    assert sknn.__all__ == sorted(sknn.__all__)
    for name in sknn.modules.__all__:
        assert getattr(sknn.modules, name).__module__.startswith("sknn.modules")


def test_mlp_flattens_samples_and_sizes_its_layers():
    net = MLP(12, 3, hidden_layer_sizes=(8, 4), dropout=0.1, normalization="layer")
    widths = [
        (m.in_features, m.out_features)
        for m in net.modules()
        if isinstance(m, nn.Linear)
    ]
    assert widths == [(12, 8), (8, 4), (4, 3)]
    x = torch.randn(5, 2, 2, 3)
    torch.testing.assert_close(net.eval()(x), net(x.reshape(5, 12)))
    assert MLP(4, 1, hidden_layer_sizes=())(torch.randn(2, 4)).shape == (2, 1)


@pytest.mark.parametrize(
    ("input_shape", "channels_last", "conv", "in_channels"),
    [
        ((20,), True, nn.Conv1d, 1),  # a table's row: one channel
        ((20, 3), True, nn.Conv1d, 3),
        ((3, 20), False, nn.Conv1d, 3),
        ((8, 8, 2), True, nn.Conv2d, 2),
        ((2, 8, 8), False, nn.Conv2d, 2),
        ((4, 4, 4, 1), True, nn.Conv3d, 1),
    ],
)
def test_cnn_reads_its_input_shape(input_shape, channels_last, conv, in_channels):
    net = CNN(input_shape, 4, filters=(3,), channels_last=channels_last)
    first = net.features[0][0]
    assert type(first) is conv and first.in_channels == in_channels
    assert net(torch.randn(2, *input_shape)).shape == (2, 4)


def test_cnn_channels_first_and_last_are_the_same_network():
    torch.manual_seed(0)
    last = CNN((6, 5, 2), 3, filters=(4,), normalization="batch").eval()
    first = CNN((2, 6, 5), 3, filters=(4,), normalization="batch", channels_last=False)
    first.load_state_dict(last.state_dict())
    x = torch.randn(3, 6, 5, 2)
    torch.testing.assert_close(first.eval()(x.movedim(-1, 1)), last(x))


def test_cnn_refuses_a_shape_without_spatial_axes():
    with pytest.raises(ValueError, match="1, 2 or 3 spatial axes"):
        CNN((1, 2, 3, 4, 5), 2)


@pytest.mark.parametrize(("activation", "factor"), [("relu", 6.0), ("logistic", 2.0)])
def test_mlp_starts_as_scikit_learns(activation, factor):
    # Glorot uniform weights and biases, scikit-learn's factor per activation
    torch.manual_seed(0)
    net = MLP(300, 2, hidden_layer_sizes=(100,), activation=activation)
    for layer, (fan_in, fan_out) in zip(
        (net.hidden[0], net.output), ((300, 100), (100, 2)), strict=True
    ):
        bound = (factor / (fan_in + fan_out)) ** 0.5
        for tensor in (layer.weight, layer.bias):
            assert tensor.abs().max() <= bound
            assert tensor.abs().max() > 0.9 * bound
