"""A learning-rate slider that re-runs a short training and plots its loss curve, divergence included.

The problem is a small linear regression trained with plain SGD, so every run takes milliseconds
and a too-large learning rate makes the loss explode to ``inf`` and then ``nan``. The widget only
calls the plain functions below, which the tests call directly.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.ticker import LogFormatter
from torch import nn

from helpers.alt_text import describe, sentences
from helpers.i18n import _

N_SAMPLES = 256
N_FEATURES = 8
DATA_SEED = 0
MAX_STEPS = 500


# How a learning rate is shown, next to the slider and in the plot's title alike: 3 significant digits, trailing zeros
# dropped (1.58, 0.1, 0.005). The slider's own readout (JavaScript's d3-format) would show 0.1 as "0.100", and
# ipywidgets accepts no format that drops the zeros, so the slider shows a label that this module writes instead.
LR_FORMAT = ".3g"


def format_lr(lr: float) -> str:
    """The learning rate as the slider shows it (3 significant digits: 1.58, 0.005, 3)."""
    return format(_check_lr(lr), LR_FORMAT)


def _check_lr(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number such as 0.1, got {lr!r}")
    return float(lr)


def _check_steps(steps: object) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an int from 1 to {MAX_STEPS}, got {steps!r}")
    return steps


def make_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """Return the fixed regression data (X of shape (256, 8), y of shape (256, 1)), the same on every call."""
    g = torch.Generator().manual_seed(DATA_SEED)
    X = torch.randn(N_SAMPLES, N_FEATURES, generator=g)
    true_w = torch.randn(N_FEATURES, 1, generator=g)
    y = X @ true_w + 0.1 * torch.randn(N_SAMPLES, 1, generator=g)
    return X, y


def divergence_threshold() -> float:
    """Return the learning rate above which plain SGD on this problem diverges (2 / largest curvature)."""
    X, _ = make_problem()
    hessian = 2.0 * X.double().T @ X.double() / N_SAMPLES
    return 2.0 / torch.linalg.eigvalsh(hessian).max().item()


def short_training(lr: float, steps: int = 30) -> list[float]:
    """Train a linear model from zero weights with SGD(lr) for ``steps`` steps; return the loss before each step.

    When ``lr`` is too large the list grows without bound and ends in ``inf`` or ``nan``.
    """
    lr, steps = _check_lr(lr), _check_steps(steps)
    X, y = make_problem()
    with torch.random.fork_rng(devices=[]):  # the weights are zeroed below: leave the caller's RNG where it was
        model = nn.Linear(N_FEATURES, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.MSELoss()
    losses = []
    for _step in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            break
        loss.backward()
        optimizer.step()
    losses += [float("nan")] * (steps - len(losses))
    return losses


def _verdict(losses: list[float]) -> str:
    """The run's verdict as a key, in English: the plot's title uses it as it is, describe_run translates it."""
    if not isinstance(losses, (list, tuple)) or not losses or not all(isinstance(v, (int, float)) for v in losses):
        raise ValueError(f"losses must be a non-empty list of numbers (from short_training), got {losses!r}")
    first, last = losses[0], losses[-1]
    if not all(math.isfinite(v) for v in losses):
        return "diverged"
    if last > first:
        return "diverging"
    if last > 0.5 * first:
        return "too slow"
    ups = sum(1 for a, b in zip(losses, losses[1:]) if b > a * 1.01)
    return "converged, but it bounced up" if ups else "converged"


def describe_run(losses: list[float]) -> str:
    """Return one line saying whether a loss curve converged, is still slow, oscillated or diverged."""
    verdict = _verdict(losses)
    first, last, steps = f"{losses[0]:.3g}", f"{losses[-1]:.3g}", len(losses)
    if verdict == "diverged":
        bad = next(i for i, v in enumerate(losses) if not math.isfinite(v))
        return _("diverged: the loss became {value} at step {step} (started at {first})").format(
            value=losses[bad], step=bad, first=first)
    if verdict == "diverging":
        text = _("diverging: the loss grew from {first} to {last} in {steps} steps")
    elif verdict == "too slow":
        text = _("too slow: the loss only went from {first} to {last} in {steps} steps")
    elif verdict == "converged, but it bounced up":
        text = _("converged, but it bounced up: the loss went from {first} to {last} in {steps} steps")
    else:
        text = _("converged: the loss went from {first} to {last} in {steps} steps")
    return text.format(first=first, last=last, steps=steps)


def plot_short_training(lr: float, steps: int = 30, ax: Axes | None = None) -> Axes:
    """Run :func:`short_training` and plot its loss curve on a log scale, marking where it blew up."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    losses = short_training(lr, steps)
    if ax is None:
        _fig, ax = plt.subplots(figsize=(5.5, 3.2))
    finite = [(i, v) for i, v in enumerate(losses) if math.isfinite(v)]
    if finite:
        xs, ys = zip(*finite)
        ax.plot(xs, ys, marker="o", markersize=3)
    bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    if bad is not None:
        ax.axvline(bad, color="tab:red", linestyle="--")
        where = ax.get_xaxis_transform()
        if bad < 0.6 * steps:  # room on the right, above the empty end of the plot
            ax.text(bad, 0.97, f" {losses[bad]} here", color="tab:red", va="top", transform=where)
        else:  # a late blow-up: the label goes left of the line, under the climbing curve
            ax.text(bad, 0.03, f"{losses[bad]} here ", color="tab:red", ha="right", transform=where)
    ax.set_yscale("log")
    # within one decade the in-between ticks get labels: plain "6", not a hard-to-read "6x10^0"
    ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    ax.set_xlim(-0.5, steps - 0.5)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log scale)")
    ax.set_title(f"lr = {format_lr(lr)}: {_verdict(losses)}", fontsize=10)  # English: no CJK font for plots
    ax.grid(alpha=0.3)
    run = describe_run(losses)
    describe(ax, sentences(
        _("A loss curve on a log scale for lr = {lr}.").format(lr=format_lr(lr)),
        run[:1].upper() + run[1:],
        _("A red dashed line marks that step.") if bad is not None else "",
    ))
    return ax


