"""Typical wrong answers to the exercises of notebook 03 are not accepted."""

from __future__ import annotations

import contextlib
import io

import torch

from helpers.check import evaluate
from tests.exercise_harness import NOTEBOOKS, exercise_tests, find_exercises

FIVE_BY_FIVE = '''
class Net5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


net3x3 = Net5()
'''

UNCHANGED_FC1 = FIVE_BY_FIVE.replace("nn.Conv2d(1, 6, 5)", "nn.Conv2d(1, 6, 3)").replace(
    "nn.Conv2d(6, 16, 5)", "nn.Conv2d(6, 16, 3)"
)
NO_POOL_FC1 = UNCHANGED_FC1.replace("16 * 5 * 5", "16 * 28 * 28")
BROKEN_FORWARD = UNCHANGED_FC1.replace("16 * 5 * 5", "16 * 6 * 6").replace("torch.flatten(x, 1)", "x.view(-1, 400)")
RIGHT_3X3 = UNCHANGED_FC1.replace("16 * 5 * 5", "16 * 6 * 6")
IGNORES_LAYERS = RIGHT_3X3.replace(
    "        x = F.max_pool2d(F.relu(self.conv1(x)), 2)", "        return torch.zeros(x.shape[0], 10)\n" + " " * 8 + "x = x"
)
NO_RELU = RIGHT_3X3.replace("F.relu(", "(")
NO_RELU_ON_FC = RIGHT_3X3.replace("F.relu(self.fc1(x))", "self.fc1(x)")
AVG_POOL = RIGHT_3X3.replace("F.max_pool2d", "F.avg_pool2d")
EXTRA_LAYER = RIGHT_3X3.replace(
    "        self.fc3 = nn.Linear(84, 10)", "        self.fc3 = nn.Linear(84, 10)\n        self.fc4 = nn.Linear(10, 10)"
)

WRONG = {  # exercise id -> (plausible wrong answer, words its hint must contain)
    "03.1": [
        ("def count_params(model):\n    return len(list(model.parameters()))", "number of parameter tensors"),
        ("def count_params(model):\n    return 61706", "counts LeNet whatever it is given"),  # typed
        ("def count_params(model):\n    return len(list(model.children()))", "number of layers"),
        ("def count_params(model):\n    return sum(p.numel() for n, p in model.named_parameters() if 'weight' in n)",
         "biases"),
        ("def count_params(model):\n    return float(sum(p.numel() for p in model.parameters()))", "whole number"),
        ("count_params = 61706", "should be a function"),
    ],
    "03.2": [
        ("flat_features = lambda x: x.numel()", "batch dimension too"),
        ("flat_features = lambda x: x.shape[1:]", "a whole number"),
        ("flat_features = lambda x: x.shape[-1] * x.shape[-2]", "expected 400"),
        ("flat_features = lambda x: float(math.prod(x.shape[1:]))", "return an int"),
        ("flat_features = lambda x: torch.tensor(x.shape[1:]).prod()", "plain int"),
        ("flat_features = lambda x: torch.tensor(x.shape[1:]).float().prod()", "plain int"),
        ("class Everything:\n    def __eq__(self, other):\n        return True\n\n"
         "flat_features = lambda x: Everything()", "a whole number"),
        ("flat_features = 400", "should be a function"),
    ],
    "03.3": [
        ("colour_batch = colour_image.unsqueeze(1)", "3 images of 1 channel"),
        ("colour_batch = colour_image", "shape (3, 32, 32), expected (1, 3, 32, 32)"),
        ("colour_batch = colour_image.unsqueeze(-1)", "batch, channels, height, width"),
        ("colour_batch = colour_image[None, None]", "batch, channels, height, width"),
        ("colour_batch = torch.randn(1, 3, 32, 32)", "different values"),
        ("colour_batch = colour_image.unsqueeze(0).tolist()", "should be a Tensor"),
        ("colour_batch = colour_image.view(1, 3, 32, 32).transpose(2, 3)", "different values"),
        ("colour_batch = colour_image.permute(1, 0, 2).unsqueeze(0).reshape(1, 3, 32, 32)", "different values"),
    ],
    "03.4": [
        (FIVE_BY_FIVE, "the kernels are (5, 5)"),
        (UNCHANGED_FC1, "fc1 takes 400 features"),
        (NO_POOL_FC1, "fc1 takes 12544 features"),
        (BROKEN_FORWARD, "raise RuntimeError"),
        ("net3x3 = nn.Linear(576, 10)", "no layer called 'conv1'"),
        (IGNORES_LAYERS, "every layer in order"),
        (NO_RELU, "ReLU after conv1"),
        (NO_RELU_ON_FC, "ReLU after conv1"),
        (AVG_POOL, "max-pool"),
        (EXTRA_LAYER, "nothing else that learns"),
    ],
    "03.5": [
        ("shapes = {name: p.shape[0] for name, p in lenet.named_parameters()}", "tuple(p.shape)"),
        ("shapes = [tuple(p.shape) for p in lenet.parameters()]", "should be a dict"),
        ("shapes = {name: tuple(p.shape) for name, p in list(lenet.named_parameters())[:4]}",
         "names from net.named_parameters()"),
        ("shapes = {name: tuple(reversed(p.shape)) for name, p in lenet.named_parameters()}", "tuple(p.shape)"),
        ("shapes = {str(i): tuple(p.shape) for i, p in enumerate(lenet.parameters())}",
         "names from net.named_parameters()"),
    ],
}


