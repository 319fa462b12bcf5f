"""Checkers for the exercises of notebook 02 · Autograd.

Each answer is a function. The check calls it on tensors it makes itself (a leaf that requires grad, with values the
learner does not know in advance) and then looks at what autograd left in ``.grad``: a number typed or worked out by
hand cannot pass where the exercise says "let autograd do it".
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from helpers.check import NotYet, a_type, exercise, expect_tensor
from helpers.i18n import _


def _expect_function(answer: Any) -> None:
    if not callable(answer):
        raise NotYet(
            _("the answer should be a function that takes a tensor, but it is {kind}.").format(kind=a_type(answer))
        )


def _numbers(t: torch.Tensor) -> str:
    """A tensor's values, nested as its rows, for a hint: 3, [1, -0.5] or [[0, 1], [2, 3]]."""

    def text(values: Any) -> str:
        if isinstance(values, list):
            return "[" + ", ".join(text(v) for v in values) + "]"
        return f"{values:g}"

    return text(t.detach().cpu().tolist())


class _Leaf:
    """A leaf that requires grad, made by the check, that notes whether backward() accumulated into its .grad."""

    def __init__(self, values: Any) -> None:
        self.x = torch.tensor(values, requires_grad=True)
        self.backward_filled_grad = False
        self.x.register_post_accumulate_grad_hook(self._filled)

    def _filled(self, _tensor: torch.Tensor) -> None:
        self.backward_filled_grad = True


def _call(function: Callable[..., Any], x: torch.Tensor, name: str = "x") -> Any:
    """Call the learner's function on ``x`` (called ``name`` in the exercise); an error it raises becomes a hint."""
    values = f"{name} = {_numbers(x)}"
    try:
        return function(x)
    except RuntimeError as error:
        text = str(error)
        if "does not require grad" in text:
            raise NotYet(
                _(
                    "calling your function on {x} raised: {error} Compute from the x your function is given "
                    "(it already requires grad), not from a new tensor."
                ).format(x=values, error=text.splitlines()[0])
            ) from None
        if "leaf Variable that requires grad" in text:
            raise NotYet(
                _(
                    "calling your function on {x} raised: {error} Autograd refuses to change a leaf that requires "
                    "grad in place while it records; switch recording off with torch.no_grad()."
                ).format(x=values, error=text.splitlines()[0])
            ) from None
        if "backward through the graph a second time" in text:
            raise NotYet(
                _(
                    "calling your function on {x} raised: backward() went through the same graph twice. "
                    "Call backward() once per forward computation."
                ).format(x=values)
            ) from None
        raise NotYet(
            _("calling your function on {x} raised {error_type}: {error}").format(
                x=values, error_type=type(error).__name__, error=text.splitlines()[0]
            )
        ) from None
    except Exception as error:
        raise NotYet(
            _("calling your function on {x} raised {error_type}: {error}").format(
                x=values, error_type=type(error).__name__, error=error
            )
        ) from None


def _expect_returned_grad(returned: Any, grad: torch.Tensor, what: str) -> None:
    """Raise NotYet unless the function returned a tensor with the values of ``grad`` (``what`` names it)."""
    if isinstance(returned, tuple) and len(returned) == 1 and isinstance(returned[0], torch.Tensor):
        raise NotYet(_("your function returns a tuple of one tensor; return {what} itself.").format(what=what))
    if returned is None:
        raise NotYet(
            _("{what} is right, but your function returns None: end it with return {what}.").format(what=what)
        )
    expect_tensor(returned, grad, _("what your function returns"), hint=_("return {what}.").format(what=what),
                  check_dtype=False)


# ---- 02.1 -------------------------------------------------------------------------------------------------------

