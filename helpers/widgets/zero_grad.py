"""Training steps with and without ``zero_grad()``: watch ``.grad`` grow when it is never cleared.

Each run trains a fresh LeNet (seed 0) on one fixed random input and target, the setup of notebook 04,
with the update ``p -= lr * p.grad`` written out, and records per step the loss, the size of that
step's own gradient and the size of what ``.grad`` holds when the update reads it. With ``zero_grad()`` the two agree;
without it ``.grad`` is the sum of every gradient so far. The widget only calls the plain functions
below, which the tests call directly.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from helpers.i18n import _
from helpers.models import LeNet

MAX_STEPS = 20
LEARNING_RATES = (0.0, 0.01, 0.05)
BAR = "█"
BARS_PER_FIRST = 4  # a gradient as large as step 1's is drawn as 4 blocks
MAX_BARS = 60


@dataclass(frozen=True)
class StepRecord:
    """One training step: the loss before the update, ‖this step's gradient‖ and ‖.grad‖ (for fc1.weight)."""

    step: int
    loss: float
    step_grad_norm: float
    grad_norm: float


def _check_steps(steps: object) -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an int from 1 to {MAX_STEPS}, got {type(steps).__name__} {steps!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an int from 1 to {MAX_STEPS}, got {steps!r}")
    return int(steps)


def _check_flag(zero_grad: object) -> bool:
    if not isinstance(zero_grad, bool):
        raise TypeError(f"zero_grad must be True or False, got {type(zero_grad).__name__} {zero_grad!r}")
    return zero_grad


def _check_lr(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or not 0 <= lr <= 1:
        raise ValueError(f"lr must be a number from 0 to 1 such as 0.05, got {lr!r}")
    return float(lr)


def zero_grad_steps(steps: int = 12, zero_grad: bool = True, lr: float = 0.05) -> list[StepRecord]:
    """Train a fresh seed-0 LeNet for ``steps`` steps of ``p -= lr * p.grad`` on one input, clearing ``.grad`` or not.

    Args:
        zero_grad: call ``net.zero_grad()`` before each ``backward()`` (the right way) or forget it.
        lr: the learning rate; 0 keeps the weights fixed, so every step has exactly the same gradient.

    Returns:
        one :class:`StepRecord` per step, with norms of ``fc1.weight``'s gradients. The network runs in
        float64; the global random state is left as it was.
    """
    steps, zero_grad, lr = _check_steps(steps), _check_flag(zero_grad), _check_lr(lr)
    g = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = LeNet().double()  # float64: the same digits on every CPU, even where the loss jumps around
    input = torch.randn(1, 1, 32, 32, generator=g, dtype=torch.float64)
    target = torch.randn(1, 10, generator=g, dtype=torch.float64)
    criterion = nn.MSELoss()
    records = []
    for step in range(1, steps + 1):
        if zero_grad:
            net.zero_grad()
        before = net.fc1.weight.grad.clone() if net.fc1.weight.grad is not None else 0.0
        loss = criterion(net(input), target)
        loss.backward()
        grad = net.fc1.weight.grad
        records.append(StepRecord(step, loss.item(), (grad - before).norm().item(), grad.norm().item()))
        with torch.no_grad():
            for p in net.parameters():
                p -= lr * p.grad
    return records


def zero_grad_report(steps: int = 12, zero_grad: bool = True, lr: float = 0.05) -> str:
    """Return the text the zero_grad widget shows: the loop, one row per step with a bar for ‖.grad‖, a verdict."""
    records = zero_grad_steps(steps, zero_grad, lr)
    clear = "    net.zero_grad()" if zero_grad else "    " + _("# net.zero_grad()   <- forgotten")
    lines = [
        f"lr = {lr:g}",
        f"for step in range({steps}):",
        clear,
        "    loss = criterion(net(input), target)",
        "    loss.backward()",
        "    with torch.no_grad():",
        "        for p in net.parameters():",
        "            p -= lr * p.grad",
        "",
        _("sizes (norms) of fc1.weight's gradient: 'this step' from this step's loss alone,\n"
          "'in .grad' what the update uses; each {bar} is as large as step 1's gradient").format(
            bar=BAR * BARS_PER_FIRST),
        # one line, padded by hand: a translation pads its own column titles to line up with the rows
        _("step     loss  this step  in .grad"),
    ]
    first = records[0].grad_norm
    for r in records:
        n = round(BARS_PER_FIRST * r.grad_norm / first) if first > 0 else 0
        bar = BAR * min(n, MAX_BARS) + ("▶" if n > MAX_BARS else "")
        lines.append(f"{r.step:>4}  {r.loss:>7.4f}  {r.step_grad_norm:>9.3f}  {r.grad_norm:>8.3f}  {bar}")
    lines.append("")
    lines.append(_verdict(records, zero_grad, lr))
    return "\n".join(lines)


def _verdict(records: list[StepRecord], zero_grad: bool, lr: float) -> str:
    last = records[-1]
    if zero_grad:
        return _("✓ zero_grad() empties .grad first, so the update uses this step's gradient, and only it.")
    if len(records) == 1:
        return _("After one step the two agree: .grad was empty. Take another step.")
    if lr == 0:
        return _("✗ .grad is the sum of all {count} gradients so far, not this step's own: "
                 "the weights never change here, so each step adds the same gradient "
                 "and .grad is {times}× it.").format(
            count=last.step, times=f"{last.grad_norm / last.step_grad_norm:.1f}")
    ups = [r.step for prev, r in zip(records, records[1:]) if r.loss > prev.loss]
    if len(ups) == 1:
        text = _("✗ .grad is the sum of all {count} gradients so far, not this step's own: "
                 "the update keeps moving where earlier steps pointed and overshoots "
                 "(the loss went up at step {where}).")
    elif ups:
        text = _("✗ .grad is the sum of all {count} gradients so far, not this step's own: "
                 "the update keeps moving where earlier steps pointed and overshoots "
                 "(the loss went up at steps {where}).")
    else:
        text = _("✗ .grad is the sum of all {count} gradients so far, not this step's own: "
                 "for now it acts like an ever larger learning rate. "
                 "Take more steps and watch it overshoot.")
    return text.format(count=last.step, where=", ".join(str(s) for s in ups))


def zero_grad_stepper(steps: int = 12, zero_grad: bool = False, lr: float = 0.05) -> Any:
    """Return a widget: a steps slider with 'one more step' and 'start again', a zero_grad() switch and a lr menu."""
    import ipywidgets as widgets

    from helpers.widgets.live import LiveBox

    steps, zero_grad, lr = _check_steps(steps), _check_flag(zero_grad), _check_lr(lr)
    if lr not in LEARNING_RATES:
        raise ValueError(f"zero_grad_stepper expects lr as one of {LEARNING_RATES} (the menu), got {lr!r}")
    slider = widgets.IntSlider(value=steps, min=1, max=MAX_STEPS, description=_("steps"))
    more = widgets.Button(description=_("one more step"))
    again = widgets.Button(description=_("start again"))
    switch = widgets.Checkbox(value=zero_grad, description=_("net.zero_grad() before each backward()"),
                              indent=False, layout=widgets.Layout(width="420px"))
    rate = widgets.Dropdown(options=[(_("{lr} (weights never change)").format(lr=f"{r:g}") if r == 0 else f"{r:g}", r)
                                     for r in LEARNING_RATES],
                            value=lr, description="lr")
    out = widgets.Output()

    def update(_: Any = None) -> None:
        more.disabled = slider.value >= MAX_STEPS
        text = zero_grad_report(slider.value, switch.value, rate.value)
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": text + "\n"},)

    def one_more(_: Any) -> None:
        slider.value = min(slider.value + 1, MAX_STEPS)

    def start_again(_: Any) -> None:
        slider.value = 1

    for control in (slider, switch, rate):
        control.observe(update, names="value")
    more.on_click(one_more)
    again.on_click(start_again)
    update()
    return LiveBox([widgets.HBox([slider, more, again]), widgets.HBox([switch, rate]), out],
                   what=_("a training-step slider and buttons, a zero_grad() switch and a learning-rate menu, "
                          "with the size of the gradient at every step below"))
