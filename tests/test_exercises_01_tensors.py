"""Notebook 01's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations


from tests.exercise_harness import exercise_tests

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

# A wrong answer, and words its hint must contain.
HINTS = [
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
]

# Right answers written another way than the folded solution.
RIGHT = {
    "01.5": [
        "t += 1\nanswer = (a, t)",
        "t[:] = t + 1\nanswer = [a, t]",
        "torch.add(t, 1, out=t)\nanswer = (a, t)",
    ],
}

globals().update(exercise_tests("01_tensors.ipynb", WRONG, HINTS, right=RIGHT))
