"""helpers.graph: the autograd-graph walker against known graphs, the drawing, and bad inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.graph import GraphNode, autograd_graph, draw_autograd_graph  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def seed_example():
    x = torch.tensor([[1.0, 1.0], [2.0, 2.0]], requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, y, z, out


def labels(nodes):
    return [n.label for n in nodes]


def test_seed_example_is_a_chain_from_mean_to_x():
    x, y, z, out = seed_example()
    nodes, edges = autograd_graph(out, names={"x": x})
    assert labels(nodes) == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad (x)"]
    assert edges == [(0, 1), (1, 2), (2, 3), (3, 4)]  # y * y: two edges to AddBackward0, listed once
    assert [n.depth for n in nodes] == [0, 1, 2, 3, 4]
    assert [n.kind for n in nodes] == ["function"] * 4 + ["leaf"]
    assert all(isinstance(n, GraphNode) and n.id == i for i, n in enumerate(nodes))


def test_named_non_leaves_label_the_function_that_made_them():
    x, y, z, out = seed_example()
    nodes, _ = autograd_graph(out, names={"x": x, "y": y, "z": z, "out": out})
    assert labels(nodes) == [
        "MeanBackward0 → out", "MulBackward0 → z", "MulBackward0", "AddBackward0 → y", "AccumulateGrad (x)",
    ]


def test_unnamed_leaves_show_their_shape():
    w = torch.ones(6, 1, 5, 5, requires_grad=True)
    s = torch.ones((), requires_grad=True)
    nodes, _ = autograd_graph((w * s).sum())
    assert sorted(labels(nodes)) == sorted(
        ["SumBackward0", "MulBackward0", "AccumulateGrad (6×1×5×5)", "AccumulateGrad (scalar)"]
    )


def test_branch_and_join_depth_is_the_longest_path():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    out = (a * b + a.exp()).sum()
    nodes, edges = autograd_graph(out, names={"a": a, "b": b})
    by_label = {}
    for n in nodes:
        by_label.setdefault(n.label, []).append(n)
    assert set(by_label) == {"SumBackward0", "AddBackward0", "MulBackward0", "ExpBackward0",
                             "AccumulateGrad (a)", "AccumulateGrad (b)"}
    leaf_a = by_label["AccumulateGrad (a)"][0]
    # a is reached from Mul and from Exp: one node, two incoming edges
    assert len(by_label["AccumulateGrad (a)"]) == 1
    assert sum(1 for _, dst in edges if dst == leaf_a.id) == 2
    assert leaf_a.depth == 3 and by_label["AddBackward0"][0].depth == 1
    for src, dst in edges:
        assert nodes[dst].depth > nodes[src].depth
    assert len(edges) == len(set(edges))


def test_inputs_without_grad_are_left_out():
    x = torch.tensor([1.0], requires_grad=True)
    c = torch.tensor([2.0])
    nodes, edges = autograd_graph((x * c).sum(), names={"x": x})
    assert labels(nodes) == ["SumBackward0", "MulBackward0", "AccumulateGrad (x)"]
    assert edges == [(0, 1), (1, 2)]


def test_matches_a_manual_walk_of_next_functions():
    x, y, z, out = seed_example()
    fn, walked = out.grad_fn, []
    while fn is not None:
        walked.append(type(fn).__name__)
        nxt = [f for f, _ in getattr(fn, "next_functions", ()) if f is not None]
        fn = nxt[0] if nxt else None
    nodes, _ = autograd_graph(out)
    assert [n.label.split(" ")[0] for n in nodes] == walked


def lenet_loss():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    loss = nn.MSELoss()(net(torch.randn(1, 1, 32, 32)), torch.randn(1, 10))
    return net, loss


def test_lenet_sized_graph():
    net, loss = lenet_loss()
    nodes, edges = autograd_graph(loss, names=dict(net.named_parameters()))
    leaves = [n.label for n in nodes if n.kind == "leaf"]
    assert len(leaves) == 10
    assert "AccumulateGrad (0.weight)" in leaves and "AccumulateGrad (11.bias)" in leaves
    assert nodes[0].label == "MseLossBackward0"
    assert 20 <= len(nodes) <= 40
    for src, dst in edges:
        assert nodes[dst].depth > nodes[src].depth


def test_draw_returns_figure_and_axes_with_one_box_per_node():
    x, y, z, out = seed_example()
    fig, ax = draw_autograd_graph(out, names={"x": x})
    assert fig is ax.figure
    nodes, edges = autograd_graph(out, names={"x": x})
    boxes = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert sorted(boxes) == sorted(labels(nodes))
    assert len(arrows) == len(edges)


def test_draw_into_given_axes_and_left_to_right():
    net, loss = lenet_loss()
    fig, axes = plt.subplots(1, 2)
    got_fig, got_ax = draw_autograd_graph(loss, ax=axes[1], direction="LR")
    assert got_fig is fig and got_ax is axes[1]
    nodes, edges = autograd_graph(loss)
    assert len(axes[1].texts) == len(nodes) + len(edges)
    assert not axes[0].texts


def test_leaf_tensor_has_no_graph():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="leaf tensor"):
        autograd_graph(x)
    with pytest.raises(ValueError, match="leaf tensor"):
        draw_autograd_graph(x)


def test_tensor_without_grad_has_no_graph():
    with pytest.raises(ValueError, match="requires_grad=False"):
        autograd_graph(torch.ones(2) * 2)
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    with pytest.raises(ValueError, match="no_grad"):
        autograd_graph(y)


@pytest.mark.parametrize("bad", [None, [1.0, 2.0], 3.0, "loss"])
def test_non_tensor_input_is_rejected(bad):
    with pytest.raises(TypeError, match="autograd_graph expects a torch.Tensor, got"):
        autograd_graph(bad)
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        draw_autograd_graph(bad)


@pytest.mark.parametrize("names", [["x"], {"x": [1.0]}, {1: torch.ones(1)}])
def test_bad_names_are_rejected(names):
    x, y, z, out = seed_example()
    with pytest.raises(TypeError, match="names"):
        autograd_graph(out, names=names)


def test_bad_drawing_arguments_are_rejected():
    x, y, z, out = seed_example()
    with pytest.raises(ValueError, match="direction 'TB' or 'LR', got 'up'"):
        draw_autograd_graph(out, direction="up")
    with pytest.raises(ValueError, match="max_nodes as a positive int"):
        draw_autograd_graph(out, max_nodes=0)
    with pytest.raises(TypeError, match="ax as a matplotlib Axes"):
        draw_autograd_graph(out, ax="axes")
    with pytest.raises(ValueError, match="at most max_nodes=3 nodes, but this graph has 5"):
        draw_autograd_graph(out, max_nodes=3)


def test_draw_describes_the_nodes_from_the_output_to_the_leaves():
    from helpers.alt_text import alt_text

    x, y, z, out = seed_example()
    fig, _ax = draw_autograd_graph(out, names={"x": x, "y": y, "out": out})
    assert alt_text(fig) == ("A backward graph of 5 nodes, from the output to the leaves: MeanBackward0 → out, "
                             "MulBackward0, MulBackward0, AddBackward0 → y, AccumulateGrad (x).")


def test_a_large_graph_is_described_by_its_size_output_and_leaves_and_each_subplot_by_itself():
    import helpers
    from helpers.alt_text import alt_text

    from helpers.graph import _describe_graph

    net, loss = lenet_loss()
    nodes, _edges = autograd_graph(loss, names=dict(net.named_parameters()))
    text = _describe_graph(nodes)
    assert text.startswith(f"A backward graph of {len(nodes)} nodes in {max(n.depth for n in nodes) + 1} levels, "
                           "from the output MseLossBackward0 down to 10 leaves: 11.bias, ")
    assert text.endswith(", 0.bias.") and len(text) < 250
    x, y, z, out = seed_example()
    a = torch.ones(2, requires_grad=True)
    fig, axes = plt.subplots(1, 2)
    draw_autograd_graph(out, ax=axes[0])
    draw_autograd_graph(a.sum(), ax=axes[1], names={"a": a})
    assert alt_text(fig) == ("A backward graph of 5 nodes, from the output to the leaves: MeanBackward0, "
                             "MulBackward0, MulBackward0, AddBackward0, AccumulateGrad (2×2). A backward graph of 2 "
                             "nodes, from the output to the leaves: SumBackward0, AccumulateGrad (a).")
    helpers.set_language("zh")
    try:
        _fig, ax = draw_autograd_graph(out)
        assert alt_text(ax.figure).startswith("反向传播的计算图，共 5 个节点，从输出到叶子依次是：MeanBackward0、")
    finally:
        helpers.set_language("en")
