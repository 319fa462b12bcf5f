"""Checkers for the exercises of notebook 02 · Autograd.

Each answer is a function. The check calls it on tensors it makes itself (a leaf that requires grad, with values the
learner does not know in advance) and then looks at what autograd left in ``.grad``: a number typed or worked out by
hand cannot pass where the exercise says "let autograd do it".

Every exercise comes in two parts (see :mod:`helpers.check`). Its observer, in the learner's kernel, calls the function
on each input of the case, one after the other, and records plain data: what autograd left in ``.grad`` and whether
backward() put it there, what the function returned, or the error it raised (no further input is tried after one).
Its judge gets only those records and works out the gradients it expects from the case itself. ``cases(None)`` are the
exercise's own inputs; any other seed draws inputs of the same shape (:func:`_inputs`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import torch

from helpers.check import NotYet, a_kind, exercise, expect_tensor, wrong_type
from helpers.i18n import _

Case = tuple[Any, ...]  # the inputs the function is called on, one after the other: numbers, or nested tuples/lists


def _inputs(example: Case, shape: tuple[int, ...]) -> Callable[[int | None], Case]:
    """An exercise's ``cases``: its own inputs ``example`` for seed None; for a seed, as many inputs of ``shape``.

    The drawn numbers are different nonzero multiples of 0.25 from -5 to 5 that the example does not use: exact in
    float32, like the gradients the judge expects, and never the example's, so a function that recognises the
    example's numbers fails there.
    """
    used = set(torch.tensor(example).flatten().tolist())
    pool = [k / 4 for k in range(-20, 21) if k != 0 and k / 4 not in used]

    def cases(seed: int | None) -> Case:
        if seed is None:
            return example
        g = torch.Generator().manual_seed(seed)
        picks = torch.randperm(len(pool), generator=g)[: len(example) * math.prod(shape)].tolist()
        return tuple(torch.tensor([pool[i] for i in picks]).reshape(len(example), *shape).tolist())

    return cases


def _numbers(t: torch.Tensor) -> str:
    """A tensor's values, nested as its rows, for a hint: 3, [1, -0.5] or [[0, 1], [2, 3]]."""

    def text(values: Any) -> str:
        if isinstance(values, list):
            return "[" + ", ".join(text(v) for v in values) + "]"
        return f"{values:g}"

    return text(t.detach().cpu().tolist())


# ---- observing, in the learner's kernel -------------------------------------------------------------------------


class _Leaf:
    """A leaf that requires grad, made by the check, that notes whether backward() accumulated into its .grad."""

    def __init__(self, values: Any) -> None:
        self.x = torch.tensor(values, requires_grad=True)
        self.backward_filled_grad = False
        self.x.register_post_accumulate_grad_hook(self._filled)

    def _filled(self, _tensor: torch.Tensor) -> None:
        self.backward_filled_grad = True


def _not_a_function(answer: Any) -> dict[str, Any] | None:
    return None if callable(answer) else {"function": False, "kind": type(answer).__name__}


def _call(function: Callable[..., Any], x: torch.Tensor) -> tuple[Any, dict[str, Any] | None]:
    """(what the learner's function returns on ``x``, None), or (None, the error it raised, as data)."""
    try:
        return function(x), None
    except Exception as error:
        return None, {"error": type(error).__name__, "runtime": isinstance(error, RuntimeError), "message": str(error)}


def _returned(value: Any) -> dict[str, Any]:
    """What a call returned, as data: its type's name; a tensor's values and grad_fn (its class's name), a Python
    number's value, a tuple's length and whether it holds one tensor."""
    seen: dict[str, Any] = {"kind": type(value).__name__, "none": value is None}
    if isinstance(value, torch.Tensor):
        seen["tensor"] = value.detach().cpu().clone()
        seen["grad_fn"] = None if value.grad_fn is None else type(value.grad_fn).__name__
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seen["number"] = float(value)
    elif isinstance(value, tuple):
        seen["tuple"] = len(value)
        seen["one tensor"] = len(value) == 1 and isinstance(value[0], torch.Tensor)
    return seen


