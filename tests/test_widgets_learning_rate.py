"""helpers.widgets.learning_rate: the short training behind the learning-rate slider, and the widget itself."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.widgets.learning_rate import (  # noqa: E402
    describe_run,
    divergence_threshold,
    format_lr,
    learning_rate_explorer,
    make_problem,
    plot_short_training,
    short_training,
    _slider_decades,
)


def test_problem_is_fixed():
    (x1, y1), (x2, y2) = make_problem(), make_problem()
    assert x1.shape == (256, 8) and y1.shape == (256, 1)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)


def test_good_rate_converges():
    losses = short_training(0.1, 30)
    assert len(losses) == 30
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < 0.01 * losses[0]
    assert describe_run(losses).startswith("converged")


def test_tiny_rate_is_slow():
    losses = short_training(0.001, 30)
    assert losses[-1] > 0.5 * losses[0]
    assert describe_run(losses).startswith("too slow")


def test_threshold_separates_convergence_from_divergence():
    edge = divergence_threshold()
    assert 0.5 < edge < 1.0
    assert short_training(0.95 * edge, 200)[-1] < short_training(0.95 * edge, 200)[0]
    above = short_training(1.05 * edge, 200)
    assert not math.isfinite(above[-1]) or above[-1] > above[0]


def test_large_rate_explodes_to_inf_then_nan():
    losses = short_training(10.0, 30)
    assert len(losses) == 30
    first_bad = next(i for i, v in enumerate(losses) if not math.isfinite(v))
    assert 0 < first_bad < 30
    assert all(math.isfinite(v) for v in losses[:first_bad])
    assert losses[first_bad - 1] > 1e30
    assert all(math.isnan(v) for v in losses[first_bad + 1:])
    assert describe_run(losses).startswith("diverged: the loss became inf at step")


def test_just_too_large_rate_grows_without_reaching_inf():
    losses = short_training(1.0, 30)
    assert all(math.isfinite(v) for v in losses)
    assert describe_run(losses).startswith("diverging")


def test_same_rate_same_curve():
    assert short_training(0.3, 20) == short_training(0.3, 20)


@pytest.mark.parametrize("lr", [0.1, 10.0])
def test_plot_handles_finite_and_divergent_curves(lr):
    fig, ax = plt.subplots()
    plot_short_training(lr, 30, ax=ax)
    assert ax.get_yscale() == "log"
    line = ax.get_lines()[0]
    assert all(math.isfinite(v) for v in line.get_ydata())
    assert ax.get_title().startswith(f"lr = {format_lr(lr)}:")
    if lr == 10.0:
        assert any("inf" in t.get_text() for t in ax.texts)
    plt.close(fig)


def test_plot_labels_ticks_within_one_decade_with_plain_numbers():
    fig, ax = plt.subplots()
    plot_short_training(0.005, 30, ax=ax)  # the loss only goes from about 10 to 5.5
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()]
    assert {"6", "7", "8", "9"} <= set(labels)
    plt.close(fig)


def test_widget_has_a_slider_and_redraws():
    import ipywidgets as widgets

    box = learning_rate_explorer(lr=0.1, steps=20)
    (slider, readout), out = box.children[0].children, box.children[1]
    assert isinstance(slider, widgets.FloatLogSlider) and isinstance(out, widgets.Output)
    assert slider.value == pytest.approx(0.1)
    assert not slider.readout and readout.value == "0.1"
    slider.value = 5.0  # the callback runs without raising, divergence included
    plt.close("all")


@pytest.mark.parametrize(("lr", "decades", "text"), [
    (0.1, (-3, 1), "0.1"), (10.0, (-3, 1), "10"), (0.001, (-3, 1), "0.001"),  # inside: the slider is as before
    (100.0, (-3, 2), "100"), (30.0, (-3, 2), "30"), (1e-5, (-5, 1), "1e-05"), (0.0002, (-4, 1), "0.0002"),
])
def test_the_widget_starts_at_the_lr_asked_for_even_outside_the_usual_range(lr, decades, text):
    """A slider clamps a value outside its range (lr=100 used to start at 10, without a word): the range grows."""
    assert _slider_decades(lr) == decades
    box = learning_rate_explorer(lr=lr, steps=5)
    slider, readout = box.children[0].children
    assert (slider.min, slider.max) == decades
    assert slider.value == pytest.approx(lr) and readout.value == text
    plt.close("all")


def test_the_slider_reads_what_the_plot_title_says():
    """The value beside the slider and the plot's title are one text: 10 ** 0.2 reads "1.58" in both places."""
    box = learning_rate_explorer(lr=0.1, steps=5)
    slider, readout = box.children[0].children
    for value in [10 ** 0.2, 0.1, 0.005011872336272725, 10.0]:
        slider.value = value
        fig, ax = plt.subplots()
        plot_short_training(slider.value, 5, ax=ax)
        assert ax.get_title().startswith(f"lr = {readout.value}:"), (readout.value, ax.get_title())
        plt.close("all")
    slider.value = 10 ** 0.2
    assert readout.value == "1.58"