# Right answers written another way than the folded solution: each must pass.
RIGHT = {
    "03.1": [
        "import numpy as np\n\ndef count_params(model):\n    return np.sum([p.numel() for p in model.parameters()])",
        "count_params = lambda model: torch.tensor([p.numel() for p in model.parameters()]).sum()",
        "def count_params(model):\n    return sum(p.numel() for p in model.parameters() if p.requires_grad)",
    ],
    "03.2": [
        "flat_features = lambda x: x[0].numel()",
        "def flat_features(x):\n    n = 1\n    for s in x.size()[1:]:\n        n *= s\n    return n",
    ],
    "03.3": [
        "colour_batch = colour_image[None]",
        "colour_batch = colour_image.view(1, 3, 32, 32)",
        "colour_batch = colour_image.reshape(1, *colour_image.shape)",
        "colour_batch = torch.stack([colour_image])",
        "colour_batch = colour_image.unsqueeze(-4)",
    ],
    "03.4": [
        RIGHT_3X3,
        RIGHT_3X3.replace("nn.Linear(16 * 6 * 6, 120)", "nn.LazyLinear(120)"),
        RIGHT_3X3.replace("torch.flatten(x, 1)", "x.view(x.size(0), -1)").replace(", 2)", ", (2, 2))"),
        RIGHT_3X3.replace("        self.fc3 = nn.Linear(84, 10)",
                          "        self.fc3 = nn.Linear(84, 10)\n        self.pool = nn.MaxPool2d(2)\n        self.relu = nn.ReLU()")
        .replace("F.max_pool2d(F.relu(self.conv1(x)), 2)", "self.pool(self.relu(self.conv1(x)))"),
    ],
    "03.5": [
        "shapes = {name: tuple(int(s) for s in p.shape) for name, p in lenet.named_parameters()}",
        "shapes = dict((name, tuple(p.size())) for name, p in lenet.state_dict().items())",
    ],
}


MEMORISED_3X3 = RIGHT_3X3 + '''

_example = torch.randn(4, 1, 32, 32, generator=torch.Generator().manual_seed(0))


class Memorised(Net5):
    def forward(self, x):
        if x.shape == _example.shape and torch.equal(x, _example):
            return super().forward(x)
        return torch.zeros(x.shape[0], 10)


net3x3 = Memorised()
'''

