"""Notebook 02's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations



from tests.exercise_harness import exercise_tests

WRONG = {
    "02.1": [
        "answer = x.grad",  # backward() never ran: None
        "answer = y",  # the value, not the derivative
        "y.backward()\nanswer = 2 * x",
        "answer = 2 * x + 2",  # the derivative worked out by hand, as a formula in x
        "answer = 8",  # ... or as a number
        "answer = torch.autograd.grad(y, x)",  # a tuple
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
        "answer = w * 2",  # recorded: a new, computed tensor
        "w = w * 2\nanswer = w",
        "with torch.no_grad():\n    answer = w * 2",  # not recorded, but a new tensor, not w
        "answer = (w * 2).detach()",
        "answer = w.data * 2",
        "w.data.mul_(2)\nanswer = w",  # behind autograd's back: the version counter does not move
        "w.data *= 2\nanswer = w",
        "answer = w",  # unchanged
        "answer = torch.tensor([2.0, 4.0], requires_grad=True)",  # a new leaf with the right values
        "with torch.no_grad():\n    w.mul_(2)\nanswer = w.tolist()",
    ],
}

# A wrong answer, and words its hint must contain.
HINTS = [
    ("02.1", "answer = x.grad", "backward() runs"),
    ("02.1", "answer = y", "value of y"),
    ("02.2", "out.backward()\nanswer = 4 * (x.detach() + 1)", "4 times too big"),
    ("02.3", "y.backward(gradient=torch.ones(3))\nanswer = x.grad", "y.sum()"),
    ("02.4", "out.backward()\nanswer = y.grad", "not a leaf"),
    ("02.4", "out.backward()\nanswer = x.grad", "∂out/∂x"),
    ("02.5", "(3 * x).sum().backward()\nanswer = x.grad", "added up"),
    ("02.1", "answer = 2 * x + 2", "by hand"),
    ("02.1", "answer = 8", "worked it out yourself"),
    ("02.1", "answer = torch.autograd.grad(y, x)", "take its [0]"),
    ("02.6", "answer = w * 2", "autograd recorded this"),
    ("02.6", "answer = (w * 2).detach()", "does not require grad"),
    ("02.6", "w.data.mul_(2)\nanswer = w", ".data"),
]

# Right answers written another way than the folded solution.
RIGHT = {
    "02.1": [
        "answer = torch.autograd.grad(y, x)[0]",
        "y.backward()\nanswer = x.grad.clone()",
    ],
    "02.3": [
        "(y[0] + 2 * y[2]).backward()\nanswer = x.grad",
    ],
    "02.5": [
        "x.grad = None\n(3 * x).sum().backward()\nanswer = x.grad",
    ],
    "02.6": [
        "with torch.no_grad():\n    w *= 2\nanswer = w",
        "w.detach().mul_(2)\nanswer = w",
        "with torch.no_grad():\n    w.copy_(w + w)\nanswer = w",
    ],
}

# Reading a non-leaf's .grad warns, on purpose, in some wrong answers.
globals().update(exercise_tests("02_autograd.ipynb", WRONG, HINTS, right=RIGHT, quiet_user_warnings=True))
