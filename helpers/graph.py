"""Walk the autograd graph behind a tensor (``grad_fn`` → ``next_functions``) and draw it with matplotlib."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from helpers.alt_text import describe, listing
from helpers.i18n import _

_DIRECTIONS = ("TB", "LR")
_LEAF = "AccumulateGrad"


@dataclass(frozen=True)
class GraphNode:
    """One Function in the backward graph; ``depth`` is its longest distance from the root."""

    id: int
    label: str
    kind: str  # "function" (a backward Function) or "leaf" (AccumulateGrad: writes a leaf's .grad)
    depth: int


def _check_names(names: Mapping[str, torch.Tensor] | None, caller: str) -> dict[int, str]:
    """Validate ``names`` (name → tensor) and return a map from tensor id to name."""
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(
            f"{caller} expects names as a dict mapping names to tensors, e.g. {{'x': x}}, "
            f"got {type(names).__name__}"
        )
    by_id: dict[int, str] = {}
    for key, value in names.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{caller} expects names as a dict mapping str names to tensors, e.g. {{'x': x}}, "
                f"got an entry {key!r}: {type(value).__name__}"
            )
        by_id[id(value)] = key
    return by_id


def _shape_text(tensor: torch.Tensor) -> str:
    return "×".join(str(s) for s in tensor.shape) or "scalar"


def autograd_graph(
    tensor: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> tuple[list[GraphNode], list[tuple[int, int]]]:
    """Return ``(nodes, edges)`` of the backward graph that ends in ``tensor``.

    Args:
        tensor: a tensor with a ``grad_fn`` (the result of operations on tensors with
            ``requires_grad=True``). A tensor without one has no graph: ValueError.
        names: optional ``{"x": x, "y": y}``; a leaf's node reads ``AccumulateGrad (x)``, the
            Function that made a named non-leaf reads ``AddBackward0 → y``. Unnamed leaves show
            their shape, e.g. ``AccumulateGrad (6×1×5×5)``.

    Returns:
        nodes: node 0 is ``tensor.grad_fn``; the others in breadth-first order.
        edges: ``(a, b)`` when node ``b`` is in node ``a``'s ``next_functions``, i.e. the gradient
            flows from ``a`` to ``b``; each pair once (``y * y`` gives one edge, not two).
            Inputs that need no gradient (``None`` in ``next_functions``) are left out.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"autograd_graph expects a torch.Tensor, got {type(tensor).__name__}")
    by_id = _check_names(names, "autograd_graph")
    root = tensor.grad_fn
    if root is None:
        if tensor.requires_grad:
            raise ValueError(
                "autograd_graph expects a tensor with a grad_fn, got a leaf tensor (requires_grad=True, "
                "grad_fn=None): nothing was computed from it yet; pass a result computed from it instead"
            )
        raise ValueError(
            "autograd_graph expects a tensor with a grad_fn, got a tensor with requires_grad=False: "
            "autograd recorded no graph; set requires_grad=True on the inputs before computing it "
            "(and not inside torch.no_grad())"
        )

    # Breadth-first walk; keep the Function objects alive so their ids stay unique.
    functions: list[Any] = [root]
    index: dict[int, int] = {id(root): 0}
    edges: list[tuple[int, int]] = []
    seen_edges: set[tuple[int, int]] = set()
    cursor = 0
    while cursor < len(functions):
        fn = functions[cursor]
        for child, _input_nr in getattr(fn, "next_functions", ()):
            if child is None:
                continue
            if id(child) not in index:
                index[id(child)] = len(functions)
                functions.append(child)
            edge = (cursor, index[id(child)])
            if edge not in seen_edges:
                seen_edges.add(edge)
                edges.append(edge)
        cursor += 1

    # Longest-path depth from the root (Kahn's order), so every edge points one way in a drawing.
    indegree = [0] * len(functions)
    children: list[list[int]] = [[] for _ in functions]
    for a, b in edges:
        indegree[b] += 1
        children[a].append(b)
    depth = [0] * len(functions)
    ready = deque(i for i, d in enumerate(indegree) if d == 0)
    while ready:
        a = ready.popleft()
        for b in children[a]:
            depth[b] = max(depth[b], depth[a] + 1)
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)

    makers = [(t.grad_fn, name) for name, t in (names or {}).items() if t.grad_fn is not None]
    nodes = []
    for i, fn in enumerate(functions):
        kind_name = type(fn).__name__
        if kind_name == _LEAF:
            leaf = fn.variable
            label = f"{_LEAF} ({by_id.get(id(leaf), _shape_text(leaf))})"
            kind = "leaf"
        else:
            label = kind_name
            made = [name for maker, name in makers if maker is fn]
            if made:
                label += " → " + ", ".join(made)
            kind = "function"
        nodes.append(GraphNode(i, label, kind, depth[i]))
    return nodes, edges


