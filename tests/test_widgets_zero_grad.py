"""helpers.widgets.zero_grad: training steps with and without zero_grad(), the report and the widget."""

from __future__ import annotations

import time

import pytest
import torch
from torch import nn

from helpers.models import LeNet
from helpers.widgets.live import LiveBox
from helpers.widgets.zero_grad import MAX_STEPS, zero_grad_report, zero_grad_stepper, zero_grad_steps


def test_with_zero_grad_grad_is_each_steps_own_gradient():
    records = zero_grad_steps(12, zero_grad=True, lr=0.05)
    assert [r.step for r in records] == list(range(1, 13))
    assert all(r.grad_norm == pytest.approx(r.step_grad_norm) for r in records)
    assert records[-1].loss < 0.02 * records[0].loss


def test_without_zero_grad_and_fixed_weights_grad_is_exactly_k_times_the_first():
    records = zero_grad_steps(6, zero_grad=False, lr=0.0)
    first = records[0].grad_norm
    assert all(r.step_grad_norm == pytest.approx(first) for r in records)
    assert [r.grad_norm / first for r in records] == pytest.approx([1, 2, 3, 4, 5, 6])
    assert len({r.loss for r in records}) == 1


def test_without_zero_grad_the_training_overshoots_and_stalls():
    cleared = zero_grad_steps(12, zero_grad=True, lr=0.05)
    forgot = zero_grad_steps(12, zero_grad=False, lr=0.05)
    assert cleared[0] == forgot[0]  # step 1 is the same either way
    assert max(r.grad_norm for r in forgot) > 3 * forgot[0].grad_norm
    assert any(b.loss > a.loss for a, b in zip(forgot, forgot[1:]))
    assert all(b.loss < a.loss for a, b in zip(cleared, cleared[1:]))
    assert forgot[-1].loss > 10 * cleared[-1].loss


def test_step_one_matches_a_forward_and_backward_written_by_hand():
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    net = LeNet().double()
    input = torch.randn(1, 1, 32, 32, generator=g, dtype=torch.float64)
    target = torch.randn(1, 10, generator=g, dtype=torch.float64)
    loss = nn.MSELoss()(net(input), target)
    loss.backward()
    first = zero_grad_steps(1)[0]
    assert first.loss == pytest.approx(loss.item())
    assert first.grad_norm == pytest.approx(net.fc1.weight.grad.norm().item())


def test_runs_are_repeatable_and_leave_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    assert zero_grad_steps(5, False) == zero_grad_steps(5, False)
    assert torch.equal(state, torch.random.get_rng_state())


def test_report_shows_the_loop_the_rows_and_a_verdict():
    forgot = zero_grad_report(12, zero_grad=False, lr=0.05)
    assert "    # net.zero_grad()   <- forgotten" in forgot and "p -= lr * p.grad" in forgot
    rows = [line for line in forgot.splitlines() if line[:4].strip().isdigit()]
    assert len(rows) == 12 and rows[0].split()[:2] == ["1", "0.9479"]
    assert rows[0].endswith(" ████") and rows[1].count("█") > 4
    assert forgot.splitlines()[-1].startswith("✗ .grad is the sum of all 12 gradients so far")
    assert "overshoots (the loss went up at steps 7, 10, 11)" in forgot
    cleared = zero_grad_report(12, zero_grad=True, lr=0.05)
    assert "\n    net.zero_grad()\n" in cleared
    assert cleared.splitlines()[-1].startswith("✓ zero_grad() empties .grad first")


def test_report_verdicts_for_one_step_fixed_weights_and_before_the_overshoot():
    assert "Take another step" in zero_grad_report(1, zero_grad=False)
    assert "each step adds the same gradient and .grad is 5.0× it" in zero_grad_report(5, False, 0.0)
    assert "acts like an ever larger learning rate" in zero_grad_report(4, False, 0.05)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (MAX_STEPS + 1, ValueError), (2.0, TypeError),
                                        ("3", TypeError), (True, TypeError)])
def test_bad_step_counts_are_explained(bad, error):
    with pytest.raises(error, match=rf"steps must be an int from 1 to {MAX_STEPS}, got"):
        zero_grad_steps(bad)
    with pytest.raises(error, match="steps must be an int"):
        zero_grad_stepper(steps=bad)


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_bad_switches_are_explained(bad):
    with pytest.raises(TypeError, match="zero_grad must be True or False, got"):
        zero_grad_report(3, zero_grad=bad)


@pytest.mark.parametrize("bad", [-0.1, 2.0, float("nan"), "0.05", None, True])
def test_bad_learning_rates_are_explained(bad):
    with pytest.raises(ValueError, match="lr must be a number from 0 to 1 such as 0.05, got"):
        zero_grad_steps(3, lr=bad)


def test_widget_rejects_a_rate_not_in_its_menu():
    with pytest.raises(ValueError, match=r"zero_grad_stepper expects lr as one of \(0.0, 0.01, 0.05\).*got 0.3"):
        zero_grad_stepper(lr=0.3)


def _parts(box: LiveBox):
    (slider, more, again), (switch, rate), out = box.children[0].children, box.children[1].children, box.children[2]
    return slider, more, again, switch, rate, out


def _text(out) -> str:
    assert len(out.outputs) == 1
    return out.outputs[0]["text"]


def test_widget_starts_without_zero_grad_and_every_control_changes_the_text():
    box = zero_grad_stepper()
    assert isinstance(box, LiveBox) and repr(box).startswith("[Interactive: a training-step slider")
    slider, more, again, switch, rate, out = _parts(box)
    assert (slider.value, switch.value, rate.value) == (12, False, 0.05)
    assert _text(out) == zero_grad_report(12, False, 0.05) + "\n"

    slider.value = 13
    assert _text(out) == zero_grad_report(13, False, 0.05) + "\n"
    switch.value = True
    assert _text(out) == zero_grad_report(13, True, 0.05) + "\n"
    rate.value = 0.01
    assert _text(out) == zero_grad_report(13, True, 0.01) + "\n"
    more.click()
    assert slider.value == 14 and _text(out) == zero_grad_report(14, True, 0.01) + "\n"
    again.click()
    assert slider.value == 1 and _text(out) == zero_grad_report(1, True, 0.01) + "\n"


def test_widget_one_more_step_stops_at_the_end():
    box = zero_grad_stepper(steps=MAX_STEPS - 1)
    slider, more, *_ = _parts(box)
    more.click()
    assert slider.value == MAX_STEPS and more.disabled
    more.click()
    assert slider.value == MAX_STEPS
    slider.value = 3
    assert not more.disabled


def test_widget_callback_is_fast():
    slider = _parts(zero_grad_stepper())[0]
    start = time.perf_counter()
    slider.value = MAX_STEPS
    assert time.perf_counter() - start < 0.3
