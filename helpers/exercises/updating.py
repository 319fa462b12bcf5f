"""Checkers for notebook 05 · Updating the weights."""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_type, exercise, expect_type
from helpers.i18n import _
from helpers.widgets.learning_rate import short_training

# ---- 05.1 · one SGD step, by hand --------------------------------------------------------


def _small_model_with_grads(seed: int, n_in: int, n_out: int) -> nn.Linear:
    """An ``nn.Linear(n_in, n_out)`` drawn from ``seed``, with the gradients of a small MSE loss in its ``.grad``."""
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):  # nn.Linear's initialisation must not advance the learner's RNG
        model = nn.Linear(n_in, n_out)
    with torch.no_grad():
        model.weight.copy_(torch.randn(n_out, n_in, generator=g))
        model.bias.copy_(torch.randn(n_out, generator=g))
    x, y = torch.randn(8, n_in, generator=g), torch.randn(8, n_out, generator=g)
    nn.functional.mse_loss(model(x), y).backward()
    return model


def _sgd_cases(seed: int | None) -> tuple[tuple[int, float, int, int], ...]:
    """Two runs, each (seed of the model, learning rate, inputs, outputs of the nn.Linear).

    Two different rates, so that a rate written into the function cannot pass both; another seed draws other models,
    shapes and rates (one from [0.05, 0.3), one from [0.01, 0.05)).
    """
    if seed is None:
        return ((1, 0.1, 4, 2), (2, 0.037, 4, 2))
    g = torch.Generator().manual_seed(seed)

    def draw(low: int, high: int) -> int:
        return int(torch.randint(low, high, (1,), generator=g))

    def rate(low: float, high: float) -> float:
        return round(low + (high - low) * float(torch.rand((), generator=g)), 4)

    ranges = ((0.05, 0.3), (0.01, 0.05))
    return tuple((draw(0, 2**31 - 1), rate(low, high), draw(2, 7), draw(1, 5)) for low, high in ranges)


def _run_sgd_step(answer: Any, case: tuple[tuple[int, float, int, int], ...]) -> list[dict[str, Any]]:
    """Calls ``sgd_step(model.parameters(), lr)`` on a fresh model for each run of ``case``.

    Observes, for each run: every parameter's values after the call, whether its version moved (autograd saw an
    in-place change) and whether it still requires a gradient; or, instead, the exception the call raised (its type
    name, whether it is a RuntimeError, its message), after which no further run is made.
    """
    if not callable(answer):
        raise NotYet(
            _("the answer should be a function sgd_step(params, lr), but it is {kind}.").format(kind=a_type(answer))
        )
    runs: list[dict[str, Any]] = []
    for seed, lr, n_in, n_out in case:
        model = _small_model_with_grads(seed, n_in, n_out)
        versions = [p._version for p in model.parameters()]
        try:
            answer(model.parameters(), lr)
        except Exception as error:
            runs.append(
                {"error": type(error).__name__, "runtime": isinstance(error, RuntimeError), "message": str(error)}
            )
            break
        params = [
            {"after": p.detach().clone(), "version moved": p._version != version, "requires grad": p.requires_grad}
            for p, version in zip(model.parameters(), versions)
        ]
        runs.append({"params": params})
    return runs


def _explain_error(run: dict[str, Any]) -> None:
    """Raise the hint for the exception a call of ``sgd_step`` raised."""
    message = run["message"]
    if run["runtime"] and ("leaf Variable" in message or "in-place" in message):
        raise NotYet(_("changing a parameter in place needs `with torch.no_grad():` around the update."))
    if run["runtime"] and "Boolean value of Tensor" in message:
        raise NotYet(
            _(
                "`if p in params` compares tensors (the bug of section 1's old code); loop over them with "
                "`for p in params:`."
            )
        )
    raise NotYet(_("checking your answer raised {error_type}: {error}").format(error_type=run["error"], error=message))


