"""An interactive vector-Jacobian product: choose v, compare ``x.grad`` from ``y.backward(gradient=v)`` with ``v @ J``."""

from __future__ import annotations

import math
from typing import Any, Sequence

import torch

from helpers.alt_text import describe, number
from helpers.i18n import _

FORMULA = "y = f(x) = [x0·x1, x1 + x2²]"
DEFAULT_X = (1.0, 2.0, 3.0)
FIGSIZE = (7.2, 3.6)  # inches: at 100 dpi 720 px, under helpers.plot.MAX_WIDTH
NUMBER_PT = 13  # the numbers in the cells
TEXT_PT = 12  # titles and the note: 12 pt is 17 px at 100 dpi, capitals about 12 px high
DPI = 100  # the widget's picture, drawn at the inline backend's resolution so it shows at the same size


def f(x: torch.Tensor) -> torch.Tensor:
    """The example function from R³ to R²: ``[x0 * x1, x1 + x2 ** 2]``."""
    if not isinstance(x, torch.Tensor) or tuple(x.shape) != (3,):
        got = f"a tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"f expects x as a tensor of shape (3,), got {got}")
    return torch.stack([x[0] * x[1], x[1] + x[2] ** 2])


def _numbers(value: Any, size: int, what: str, caller: str) -> torch.Tensor:
    """Turn ``value`` (a sequence or 1-D tensor of ``size`` finite reals) into a float64 tensor."""
    if isinstance(value, torch.Tensor):
        items = value.detach().cpu().reshape(-1).tolist() if value.dim() == 1 else None
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = None
    ok = (
        items is not None
        and len(items) == size
        and all(isinstance(i, (int, float)) and not isinstance(i, bool) and math.isfinite(i) for i in items)
    )
    if not ok:
        raise ValueError(f"{caller} expects {what} as {size} finite numbers (a tuple, list or 1-D tensor), got {value!r}")
    return torch.tensor([float(i) for i in items], dtype=torch.float64)


def vjp_numbers(v: Sequence[float] | torch.Tensor, x: Sequence[float] | torch.Tensor = DEFAULT_X) -> dict[str, torch.Tensor]:
    """Return x, y, the Jacobian J, v, ``x.grad`` after ``y.backward(gradient=v)``, and ``v @ J`` (float64)."""
    v_t = _numbers(v, 2, "v", "vjp_numbers")
    x_leaf = _numbers(x, 3, "x", "vjp_numbers").requires_grad_(True)
    jac = torch.autograd.functional.jacobian(f, x_leaf.detach())
    y = f(x_leaf)
    y.backward(gradient=v_t)
    return {"x": x_leaf.detach(), "y": y.detach(), "J": jac, "v": v_t, "grad": x_leaf.grad, "vJ": v_t @ jac}


def _row(t: torch.Tensor) -> str:
    return "[" + " ".join(f"{float(value) + 0.0:6.2f}" for value in t) + " ]"


def vjp_report(v: Sequence[float] | torch.Tensor, x: Sequence[float] | torch.Tensor = DEFAULT_X) -> str:
    """Return the text the VJP widget shows for ``v`` (2 numbers) at the point ``x`` (3 numbers)."""
    n = vjp_numbers(v, x)
    same = torch.allclose(n["grad"], n["vJ"])
    v0, v1 = (float(a) + 0.0 for a in n["v"])
    if same:
        verdict = _("same numbers ✓  x.grad is the gradient of v·y = {v0}·y0 {sign} {v1}·y1")
    else:
        verdict = _("DIFFERENT numbers ✗  x.grad is the gradient of v·y = {v0}·y0 {sign} {v1}·y1")
    lines = [
        _("{formula}   at x = {x}   →   y = {y}").format(formula=FORMULA, x=_row(n["x"]), y=_row(n["y"])),
        "",
        _("J = ∂y/∂x, shape (2, 3): row i holds the gradient of y_i"),
        f"    {_row(n['J'][0])}",
        f"    {_row(n['J'][1])}",
        f"v = {_row(n['v'])}",
        "",
        f"y.backward(gradient=v)  →  x.grad = {_row(n['grad'])}",
        f"v @ J                   →           {_row(n['vJ'])}",
        verdict.format(v0=f"{v0:.2f}", sign="-" if v1 < 0 else "+", v1=f"{abs(v1):.2f}"),
    ]
    return "\n".join(lines)