# Answers right on the exercise's own example only: the learner's check accepts them, the grader must not.
ONLY_EXAMPLE = {
    "03.1": [
        "def count_params(model):\n"
        "    return {'LeNet': 61706, 'Linear': 8, 'Sequential': 832}[type(model).__name__]",
        "def count_params(model):\n    if isinstance(model, nn.Linear):\n        return 8\n"
        "    return sum(p.numel() for p in model.parameters())",
    ],
    "03.2": [
        "flat_features = lambda x: {4: 400, 2: 7, 5: 120}[x.dim()]",
        "flat_features = lambda x: {(2, 16, 5, 5): 400, (1, 16, 5, 5): 400, (3, 7): 7, (4, 2, 3, 4, 5): 120}"
        "[tuple(x.shape)]",
    ],
    "03.4": [MEMORISED_3X3],
}


def _exercise(exercise_id: str):
    return next(ex for ex in find_exercises(NOTEBOOKS / "03_neural_networks.ipynb") if ex.exercise_id == exercise_id)


globals().update(exercise_tests("03_neural_networks.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))


def test_a_lazy_fc1_is_materialised_on_a_copy_not_on_the_learners_network():
    ex = _exercise("03.4")
    namespace: dict = {}
    exec(ex.setup, namespace)
    exec(RIGHT.get("03.4")[1], namespace)
    net = namespace["net3x3"]
    assert evaluate("03.4", net).passed
    assert net.fc1.__class__.__name__ == "LazyLinear"


def test_a_number_for_a_function_is_named_with_the_right_article():
    assert " a int" not in evaluate("03.2", 400).message
    assert "but it is an int." in evaluate("03.2", 400).message


def test_the_checks_draw_no_random_numbers():
    state = torch.random.get_rng_state()
    evaluate("03.1", lambda model: sum(p.numel() for p in model.parameters()))
    evaluate("03.2", lambda x: x[0].numel())
    assert torch.equal(state, torch.random.get_rng_state())


def _solution(exercise_id: str):
    """The folded solution's answer: the setup cell, then the exercise cell with the solution in place."""
    ex = _exercise(exercise_id)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(ex.setup, namespace)
        exec(ex.source_with(ex.solution), namespace)
    return namespace[ex.name]


def test_the_solutions_pass_the_grader_on_any_seed_and_the_cases_are_plain_data():
    from helpers.check import dump, get_exercise, load
    from tests.exercise_harness import grade

    for exercise_id in ("03.1", "03.2", "03.4"):
        answer, cases = _solution(exercise_id), get_exercise(exercise_id).cases
        for seed in range(8):
            assert load(dump(cases(seed))) is not None
            assert grade(exercise_id, answer, seed).passed, (exercise_id, seed)
        assert repr(cases(3)) != repr(cases(None)) and repr(cases(3)) == repr(cases(3))


def test_a_forged_observation_of_the_network_wins_only_with_lenets_outputs():
    from helpers.check import dump, judge_for_grader, load, observe_for_grader

    report = load(observe_for_grader("03.4", _solution("03.4"), 5))
    assert judge_for_grader("03.4", dump(report), 5).passed
    report["chosen"]["seen"]["outputs"] = torch.zeros_like(report["chosen"]["seen"]["outputs"])  # all-zero weights'
    assert not judge_for_grader("03.4", dump(report), 5).passed
    report["chosen"]["seen"]["outputs"] = report["example"]["seen"]["outputs"]  # the example's outputs
    assert not judge_for_grader("03.4", dump(report), 5).passed


def test_the_network_is_run_with_the_checks_weights_and_keeps_its_own():
    net = _solution("03.4")
    before = {name: value.clone() for name, value in net.state_dict().items()}
    assert evaluate("03.4", net).passed
    assert all(torch.equal(before[name], value) for name, value in net.state_dict().items())


def test_a_huge_tensor_for_the_batch_gets_the_shape_hint():
    message = evaluate("03.3", torch.zeros(3, 1000, 1000)).message
    assert "has shape (3, 1000, 1000), expected (1, 3, 32, 32)" in message
