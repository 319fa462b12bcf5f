"""Checkers for notebook 04 · Loss and backprop."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_type, exercise, expect_tensor, expect_type
from helpers.i18n import _


def _pairs() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(output, target) pairs the checks of 04.1 and 04.2 call the learner's function on: two shapes, local RNG."""
    g = torch.Generator().manual_seed(4)
    return [(torch.randn(1, 10, generator=g), torch.randn(1, 10, generator=g)),
            (torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g))]


def _call(function: Any, output: torch.Tensor, target: torch.Tensor, name: str) -> Any:
    """Call the learner's ``function(output, target)``; a crash becomes a hint that names the call."""
    if not callable(function):
        raise NotYet(
            _("the answer should be a function {name}(output, target), but it is {kind}.").format(
                name=name, kind=a_type(function)
            )
        )
    try:
        return function(output, target)
    except Exception as error:  # noqa: BLE001 - a learner's function may fail in any way
        raise NotYet(
            _("calling {name}(output, target) on tensors of shape {shape} raised {error_type}: {error}").format(
                name=name, shape=tuple(output.shape), error_type=type(error).__name__, error=error
            )
        ) from None


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


@exercise("04.1")
def mse_by_hand(answer: Any) -> None:
    """A function ``mse(output, target)``: the mean squared error, without nn.MSELoss (or F.mse_loss)."""
    for output, target in _pairs():
        output = output.clone().requires_grad_(True)
        got = _call(answer, output, target, "mse")
        if isinstance(got, (int, float)) and not isinstance(got, bool):
            raise NotYet(
                _(
                    "your mse returns a Python number: backward() cannot run from it. "
                    "Keep the loss a tensor (no .item())."
                )
            )
        expect_type(got, torch.Tensor, _("what your mse returns"))
        if any("MseLoss" in name for name in _backward_names(got)):
            raise NotYet(
                _(
                    "your mse calls PyTorch's MSE (nn.MSELoss or F.mse_loss: its graph holds MseLossBackward0); "
                    "write it with a difference, a square and a mean."
                )
            )
        if got.grad_fn is None:
            raise NotYet(
                _(
                    "your loss is not connected to output (no grad_fn), so backward() could not reach the network: "
                    "compute it from the arguments, without .detach() or .item()."
                )
            )
        diff = output.detach() - target
        value = got.detach()
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


@exercise("04.2")
def mse_gradient(answer: Any) -> None:
    """A function ``mse_grad(output, target)``: the gradient of the MSE loss with respect to ``output``."""
    for output, target in _pairs():
        got = _call(answer, output, target, "mse_grad")
        expect_type(got, torch.Tensor, _("what your mse_grad returns"))
        diff = output - target
        got = got.detach()
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
                    _("the sign is flipped: the derivative with respect to o of (o - t)² is 2·(o - t), not 2·(t - o).")
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


def _normalize_name(name: Any) -> Any:
    if isinstance(name, str):
        return name.replace("torch::autograd::", "")
    return name


@exercise("04.3")
def walk_graph(answer: Any) -> None:
    """The class names met walking ``next_functions[0][0]`` from ``loss.grad_fn`` to the AccumulateGrad of ``w``."""
    expected = ["SumBackward0", "ReluBackward0", "MulBackward0", "AccumulateGrad"]
    expect_type(answer, (list, tuple))
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
        raise NotYet(_("you found {names}; follow fn.next_functions[0][0] until it has no next function.").format(names=names))


def _grad_batches() -> tuple[nn.Linear, list[torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):  # nn.Linear's initialisation must not advance the learner's RNG
        model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.5, -1.0, 2.0]]))
        model.bias.zero_()
    batches = [torch.randn(4, 3, generator=g) for _batch in range(3)]
    return model, batches