_SLIDER_DECADES = (-3, 1)  # the slider runs from 10**-3 to 10**1 unless the starting lr lies outside


def _slider_decades(lr: float) -> tuple[int, int]:
    """The slider's range as powers of ten: 0.001 to 10, widened to whole decades that hold ``lr`` (lr=100: to 100).

    An ipywidgets slider silently clamps a value outside its range (lr=100 would start at 10), so the range
    grows instead: the widget starts where the learner asked.
    """
    exponent = math.log10(_check_lr(lr))
    return min(_SLIDER_DECADES[0], math.floor(exponent)), max(_SLIDER_DECADES[1], math.ceil(exponent))


def learning_rate_explorer(lr: float = 0.1, steps: int = 30) -> Any:
    """Return a widget: a log-scale learning-rate slider that redraws the loss curve of a short training.

    The slider runs from 0.001 to 10, or further when ``lr`` lies outside (see ``_slider_decades``).
    """
    import ipywidgets as widgets

    from helpers.widgets.live import LiveBox

    lr, steps = _check_lr(lr), _check_steps(steps)
    low, high = _slider_decades(lr)
    slider = widgets.FloatLogSlider(
        value=lr, base=10, min=low, max=high, step=0.05, description="lr", continuous_update=False, readout=False,
        layout=widgets.Layout(width="380px"),
    )
    readout = widgets.Label(format_lr(slider.value))
    out = widgets.Output()

    def redraw(change: Any = None) -> None:
        readout.value = format_lr(slider.value)  # the same text as the plot's title
        with out:
            out.clear_output(wait=True)
            losses = short_training(slider.value, steps)
            print(describe_run(losses))
            fig, ax = plt.subplots(figsize=(5.5, 3.2))
            plot_short_training(slider.value, steps, ax=ax)
            plt.show()
            plt.close(fig)

    slider.observe(redraw, names="value")
    redraw()
    return LiveBox(
        [widgets.HBox([slider, readout]), out],
        what=_("a learning-rate slider that re-trains and redraws the loss curve"),
    )