def _run_on_leaves(answer: Any, case: Case, prepare: Callable[[_Leaf], None] | None = None) -> dict[str, Any]:
    """Call the function on a fresh leaf (that requires grad) of each input; ``prepare`` sets the leaf up first.

    Observes, for each call: x.grad afterwards, whether backward() filled it, and what the function returned.
    """
    if (other := _not_a_function(answer)) is not None:
        return other
    runs = []
    for values in case:
        leaf = _Leaf(values)
        if prepare is not None:
            prepare(leaf)
        returned, error = _call(answer, leaf.x)
        if error is not None:
            runs.append(error)
            break
        grad = leaf.x.grad
        runs.append({"grad": None if grad is None else grad.detach().cpu().clone(),
                     "filled": leaf.backward_filled_grad, "returned": _returned(returned)})
    return {"function": True, "runs": runs}


# ---- judging, from the observer's records only ------------------------------------------------------------------


def _runs(seen: dict[str, Any], case: Case, name: str = "x") -> Iterator[tuple[Any, dict[str, Any]]]:
    """Each input of ``case`` with the record of the call on it, in order; an error the call raised ends the check
    with its hint (``name`` is the argument's name in the exercise)."""
    if not seen["function"]:
        raise NotYet(
            _("the answer should be a function that takes a tensor, but it is {kind}.").format(
                kind=a_kind(seen["kind"])
            )
        )
    runs = seen["runs"]
    for index, values in enumerate(case):
        run = runs[index]
        if "error" in run:
            _explain_error(run, f"{name} = {_numbers(torch.tensor(values))}")
        yield values, run


def _explain_error(run: dict[str, Any], values: str) -> None:
    """Raise the hint for the error the function raised when called on ``values`` ("x = [1, 2]")."""
    error_type, text = run["error"], str(run["message"])
    first = (text.splitlines() or [""])[0]
    if not run["runtime"]:
        raise NotYet(
            _("calling your function on {x} raised {error_type}: {error}").format(
                x=values, error_type=error_type, error=text
            )
        )
    if "does not require grad" in text:
        raise NotYet(
            _(
                "calling your function on {x} raised: {error} Compute from the x your function is given "
                "(it already requires grad), not from a new tensor."
            ).format(x=values, error=first)
        )
    if "leaf Variable that requires grad" in text:
        raise NotYet(
            _(
                "calling your function on {x} raised: {error} Autograd refuses to change a leaf that requires "
                "grad in place while it records; switch recording off with torch.no_grad()."
            ).format(x=values, error=first)
        )
    if "backward through the graph a second time" in text:
        raise NotYet(
            _(
                "calling your function on {x} raised: backward() went through the same graph twice. "
                "Call backward() once per forward computation."
            ).format(x=values)
        )
    raise NotYet(
        _("calling your function on {x} raised {error_type}: {error}").format(
            x=values, error_type=error_type, error=first
        )
    )


def _expect_returned_tensor(returned: dict[str, Any], expected: torch.Tensor, what: str, hint: str = "") -> None:
    """Raise NotYet unless the function returned a tensor with the shape and values of ``expected``."""
    tensor = returned.get("tensor")
    if not isinstance(tensor, torch.Tensor):
        raise wrong_type(torch.Tensor, returned["kind"], what)
    expect_tensor(tensor, expected, what, hint=hint, check_dtype=False)


def _expect_returned_grad(returned: dict[str, Any], grad: torch.Tensor, what: str) -> None:
    """Raise NotYet unless the function returned a tensor with the values of ``grad`` (``what`` names it)."""
    if returned.get("one tensor"):
        raise NotYet(_("your function returns a tuple of one tensor; return {what} itself.").format(what=what))
    if returned["none"]:
        raise NotYet(
            _("{what} is right, but your function returns None: end it with return {what}.").format(what=what)
        )
    _expect_returned_tensor(returned, grad, _("what your function returns"), _("return {what}.").format(what=what))


# ---- 02.1 -------------------------------------------------------------------------------------------------------