@pytest.mark.parametrize(
    ("lr", "text"), [(10 ** 0.2, "1.58"), (0.1, "0.1"), (0.005, "0.005"), (3.0, "3"), (0.001, "0.001")]
)
def test_format_lr(lr, text):
    assert format_lr(lr) == text


def test_short_training_leaves_the_global_rng_alone():
    before = torch.random.get_rng_state()
    short_training(0.1, 5)
    assert torch.equal(before, torch.random.get_rng_state())


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1", None, True])
def test_bad_learning_rates_are_explained(bad):
    with pytest.raises(ValueError, match=r"lr must be a positive finite number such as 0.1, got"):
        short_training(bad)
    with pytest.raises(ValueError, match=r"lr must be a positive finite number"):
        plot_short_training(bad)
    with pytest.raises(ValueError, match=r"lr must be a positive finite number"):
        learning_rate_explorer(lr=bad)


@pytest.mark.parametrize("bad", [0, 501, 2.5, "30", None])
def test_bad_step_counts_are_explained(bad):
    with pytest.raises(ValueError, match=r"steps must be an int from 1 to 500, got"):
        short_training(0.1, bad)


@pytest.mark.parametrize("bad", [[], None, "loss", [1.0, "x"]])
def test_describe_run_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="losses must be a non-empty list of numbers"):
        describe_run(bad)


@pytest.mark.parametrize("bad", [0, 1000, "30"])
def test_widget_rejects_bad_step_counts(bad):
    with pytest.raises(ValueError, match=r"steps must be an int from 1 to 500"):
        learning_rate_explorer(lr=0.1, steps=bad)
    with pytest.raises(ValueError, match=r"steps must be an int from 1 to 500"):
        plot_short_training(0.1, steps=bad)


def test_plot_rejects_a_bad_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got str"):
        plot_short_training(0.1, 30, ax="not an axes")


def test_the_plot_describes_the_rate_and_what_the_curve_did_in_either_language():
    import helpers
    from helpers.alt_text import alt_text

    fig, axes = plt.subplots(1, 2)
    plot_short_training(0.1, 30, ax=axes[0])
    plot_short_training(10.0, 30, ax=axes[1])
    converged, blow_up = describe_run(short_training(0.1)), short_training(10.0).index(math.inf)
    assert converged.startswith("converged: the loss went from 9.9 to ")
    assert alt_text(fig) == (
        f"A loss curve on a log scale for lr = 0.1. C{converged[1:]}. A loss curve on a log scale for lr = 10. "
        f"Diverged: the loss became inf at step {blow_up} (started at 9.9). A red dashed line marks that step.")
    helpers.set_language("zh")
    try:
        ax = plot_short_training(10.0, 30)
        assert alt_text(ax.figure).startswith("学习率 lr = 10 时的损失曲线，纵轴是对数刻度。发散了：损失在第 ")
        assert alt_text(ax.figure).endswith("红色虚线标出了这一步。")
    finally:
        helpers.set_language("en")
    plt.close("all")