def _judge_one_step(run: dict[str, Any], seed: int, lr: float, n_in: int, n_out: int) -> None:
    """Raise the hint for the first thing wrong with one run; the expected step comes from the judge's own model."""
    if "error" in run:
        _explain_error(run)
    model = _small_model_with_grads(seed, n_in, n_out)
    names = [name for name, _p in model.named_parameters()]
    before = [p.detach().clone() for p in model.parameters()]
    grads = [p.grad.clone() for p in model.parameters()]
    seen = run["params"]
    after = [entry["after"] for entry in seen]
    if len(after) != len(before):  # a function gets no way to add or drop a model's parameters
        raise NotYet(
            _("{name} is not weight - lr * grad after your step; did you update every parameter?").format(name=names[0])
        )
    if all(torch.equal(a, b) for a, b in zip(after, before)):
        raise NotYet(
            _("the weights did not change: update each tensor in place (p -= ... or p.sub_(...)), don't rebind a name.")
        )
    if all(torch.allclose(a, b + lr * g) for a, b, g in zip(after, before, grads)):
        raise NotYet(_("the weights moved uphill: subtract learning_rate * gradient, don't add it."))
    for name, entry, p, b, g in zip(names, seen, after, before, grads):
        moved = not torch.equal(p, b)
        if moved and not entry["version moved"]:
            raise NotYet(
                _(
                    "{name} changed through .data, behind autograd's back (the old code of section 1): "
                    "autograd is not told, so a mistake would go unnoticed. Update p itself inside "
                    "`with torch.no_grad():`."
                ).format(name=name)
            )
        if p.shape != b.shape or not torch.allclose(p, b - lr * g, atol=1e-6):
            step = (b - p).flatten() if p.shape == b.shape else None
            flat = g.flatten()
            largest = int(flat.abs().argmax())
            factor = (step[largest] / flat[largest]).item() if step is not None and flat[largest] != 0 else math.nan
            if moved and math.isfinite(factor) and torch.allclose(p, b - factor * g, atol=1e-6):
                raise NotYet(
                    _(
                        "called with lr = {lr:g}, your step moved {name} by {factor:.3g} × its gradient: "
                        "use the argument lr, not a number written into the function."
                    ).format(lr=lr, name=name, factor=factor)
                )
            raise NotYet(
                _("{name} is not weight - lr * grad after your step; did you update every parameter?").format(name=name)
            )
        if not entry["requires grad"]:
            raise NotYet(
                _("{name} no longer requires a gradient; update it in place instead of replacing it.").format(name=name)
            )


@exercise("05.1", observe=_run_sgd_step, cases=_sgd_cases)
def manual_sgd_step(seen: list[dict[str, Any]], case: tuple[tuple[int, float, int, int], ...]) -> None:
    """A function ``sgd_step(params, lr)`` that moves every parameter against its gradient, in place.

    Judged run by run, in order (an observation stops at the first run whose call raised).
    """
    for index, (seed, lr, n_in, n_out) in enumerate(case):
        _judge_one_step(seen[index], seed, lr, n_in, n_out)


# ---- 05.2 and 05.3 · numbers ----------------------------------------------------------------


def _number(answer: Any, what: str) -> int | float:
    """``answer`` as a plain int or float: a one-element tensor's value, a NumPy number's value; NotYet otherwise."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    expect_type(answer, (int, float), what)
    return int(answer) if isinstance(answer, numbers.Integral) else float(answer)


def _read_w_final(answer: Any) -> int | float:
    """Observes w_final as a plain number (NotYet when it is no number)."""
    return _number(answer, "w_final")


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


@exercise("05.2", observe=_read_w_final)
def training_loop(seen: Any) -> None:
    """The final ``w`` after 20 steps of zero_grad / loss / backward / step with SGD + momentum."""
    answer = _number(seen, "w_final")
    if answer == 0:
        raise NotYet(
            _(
                "w never moved: call optimizer.step() after loss.backward(), "
                "and zero the gradients before backward, not after."
            )
        )
    if math.isclose(answer, _momentum_run(20, zero_grad=False), rel_tol=1e-5):
        raise NotYet(
            _("the gradients piled up from step to step: call optimizer.zero_grad() at the start of every step.")
        )
    want = _momentum_run(20)
    if not math.isclose(answer, want, rel_tol=1e-5, abs_tol=1e-6):
        raise NotYet(
            _(
                "w_final is {answer:.4g}, but after exactly 20 steps of the loop w is elsewhere; "
                "run the loop, then read w.item()."
            ).format(answer=answer)
        )


def _read_accuracy(answer: Any) -> int | float:
    """Observes the accuracy as a plain number (NotYet when it is no number)."""
    return _number(answer, _("your accuracy"))


@exercise("05.3", observe=_read_accuracy)
def accuracy_from_logits(seen: Any) -> None:
    """The fraction of rows of ``logits`` whose highest score is the label."""
    answer = _number(seen, _("your accuracy"))
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(50, 10, generator=g)
    labels = torch.randint(0, 10, (50,), generator=g)
    correct = (logits.argmax(dim=1) == labels).sum().item()
    if answer == correct and correct != correct / 50:
        raise NotYet(
            _("{answer} is the number of correct predictions; divide by the number of samples.").format(answer=answer)
        )
    if math.isclose(answer, 100 * correct / 50, rel_tol=1e-6):
        raise NotYet(_("that is a percentage; give a fraction between 0 and 1."))
    if not math.isclose(answer, correct / 50, abs_tol=1e-6):
        raise NotYet(_("compare logits.argmax(dim=1) (the predicted class of each row) with labels, then average."))


# ---- 05.4 · a learning rate -----------------------------------------------------------------


def _learning_rate(answer: Any) -> int | float:
    """``answer`` as a plain int or float (an int stays an int, so hints show it as written); NotYet for no number."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise NotYet(_("the learning rate should be a number, but it is {kind}.").format(kind=a_type(answer)))
    return int(answer) if isinstance(answer, int) else float(answer)


@exercise("05.4", observe=_learning_rate)
def good_learning_rate(seen: Any) -> str:
    """A learning rate that brings short_training's loss below 0.05 within 30 steps without diverging.

    Observes the rate as a plain number; the judge runs the short training itself.
    """
    answer = _learning_rate(seen)
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