@exercise("02.1", observe=_run_on_leaves, cases=_inputs((3.0, -1.5, 0.25), ()))
def derivative_by_autograd(seen: dict[str, Any], case: Case) -> str:
    """A function x -> x.grad after y = x**2 + 2x and y.backward(); called on leaves x = 3, -1.5 and 0.25.

    Observes x.grad after each call, whether backward() filled it, and what the function returned.
    """
    for value, run in _runs(seen, case):
        returned, grad = run["returned"], run["grad"]
        want, y = torch.tensor(2 * value + 2), value**2 + 2 * value
        if returned.get("one tensor"):
            raise NotYet(
                _(
                    "torch.autograd.grad returns a tuple, and it hands the gradient back without storing it in "
                    "x.grad. The task is to fill x.grad: call y.backward() and return x.grad."
                )
            )
        if grad is None:
            got = returned.get("tensor")
            if got is None and returned.get("number") is not None:
                got = torch.tensor(returned["number"])
            if got is not None:
                got = got.double()
                if got.numel() == 1 and abs(got.item() - y) < 1e-6:
                    raise NotYet(_("that is the value of y; the task asks for its derivative."))
                if got.numel() == 1 and abs(got.item() - want.item()) < 1e-6:
                    if returned.get("grad_fn") is not None:
                        raise NotYet(
                            _(
                                "this was computed from x by a formula (it has grad_fn={grad_fn}), so you worked "
                                "out the derivative yourself. Let autograd do it: call y.backward() and return x.grad."
                            ).format(grad_fn=returned["grad_fn"])
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
                ).format(x=_numbers(torch.tensor(value)))
            )
        if not run["filled"]:
            raise NotYet(_("x.grad was set by hand, not by backward(); let autograd fill it: call y.backward()."))
        expect_tensor(grad, want, _("x.grad at x = {x}").format(x=value),
                      hint=_("y = x ** 2 + 2 * x, computed from the x your function is given."), check_dtype=False)
        tensor = returned.get("tensor")
        if isinstance(tensor, torch.Tensor) and tensor.numel() == 1 and abs(tensor.double().item() - y) < 1e-6:
            raise NotYet(_("that is the value of y; the task asks for its derivative."))
        _expect_returned_grad(returned, want, "x.grad")
    return _("dy/dx = 2x + 2, which is 8 at x = 3; autograd found it at every x the check tried.")


# ---- 02.2 -------------------------------------------------------------------------------------------------------

# 02.2's inputs; the first is the x of the notebook
_X_02_2 = (((0.0, 1.0), (2.0, 3.0)), ((-1.5, 0.5), (4.0, -2.0)), ((0.25, -3.0), (1.0, 10.0)))


def _out_of_02_2(x: torch.Tensor) -> torch.Tensor:
    return (2 * (x + 1) ** 2).mean()


def _run_formula(answer: Any, case: Case) -> dict[str, Any]:
    """Call the formula on each 2×2 input (a plain tensor); observe what it returns."""
    if (other := _not_a_function(answer)) is not None:
        return other
    runs = []
    for values in case:
        returned, error = _call(answer, torch.tensor(values))
        if error is not None:
            runs.append(error)
            break
        runs.append({"returned": _returned(returned)})
    return {"function": True, "runs": runs}


@exercise("02.2", observe=_run_formula, cases=_inputs(_X_02_2, (2, 2)))
def gradient_by_hand(seen: dict[str, Any], case: Case) -> str:
    """A formula x -> ∂out/∂x for out = mean(2 (x + 1)²), x 2×2, worked out by hand; compared with autograd.

    Observes what the formula returns on each input.
    """
    notebooks_x = torch.tensor(_X_02_2[0])
    for values, run in _runs(seen, case):
        x = torch.tensor(values)
        with torch.enable_grad():
            leaf = x.clone().requires_grad_(True)
            _out_of_02_2(leaf).backward()
        want = leaf.grad
        returned = run["returned"]
        got = returned.get("tensor")
        if isinstance(got, torch.Tensor) and got.numel() == 1 and tuple(got.shape) != (2, 2):
            if torch.allclose(got.double(), _out_of_02_2(x).double()):
                raise NotYet(_("that is out itself; the gradient has one number per element of x, shape (2, 2)."))
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != (2, 2):
            _expect_returned_tensor(returned, want, _("what your formula returns"))
        got = got.double()
        if torch.allclose(got, 4 * want.double()):
            raise NotYet(_("4 times too big: out is a mean over 4 elements, and that divides every gradient by 4."))
        if not torch.allclose(got, want.double(), atol=1e-5, rtol=1e-4):
            if not torch.equal(x, notebooks_x) and torch.allclose(got, notebooks_x.double() + 1):
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