def _positions(nodes: list[GraphNode], edges: list[tuple[int, int]]) -> dict[int, tuple[float, float]]:
    """Place nodes in one row per depth, ordered to keep each node near its parents."""
    levels: dict[int, list[int]] = {}
    for node in nodes:
        levels.setdefault(node.depth, []).append(node.id)
    parents: dict[int, list[int]] = {n.id: [] for n in nodes}
    for a, b in edges:
        parents[b].append(a)
    slot: dict[int, float] = {}
    width = max(len(ids) for ids in levels.values())
    for depth in sorted(levels):
        ids = levels[depth]
        if depth > 0:
            ids.sort(key=lambda i: (sum(slot[p] for p in parents[i]) / max(len(parents[i]), 1), i))
        offset = (width - len(ids)) / 2
        for k, i in enumerate(ids):
            slot[i] = offset + k
    return {i: (slot[i], float(nodes[i].depth)) for i in slot}


def draw_autograd_graph(
    tensor: torch.Tensor,
    ax: Any = None,
    names: Mapping[str, torch.Tensor] | None = None,
    direction: str = "TB",
    max_nodes: int = 200,
) -> tuple[Any, Any]:
    """Draw the backward graph of ``tensor`` with matplotlib and return ``(fig, ax)``.

    Args:
        tensor: a tensor with a ``grad_fn``, e.g. a loss.
        ax: a matplotlib Axes to draw in; None makes a new figure sized to the graph.
        names: optional ``{"x": x}`` to label leaves and named results (see :func:`autograd_graph`).
        direction: "TB" puts the root at the top and the leaves below; "LR" puts the root at the
            left. Arrows follow the gradient, from the root towards the leaves.
        max_nodes: refuse graphs larger than this (a drawing of thousands of nodes is unreadable).
    """
    import matplotlib.pyplot as plt

    if direction not in _DIRECTIONS:
        raise ValueError(f"draw_autograd_graph expects direction 'TB' or 'LR', got {direction!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_autograd_graph expects max_nodes as a positive int, got {max_nodes!r}")
    if ax is not None and not hasattr(ax, "annotate"):
        raise TypeError(f"draw_autograd_graph expects ax as a matplotlib Axes or None, got {type(ax).__name__}")
    nodes, edges = autograd_graph(tensor, names=names)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_autograd_graph draws at most max_nodes={max_nodes} nodes, but this graph has {len(nodes)}; "
            f"raise max_nodes or use autograd_graph(tensor) to inspect it as data"
        )
    where = _positions(nodes, edges)
    depth_count = max(n.depth for n in nodes) + 1
    width_count = max(x for x, _ in where.values()) + 1
    if direction == "LR":
        points = {i: (d * 3.0, -x) for i, (x, d) in where.items()}
        size = (max(4.0, 2.6 * depth_count), max(2.0, 0.8 * width_count + 0.6))
    else:
        points = {i: (x * 3.0, -d) for i, (x, d) in where.items()}
        size = (max(4.0, 2.6 * width_count), max(2.0, 0.75 * depth_count + 0.6))
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    colors = {"function": "#fde2c8", "leaf": "#cfe3f7"}
    texts = {}
    for node in nodes:
        x, y = points[node.id]
        texts[node.id] = ax.text(
            x, y, node.label, ha="center", va="center", fontsize=8, zorder=3,
            bbox=dict(boxstyle="round,pad=0.35", fc=colors[node.kind], ec="#444444", lw=0.8),
        )
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    half = _half_sizes(fig, ax, texts)
    for a, b in edges:
        start, end = _clip(points[a], points[b], half[a]), _clip(points[b], points[a], half[b])
        ax.annotate(
            "", xy=end, xytext=start,
            arrowprops=dict(arrowstyle="-|>", color="#555555", shrinkA=1, shrinkB=1, lw=1.0),
        )
    describe(ax, _describe_graph(nodes))
    return fig, ax


def _describe_graph(nodes: list[GraphNode]) -> str:
    """One sentence for a reader who cannot see the drawing: the nodes from the output to the leaves.

    A graph too large to list node by node is described by its size, its output and its leaves.
    """
    labels = [node.label for node in nodes]
    if len(", ".join(labels)) <= 170:
        return _("A backward graph of {count} nodes, from the output to the leaves: {nodes}.").format(
            count=len(nodes), nodes=listing(labels, limit=170))
    leaves = [node.label.removeprefix(f"{_LEAF} (").removesuffix(")") for node in nodes if node.kind == "leaf"]
    return _(
        "A backward graph of {count} nodes in {levels} levels, from the output {root} down to {leaves} leaves: "
        "{names}."
    ).format(count=len(nodes), levels=max(n.depth for n in nodes) + 1, root=labels[0], leaves=len(leaves),
             names=listing(leaves))


def _half_sizes(fig: Any, ax: Any, texts: dict[int, Any]) -> dict[int, tuple[float, float]]:
    """Half width and height of each label's box, in data units (measured after a draw)."""
    fig.canvas.draw()
    to_data = ax.transData.inverted()
    half = {}
    for i, text in texts.items():
        box = text.get_bbox_patch().get_window_extent()
        (x0, y0), (x1, y1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
        half[i] = (abs(x1 - x0) / 2, abs(y1 - y0) / 2)
    return half


def _clip(center: tuple[float, float], toward: tuple[float, float], half: tuple[float, float]) -> tuple[float, float]:
    """The point where the segment from ``center`` to ``toward`` leaves a box of the given half sizes."""
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    scales = [h / abs(d) for h, d in zip(half, (dx, dy)) if d != 0]
    t = min([1.0, *scales])
    return center[0] + t * dx, center[1] + t * dy
