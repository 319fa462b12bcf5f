"""Checkers for notebook 04 · Loss and backprop.

Each check comes in two parts (see :mod:`helpers.check`): an observer, run where the answer lives, turns it into plain
data (tensors detached and copied, type names, the class names of a loss's graph, a crash's error); the judge gets
only that data and computes what it expects itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F

from helpers.check import NotYet, a_kind, exercise, expect_seen, expect_tensor, plain_or_kind
from helpers.i18n import _


def _pairs(seed: int | None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(output, target) pairs that 04.1 and 04.2 call the learner's function on, drawn with a generator of their own.

    The example: shapes (1, 10) and (4, 3). Another seed: shapes (1, 11..15) and (2..6, 4..8), never the example's,
    and at least 8 elements, so that 2 / N tells the right gradient from its usual mistakes.
    """
    if seed is None:
        g = torch.Generator().manual_seed(4)
        shapes = [(1, 10), (4, 3)]
    else:
        g = torch.Generator().manual_seed(seed)
        columns, rows, more_columns = (int(torch.randint(low, low + 5, (1,), generator=g)) for low in (11, 2, 4))
        shapes = [(1, columns), (rows, more_columns)]
    return [(torch.randn(*shape, generator=g), torch.randn(*shape, generator=g)) for shape in shapes]


def _backward_names(tensor: torch.Tensor) -> list[str]:
    """The class names of every node in the graph behind ``tensor``."""
    names, todo, seen = [], [tensor.grad_fn], set()
    while todo:
        fn = todo.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        names.append(type(fn).__name__)
        todo.extend(next_fn for next_fn, _index in fn.next_functions)
    return names


def _call_on_pairs(function: Any, pairs: list[tuple[torch.Tensor, torch.Tensor]], requires_grad: bool) -> dict:
    """Observe ``function(output, target)`` on each pair (``output`` requiring a gradient when asked), up to a crash.

    Returns ``{"callable": False, "kind": type name}`` for an answer that is no function; else ``{"callable": True,
    "calls": [...]}``, one entry per call: ``{"raised": error type, "error": its text}`` (the last), or what it
    returned: ``number`` (a Python number, NumPy's included), ``value`` (:func:`~helpers.check.plain_or_kind`), and for a tensor
    ``grad_fn`` (whether it has one) and ``graph`` (the class names of its graph's nodes).
    """
    if not callable(function):
        return {"callable": False, "kind": type(function).__name__}
    calls = []
    for output, target in pairs:
        output = output.clone().requires_grad_(requires_grad)
        try:
            got = function(output, target.clone())
        except Exception as error:  # noqa: BLE001 - a learner's function may fail in any way
            calls.append({"raised": type(error).__name__, "error": str(error)})
            break
        is_tensor = isinstance(got, torch.Tensor)
        calls.append(
            {
                "number": isinstance(got, (int, float)) and not isinstance(got, bool),
                "value": plain_or_kind(got),
                "grad_fn": is_tensor and got.grad_fn is not None,
                "graph": _backward_names(got) if is_tensor else [],
            }
        )
    return {"callable": True, "calls": calls}


def _returns(
    seen: dict, pairs: list[tuple[torch.Tensor, torch.Tensor]], name: str
) -> Iterator[tuple[torch.Tensor, torch.Tensor, dict]]:
    """Each pair with what the learner's function returned for it (a dict of :func:`_call_on_pairs`), in order; a
    hint when the answer is no function or when the call crashed."""
    if not seen["callable"]:
        raise NotYet(
            _("the answer should be a function {name}(output, target), but it is {kind}.").format(
                name=name, kind=a_kind(seen["kind"])
            )
        )
    for (output, target), call in zip(pairs, seen["calls"], strict=False):
        if "raised" in call:
            raise NotYet(
                _("calling {name}(output, target) on tensors of shape {shape} raised {error_type}: {error}").format(
                    name=name, shape=tuple(output.shape), error_type=call["raised"], error=call["error"]
                )
            )
        yield output, target, call
    if len(seen["calls"]) != len(pairs):
        raise NotYet(_("the check got no observation of your answer; run the exercise cell again."))