@exercise("02.3", observe=_run_on_leaves, cases=_inputs(((1.0, 2.0, 3.0), (-1.0, 0.5, 2.0)), (3,)))
def weighted_backward(seen: dict[str, Any], case: Case) -> str:
    """A function x -> x.grad after y = x**2 and y.backward(gradient=v), v weighting y[0] + 2 y[2].

    Observes x.grad after each call, whether backward() filled it, and what the function returned.
    """
    for values, run in _runs(seen, case):
        x, grad, returned = torch.tensor(values), run["grad"], run["returned"]
        if grad is None:
            if returned.get("tuple") is not None:
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
                ).format(x=_numbers(x))
            )
        if not run["filled"]:
            raise NotYet(_("x.grad was set by hand, not by backward(); let y.backward(gradient=v) fill it."))
        if torch.allclose(grad, 2 * x):
            raise NotYet(_("that is the gradient of y.sum() (every output weighted 1); choose the weights in v."))
        want = torch.stack([2 * x[0], torch.zeros(()), 4 * x[2]])
        expect_tensor(grad, want, _("x.grad at x = {x}").format(x=_numbers(x)),
                      hint=_("v holds one weight per element of y, in y's order: y0 counts 1, y1 0 and y2 2."),
                      check_dtype=False)
        _expect_returned_grad(returned, want, "x.grad")
    return _("v = [1, 0, 2] weights the rows of the Jacobian: x.grad = v @ J.")


# ---- 02.4 -------------------------------------------------------------------------------------------------------


@exercise("02.4", observe=_run_on_leaves, cases=_inputs(((1.0, 2.0), (-0.5, 3.0)), (2,)))
def gradient_of_non_leaf(seen: dict[str, Any], case: Case) -> str:
    """A function x -> y.grad for y = 3x, out = (y**2).sum(), kept with retain_grad() through out.backward().

    Observes what the function returned, and whether out.backward() reached x (filled its .grad).
    """
    for values, run in _runs(seen, case):
        x, returned = torch.tensor(values), run["returned"]
        if returned.get("tuple") == 1:
            raise NotYet(
                _(
                    "torch.autograd.grad hands the gradient back without storing it in y.grad. "
                    "The task is y.grad: call y.retain_grad(), then out.backward()."
                )
            )
        if returned["none"]:
            raise NotYet(
                _("y.grad is None: y is not a leaf, so autograd drops its gradient unless you ask it to keep it.")
            )
        tensor = returned.get("tensor")
        if isinstance(tensor, torch.Tensor) and torch.allclose(tensor.double(), 18 * x.double()):
            raise NotYet(_("that is ∂out/∂x (x.grad); the task asks for ∂out/∂y."))
        if not run["filled"]:
            if isinstance(tensor, torch.Tensor) and torch.allclose(tensor.double(), 6 * x.double()):
                raise NotYet(
                    _(
                        "the numbers are right, but they did not come from out.backward(): the x your function was "
                        "given got no gradient. Use y.retain_grad() and out.backward(), then return y.grad."
                    )
                )
            raise NotYet(_("out.backward() never ran on the x your function was given: it got no gradient."))
        _expect_returned_tensor(returned, 6 * x, _("what your function returns at x = {x}").format(x=_numbers(x)),
                                hint=_("∂out/∂y = 2y, and y = 3x."))
    return _("retain_grad() keeps the gradient of a non-leaf tensor.")


# ---- 02.5 -------------------------------------------------------------------------------------------------------


def _after_a_first_backward(leaf: _Leaf) -> None:
    """Fill x.grad with the gradient of (x**2).sum(), as the exercise's cell does, and forget that backward() ran."""
    (leaf.x**2).sum().backward()
    leaf.backward_filled_grad = False


def _run_after_a_first_backward(answer: Any, case: Case) -> dict[str, Any]:
    """Call the function on a leaf whose x.grad already holds (x**2).sum()'s gradient; observe as for 02.1."""
    return _run_on_leaves(answer, case, _after_a_first_backward)


