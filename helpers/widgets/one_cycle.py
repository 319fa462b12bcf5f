"""The one-cycle learning-rate schedule, as PyTorch's ``OneCycleLR`` really steps it, and a widget to explore it.

``one_cycle_schedule`` builds SGD with Nesterov momentum over one dummy parameter, attaches a real
``torch.optim.lr_scheduler.OneCycleLR`` and steps both, recording the learning rate and the momentum each
``optimizer.step()`` uses: nothing here re-implements the formula. The widget only calls the plain
functions below, which the tests call directly.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from helpers.alt_text import describe, number
from helpers.i18n import _

MAX_TOTAL_STEPS = 100_000

# the explorer's slider ranges
LR_RANGE = (1e-3, 10.0)
PCT_RANGE = (0.05, 0.95)
STEPS_RANGE = (50, 5000)


def _check_positive(value: object, name: str, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number such as {example}, got {value!r}")
    return float(value)


def _check_total_steps(total_steps: object) -> int:
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or not 2 <= total_steps <= MAX_TOTAL_STEPS:
        raise ValueError(f"total_steps must be an int from 2 to {MAX_TOTAL_STEPS}, got {total_steps!r}")
    return total_steps


def _check_pct_start(pct_start: object) -> float:
    if (isinstance(pct_start, bool) or not isinstance(pct_start, (int, float)) or not math.isfinite(pct_start)
            or not 0 < pct_start < 1):
        raise ValueError(f"pct_start must be a number strictly between 0 and 1 such as 0.3, got {pct_start!r}")
    return float(pct_start)


def _check_all(
    max_lr: object, total_steps: object, pct_start: object, div_factor: object, final_div_factor: object,
) -> tuple[float, int, float, float, float]:
    max_lr = _check_positive(max_lr, "max_lr", "0.2")
    total_steps = _check_total_steps(total_steps)
    pct_start = _check_pct_start(pct_start)
    div_factor = _check_positive(div_factor, "div_factor", "25.0")
    final_div_factor = _check_positive(final_div_factor, "final_div_factor", "1e4")
    # OneCycleLR's warm-up ends at step pct_start * total_steps - 1: at 0 it divides by zero, below 1 the
    # peak falls between steps 0 and 1 and the rate never rises
    if pct_start * total_steps < 2:
        raise ValueError(
            "pct_start * total_steps must be at least 2 so the warm-up lasts at least one step, "
            f"got pct_start={pct_start!r} and total_steps={total_steps!r} ({pct_start * total_steps:g})"
        )
    return max_lr, total_steps, pct_start, div_factor, final_div_factor


def one_cycle_schedule(
    max_lr: float, total_steps: int, pct_start: float = 0.3, div_factor: float = 25.0, final_div_factor: float = 1e4,
) -> tuple[list[float], list[float]]:
    """Return the learning rate and the momentum that each of ``total_steps`` SGD steps uses under ``OneCycleLR``.

    The rate starts at ``max_lr / div_factor``, rises to ``max_lr`` over the first ``pct_start`` of the steps,
    then falls to ``max_lr / (div_factor * final_div_factor)``; the momentum goes the other way (0.95, 0.85, 0.95).
    """
    max_lr, total_steps, pct_start, div_factor, final_div_factor = _check_all(
        max_lr, total_steps, pct_start, div_factor, final_div_factor
    )
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=max_lr, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=pct_start,
        div_factor=div_factor, final_div_factor=final_div_factor,
    )
    lrs, momentums = [], []
    for step in range(total_steps):
        group = optimizer.param_groups[0]
        lrs.append(float(group["lr"]))
        momentums.append(float(group["momentum"]))
        weight.grad = torch.zeros_like(weight)
        optimizer.step()
        if step < total_steps - 1:  # one more scheduler.step() would only set a rate no step uses
            scheduler.step()
    return lrs, momentums


def _peak_step(lrs: list[float]) -> int:
    return max(range(len(lrs)), key=lrs.__getitem__)


def _describe(lrs: list[float], momentums: list[float]) -> str:
    peak = _peak_step(lrs)
    return _(
        "warm-up: {peak} steps from lr {start} to {top}, then down to {final} in {down} steps; "
        "momentum {momentum_start} -> {momentum_peak} -> {momentum_final}"
    ).format(
        peak=peak, start=f"{lrs[0]:.3g}", top=f"{lrs[peak]:.3g}", final=f"{lrs[-1]:.3g}", down=len(lrs) - 1 - peak,
        momentum_start=f"{momentums[0]:.3g}", momentum_peak=f"{momentums[peak]:.3g}",
        momentum_final=f"{momentums[-1]:.3g}",
    )


def describe_one_cycle(
    max_lr: float, total_steps: int, pct_start: float = 0.3, div_factor: float = 25.0, final_div_factor: float = 1e4,
) -> str:
    """Return one line: how many warm-up steps, from which rate to which, then down to what in how many steps."""
    return _describe(*one_cycle_schedule(max_lr, total_steps, pct_start, div_factor, final_div_factor))


def _draw(ax: Axes, lrs: list[float], momentums: list[float]) -> Axes:
    steps = range(len(lrs))
    peak = _peak_step(lrs)
    ax.plot(steps, lrs, color="tab:blue")
    ax.set_ylim(0, 1.25 * lrs[peak])  # room at the top for the warm-up label
    ax.set_xlim(0, len(lrs) - 1)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate", color="tab:blue")
    ax.tick_params(axis="y", colors="tab:blue")

    twin = ax.twinx()
    twin.plot(steps, momentums, color="tab:orange", linestyle="--")
    low, high = min(momentums), max(momentums)
    margin = (high - low) / 2 or 0.05
    twin.set_ylim(low - margin, high + margin)
    twin.set_ylabel("momentum (dashed)", color="tab:orange")
    twin.tick_params(axis="y", colors="tab:orange")

    ax.axvline(peak, color="gray", linestyle=":")
    where = ax.get_xaxis_transform()
    if peak < 0.6 * (len(lrs) - 1):
        ax.text(peak, 0.97, f" warm-up ends at step {peak}", va="top", fontsize=9, transform=where)
    else:  # a late peak: the label goes left of the line
        ax.text(peak, 0.97, f"warm-up ends at step {peak} ", va="top", ha="right", fontsize=9, transform=where)
    ax.set_title(f"one-cycle: lr {lrs[0]:.3g} -> peak {lrs[peak]:.3g} -> final {lrs[-1]:.3g}", fontsize=10)
    ax.grid(alpha=0.3)
    return describe(ax, _(
        "The one-cycle schedule over {steps} steps: the learning rate (solid line) rises from {start} to {top} at "
        "step {peak}, then falls to {final}; the momentum (dashed) goes from {momentum_start} to {momentum_peak}, "
        "then to {momentum_final}."
    ).format(
        steps=len(lrs), start=number(lrs[0]), top=number(lrs[peak]), peak=peak, final=number(lrs[-1]),
        momentum_start=number(momentums[0]), momentum_peak=number(momentums[peak]),
        momentum_final=number(momentums[-1]),
    ))


def plot_one_cycle(
    max_lr: float, total_steps: int, pct_start: float = 0.3, ax: Axes | None = None,
    div_factor: float = 25.0, final_div_factor: float = 1e4,
) -> Axes:
    """Plot the learning rate (left axis) and the momentum (right axis, dashed) of a one-cycle schedule.

    Returns the learning-rate Axes; the momentum is on its twin, ``ax.figure.axes`` lists both.
    """
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    lrs, momentums = one_cycle_schedule(max_lr, total_steps, pct_start, div_factor, final_div_factor)
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
    return _draw(ax, lrs, momentums)


def one_cycle_explorer(max_lr: float = 0.2, total_steps: int = 970, pct_start: float = 0.3) -> Any:
    """Return a widget: sliders for the peak rate, the warm-up share and the step count, redrawing the schedule.

    The default 970 steps are 10 epochs of 97 batches of 512 CIFAR10 images.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from helpers.widgets.live import LiveBox, png_output

    max_lr, total_steps, pct_start = _check_all(max_lr, total_steps, pct_start, 25.0, 1e4)[:3]
    for name, value, (low, high) in [
        ("max_lr", max_lr, LR_RANGE), ("total_steps", total_steps, STEPS_RANGE), ("pct_start", pct_start, PCT_RANGE),
    ]:
        if not low <= value <= high:
            raise ValueError(f"one_cycle_explorer expects {name} from {low:g} to {high:g} (the slider range), "
                             f"got {value!r}")
    style = {"description_width": "80px"}
    layout = widgets.Layout(width="420px")
    lr_slider = widgets.FloatLogSlider(
        value=max_lr, base=10, min=math.log10(LR_RANGE[0]), max=math.log10(LR_RANGE[1]), step=0.05,
        description="max_lr", continuous_update=False, style=style, layout=layout,
    )
    pct_slider = widgets.FloatSlider(
        value=pct_start, min=PCT_RANGE[0], max=PCT_RANGE[1], step=0.05, readout_format=".2f",
        description="pct_start", continuous_update=False, style=style, layout=layout,
    )
    steps_slider = widgets.IntSlider(
        value=total_steps, min=STEPS_RANGE[0], max=STEPS_RANGE[1], step=10,
        description="total_steps", continuous_update=False, style=style, layout=layout,
    )
    out = widgets.Output()

    def redraw(change: Any = None) -> None:
        lrs, momentums = one_cycle_schedule(lr_slider.value, steps_slider.value, pct_slider.value)
        fig = Figure(figsize=(6.5, 3.2), layout="constrained")
        _draw(fig.add_subplot(), lrs, momentums)
        out.outputs = (
            {"output_type": "stream", "name": "stdout", "text": _describe(lrs, momentums) + "\n"},
            png_output(fig),
        )

    for slider in (lr_slider, pct_slider, steps_slider):
        slider.observe(redraw, names="value")
    redraw()
    return LiveBox(
        [lr_slider, pct_slider, steps_slider, out],
        what=_("sliders for OneCycleLR's peak rate, warm-up share and step count that redraw the schedule"),
    )
