"""Checkers for the exercises of notebook 02 · Autograd."""

from __future__ import annotations

from typing import Any

import torch

from helpers.check import NotYet, a_type, exercise, expect_tensor
from helpers.i18n import _


def _expect_gradient(answer: Any, expected: torch.Tensor, hint: str) -> None:
    """Raise NotYet unless ``answer`` is a tensor equal to ``expected`` (None gets its own hint)."""
    if answer is None:
        raise NotYet(_("it is None: .grad is filled only when backward() runs on a result computed from the tensor."))
    expect_tensor(answer, expected, hint=hint, check_dtype=False)


@exercise("02.1")
def derivative_at_three(answer: Any) -> str:
    """dy/dx for y = x**2 + 2x at x = 3, computed by autograd (x.grad, or torch.autograd.grad's result)."""
    if isinstance(answer, tuple) and len(answer) == 1 and isinstance(answer[0], torch.Tensor):
        raise NotYet(
            _(
                "torch.autograd.grad returns a tuple, one gradient per input you asked about: take its [0]. "
                "(It hands the gradient back instead of storing it in x.grad; y.backward() stores it.)"
            )
        )
    if isinstance(answer, (int, float)) and not isinstance(answer, bool) and answer == 8:
        raise NotYet(
            _("8 is right, but you worked it out yourself; let autograd do it: call y.backward() and give x.grad.")
        )
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.item() == 15.0:
        raise NotYet(_("15 is the value of y; the task asks for its derivative."))
    if isinstance(answer, torch.Tensor) and answer.grad_fn is not None:
        raise NotYet(
            _(
                "this tensor was computed from x by a formula (it has grad_fn={grad_fn}), "
                "so you did the differentiating by hand. Let autograd do it: call y.backward() and give x.grad."
            ).format(grad_fn=type(answer.grad_fn).__name__)
        )
    _expect_gradient(answer, torch.tensor(8.0), hint=_("differentiate x**2 + 2x by hand and compare."))
    return _("dy/dx = 2x + 2 = 8 at x = 3.")


@exercise("02.2")
def seed_example_variant(answer: Any) -> str:
    """x.grad for out = mean(2 (x + 1)²) at x = [[0, 1], [2, 3]]."""
    if isinstance(answer, torch.Tensor) and tuple(answer.shape) == (2, 2):
        if torch.allclose(answer.detach().double(), torch.tensor([[4.0, 8.0], [12.0, 16.0]], dtype=torch.double)):
            raise NotYet(_("4 times too big: out is a mean over 4 elements, and that divides every gradient."))
    _expect_gradient(
        answer,
        torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
        hint=_("work it out by hand with the chain rule, as section 2 did, and compare."),
    )
    return _("∂out/∂x_i = (x_i + 1): the 4 from the square's derivative cancels the mean's 1/4.")


@exercise("02.3")
def weighted_backward(answer: Any) -> str:
    """x.grad for y = x**2, x = [1, 2, 3], with y.backward(gradient=v) weighting y[0] + 2 y[2]."""
    if isinstance(answer, torch.Tensor) and answer.tolist() == [2.0, 4.0, 6.0]:
        raise NotYet(_("that is the gradient of y.sum() (every output weighted 1); choose the weights in v."))
    _expect_gradient(answer, torch.tensor([2.0, 0.0, 12.0]), hint=_("v holds one weight per element of y."))
    return _("v = [1, 0, 2] weights the rows of the Jacobian: x.grad = v @ J.")


@exercise("02.4")
def gradient_of_non_leaf(answer: Any) -> str:
    """y.grad for y = 3x, out = (y**2).sum(), x = [1, 2], kept with retain_grad()."""
    if answer is None:
        raise NotYet(
            _("y.grad is None: y is not a leaf, so autograd drops its gradient unless you ask it to keep it.")
        )
    if isinstance(answer, torch.Tensor) and answer.tolist() == [18.0, 36.0]:
        raise NotYet(_("that is ∂out/∂x (x.grad); the task asks for ∂out/∂y."))
    _expect_gradient(answer, torch.tensor([6.0, 12.0]), hint=_("∂out/∂y = 2y."))
    return _("retain_grad() keeps the gradient of a non-leaf tensor.")


@exercise("02.5")
def fresh_gradient(answer: Any) -> str:
    """x.grad holding only the gradient of (3 x).sum(), after an earlier backward of (x**2).sum()."""
    if isinstance(answer, torch.Tensor) and answer.tolist() == [5.0, 7.0]:
        raise NotYet(_("[5, 7] is both gradients added up: backward() adds to .grad, so clear it first."))
    _expect_gradient(answer, torch.tensor([3.0, 3.0]), hint=_("the gradient of (3 * x).sum() alone is 3 everywhere."))
    return _("clear .grad (x.grad.zero_() or x.grad = None) before the next backward().")


@exercise("02.6")
def update_without_recording(answer: Any) -> str:
    """The leaf ``w = [1., 2.]`` doubled in place with recording off; still a leaf that requires grad."""
    if not isinstance(answer, torch.Tensor):
        raise NotYet(_("answer should be the tensor w, but it is {kind}.").format(kind=a_type(answer)))
    if answer.grad_fn is not None:
        raise NotYet(
            _(
                "autograd recorded this (grad_fn={grad_fn}), so it is a new, computed tensor, "
                "no longer the leaf w. Switch recording off with torch.no_grad() and change w in place."
            ).format(grad_fn=type(answer.grad_fn).__name__)
        )
    if not answer.requires_grad:
        raise NotYet(
            _(
                "this tensor does not require grad, so it is a new one (made with recording off, or detached), "
                "not w itself. Change w in place (*= or mul_) inside torch.no_grad(), and give w."
            )
        )
    if tuple(answer.shape) == (2,) and answer.tolist() == [1.0, 2.0]:
        raise NotYet(_("w still holds [1, 2]: double it in place, inside torch.no_grad()."))
    expect_tensor(
        answer,
        torch.tensor([2.0, 4.0]),
        "w",
        hint=_("w should hold twice [1, 2]; run the whole cell again, it starts from a fresh w."),
    )
    if answer._version == 0:
        raise NotYet(
            _(
                "the values are doubled, but autograd's version counter of w never moved: either this is a new "
                "tensor, or w was changed through .data, behind autograd's back (see Older code you will meet). "
                "Use with torch.no_grad(): and change w itself."
            )
        )
    return _("torch.no_grad() kept the update out of the graph, and w is still a leaf that requires grad.")