@exercise("02.1")
def derivative_by_autograd(answer: Any) -> str:
    """A function x -> x.grad after y = x**2 + 2x and y.backward(); called on leaves x = 3, -1.5 and 0.25."""
    _expect_function(answer)
    for value in (3.0, -1.5, 0.25):
        leaf = _Leaf(value)
        returned = _call(answer, leaf.x)
        want = torch.tensor(2 * value + 2)
        if isinstance(returned, tuple) and len(returned) == 1 and isinstance(returned[0], torch.Tensor):
            raise NotYet(
                _(
                    "torch.autograd.grad returns a tuple, and it hands the gradient back without storing it in "
                    "x.grad. The task is to fill x.grad: call y.backward() and return x.grad."
                )
            )
        if leaf.x.grad is None:
            if isinstance(returned, (torch.Tensor, int, float)) and not isinstance(returned, bool):
                got = torch.as_tensor(returned).detach().double()
                if got.numel() == 1 and abs(got.item() - (value**2 + 2 * value)) < 1e-6:
                    raise NotYet(_("that is the value of y; the task asks for its derivative."))
                if got.numel() == 1 and abs(got.item() - want.item()) < 1e-6:
                    if isinstance(returned, torch.Tensor) and returned.grad_fn is not None:
                        raise NotYet(
                            _(
                                "this was computed from x by a formula (it has grad_fn={grad_fn}), so you worked "
                                "out the derivative yourself. Let autograd do it: call y.backward() and return x.grad."
                            ).format(grad_fn=type(returned.grad_fn).__name__)
                        )
                    raise NotYet(
                        _(
                            "the number is right, but x.grad of the x your function was given is still None: "
                            "a number worked out by hand, or torch.autograd.grad (which hands the gradient back), "
                            "fills nothing. Let y.backward() fill x.grad, and return x.grad."
                        )
                    )
            raise NotYet(
                _(
                    "x.grad of the x your function was given (x = {x}) is still None: .grad is filled only when "
                    "backward() runs on a result computed from that x."
                ).format(x=_numbers(leaf.x))
            )
        if not leaf.backward_filled_grad:
            raise NotYet(_("x.grad was set by hand, not by backward(); let autograd fill it: call y.backward()."))
        expect_tensor(leaf.x.grad, want, _("x.grad at x = {x}").format(x=value),
                      hint=_("y = x ** 2 + 2 * x, computed from the x your function is given."), check_dtype=False)
        if isinstance(returned, torch.Tensor) and returned.numel() == 1:
            if abs(returned.detach().double().item() - (value**2 + 2 * value)) < 1e-6:
                raise NotYet(_("that is the value of y; the task asks for its derivative."))
        _expect_returned_grad(returned, leaf.x.grad, "x.grad")
    return _("dy/dx = 2x + 2, which is 8 at x = 3; autograd found it at every x the check tried.")


# ---- 02.2 -------------------------------------------------------------------------------------------------------

def _out_of_02_2(x: torch.Tensor) -> torch.Tensor:
    return (2 * (x + 1) ** 2).mean()


@exercise("02.2")
def gradient_by_hand(answer: Any) -> str:
    """A formula x -> ∂out/∂x for out = mean(2 (x + 1)²), x 2×2, worked out by hand; compared with autograd."""
    _expect_function(answer)
    inputs = ([[0.0, 1.0], [2.0, 3.0]], [[-1.5, 0.5], [4.0, -2.0]], [[0.25, -3.0], [1.0, 10.0]])
    for values in inputs:
        x = torch.tensor(values)
        leaf = x.clone().requires_grad_(True)
        _out_of_02_2(leaf).backward()
        want = leaf.grad
        got = _call(answer, x.clone())
        if isinstance(got, torch.Tensor) and got.numel() == 1 and tuple(got.shape) != (2, 2):
            if torch.allclose(got.detach().double(), _out_of_02_2(x).double()):
                raise NotYet(_("that is out itself; the gradient has one number per element of x, shape (2, 2)."))
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (2, 2):
            expect_tensor(got, want, _("what your formula returns"), check_dtype=False)
        got = got.detach().double()
        if torch.allclose(got, 4 * want.double()):
            raise NotYet(_("4 times too big: out is a mean over 4 elements, and that divides every gradient by 4."))
        if not torch.allclose(got, want.double(), atol=1e-5, rtol=1e-4):
            if values is not inputs[0] and torch.allclose(got, torch.tensor(inputs[0]).double() + 1):
                raise NotYet(
                    _(
                        "right at the notebook's x, but your function returns the same numbers for every x: "
                        "write the formula in terms of x, not the numbers."
                    )
                )
            raise NotYet(
                _(
                    "at x = {x} your formula gives {got}, but autograd gives {want}. Redo the chain rule: "
                    "out = mean of z, z = 2 y², y = x + 1."
                ).format(x=_numbers(x), got=_numbers(got), want=_numbers(want))
            )
    return _("∂out/∂x_i = x_i + 1: the 4 from the square's derivative cancels the mean's 1/4.")


