"""Notebook 02's exercises: each plausible wrong answer gets 'not yet' with a hint that names the mistake.

Every answer is a function that the check calls on tensors it makes itself, so a number typed or worked out by hand
cannot pass where the task says "let autograd do it".
"""

from __future__ import annotations

import torch

from helpers.check import evaluate, get_exercise
from tests.exercise_harness import exercise_tests


def fn(name: str, *body: str) -> str:
    """The code of a one-argument function called ``name`` with the given body lines."""
    arg = "w" if name == "double_in_place" else "x"
    return f"def {name}({arg}):\n" + "\n".join("    " + line for line in body)


WRONG = {  # exercise id -> (plausible wrong answer, words its hint must contain)
    "02.1": [
        (fn("dy_dx", "y = x ** 2 + 2 * x", "return x.grad"), "backward() runs"),
        (fn("dy_dx", "y = x ** 2 + 2 * x", "y.backward()", "return y"), "value of y"),
        (fn("dy_dx", "return 2 * x + 2"), "worked out the derivative yourself"),
        (fn("dy_dx", "return torch.tensor(8.0)"), "still None"),  # typed: right at 3 only
        (fn("dy_dx", "y = x ** 2 + 2 * x", "return torch.autograd.grad(y, x)"), "returns a tuple"),
        (fn("dy_dx", "y = x ** 2 + 2 * x", "return torch.autograd.grad(y, x)[0]"), "torch.autograd.grad"),
        (fn("dy_dx", "x = torch.tensor(3.0, requires_grad=True)", "y = x ** 2 + 2 * x", "y.backward()",
            "return x.grad"), "still None"),  # ignores the x it is given
        (fn("dy_dx", "y = x ** 2 + 2 * x", "y.backward()"), "returns None"),
        (fn("dy_dx", "x.grad = 2 * x.detach() + 2", "return x.grad"), "set by hand"),
        ("dy_dx = 8.0", "should be a function"),
    ],
    "02.2": [
        (fn("grad_formula", "return 4 * (x + 1)"), "4 times too big"),  # forgot the mean's 1/4
        (fn("grad_formula", "return torch.tensor([[1.0, 2.0], [3.0, 4.0]])"), "in terms of x"),  # typed numbers
        (fn("grad_formula", "return x"), "chain rule"),
        (fn("grad_formula", "return 2 * (x + 1)"), "chain rule"),
        (fn("grad_formula", "return (2 * (x + 1) ** 2).mean()"), "out itself"),
        (fn("grad_formula", "return (x + 1).tolist()"), "should be a Tensor"),
    ],
    "02.3": [
        (fn("weighted_grad", "y = x ** 2", "y.backward(gradient=torch.ones(3))", "return x.grad"), "y.sum()"),
        (fn("weighted_grad", "y = x ** 2", "y.backward(gradient=torch.tensor([1.0, 2.0, 0.0]))", "return x.grad"),
         "in y's order"),
        (fn("weighted_grad", "return torch.stack([2 * x[0], 0 * x[1], 4 * x[2]]).detach()"), "still None"),
        (fn("weighted_grad", "y = x ** 2",
            "return torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.0, 2.0]))"), "torch.autograd.grad"),
        (fn("weighted_grad", "y = x ** 2", "y.backward(gradient=torch.tensor([1.0, 0.0, 2.0]))"), "returns None"),
        (fn("weighted_grad", "y = x ** 2", "y.sum().backward()", "return x.grad * torch.tensor([1.0, 0.0, 2.0])"),
         "y.sum()"),
    ],
    "02.4": [
        (fn("grad_of_y", "y = x * 3", "out = (y ** 2).sum()", "out.backward()", "return y.grad"), "not a leaf"),
        (fn("grad_of_y", "y = x * 3", "out = (y ** 2).sum()", "out.backward()", "return x.grad"), "∂out/∂x"),
        (fn("grad_of_y", "y = x * 3", "out = (y ** 2).sum()", "return torch.autograd.grad(out, y)[0]"),
         "did not come from out.backward()"),
        (fn("grad_of_y", "y = x * 3", "out = (y ** 2).sum()", "return torch.autograd.grad(out, y)"),
         "torch.autograd.grad"),
        (fn("grad_of_y", "return 6 * x.detach()"), "did not come from out.backward()"),
        (fn("grad_of_y", "y = x * 3", "out = (y ** 2).sum()", "y.retain_grad()", "out.backward()", "return y"),
         "∂out/∂y = 2y"),
    ],
    "02.5": [
        (fn("fresh_grad", "(3 * x).sum().backward()", "return x.grad"), "added up"),
        (fn("fresh_grad", "return x.grad"), "did not change it"),
        (fn("fresh_grad", "x.grad.zero_()", "return x.grad"), "never ran"),
        (fn("fresh_grad", "x.grad = None", "return x.grad"), "never ran"),
        (fn("fresh_grad", "x.grad = torch.full_like(x, 3.0)", "return x.grad"), "set by hand"),
        (fn("fresh_grad", "return torch.full_like(x, 3.0)"), "did not change it"),
    ],
    "02.6": [
        (fn("double_in_place", "return w * 2"), "autograd recorded this"),
        (fn("double_in_place", "w = w * 2"), "rebinds"),
        (fn("double_in_place", "with torch.no_grad():", "    w = w * 2"), "rebinds"),
        (fn("double_in_place", "w.mul_(2)"), "torch.no_grad()"),
        (fn("double_in_place", "w.data.mul_(2)"), ".data"),
        (fn("double_in_place", "w.data *= 2"), ".data"),
        (fn("double_in_place", "w.requires_grad_(False)", "w.mul_(2)"), "no longer requires grad"),
        (fn("double_in_place", "with torch.no_grad():", "    w.add_(2)"), "twice its values"),
    ],
}

