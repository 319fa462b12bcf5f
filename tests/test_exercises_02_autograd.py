"""Notebook 02's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations

import warnings

import pytest
import torch

from tests.exercise_harness import assert_rejected, wrong_answer_cases

WRONG = {
    "02.1": [
        "answer = x.grad",  # backward() never ran: None
        "answer = y",  # the value, not the derivative
        "y.backward()\nanswer = 2 * x",
    ],
    "02.2": [
        "answer = x.grad",  # None
        "out.backward()\nanswer = 4 * (x.detach() + 1)",  # forgot the mean's 1/4
        "out.backward()\nanswer = out",
        "z.sum().backward()\nanswer = x.grad",
    ],
    "02.3": [
        "y.backward(gradient=torch.ones(3))\nanswer = x.grad",  # gradient of y.sum()
        "y.backward(gradient=torch.tensor([1.0, 2.0, 0.0]))\nanswer = x.grad",
        "answer = x.grad",
    ],
    "02.4": [
        "out.backward()\nanswer = y.grad",  # y is not a leaf: None
        "out.backward()\nanswer = x.grad",  # d out / d x
        "y.retain_grad()\nout.backward()\nanswer = y",
    ],
    "02.5": [
        "(3 * x).sum().backward()\nanswer = x.grad",  # accumulated: [5, 7]
        "answer = x.grad",  # the old gradient
        "x.grad.zero_()\nanswer = x.grad",
    ],
    "02.6": [
        "answer = x * 2",  # still tracked
        "answer = x.detach()",  # untracked, but not doubled
        "answer = (x * 2).tolist()",
        "answer = x.detach().requires_grad_(True) * 2",
    ],
}

CASES = wrong_answer_cases("02_autograd.ipynb", WRONG)


def run_quietly(ex, code):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # reading a non-leaf's .grad warns, on purpose
        return ex.run(code)


@pytest.mark.parametrize(("ex", "code"), CASES, ids=[f"{ex.exercise_id}:{code.splitlines()[0]}" for ex, code in CASES])
def test_wrong_answer_is_not_yet(ex, code):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # reading a non-leaf's .grad warns, on purpose
        assert_rejected(ex, code)


@pytest.mark.parametrize(
    ("exercise_id", "code", "hint"),
    [
        ("02.1", "answer = x.grad", "backward() runs"),
        ("02.1", "answer = y", "value of y"),
        ("02.2", "out.backward()\nanswer = 4 * (x.detach() + 1)", "4 times too big"),
        ("02.3", "y.backward(gradient=torch.ones(3))\nanswer = x.grad", "y.sum()"),
        ("02.4", "out.backward()\nanswer = y.grad", "not a leaf"),
        ("02.4", "out.backward()\nanswer = x.grad", "∂out/∂x"),
        ("02.5", "(3 * x).sum().backward()\nanswer = x.grad", "added up"),
        ("02.6", "answer = x * 2", "tracks history"),
    ],
)
def test_hints_point_at_the_mistake(exercise_id, code, hint):
    ex = next(ex for ex, _ in CASES if ex.exercise_id == exercise_id)
    result, _ = run_quietly(ex, code)
    assert hint in result.message, result.line()


def test_other_correct_routes_pass():
    """Equivalent answers a learner may write are accepted too."""
    ex = {e.exercise_id: e for e, _ in CASES}
    assert run_quietly(ex["02.5"], "x.grad = None\n(3 * x).sum().backward()\nanswer = x.grad")[0].passed
    assert run_quietly(ex["02.6"], "answer = x.detach() * 2")[0].passed
    assert run_quietly(ex["02.3"], "(y[0] + 2 * y[2]).backward()\nanswer = x.grad")[0].passed
