"""Notebook 01's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations

import pytest
import torch

from tests.exercise_harness import assert_rejected, wrong_answer_cases

WRONG = {
    "01.1": [
        "answer = torch.tensor([[1, 2, 3], [4, 5, 6]])",  # int64
        "answer = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])",  # flat
        "answer = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.double)",
        "answer = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]",  # a list, not a tensor
    ],
    "01.2": [
        "answer = x[-1]",  # last row
        "answer = x[:, -1:]",  # keeps the dimension
        "answer = x[:, 0]",
    ],
    "01.3": [
        "answer = torch.arange(6)",  # memory order
        "answer = t.contiguous()",  # still 2-D
        "answer = t.reshape(-1).float()",
    ],
    "01.4": [
        "answer = x.mean()",  # a tensor
        "answer = x.sum().item()",
        "answer = x.mean().tolist() + 1",
    ],
    "01.5": [
        "t = t + 1\nanswer = (a, t)",  # a new tensor; a unchanged
        "a = a + 1\nanswer = (a, t)",  # a new array: right values, no longer shared
        "a = (t + 1).numpy()\nanswer = (a, t)",
        "a = np.ones(3)\nanswer = (a, t)",
        "a += 1\nanswer = (a, t)",  # shared and right, but changed through NumPy, not through t
        "t.add_(2)\nanswer = (a, t)",
        "t.add_(1)\nanswer = a",  # the array alone: the check needs both
        "t.add_(1)\nanswer = (t, a)",  # the wrong way round
        "answer = (a + 1, t + 1)",
    ],
    "01.6": [
        "answer = x.float().cpu()",  # float32
        "answer = x.to(torch.double).cpu().long()",
        "answer = x.to('cpu', torch.double) + 1",
        "answer = x.to('cpu', torch.double).tolist()",
    ],
}

CASES = wrong_answer_cases("01_tensors.ipynb", WRONG)


@pytest.mark.parametrize(("ex", "code"), CASES, ids=[f"{ex.exercise_id}:{code.splitlines()[0]}" for ex, code in CASES])
def test_wrong_answer_is_not_yet(ex, code):
    assert_rejected(ex, code)


@pytest.mark.parametrize(
    ("exercise_id", "code", "hint"),
    [
        ("01.1", "answer = torch.tensor([[1, 2, 3], [4, 5, 6]])", "int64"),
        ("01.2", "answer = x[-1]", "last row"),
        ("01.2", "answer = x[:, -1:]", "keeps the dimension"),
        ("01.3", "answer = torch.arange(6)", "memory order"),
        ("01.4", "answer = x.mean()", "still a tensor"),
        ("01.5", "t = t + 1\nanswer = (a, t)", "no longer share memory"),
        ("01.5", "a += 1\nanswer = (a, t)", "not through t"),
        ("01.5", "t.add_(1)\nanswer = a", "the pair (a, t)"),
        ("01.5", "t.add_(1)\nanswer = (t, a)", "wrong way round"),
        ("01.6", "answer = x.float().cpu()", "float64"),
    ],
)
def test_hints_point_at_the_mistake(exercise_id, code, hint):
    ex = next(ex for ex, _ in CASES if ex.exercise_id == exercise_id)
    result, _ = ex.run(code)
    assert hint in result.message, result.line()


@pytest.mark.parametrize(
    ("exercise_id", "code"),
    [
        ("01.5", "t += 1\nanswer = (a, t)"),
        ("01.5", "t[:] = t + 1\nanswer = [a, t]"),
        ("01.5", "torch.add(t, 1, out=t)\nanswer = (a, t)"),
    ],
)
def test_other_correct_routes_pass(exercise_id, code):
    """Equivalent answers a learner may write are accepted too."""
    ex = next(ex for ex, _ in CASES if ex.exercise_id == exercise_id)
    result, _ = ex.run(code)
    assert result.passed, result.line()
