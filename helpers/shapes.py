"""Tracing the output shape of every layer of a model with forward hooks, as a table."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from helpers.i18n import _


@dataclass(frozen=True)
class LayerShape:
    """One layer call seen during a trace: its name, type, output shape and parameter count."""

    name: str
    kind: str
    output_shape: tuple[Any, ...]
    params: int


def _shape_of(output: Any) -> tuple[Any, ...]:
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return tuple(_shape_of(item) for item in output)
    return ()


def trace_shapes(model: nn.Module, example_input: torch.Tensor) -> list[LayerShape]:
    """Run ``example_input`` through ``model`` and return one row per layer call, in the order they ran.

    Only leaf modules (layers with no sub-layers) are listed; functions called inside ``forward``
    (``F.relu``, ``F.max_pool2d``, ``torch.flatten``) are not modules and so do not appear.
    The forward hooks are removed afterwards, even when the model raises.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"trace_shapes expects an nn.Module as model, got {type(model).__name__}")
    if not isinstance(example_input, torch.Tensor):
        raise TypeError(
            f"trace_shapes expects a tensor as example_input (e.g. torch.randn(1, 1, 32, 32)), "
            f"got {type(example_input).__name__}"
        )
    leaves = [(name, module) for name, module in model.named_modules() if not any(module.children())]
    rows: list[LayerShape] = []

    def make_hook(name: str):
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            params = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(LayerShape(name or type(module).__name__, type(module).__name__, _shape_of(output), params))

        return hook

    handles = [module.register_forward_hook(make_hook(name)) for name, module in leaves]
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for handle in handles:
            handle.remove()
    return rows


def _format_shape(shape: tuple[Any, ...]) -> str:
    if all(isinstance(s, int) for s in shape):
        return "(" + ", ".join(str(s) for s in shape) + ")"
    return "(" + ", ".join(_format_shape(s) for s in shape) + ")"


def format_shape_table(rows: list[LayerShape], input_shape: tuple[int, ...] | None = None) -> str:
    """Render rows from :func:`trace_shapes` as a plain-text table, with an input row and a parameter total."""
    if not isinstance(rows, list) or not all(isinstance(r, LayerShape) for r in rows):
        raise TypeError(f"rows must be the list returned by trace_shapes, got {type(rows).__name__}")
    if input_shape is not None and (
        not isinstance(input_shape, (tuple, torch.Size)) or not all(isinstance(s, int) for s in input_shape)
    ):
        raise TypeError(f"input_shape must be a tuple of ints such as (1, 1, 32, 32), got {input_shape!r}")
    table = [(_("layer"), _("type"), _("output shape"), _("params"))]
    if input_shape is not None:
        table.append((_("input"), "", _format_shape(tuple(input_shape)), ""))
    seen: set[str] = set()
    total = 0
    for row in rows:
        table.append((row.name, row.kind, _format_shape(row.output_shape), f"{row.params:,}"))
        if row.name not in seen:
            seen.add(row.name)
            total += row.params
    table.append((_("total"), "", "", f"{total:,}"))
    widths = [max(_width(line[i]) for line in table) for i in range(4)]

    def render(line: tuple[str, str, str, str]) -> str:
        return "  ".join(
            _pad(cell, width, right=i == 3) for i, (cell, width) in enumerate(zip(line, widths))
        ).rstrip()

    rule = "-" * (sum(widths) + 6)
    lines = [render(table[0]), rule, *(render(line) for line in table[1:-1]), rule, render(table[-1])]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: Chinese characters (of translated headers) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad ``text`` with spaces to ``width`` columns, aligned left (or right)."""
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def shape_table(model: nn.Module, example_input: torch.Tensor) -> str:
    """Trace ``model`` on ``example_input`` and return the table of layer output shapes as text."""
    rows = trace_shapes(model, example_input)
    return format_shape_table(rows, tuple(example_input.shape))
