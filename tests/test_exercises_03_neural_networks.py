"""Typical wrong answers to the exercises of notebook 03 are not accepted."""

from __future__ import annotations


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

WRONG = {
    "03.1": [
        "n_params = len(list(net.parameters()))",
        "n_params = 5",
        "n_params = sum(p.numel() for p in net.parameters()) - 120",
        "n_params = float(sum(p.numel() for p in net.parameters()))",
        "import numpy as np\nn_params = np.float64(sum(p.numel() for p in net.parameters()))",
        "n_params = True",
    ],
    "03.2": [
        "flat_features = lambda x: x.numel()",
        "flat_features = lambda x: x.shape[1:]",
        "flat_features = lambda x: x.shape[-1] * x.shape[-2]",
        "flat_features = 400",
    ],
    "03.3": [
        "batch = image",
        "batch = image.unsqueeze(1)",
        "batch = image.unsqueeze(-1)",
        "batch = image[None, None]",
        "batch = torch.randn(1, 3, 32, 32)",
        "batch = image.unsqueeze(0).tolist()",
        "batch = image.view(1, 3, 32, 32).transpose(2, 3)",
        "batch = image.permute(1, 0, 2).unsqueeze(0).reshape(1, 3, 32, 32)",
    ],
    "03.4": [FIVE_BY_FIVE, UNCHANGED_FC1, NO_POOL_FC1, BROKEN_FORWARD, "net3x3 = nn.Linear(576, 10)",
             IGNORES_LAYERS, NO_RELU, NO_RELU_ON_FC, AVG_POOL, EXTRA_LAYER],
    "03.5": [
        "shapes = {name: p.shape[0] for name, p in net.named_parameters()}",
        "shapes = [tuple(p.shape) for p in net.parameters()]",
        "shapes = {name: tuple(p.shape) for name, p in list(net.named_parameters())[:4]}",
        "shapes = {name: tuple(reversed(p.shape)) for name, p in net.named_parameters()}",
    ],
}


# Right answers written another way than the folded solution: each must pass.
RIGHT = {
    "03.1": [
        "import numpy as np\nn_params = np.sum([p.numel() for p in net.parameters()])",
        "n_params = sum(p.numel() for p in net.parameters()).__index__()",
        "n_params = torch.tensor([p.numel() for p in net.parameters()]).sum()",
    ],
    "03.3": [
        "batch = image[None]",
        "batch = image.view(1, 3, 32, 32)",
        "batch = image.reshape(1, *image.shape)",
        "batch = torch.stack([image])",
        "batch = image.unsqueeze(-4)",
    ],
    "03.4": [
        RIGHT_3X3,
        RIGHT_3X3.replace("nn.Linear(16 * 6 * 6, 120)", "nn.LazyLinear(120)"),
        RIGHT_3X3.replace("torch.flatten(x, 1)", "x.view(x.size(0), -1)").replace(", 2)", ", (2, 2))"),
        RIGHT_3X3.replace("        self.fc3 = nn.Linear(84, 10)",
                          "        self.fc3 = nn.Linear(84, 10)\n        self.pool = nn.MaxPool2d(2)\n        self.relu = nn.ReLU()")
        .replace("F.max_pool2d(F.relu(self.conv1(x)), 2)", "self.pool(self.relu(self.conv1(x)))"),
    ],
}


def _exercise(exercise_id: str):
    return next(ex for ex in find_exercises(NOTEBOOKS / "03_neural_networks.ipynb") if ex.exercise_id == exercise_id)


globals().update(exercise_tests("03_neural_networks.ipynb", WRONG, right=RIGHT))


def test_a_lazy_fc1_is_materialised_on_a_copy_not_on_the_learners_network():
    ex = _exercise("03.4")
    namespace: dict = {}
    exec(ex.setup, namespace)
    exec(RIGHT.get("03.4")[1], namespace)
    net = namespace["net3x3"]
    assert evaluate("03.4", net).passed
    assert net.fc1.__class__.__name__ == "LazyLinear"


def test_the_wrong_axis_gets_its_own_hint():
    result, _ = _exercise("03.3").run("batch = image.unsqueeze(1)")
    assert "(3, 1, 32, 32)" in result.message and "3 images of 1 channel" in result.message


def test_a_float_count_is_named_with_the_right_article():
    result, _ = _exercise("03.1").run("n_params = 61706.0")
    assert "should be a whole number (an int), but it is a float." in result.message
    assert " a int" not in evaluate("03.2", 400).message
    assert "but it is an int." in evaluate("03.2", 400).message