@exercise("04.1", observe=partial(_call_on_pairs, requires_grad=True), cases=_pairs)
def mse_by_hand(seen: dict, pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    """A function ``mse(output, target)``: the mean squared error, without nn.MSELoss (or F.mse_loss).

    Observes, for each pair (``output`` requiring a gradient), what the function returns: whether a Python number,
    the value, whether it has a grad_fn and the class names of its graph (PyTorch's MSE leaves MseLossBackward0).
    """
    for output, target, call in _returns(seen, pairs, "mse"):
        if call["number"]:
            raise NotYet(
                _(
                    "your mse returns a Python number: backward() cannot run from it. "
                    "Keep the loss a tensor (no .item())."
                )
            )
        value = call["value"]
        expect_seen(value, torch.Tensor, _("what your mse returns"))
        if any("MseLoss" in name for name in call["graph"]):
            raise NotYet(
                _(
                    "your mse calls PyTorch's MSE (nn.MSELoss or F.mse_loss: its graph holds MseLossBackward0); "
                    "write it with a difference, a square and a mean."
                )
            )
        if not call["grad_fn"]:
            raise NotYet(
                _(
                    "your loss is not connected to output (no grad_fn), so backward() could not reach the network: "
                    "compute it from the arguments, without .detach() or .item()."
                )
            )
        diff = output - target
        if value.numel() != 1:
            raise NotYet(
                _("a loss is one number, but yours has shape {shape}; average the squared differences.").format(
                    shape=tuple(value.shape)
                )
            )
        value = value.reshape(())
        if torch.allclose(value, (diff**2).sum(), atol=1e-5):
            raise NotYet(_("that is the sum of the squared differences; MSELoss takes their mean."))
        if torch.allclose(value, diff.abs().mean(), atol=1e-5):
            raise NotYet(_("that is the mean absolute difference (L1); square the differences instead."))
        if torch.allclose(value, (diff**2).mean().sqrt(), atol=1e-5):
            raise NotYet(_("that is the square root of the mean squared error (RMSE); leave out the root."))
        if torch.allclose(value, diff.mean() ** 2, atol=1e-5):
            raise NotYet(_("that squares the mean difference; square each difference first, then take the mean."))
        expect_tensor(
            value,
            (diff**2).mean(),
            _("your loss"),
            hint=_("square (output - target), then take the mean."),
            check_dtype=False,
        )


@exercise("04.2", observe=partial(_call_on_pairs, requires_grad=False), cases=_pairs)
def mse_gradient(seen: dict, pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    """A function ``mse_grad(output, target)``: the gradient of the MSE loss with respect to ``output``.

    Observes what the function returns for each pair (``output`` requires no gradient, so autograd cannot stand in
    for the formula).
    """
    for output, target, call in _returns(seen, pairs, "mse_grad"):
        got = call["value"]
        expect_seen(got, torch.Tensor, _("what your mse_grad returns"))
        diff = output - target
        n = diff.numel()
        if got.shape == diff.shape:
            if torch.allclose(got, diff, atol=1e-6):
                raise NotYet(
                    _(
                        "close: the derivative of a square brings a factor 2, "
                        "and the mean divides by the number of elements."
                    )
                )
            if torch.allclose(got, 2 * diff, atol=1e-6):
                raise NotYet(
                    _("almost: the loss is a mean over {n} numbers, so each derivative is divided by {n}.").format(n=n)
                )
            if torch.allclose(got, diff / n, atol=1e-6):
                raise NotYet(_("almost: the derivative of (o - t)² is 2·(o - t)."))
            if torch.allclose(got, -2 * diff / n, atol=1e-6):
                raise NotYet(
                    _(
                        "the sign is flipped: the derivative with respect to o of (o - t)² is 2·(o - t), "
                        "not 2·(t - o)."
                    )
                )
            if n != 10 and torch.allclose(got, 2 * diff / 10, atol=1e-6):
                raise NotYet(
                    _(
                        "for output of shape {shape} your function divides by 10: "
                        "N is the number of elements of output, output.numel()."
                    ).format(shape=tuple(output.shape))
                )
        expect_tensor(
            got, 2 * diff / n, _("your gradient"), hint=_("d/do of mean((o - t)²) is 2·(o - t) / N.")
        )


def _names_seen(answer: Any) -> Any:
    """04.3's observer: a list or tuple with each string as a plain ``str`` and anything else :func:`~helpers.check.plain_or_kind`
    (a Function object becomes its type's name in a ``{"kind": ...}``); any other answer :func:`~helpers.check.plain_or_kind`."""
    if not isinstance(answer, (list, tuple)):
        return plain_or_kind(answer)
    names = [str.__str__(name) if isinstance(name, str) else plain_or_kind(name) for name in answer]
    return names if isinstance(answer, list) else tuple(names)


def _normalize_name(name: Any) -> Any:
    if isinstance(name, str):
        return name.replace("torch::autograd::", "")
    return name


@exercise("04.3", observe=_names_seen)
def walk_graph(seen: Any) -> None:
    """The class names met walking ``next_functions[0][0]`` from ``loss.grad_fn`` to the AccumulateGrad of ``w``.

    Observes the list's strings (and the type of anything else in it).
    """
    expected = ["SumBackward0", "ReluBackward0", "MulBackward0", "AccumulateGrad"]
    answer = seen
    expect_seen(answer, (list, tuple))
    names = [_normalize_name(n) for n in answer]
    if not all(isinstance(n, str) for n in names):
        raise NotYet(_("give the names as strings, e.g. type(fn).__name__, not the Function objects themselves."))
    if any("object at" in n or n.startswith("<") for n in names):
        raise NotYet(_("str(fn) includes a memory address; use type(fn).__name__ to get just the name."))
    if names == expected[::-1]:
        raise NotYet(_("the order is reversed: start at toy_loss.grad_fn and walk towards w."))
    if names == expected[:-1]:
        raise NotYet(_("one step short: the walk ends at the node that writes w.grad, AccumulateGrad."))
    if names != expected:
        raise NotYet(
            _("you found {names}; follow fn.next_functions[0][0] until it has no next function.").format(names=names)
        )


def _grads_seen(answer: Any) -> dict:
    """04.4's observer: ``{"grads": each entry :func:`~helpers.check.plain_or_kind` (or the answer itself, when no list or tuple),
    "repeats": whether an entry is the very object of an earlier one}``."""
    if not isinstance(answer, (list, tuple)):
        return {"grads": plain_or_kind(answer), "repeats": False}
    repeats = any(got is earlier for i, got in enumerate(answer) for earlier in answer[:i])
    return {"grads": [plain_or_kind(got) for got in answer], "repeats": repeats}


def _fresh_gradients() -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The weight of 04.4's model (bias zero) and the gradient of its loss on each of the cell's batches, alone."""
    g = torch.Generator().manual_seed(0)
    weight = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    grads = []
    for xb in [torch.randn(4, 3, generator=g) for _batch in range(3)]:
        (grad,) = torch.autograd.grad(F.linear(xb, weight, torch.zeros(1)).pow(2).mean(), weight)
        grads.append(grad)
    return weight.detach(), grads


@exercise("04.4", observe=_grads_seen)
def fresh_gradients(seen: dict) -> None:
    """One gradient of ``model.weight`` per batch, each computed on its own (zero_grad in the loop).

    Observes the list's tensors (copied) and whether it holds one tensor more than once (no .clone()).
    """
    weight, expected = _fresh_gradients()
    total = torch.zeros(1, 3)
    answer = seen["grads"]
    expect_seen(answer, (list, tuple))
    if len(answer) != len(expected):
        raise NotYet(
            _("there are {expected} batches, so the list needs {expected} gradients, got {got}.").format(
                expected=len(expected), got=len(answer)
            )
        )
    all_batches = sum(expected)
    if seen["repeats"]:
        if all(isinstance(got, torch.Tensor) and got.shape == all_batches.shape for got in answer) and torch.allclose(
            answer[-1], all_batches, atol=1e-6
        ):
            raise NotYet(
                _(
                    "every entry of your list is one tensor holding the gradient of all the batches together: "
                    "the gradients accumulated. Call model.zero_grad() before each backward(), and keep each "
                    "batch's gradient with .clone()."
                )
            )
        raise NotYet(
            _(
                "your list holds the same tensor more than once: backward() writes into that one .grad tensor, "
                "so keep a copy of each batch's gradient with .clone()."
            )
        )
    for i, got in enumerate(answer):
        expect_seen(got, torch.Tensor, _("gradient {i}").format(i=i))
        if got.shape == weight.shape and torch.allclose(got, weight):
            raise NotYet(
                _("gradient {i} is the weight itself; after backward() the gradient is in model.weight.grad.").format(
                    i=i
                )
            )
        if i == 0 and got.shape == all_batches.shape and torch.allclose(got, all_batches, atol=1e-6):
            raise NotYet(
                _(
                    "gradient {i} is the gradient of all the batches together: "
                    "give each batch its own zero_grad, forward and backward."
                ).format(i=i)
            )
        total = total + expected[i]
        if i > 0 and got.shape == total.shape and torch.allclose(got, total, atol=1e-6):
            raise NotYet(
                _(
                    "gradient {i} is the sum of the gradients so far: they accumulated. "
                    "Call model.zero_grad() before each backward()."
                ).format(i=i)
            )
        expect_tensor(
            got,
            expected[i],
            _("gradient {i}").format(i=i),
            hint=_("one zero_grad, one forward, one backward per batch."),
        )


def _vjp_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    """The x and u of exercise 04.5."""
    return torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.1, 0.01])


def _y_of(x: torch.Tensor) -> torch.Tensor:
    """The y of exercise 04.5: every element depends on every element of x, so its Jacobian is a full matrix."""
    return x * x.sum()


@exercise("04.5", observe=plain_or_kind)
def vjp_with_scalar(seen: Any) -> None:
    """x.grad from a scalar built from y and u: the same numbers as y.backward(u), for a y whose Jacobian is full.

    Observes the answer (a tensor, copied; None; or the name of its type).
    """
    x, u = _vjp_inputs()
    x = x.requires_grad_(True)
    (_y_of(x) * u).sum().backward()
    want = x.grad
    x_sum = x.detach().clone().requires_grad_(True)
    _y_of(x_sum).sum().backward()
    of_sum = x_sum.grad  # the gradient of y.sum(): u = (1, 1, 1)
    answer = seen
    if answer is None:
        raise NotYet(_("your gradient is None: x.grad stays None until backward() has run on a number built from y."))
    expect_seen(answer, torch.Tensor, _("your gradient"))
    if answer.shape == want.shape:
        if torch.allclose(answer, of_sum):
            raise NotYet(
                _("that is the gradient of y.sum(), i.e. u = (1, 1, 1); weight each y_i by u_i before summing.")
            )
        if torch.allclose(answer, of_sum * u):
            raise NotYet(
                _(
                    "that weights the gradient of y.sum() by u afterwards. That equals uᵀJ only when each y_i "
                    "depends on x_i alone (a diagonal Jacobian); here every y_i depends on all of x. "
                    "Weight each y_i by u_i before summing."
                )
            )
        if torch.allclose(answer, want / want.numel()):
            raise NotYet(_("that is a third of uᵀJ: .mean() divides by 3; the vector-Jacobian product uses .sum()."))
    expect_tensor(
        answer,
        want,
        _("your gradient"),
        hint=_("backward() on (y * u).sum() gives uᵀJ, the same as y.backward(u)."),
    )
