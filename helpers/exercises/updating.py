"""Checkers for notebook 05 · Updating the weights."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_type, exercise, expect_type
from helpers.i18n import _
from helpers.widgets.learning_rate import short_training


def _small_model_with_grads(seed: int) -> nn.Linear:
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):  # nn.Linear's initialisation must not advance the learner's RNG
        model = nn.Linear(4, 2)
    with torch.no_grad():
        model.weight.copy_(torch.randn(2, 4, generator=g))
        model.bias.copy_(torch.randn(2, generator=g))
    x, y = torch.randn(8, 4, generator=g), torch.randn(8, 2, generator=g)
    nn.functional.mse_loss(model(x), y).backward()
    return model


# (seed of the model, learning rate): two rates, so that a rate written into the function cannot pass both
_SGD_CASES = ((1, 0.1), (2, 0.037))


def _one_sgd_check(answer: Any, seed: int, lr: float) -> None:
    model = _small_model_with_grads(seed)
    before = [p.detach().clone() for p in model.parameters()]
    versions = [p._version for p in model.parameters()]
    grads = [p.grad.clone() for p in model.parameters()]
    try:
        answer(model.parameters(), lr)
    except RuntimeError as error:
        if "leaf Variable" in str(error) or "in-place" in str(error):
            raise NotYet(_("changing a parameter in place needs `with torch.no_grad():` around the update.")) from None
        if "Boolean value of Tensor" in str(error):
            raise NotYet(
                _("`if p in params` compares tensors (the bug of section 1's old code); loop over them with `for p in params:`.")
            ) from None
        raise
    after = [p.detach() for p in model.parameters()]
    if all(torch.equal(a, b) for a, b in zip(after, before)):
        raise NotYet(
            _("the weights did not change: update each tensor in place (p -= ... or p.sub_(...)), don't rebind a name.")
        )
    if all(torch.allclose(a, b + lr * g) for a, b, g in zip(after, before, grads)):
        raise NotYet(_("the weights moved uphill: subtract learning_rate * gradient, don't add it."))
    for (name, p), b, g, version in zip(model.named_parameters(), before, grads, versions):
        moved = not torch.equal(p.detach(), b)
        if moved and p._version == version:
            raise NotYet(
                _(
                    "{name} changed through .data, behind autograd's back (the old code of section 1): "
                    "autograd is not told, so a mistake would go unnoticed. Update p itself inside "
                    "`with torch.no_grad():`."
                ).format(name=name)
            )
        if not torch.allclose(p.detach(), b - lr * g, atol=1e-6):
            step = (b - p.detach()).flatten()
            flat = g.flatten()
            largest = int(flat.abs().argmax())
            factor = (step[largest] / flat[largest]).item() if flat[largest] != 0 else float("nan")
            if moved and math.isfinite(factor) and torch.allclose(p.detach(), b - factor * g, atol=1e-6):
                raise NotYet(
                    _(
                        "called with lr = {lr:g}, your step moved {name} by {factor:.3g} × its gradient: "
                        "use the argument lr, not a number written into the function."
                    ).format(lr=lr, name=name, factor=factor)
                )
            raise NotYet(
                _("{name} is not weight - lr * grad after your step; did you update every parameter?").format(name=name)
            )
        if not p.requires_grad:
            raise NotYet(
                _("{name} no longer requires a gradient; update it in place instead of replacing it.").format(name=name)
            )


@exercise("05.1")
def manual_sgd_step(answer: Any) -> None:
    """A function ``sgd_step(params, lr)`` that moves every parameter against its gradient, in place."""
    if not callable(answer):
        raise NotYet(_("the answer should be a function sgd_step(params, lr), but it is {kind}.").format(kind=a_type(answer)))
    for seed, lr in _SGD_CASES:
        _one_sgd_check(answer, seed, lr)


def _momentum_run(steps: int, zero_grad: bool = True) -> float:
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for _step in range(steps):
        if zero_grad:
            optimizer.zero_grad()
        loss = ((w - 3) ** 2).sum()
        loss.backward()
        optimizer.step()
    return w.item()


@exercise("05.2")
def training_loop(answer: Any) -> None:
    """The final ``w`` after 20 steps of zero_grad / loss / backward / step with SGD + momentum."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    expect_type(answer, (int, float), "w_final")
    if answer == 0:
        raise NotYet(
            _(
                "w never moved: call optimizer.step() after loss.backward(), "
                "and zero the gradients before backward, not after."
            )
        )
    if math.isclose(answer, _momentum_run(20, zero_grad=False), rel_tol=1e-5):
        raise NotYet(_("the gradients piled up from step to step: call optimizer.zero_grad() at the start of every step."))
    want = _momentum_run(20)
    if not math.isclose(answer, want, rel_tol=1e-5, abs_tol=1e-6):
        raise NotYet(
            _(
                "w_final is {answer:.4g}, but after exactly 20 steps of the loop w is elsewhere; "
                "run the loop, then read w.item()."
            ).format(answer=answer)
        )


@exercise("05.3")
def accuracy_from_logits(answer: Any) -> None:
    """The fraction of rows of ``logits`` whose highest score is the label."""
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(50, 10, generator=g)
    labels = torch.randint(0, 10, (50,), generator=g)
    correct = (logits.argmax(dim=1) == labels).sum().item()
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    expect_type(answer, (int, float), _("your accuracy"))
    if answer == correct and correct != correct / 50:
        raise NotYet(_("{answer} is the number of correct predictions; divide by the number of samples.").format(answer=answer))
    if math.isclose(answer, 100 * correct / 50, rel_tol=1e-6):
        raise NotYet(_("that is a percentage; give a fraction between 0 and 1."))
    if not math.isclose(answer, correct / 50, abs_tol=1e-6):
        raise NotYet(_("compare logits.argmax(dim=1) (the predicted class of each row) with labels, then average."))


@exercise("05.4")
def good_learning_rate(answer: Any) -> str:
    """A learning rate that brings short_training's loss below 0.05 within 30 steps without diverging."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise NotYet(_("the learning rate should be a number, but it is {kind}.").format(kind=a_type(answer)))
    if not math.isfinite(answer) or answer <= 0:
        raise NotYet(_("a learning rate must be a positive number, got {answer!r}.").format(answer=answer))
    losses = short_training(float(answer), 30)
    if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
        raise NotYet(_("with lr = {lr:g} the loss diverges; move the slider to the left.").format(lr=answer))
    if losses[-1] >= 0.05:
        raise NotYet(
            _("with lr = {lr:g} the loss only reaches {loss:.3g} after 30 steps; try a larger rate.").format(
                lr=answer, loss=losses[-1]
            )
        )
    return _("well done! The loss reaches {loss:.3g} after 30 steps.").format(loss=losses[-1])
