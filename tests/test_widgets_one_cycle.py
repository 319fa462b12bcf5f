"""helpers.widgets.one_cycle: OneCycleLR's rates and momentums, the plot, the widget, and bad arguments."""

from __future__ import annotations

import math
from itertools import pairwise

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.widgets.live import LiveBox
from helpers.widgets.one_cycle import (
    describe_one_cycle,
    one_cycle_explorer,
    one_cycle_schedule,
    plot_one_cycle,
)


def test_rate_starts_low_peaks_at_max_lr_and_ends_tiny():
    lrs, momentums = one_cycle_schedule(0.2, 100)
    assert len(lrs) == len(momentums) == 100
    assert lrs[0] == pytest.approx(0.2 / 25)
    assert max(lrs) == pytest.approx(0.2)
    assert lrs.index(max(lrs)) == 29  # OneCycleLR ends the warm-up at step pct_start * total_steps - 1
    assert lrs[-1] == pytest.approx(0.2 / (25 * 1e4))
    assert all(a < b for a, b in pairwise(lrs[:30]))
    assert all(a > b for a, b in pairwise(lrs[29:]))


def test_momentum_goes_the_other_way():
    _, momentums = one_cycle_schedule(0.2, 100)
    assert momentums[0] == pytest.approx(0.95)
    assert momentums[29] == pytest.approx(0.85) and min(momentums) == pytest.approx(0.85)
    assert momentums[-1] == pytest.approx(0.95)
    assert all(a > b for a, b in pairwise(momentums[:30]))
    assert all(a < b for a, b in pairwise(momentums[29:]))


def test_warm_up_follows_the_documented_cosine():
    lrs, _ = one_cycle_schedule(0.2, 100)
    start, peak, pct = 0.2 / 25, 0.2, 10 / 29
    assert lrs[10] == pytest.approx(peak + (start - peak) / 2 * (math.cos(math.pi * pct) + 1))


def test_rates_are_what_a_training_loop_sees():
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=40, pct_start=0.25)
    seen = []
    for _ in range(40):
        seen.append(optimizer.param_groups[0]["lr"])
        weight.grad = torch.ones_like(weight)
        optimizer.step()
        scheduler.step()
    assert one_cycle_schedule(0.1, 40, pct_start=0.25)[0] == pytest.approx(seen, rel=1e-12)


def test_div_factors_set_the_start_and_the_end():
    lrs, _ = one_cycle_schedule(1.0, 50, pct_start=0.4, div_factor=10.0, final_div_factor=100.0)
    assert lrs[0] == pytest.approx(0.1)
    assert lrs.index(max(lrs)) == 19
    assert lrs[-1] == pytest.approx(1e-3)


def test_pct_start_moves_the_peak():
    lrs, _ = one_cycle_schedule(0.2, 200, pct_start=0.5)
    assert lrs.index(max(lrs)) == 99


def test_description_counts_the_steps():
    assert describe_one_cycle(0.2, 100) == (
        "warm-up: 29 steps from lr 0.008 to 0.2, then down to 8e-07 in 70 steps; momentum 0.95 -> 0.85 -> 0.95"
    )


def test_plot_draws_rate_momentum_warm_up_mark_and_title():
    fig, ax = plt.subplots()
    returned = plot_one_cycle(0.2, 100, ax=ax)
    assert returned is ax
    lrs, momentums = one_cycle_schedule(0.2, 100)
    (rate_line, mark) = ax.get_lines()
    assert list(rate_line.get_ydata()) == pytest.approx(lrs)
    assert list(mark.get_xdata()) == [29, 29]  # the vertical line at the end of the warm-up
    twins = [other for other in fig.axes if other is not ax]
    assert len(twins) == 1 and twins[0].get_shared_x_axes().joined(ax, twins[0])
    assert list(twins[0].get_lines()[0].get_ydata()) == pytest.approx(momentums)
    assert ax.get_title() == "one-cycle: lr 0.008 -> peak 0.2 -> final 8e-07"
    assert ax.get_ylabel() == "learning rate" and twins[0].get_ylabel().startswith("momentum")
    assert [t.get_text().strip() for t in ax.texts] == ["warm-up ends at step 29"]
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), twins[0].get_ylabel(), ax.texts[0].get_text()]
    assert all(text.isascii() for text in texts)
    plt.close(fig)


def test_plot_makes_its_own_figure_that_fits_jupyterlab():
    ax = plot_one_cycle(0.5, 300, pct_start=0.8)
    assert ax.figure.get_figwidth() <= 8.4
    assert ax.texts[0].get_ha() == "right"  # a late peak: the label stays inside the axes
    plt.close(ax.figure)


def test_plot_rejects_a_bad_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got str"):
        plot_one_cycle(0.2, 100, ax="not an axes")


def _parts(box):
    lr_slider, pct_slider, steps_slider, out = box.children
    return lr_slider, pct_slider, steps_slider, out