@exercise("04.4")
def fresh_gradients(answer: Any) -> None:
    """One gradient of ``model.weight`` per batch, each computed on its own (zero_grad in the loop)."""
    model, batches = _grad_batches()
    expected, total = [], torch.zeros(1, 3)
    for xb in batches:
        model.zero_grad()
        model(xb).pow(2).mean().backward()
        expected.append(model.weight.grad.clone())
    expect_type(answer, (list, tuple))
    if len(answer) != len(expected):
        raise NotYet(
            _("there are {expected} batches, so the list needs {expected} gradients, got {got}.").format(
                expected=len(expected), got=len(answer)
            )
        )
    all_batches = sum(expected)
    if any(got is earlier for i, got in enumerate(answer) for earlier in answer[:i]):
        if all(isinstance(got, torch.Tensor) and got.shape == all_batches.shape for got in answer) and torch.allclose(
            answer[-1].detach(), all_batches, atol=1e-6
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
        expect_type(got, torch.Tensor, _("gradient {i}").format(i=i))
        if got.shape == model.weight.shape and torch.allclose(got.detach(), model.weight.detach()):
            raise NotYet(
                _("gradient {i} is the weight itself; after backward() the gradient is in model.weight.grad.").format(
                    i=i
                )
            )
        if i == 0 and got.shape == all_batches.shape and torch.allclose(got.detach(), all_batches, atol=1e-6):
            raise NotYet(
                _(
                    "gradient {i} is the gradient of all the batches together: "
                    "give each batch its own zero_grad, forward and backward."
                ).format(i=i)
            )
        total = total + expected[i]
        if i > 0 and got.shape == total.shape and torch.allclose(got.detach(), total, atol=1e-6):
            raise NotYet(
                _(
                    "gradient {i} is the sum of the gradients so far: they accumulated. "
                    "Call model.zero_grad() before each backward()."
                ).format(i=i)
            )
        expect_tensor(
            got, expected[i], _("gradient {i}").format(i=i), hint=_("one zero_grad, one forward, one backward per batch.")
        )


def _vjp_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    """The x and u of exercise 04.5."""
    return torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.1, 0.01])


def _y_of(x: torch.Tensor) -> torch.Tensor:
    """The y of exercise 04.5: every element depends on every element of x, so its Jacobian is a full matrix."""
    return x * x.sum()


@exercise("04.5")
def vjp_with_scalar(answer: Any) -> None:
    """x.grad from a scalar built from y and u: the same numbers as y.backward(u), for a y whose Jacobian is full."""
    x, u = _vjp_inputs()
    x = x.requires_grad_(True)
    (_y_of(x) * u).sum().backward()
    want = x.grad
    x_sum = x.detach().clone().requires_grad_(True)
    _y_of(x_sum).sum().backward()
    of_sum = x_sum.grad  # the gradient of y.sum(): u = (1, 1, 1)
    if answer is None:
        raise NotYet(_("your gradient is None: x.grad stays None until backward() has run on a number built from y."))
    expect_type(answer, torch.Tensor, _("your gradient"))
    got = answer.detach()
    if got.shape == want.shape:
        if torch.allclose(got, of_sum):
            raise NotYet(
                _("that is the gradient of y.sum(), i.e. u = (1, 1, 1); weight each y_i by u_i before summing.")
            )
        if torch.allclose(got, of_sum * u):
            raise NotYet(
                _(
                    "that weights the gradient of y.sum() by u afterwards. That equals uᵀJ only when each y_i "
                    "depends on x_i alone (a diagonal Jacobian); here every y_i depends on all of x. "
                    "Weight each y_i by u_i before summing."
                )
            )
        if torch.allclose(got, want / want.numel()):
            raise NotYet(_("that is a third of uᵀJ: .mean() divides by 3; the vector-Jacobian product uses .sum()."))
    expect_tensor(
        answer,
        want,
        _("your gradient"),
        hint=_("backward() on (y * u).sum() gives uᵀJ, the same as y.backward(u)."),
    )
