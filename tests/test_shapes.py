"""helpers.shapes: the per-layer shape trace and its text table."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.models import CifarNet, LeNet
from helpers.shapes import LayerShape, format_shape_table, shape_table, trace_shapes


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


def test_lenet_trace_matches_the_seeds():
    rows = trace_shapes(LeNet(), torch.zeros(1, 1, 32, 32))
    assert [(r.name, r.kind, r.output_shape, r.params) for r in rows] == [
        ("conv1", "Conv2d", (1, 6, 28, 28), 156),
        ("conv2", "Conv2d", (1, 16, 10, 10), 2416),
        ("fc1", "Linear", (1, 120), 48120),
        ("fc2", "Linear", (1, 84), 10164),
        ("fc3", "Linear", (1, 10), 850),
    ]


def test_parameter_counts_agree_with_pytorch():
    model = CifarNet()
    rows = trace_shapes(model, torch.zeros(2, 3, 32, 32))
    unique = {r.name: r.params for r in rows}
    assert sum(unique.values()) == sum(p.numel() for p in model.parameters())


def test_a_module_called_twice_gives_two_rows_but_is_counted_once():
    model = CifarNet()
    rows = trace_shapes(model, torch.zeros(2, 3, 32, 32))
    assert [r.name for r in rows].count("pool") == 2
    table = format_shape_table(rows)
    assert table.splitlines()[-1].split()[-1] == f"{sum(p.numel() for p in model.parameters()):,}"


def test_hooks_are_removed_after_a_trace():
    model = LeNet()
    trace_shapes(model, torch.zeros(1, 1, 32, 32))
    assert _hook_count(model) == 0


def test_hooks_are_removed_when_the_model_raises():
    model = LeNet()
    with pytest.raises(ValueError, match="unsqueeze"):
        trace_shapes(model, torch.zeros(1, 32, 32))
    assert _hook_count(model) == 0

    seq = nn.Sequential(nn.Linear(4, 3), nn.Linear(5, 2))
    with pytest.raises(RuntimeError):
        trace_shapes(seq, torch.zeros(1, 4))
    assert _hook_count(seq) == 0


def test_a_single_layer_is_its_own_row_and_no_graph_is_built():
    layer = nn.Linear(4, 3)
    x = torch.zeros(2, 4, requires_grad=True)
    rows = trace_shapes(layer, x)
    assert rows == [LayerShape("Linear", "Linear", (2, 3), 15)]
    assert x.grad is None


def test_tuple_outputs_are_traced():
    rows = trace_shapes(nn.LSTM(3, 5, batch_first=True), torch.zeros(2, 7, 3))
    assert rows[0].output_shape == ((2, 7, 5), ((1, 2, 5), (1, 2, 5)))
    assert "((2, 7, 5), ((1, 2, 5), (1, 2, 5)))" in format_shape_table(rows)


def test_shape_table_text():
    text = shape_table(LeNet(), torch.zeros(1, 1, 32, 32))
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "params"]
    assert lines[2].split() == ["input", "(1,", "1,", "32,", "32)"]
    assert "fc1    Linear  (1, 120)         48,120" in text
    assert lines[-1].split() == ["total", "61,706"]


def test_bad_arguments_are_explained():
    with pytest.raises(TypeError, match="nn.Module as model, got function"):
        trace_shapes(lambda x: x, torch.zeros(1))
    with pytest.raises(TypeError, match="tensor as example_input.*got list"):
        trace_shapes(LeNet(), [[0.0]])
    with pytest.raises(TypeError, match="rows must be the list returned by trace_shapes, got str"):
        format_shape_table("conv1")
    with pytest.raises(TypeError, match="input_shape must be a tuple of ints"):
        format_shape_table([], input_shape="1x1x32x32")
    with pytest.raises(TypeError, match="nn.Module as model"):
        shape_table(None, torch.zeros(1))
