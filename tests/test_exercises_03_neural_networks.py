"""Typical wrong answers to the exercises of notebook 03 are not accepted."""

from __future__ import annotations

import pytest

from tests.exercise_harness import assert_rejected, wrong_answer_cases

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

WRONG = {
    "03.1": [
        "n_params = len(list(net.parameters()))",
        "n_params = 5",
        "n_params = sum(p.numel() for p in net.parameters()) - 120",
        "n_params = float(sum(p.numel() for p in net.parameters()))",
    ],
    "03.2": [
        "flat_features = lambda x: x.numel()",
        "flat_features = lambda x: x.shape[1:]",
        "flat_features = lambda x: x.shape[-1] * x.shape[-2]",
        "flat_features = 400",
    ],
    "03.3": [
        "batch = image",
        "batch = image.unsqueeze(-1)",
        "batch = image[None, None]",
        "batch = torch.randn(1, 1, 32, 32)",
        "batch = image.unsqueeze(0).tolist()",
    ],
    "03.4": [FIVE_BY_FIVE, UNCHANGED_FC1, NO_POOL_FC1, BROKEN_FORWARD, "net3x3 = nn.Linear(576, 10)"],
    "03.5": [
        "shapes = {name: p.shape[0] for name, p in net.named_parameters()}",
        "shapes = [tuple(p.shape) for p in net.parameters()]",
        "shapes = {name: tuple(p.shape) for name, p in list(net.named_parameters())[:4]}",
        "shapes = {name: tuple(reversed(p.shape)) for name, p in net.named_parameters()}",
    ],
}


@pytest.mark.parametrize(
    "ex, code", wrong_answer_cases("03_neural_networks.ipynb", WRONG), ids=lambda v: getattr(v, "exercise_id", "")
)
def test_wrong_answer_is_not_accepted(ex, code):
    assert_rejected(ex, code)