# ---- 02.3 -------------------------------------------------------------------------------------------------------

@exercise("02.3")
def weighted_backward(answer: Any) -> str:
    """A function x -> x.grad after y = x**2 and y.backward(gradient=v), v weighting y[0] + 2 y[2]."""
    _expect_function(answer)
    for values in ([1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]):
        leaf = _Leaf(values)
        returned = _call(answer, leaf.x)
        x = leaf.x.detach()
        if leaf.x.grad is None:
            if isinstance(returned, tuple):
                raise NotYet(
                    _(
                        "torch.autograd.grad hands the gradient back without storing it in x.grad; "
                        "the task is to let y.backward(gradient=v) fill x.grad."
                    )
                )
            raise NotYet(
                _(
                    "x.grad of the x your function was given (x = {x}) is still None: "
                    "let y.backward(gradient=v) fill it."
                ).format(x=_numbers(leaf.x))
            )
        if not leaf.backward_filled_grad:
            raise NotYet(_("x.grad was set by hand, not by backward(); let y.backward(gradient=v) fill it."))
        grad = leaf.x.grad
        if torch.allclose(grad, 2 * x):
            raise NotYet(_("that is the gradient of y.sum() (every output weighted 1); choose the weights in v."))
        want = torch.stack([2 * x[0], torch.zeros(()), 4 * x[2]])
        expect_tensor(grad, want, _("x.grad at x = {x}").format(x=_numbers(x)),
                      hint=_("v holds one weight per element of y, in y's order: y0 counts 1, y1 0 and y2 2."),
                      check_dtype=False)
        _expect_returned_grad(returned, grad, "x.grad")
    return _("v = [1, 0, 2] weights the rows of the Jacobian: x.grad = v @ J.")


# ---- 02.4 -------------------------------------------------------------------------------------------------------

@exercise("02.4")
def gradient_of_non_leaf(answer: Any) -> str:
    """A function x -> y.grad for y = 3x, out = (y**2).sum(), kept with retain_grad() through out.backward()."""
    _expect_function(answer)
    for values in ([1.0, 2.0], [-0.5, 3.0]):
        leaf = _Leaf(values)
        returned = _call(answer, leaf.x)
        x = leaf.x.detach()
        if isinstance(returned, tuple) and len(returned) == 1:
            raise NotYet(
                _(
                    "torch.autograd.grad hands the gradient back without storing it in y.grad. "
                    "The task is y.grad: call y.retain_grad(), then out.backward()."
                )
            )
        if returned is None:
            raise NotYet(
                _("y.grad is None: y is not a leaf, so autograd drops its gradient unless you ask it to keep it.")
            )
        if isinstance(returned, torch.Tensor) and torch.allclose(returned.detach().double(), 18 * x.double()):
            raise NotYet(_("that is ∂out/∂x (x.grad); the task asks for ∂out/∂y."))
        if not leaf.backward_filled_grad:
            if isinstance(returned, torch.Tensor) and torch.allclose(returned.detach().double(), 6 * x.double()):
                raise NotYet(
                    _(
                        "the numbers are right, but they did not come from out.backward(): the x your function was "
                        "given got no gradient. Use y.retain_grad() and out.backward(), then return y.grad."
                    )
                )
            raise NotYet(
                _("out.backward() never ran on the x your function was given: it got no gradient.")
            )
        expect_tensor(returned, 6 * x, _("what your function returns at x = {x}").format(x=_numbers(x)),
                      hint=_("∂out/∂y = 2y, and y = 3x."), check_dtype=False)
    return _("retain_grad() keeps the gradient of a non-leaf tensor.")