def draw_vjp(v: Sequence[float] | torch.Tensor, x: Sequence[float] | torch.Tensor = DEFAULT_X, fig: Any = None) -> Any:
    """Draw v, the Jacobian J and v @ J as coloured grids with their numbers; return the Figure.

    Args:
        fig: an empty matplotlib Figure to draw in; None makes a new pyplot figure.
    """
    n = vjp_numbers(v, x)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=FIGSIZE)
    elif not hasattr(fig, "add_gridspec"):
        raise TypeError(f"draw_vjp expects fig as a matplotlib Figure or None, got {type(fig).__name__}")
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 3], height_ratios=[2, 1], wspace=0.2, hspace=0.7)
    panels = [
        (fig.add_subplot(grid[0, 0]), n["v"].reshape(2, 1), "v (weights)"),
        (fig.add_subplot(grid[0, 1]), n["J"], "J = ∂y/∂x (row i: gradient of y_i)"),
        (fig.add_subplot(grid[1, 1]), n["vJ"].reshape(1, 3), "v @ J = x.grad"),
    ]
    limit = max(1.0, max(float(t.abs().max()) for _ax, t, _title in panels))
    for ax, values, title in panels:
        ax.imshow(values.numpy(), cmap="coolwarm", vmin=-limit, vmax=limit)
        for (row, col), value in zip(
            [(r, c) for r in range(values.shape[0]) for c in range(values.shape[1])], values.reshape(-1).tolist()
        ):
            color = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(col, row, f"{value + 0.0:.2f}", ha="center", va="center", fontsize=NUMBER_PT, color=color)
        ax.set_title(title, fontsize=TEXT_PT)
        ax.set_xticks([])
        ax.set_yticks([])
    note = fig.add_subplot(grid[1, 0])
    note.set_axis_off()
    note.text(0.5, 0.5, "v[0]·row 0\n+ v[1]·row 1", ha="center", va="center", fontsize=TEXT_PT)
    return describe(fig, _(
        "Three coloured grids with their numbers: v = {v}; the 2×3 Jacobian J = {J}, whose row i is the gradient of "
        "y_i; and v @ J = x.grad = {vJ}, which adds v[0] times row 0 and v[1] times row 1."
    ).format(v=_vector(n["v"]), J="[" + ", ".join(_vector(row) for row in n["J"]) + "]", vJ=_vector(n["vJ"])))


def _vector(t: torch.Tensor) -> str:
    return "[" + ", ".join(number(float(value) + 0.0) for value in t) + "]"


def vjp_explorer(v: Sequence[float] = (1.0, 0.0)) -> Any:
    """Return an ipywidgets box: two sliders for v, the report from :func:`vjp_report` and its picture."""
    import ipywidgets as widgets

    from helpers.widgets.live import LiveBox, png_output
    from matplotlib.figure import Figure

    start = _numbers(v, 2, "v", "vjp_explorer").tolist()
    if not all(-3.0 <= a <= 3.0 for a in start):
        raise ValueError(f"vjp_explorer expects v with both numbers in [-3, 3] (the slider range), got {v!r}")
    sliders = [
        widgets.FloatSlider(value=a, min=-3.0, max=3.0, step=0.5, description=f"v[{i}]", continuous_update=False)
        for i, a in enumerate(start)
    ]
    out = widgets.Output()

    def update(_: Any = None) -> None:
        chosen = [s.value for s in sliders]
        picture = png_output(draw_vjp(chosen, fig=Figure(figsize=FIGSIZE)), dpi=DPI)
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": vjp_report(chosen) + "\n"}, picture)

    for slider in sliders:
        slider.observe(update, names="value")
    update()
    return LiveBox([widgets.HBox(sliders), out], what=_("sliders that set v, with x.grad and v @ J below"))