RIGHT = {  # right answers written another way than the folded solution
    "02.1": [
        fn("dy_dx", "(x ** 2 + 2 * x).backward()", "return x.grad.clone()"),
        fn("dy_dx", "x.grad = None", "y = x * x + x * 2", "y.backward()", "return x.grad"),
    ],
    "02.2": [
        fn("grad_formula", "return 4 * (x + 1) / 4"),
        fn("grad_formula", "return 4 * (x + 1) / x.numel()"),
        fn("grad_formula", "x = x.clone().requires_grad_()", "(2 * (x + 1) ** 2).mean().backward()", "return x.grad"),
    ],
    "02.3": [
        fn("weighted_grad", "y = x ** 2", "(y[0] + 2 * y[2]).backward()", "return x.grad"),
        fn("weighted_grad", "y = x ** 2", "(torch.tensor([1.0, 0.0, 2.0]) * y).sum().backward()", "return x.grad"),
    ],
    "02.4": [
        fn("grad_of_y", "y = 3 * x", "y.retain_grad()", "(y ** 2).sum().backward()", "return y.grad.clone()"),
    ],
    "02.5": [
        fn("fresh_grad", "x.grad = None", "(3 * x).sum().backward()", "return x.grad"),
        fn("fresh_grad", "x.grad.data.zero_()", "(x * 3).sum().backward()", "return x.grad"),
    ],
    "02.6": [
        fn("double_in_place", "with torch.no_grad():", "    w *= 2"),
        fn("double_in_place", "w.detach().mul_(2)"),
        fn("double_in_place", "with torch.no_grad():", "    w.copy_(w + w)", "return w"),
    ],
}

ONLY_EXAMPLE = {  # right on the exercise's own inputs only: the learner's check accepts them, the grader does not
    "02.1": [
        fn("dy_dx", "y = x ** 2 + 2 * x if x.item() in (3.0, -1.5, 0.25) else x ** 2", "y.backward()",
           "return x.grad"),
        fn("dy_dx", "(x * {3.0: 8.0, -1.5: -1.0, 0.25: 2.5}[x.item()]).backward()", "return x.grad"),
    ],
    "02.2": [
        fn("grad_formula", "return x + 1 if x[0, 0].item() in (0.0, -1.5, 0.25) else 2 * x"),
        fn("grad_formula", "return {0.0: torch.tensor([[1.0, 2.0], [3.0, 4.0]]),",
           "        -1.5: torch.tensor([[-0.5, 1.5], [5.0, -1.0]]),",
           "        0.25: torch.tensor([[1.25, -2.0], [2.0, 11.0]])}[x[0, 0].item()]"),
    ],
    "02.3": [
        fn("weighted_grad", "y = x ** 2",
           "v = torch.tensor([1.0, 0.0, 2.0]) if x.tolist() in ([1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]) else torch.ones(3)",
           "y.backward(gradient=v)", "return x.grad"),
    ],
    "02.4": [
        fn("grad_of_y", "y = x * 3", "y.retain_grad()", "(y ** 2).sum().backward()",
           "return y.grad if x[0].item() in (1.0, -0.5) else x.grad"),
    ],
    "02.5": [
        fn("fresh_grad", "x.grad.zero_()", "(3 * x if x[0].item() in (1.0, 0.5) else x).sum().backward()",
           "return x.grad"),
    ],
    "02.6": [
        fn("double_in_place", "with torch.no_grad():", "    w.mul_(2 if w[0].item() in (1.0, -3.0) else 3)"),
    ],
}

# Reading a non-leaf's .grad warns, on purpose, in some wrong answers.
globals().update(
    exercise_tests("02_autograd.ipynb", WRONG, right=RIGHT, quiet_user_warnings=True, only_example=ONLY_EXAMPLE)
)


def test_the_checks_draw_no_random_numbers():
    state = torch.random.get_rng_state()
    for exercise_id in ("02.1", "02.2", "02.3", "02.4", "02.5", "02.6"):
        evaluate(exercise_id, lambda x: x)
    assert torch.equal(state, torch.random.get_rng_state())


def test_the_graders_inputs_have_the_examples_shape_and_none_of_its_numbers():
    for exercise_id in ("02.1", "02.2", "02.3", "02.4", "02.5", "02.6"):
        exercise = get_exercise(exercise_id)
        example = torch.tensor(exercise.case(None))
        drawn = torch.tensor(exercise.case(7))
        assert drawn.shape == example.shape and torch.equal(drawn, torch.tensor(exercise.case(7)))
        assert not torch.isin(drawn, example).any() and (drawn != 0).all()