# ---- 02.5 -------------------------------------------------------------------------------------------------------

@exercise("02.5")
def fresh_gradient(answer: Any) -> str:
    """A function that leaves in x.grad only the gradient of (3 x).sum(), though x.grad held (x**2).sum()'s."""
    _expect_function(answer)
    for values in ([1.0, 2.0], [0.5, -1.0]):
        leaf = _Leaf(values)
        x = leaf.x
        (x**2).sum().backward()
        leaf.backward_filled_grad = False
        old = x.grad.clone()
        returned = _call(answer, x)
        grad = x.grad
        if grad is None:
            raise NotYet(
                _("x.grad is None: you cleared it, but (3 * x).sum().backward() never ran.")
            )
        if not leaf.backward_filled_grad:
            if torch.equal(grad, old):
                raise NotYet(
                    _(
                        "x.grad still holds the gradient of (x ** 2).sum(): your function did not change it. "
                        "Clear it, then run backward() on (3 * x).sum()."
                    )
                )
            if torch.equal(grad, torch.zeros_like(grad)):
                raise NotYet(_("you cleared x.grad, but (3 * x).sum().backward() never ran."))
            raise NotYet(_("x.grad was set by hand, not by backward(); let autograd fill it."))
        if torch.allclose(grad, old + 3):
            raise NotYet(
                _("x.grad is both gradients added up: backward() adds to .grad, so clear it first.")
            )
        expect_tensor(grad, torch.full_like(grad, 3.0), _("x.grad at x = {x}").format(x=_numbers(x)),
                      hint=_("the gradient of (3 * x).sum() alone is 3 everywhere."), check_dtype=False)
        _expect_returned_grad(returned, grad, "x.grad")
    return _("clear .grad (x.grad.zero_() or x.grad = None) before the next backward().")


# ---- 02.6 -------------------------------------------------------------------------------------------------------

@exercise("02.6")
def update_without_recording(answer: Any) -> str:
    """A function that doubles the leaf it gets in place with recording off; the leaf still requires grad."""
    _expect_function(answer)
    for values in ([1.0, 2.0], [-3.0, 0.5]):
        w = torch.tensor(values, requires_grad=True)
        returned = _call(answer, w, "w")
        if not w.requires_grad:
            raise NotYet(
                _(
                    "w no longer requires grad: your function switched it off (requires_grad_(False)). Keep w a "
                    "leaf that requires grad, and switch recording off for the update only, with torch.no_grad()."
                )
            )
        doubled = torch.equal(w.detach(), 2 * torch.tensor(values))
        if not doubled and torch.equal(w.detach(), torch.tensor(values)):
            if isinstance(returned, torch.Tensor) and returned.grad_fn is not None:
                raise NotYet(
                    _(
                        "autograd recorded this (grad_fn={grad_fn}), so your function returns a new, computed "
                        "tensor and w itself did not change. Switch recording off with torch.no_grad() and "
                        "change w in place."
                    ).format(grad_fn=type(returned.grad_fn).__name__)
                )
            raise NotYet(
                _(
                    "w still holds {values}: w * 2 makes a new tensor, and w = w * 2 inside a function only rebinds "
                    "a name. Double w in place (*= or mul_) inside torch.no_grad()."
                ).format(values=_numbers(w))
            )
        if not doubled:
            raise NotYet(
                _("w went from {before} to {after}; it should hold twice its values.").format(
                    before=_numbers(torch.tensor(values)), after=_numbers(w)
                )
            )
        if w._version == 0:
            raise NotYet(
                _(
                    "the values are doubled, but autograd's version counter of w never moved: w was changed "
                    "through .data, behind autograd's back (see Older code you will meet). "
                    "Use with torch.no_grad(): and change w itself."
                )
            )
    return _("torch.no_grad() kept the update out of the graph, and w is still a leaf that requires grad.")