def test_widget_text_form_and_sliders():
    import ipywidgets as widgets

    box = one_cycle_explorer()
    assert isinstance(box, LiveBox)
    assert repr(box).startswith("[Interactive: sliders for OneCycleLR's peak rate")
    lr_slider, pct_slider, steps_slider, out = _parts(box)
    assert isinstance(lr_slider, widgets.FloatLogSlider) and lr_slider.value == pytest.approx(0.2)
    assert isinstance(pct_slider, widgets.FloatSlider) and pct_slider.value == pytest.approx(0.3)
    assert isinstance(steps_slider, widgets.IntSlider) and steps_slider.value == 970
    assert isinstance(out, widgets.Output)
    assert not any(s.continuous_update for s in (lr_slider, pct_slider, steps_slider))


def test_widget_redraws_text_and_picture_when_a_slider_moves():
    lr_slider, pct_slider, steps_slider, out = _parts(one_cycle_explorer(max_lr=0.2, total_steps=100))
    assert [o["output_type"] for o in out.outputs] == ["stream", "display_data"]
    assert out.outputs[0]["text"] == describe_one_cycle(0.2, 100) + "\n"
    first_picture = out.outputs[1]["data"]["image/png"]
    assert first_picture

    pct_slider.value = 0.5
    assert out.outputs[0]["text"] == describe_one_cycle(0.2, 100, pct_start=0.5) + "\n"
    assert out.outputs[1]["data"]["image/png"] != first_picture
    lr_slider.value = 1.0
    assert out.outputs[0]["text"] == describe_one_cycle(1.0, 100, pct_start=0.5) + "\n"
    steps_slider.value = 200
    assert out.outputs[0]["text"].startswith("warm-up: 99 steps from lr 0.04 to 1,")
    assert len(out.outputs) == 2


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.2", None, True])
def test_bad_max_lr_is_explained(bad):
    with pytest.raises(ValueError, match=r"max_lr must be a positive finite number such as 0.2, got"):
        one_cycle_schedule(bad, 100)
    with pytest.raises(ValueError, match=r"max_lr must be a positive finite number"):
        plot_one_cycle(bad, 100)
    with pytest.raises(ValueError, match=r"max_lr must be a positive finite number"):
        one_cycle_explorer(max_lr=bad)


@pytest.mark.parametrize("bad", [1, 0, -5, 100_001, 97.0, "100", None, True])
def test_bad_total_steps_are_explained(bad):
    with pytest.raises(ValueError, match=r"total_steps must be an int from 2 to 100000, got"):
        one_cycle_schedule(0.2, bad)


@pytest.mark.parametrize("bad", [0, 1, 0.0, 1.0, -0.3, 1.5, float("nan"), "0.3", None])
def test_bad_pct_start_is_explained(bad):
    with pytest.raises(ValueError, match=r"pct_start must be a number strictly between 0 and 1 such as 0.3, got"):
        one_cycle_schedule(0.2, 100, pct_start=bad)


@pytest.mark.parametrize("name", ["div_factor", "final_div_factor"])
@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), "25"])
def test_bad_div_factors_are_explained(name, bad):
    with pytest.raises(ValueError, match=rf"^{name} must be a positive finite number such as .*, got"):
        one_cycle_schedule(0.2, 100, **{name: bad})


@pytest.mark.parametrize(("total_steps", "pct_start"), [(10, 0.1), (5, 0.3), (2, 0.6)])
def test_a_warm_up_shorter_than_one_step_is_explained(total_steps, pct_start):
    with pytest.raises(ValueError, match=r"pct_start \* total_steps must be at least 2 .* got pct_start="):
        one_cycle_schedule(0.2, total_steps, pct_start=pct_start)


def test_shortest_allowed_warm_up_rises_for_one_step():
    lrs, _ = one_cycle_schedule(0.2, 10, pct_start=0.2)
    assert lrs.index(max(lrs)) == 1 and lrs[1] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"max_lr": 20.0}, "max_lr"), ({"total_steps": 40}, "total_steps"), ({"pct_start": 0.99}, "pct_start")],
)
def test_widget_rejects_values_outside_its_sliders(kwargs, name):
    with pytest.raises(ValueError, match=rf"one_cycle_explorer expects {name} from .* \(the slider range\), got"):
        one_cycle_explorer(**kwargs)


def test_the_plot_describes_the_schedule_in_either_language():
    import helpers
    from helpers.alt_text import alt_text

    ax = plot_one_cycle(0.2, 970)
    assert alt_text(ax.figure) == (
        "The one-cycle schedule over 970 steps: the learning rate (solid line) rises from 0.008 to 0.2 at step 290, "
        "then falls to 8e-07; the momentum (dashed) goes from 0.95 to 0.85, then to 0.95.")
    helpers.set_language("zh")
    try:
        ax = plot_one_cycle(0.2, 100, ax=ax)  # the widget draws with the same function, shown through png_output
        assert alt_text(ax.figure) == ("one-cycle 学习率调度，共 100 步：学习率（实线）从 0.008 升到 0.2，在第 29 步"
                                       "达到最高，然后降到 8e-07；动量（虚线）从 0.95 变到 0.85，再变到 0.95。")
    finally:
        helpers.set_language("en")
        plt.close(ax.figure)