@exercise("02.5", observe=_run_after_a_first_backward, cases=_inputs(((1.0, 2.0), (0.5, -1.0)), (2,)))
def fresh_gradient(seen: dict[str, Any], case: Case) -> str:
    """A function that leaves in x.grad only the gradient of (3 x).sum(), though x.grad held (x**2).sum()'s.

    Observes x.grad after each call, whether backward() filled it during the call, and what the function returned.
    """
    for values, run in _runs(seen, case):
        x, grad = torch.tensor(values), run["grad"]
        old = 2 * x  # what the first backward() left in x.grad
        if grad is None:
            raise NotYet(_("x.grad is None: you cleared it, but (3 * x).sum().backward() never ran."))
        if not run["filled"]:
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
            raise NotYet(_("x.grad is both gradients added up: backward() adds to .grad, so clear it first."))
        want = torch.full_like(x, 3.0)
        expect_tensor(grad, want, _("x.grad at x = {x}").format(x=_numbers(x)),
                      hint=_("the gradient of (3 * x).sum() alone is 3 everywhere."), check_dtype=False)
        _expect_returned_grad(run["returned"], want, "x.grad")
    return _("clear .grad (x.grad.zero_() or x.grad = None) before the next backward().")


# ---- 02.6 -------------------------------------------------------------------------------------------------------


def _run_update(answer: Any, case: Case) -> dict[str, Any]:
    """Call the function on a fresh leaf w (that requires grad) of each input.

    Observes w's values afterwards, whether it still requires grad, whether autograd's version counter of w moved (an
    in-place change autograd saw), and what the function returned.
    """
    if (other := _not_a_function(answer)) is not None:
        return other
    runs = []
    for values in case:
        w = torch.tensor(values, requires_grad=True)
        version = w._version
        returned, error = _call(answer, w)
        if error is not None:
            runs.append(error)
            break
        runs.append({"requires grad": bool(w.requires_grad), "after": w.detach().clone(),
                     "version moved": w._version != version, "returned": _returned(returned)})
    return {"function": True, "runs": runs}


@exercise("02.6", observe=_run_update, cases=_inputs(((1.0, 2.0), (-3.0, 0.5)), (2,)))
def update_without_recording(seen: dict[str, Any], case: Case) -> str:
    """A function that doubles the leaf it gets in place with recording off; the leaf still requires grad.

    Observes w after each call: its values, whether it requires grad, whether its version counter moved.
    """
    for values, run in _runs(seen, case, "w"):
        before, after = torch.tensor(values), run["after"]
        if not run["requires grad"]:
            raise NotYet(
                _(
                    "w no longer requires grad: your function switched it off (requires_grad_(False)). Keep w a "
                    "leaf that requires grad, and switch recording off for the update only, with torch.no_grad()."
                )
            )
        doubled = torch.equal(after, 2 * before)
        if not doubled and torch.equal(after, before):
            grad_fn = run["returned"].get("grad_fn")
            if grad_fn is not None:
                raise NotYet(
                    _(
                        "autograd recorded this (grad_fn={grad_fn}), so your function returns a new, computed "
                        "tensor and w itself did not change. Switch recording off with torch.no_grad() and "
                        "change w in place."
                    ).format(grad_fn=grad_fn)
                )
            raise NotYet(
                _(
                    "w still holds {values}: w * 2 makes a new tensor, and w = w * 2 inside a function only rebinds "
                    "a name. Double w in place (*= or mul_) inside torch.no_grad()."
                ).format(values=_numbers(before))
            )
        if not doubled:
            raise NotYet(
                _("w went from {before} to {after}; it should hold twice its values.").format(
                    before=_numbers(before), after=_numbers(after)
                )
            )
        if not run["version moved"]:
            raise NotYet(
                _(
                    "the values are doubled, but autograd's version counter of w never moved: w was changed "
                    "through .data, behind autograd's back (see Older code you will meet). "
                    "Use with torch.no_grad(): and change w itself."
                )
            )
    return _("torch.no_grad() kept the update out of the graph, and w is still a leaf that requires grad.")
