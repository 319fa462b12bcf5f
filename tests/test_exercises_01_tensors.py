"""Notebook 01's exercises: each plausible wrong answer gets 'not yet' with a hint that names the mistake."""

from __future__ import annotations

import numpy as np
import torch

from helpers.check import evaluate
from tests.exercise_harness import exercise_tests

WRONG = {  # exercise id -> (plausible wrong answer, words its hint must contain)
    "01.1": [
        ("answer = torch.tensor([[1, 2, 3], [4, 5, 6]])", "int64"),
        ("answer = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])", "shape (2, 3)"),
        ("answer = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.double)", "dtype"),
        ("answer = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]", "should be a Tensor"),
    ],
    "01.2": [
        ("answer = grid[-1]", "last row"),
        ("answer = grid[:, -1:]", "keeps the dimension"),
        ("answer = grid[:, 0]", "pick one column"),
    ],
    "01.3": [
        ("answer = torch.arange(6)", "memory order"),
        ("answer = transposed.contiguous()", "one dimension of 6 elements"),
        ("answer = transposed.reshape(-1).float()", "dtype"),
        ("answer = transposed.t().reshape(-1)", "memory order"),
    ],
    "01.4": [
        ("answer = readings.mean()", "still a tensor"),
        ("answer = readings.sum().item()", "the sum"),
        ("answer = readings.numpy().mean()", "NumPy"),
        ("answer = np.float64(readings.mean())", "NumPy"),
        ("answer = readings.mean().tolist() + 1", "not the mean"),
        ("answer = int(readings.mean())", "should be a float"),
    ],
    "01.5": [
        ("def add_one(t):\n    return t + 1", "trailing underscore"),
        ("def add_one(t):\n    t = t + 1", "trailing underscore"),
        ("def add_one(t):\n    t.numpy()[:] += 1", "not through t"),
        ("def add_one(t):\n    t.numpy()[:] += 1\n    t.add_(0)", "not through t"),  # a no-op to move t's version
        ("def add_one(t):\n    t.data = t + 1", "no longer shares memory"),
        ("def add_one(t):\n    t.add_(2)", "adding 1 should give"),
        ("def add_one(t):\n    t.fill_(1)", "adding 1 should give"),
        ("add_one = torch.ones(3)", "should be a function"),
    ],
    "01.6": [
        ("def to_cpu_double(x):\n    return x.double()", "never moves it to the CPU"),  # right only on a CPU
        ("def to_cpu_double(x):\n    return x.float().cpu()", "float64"),
        ("def to_cpu_double(x):\n    return x.to(torch.double).cpu().long()", "float64"),
        ("def to_cpu_double(x):\n    return torch.tensor(x.numpy(), dtype=torch.float64)", "Tensor.cpu()"),
        ("def to_cpu_double(x):\n    return x.cpu().numpy().astype('float64')", "NumPy array"),
        ("def to_cpu_double(x):\n    return torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)", "shape"),
        ("to_cpu_double = torch.tensor([1, 2, 3]).to('cpu', torch.double)", "should be a function"),
    ],
}

RIGHT = {  # right answers written another way than the folded solution
    "01.1": ["answer = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.float32)",
             "answer = torch.arange(1, 7).reshape(2, 3).float()"],
    "01.2": ["answer = grid[:, 3]", "answer = grid.t()[-1]"],
    "01.3": ["answer = transposed.contiguous().view(-1)", "answer = transposed.flatten()"],
    "01.4": ["answer = float(readings.mean())", "answer = readings.mean().tolist()"],
    "01.5": [
        "def add_one(t):\n    t += 1",
        "def add_one(t):\n    t[:] = t + 1",
        "def add_one(t):\n    torch.add(t, 1, out=t)",
        "def add_one(t):\n    t.copy_(t + 1)\n    return t",
    ],
    "01.6": [
        "def to_cpu_double(x):\n    return x.cpu().double()",
        "def to_cpu_double(x):\n    return x.double().to('cpu')",
        "def to_cpu_double(x):\n    return x.to(device=torch.device('cpu'), dtype=torch.float64)",
        "to_cpu_double = lambda x: x.detach().cpu().to(torch.float64)",
    ],
}

ONLY_EXAMPLE = {  # right on the exercise's own inputs only: the learner's check accepts them, the grader does not
    "01.5": ["def add_one(t):\n    t.copy_(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))",
             "def add_one(t):\n    t.add_(1).clamp_(max=3)"],
    "01.6": ["def to_cpu_double(x):\n    return torch.arange(4, dtype=torch.float64)",
             "def to_cpu_double(x):\n    return torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)"],
}

globals().update(exercise_tests("01_tensors.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))


def test_the_stand_in_gpu_tensor_says_where_it_lives():
    seen = {}

    def look(x):
        seen["device"], seen["repr"] = x.device, repr(x)
        return x.to("cpu", torch.double)

    assert evaluate("01.6", look).passed
    assert seen["device"].type == "cuda" and "device='cuda:0'" in seen["repr"]


def test_the_checks_draw_no_random_numbers():
    state = torch.random.get_rng_state()
    evaluate("01.5", lambda t: t.add_(1))
    evaluate("01.6", lambda x: x.to("cpu", torch.double))
    assert torch.equal(state, torch.random.get_rng_state())


def test_a_numpy_float_is_named_as_such():
    result = evaluate("01.4", np.float64(2.5))
    assert not result.passed and "float64" in result.message
