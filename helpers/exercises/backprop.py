"""Checkers for notebook 04 · Loss and backprop."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, exercise, expect_tensor, expect_type
from helpers.i18n import _


def _output_and_target() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(4)
    output = torch.randn(1, 10, generator=g)
    target = torch.randn(1, 10, generator=g)
    return output, target


def _as_tensor(value: Any, what: str) -> torch.Tensor:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value))
    expect_type(value, torch.Tensor, what)
    return value.detach()


@exercise("04.1")
def mse_by_hand(answer: Any) -> None:
    """The mean squared error of ``output`` against ``target``, without nn.MSELoss."""
    output, target = _output_and_target()
    got = _as_tensor(answer, _("your loss"))
    if got.numel() != 1:
        raise NotYet(
            _("a loss is one number, but yours has shape {shape}; average the squared differences.").format(
                shape=tuple(got.shape)
            )
        )
    got = got.reshape(())
    diff = output - target
    if torch.allclose(got, (diff**2).sum(), atol=1e-5):
        raise NotYet(_("that is the sum of the squared differences; MSELoss takes their mean."))
    if torch.allclose(got, diff.abs().mean(), atol=1e-5):
        raise NotYet(_("that is the mean absolute difference (L1); square the differences instead."))
    expect_tensor(
        got,
        (diff**2).mean(),
        _("your loss"),
        hint=_("square (output - target), then take the mean."),
        check_dtype=False,
    )


@exercise("04.2")
def mse_gradient(answer: Any) -> None:
    """The gradient of the MSE loss with respect to ``output``, from the formula."""
    output, target = _output_and_target()
    expect_type(answer, torch.Tensor, _("your gradient"))
    diff = output - target
    got = answer.detach()
    if got.shape == diff.shape:
        if torch.allclose(got, diff, atol=1e-6):
            raise NotYet(
                _("close: the derivative of a square brings a factor 2, and the mean divides by the number of elements.")
            )
        if torch.allclose(got, 2 * diff, atol=1e-6):
            raise NotYet(_("almost: the loss is a mean over 10 numbers, so each derivative is divided by 10."))
        if torch.allclose(got, diff / diff.numel(), atol=1e-6):
            raise NotYet(_("almost: the derivative of (o - t)² is 2·(o - t)."))
    expect_tensor(got, 2 * diff / diff.numel(), _("your gradient"), hint=_("d/do of mean((o - t)²) is 2·(o - t) / N."))


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
        raise NotYet(_("the order is reversed: start at loss.grad_fn and walk towards w."))
    if names == expected[:-1]:
        raise NotYet(_("one step short: the walk ends at the node that writes w.grad, AccumulateGrad."))
    if names != expected:
        raise NotYet(_("you found {names}; follow fn.next_functions[0][0] until it has no next function.").format(names=names))


def _grad_batches() -> tuple[nn.Linear, list[torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
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
    for i, got in enumerate(answer):
        expect_type(got, torch.Tensor, _("gradient {i}").format(i=i))
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


@exercise("04.5")
def vjp_with_scalar(answer: Any) -> None:
    """x.grad from a scalar built from y and v: the same numbers as y.backward(v)."""
    x = torch.tensor([1.0, 2.0, 3.0])
    v = torch.tensor([1.0, 0.1, 0.01])
    expect_type(answer, torch.Tensor, _("your gradient"))
    if answer.shape == x.shape and torch.allclose(answer.detach(), 2 * x):
        raise NotYet(_("that is the gradient of y.sum(), i.e. v = (1, 1, 1); weight each y_i by v_i before summing."))
    expect_tensor(
        answer,
        2 * x * v,
        _("your gradient"),
        hint=_("backward() on (y * v).sum() gives v @ J, the same as y.backward(v)."),
    )
