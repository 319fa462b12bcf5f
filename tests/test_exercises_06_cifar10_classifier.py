"""Notebook 06's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations

import pytest
import torch

from tests.exercise_harness import assert_rejected, wrong_answer_cases

WRONG = {
    "06.1": [
        "answer = (predictions == labels).float()",  # one value per image
        "answer = torch.bincount(predictions[predictions == labels], minlength=3) / torch.bincount(predictions, minlength=3)",  # by prediction
        "answer = (predictions == labels).float().mean().repeat(3)",  # overall accuracy
        "answer = torch.bincount(labels[predictions == labels], minlength=3)",  # counts, not fractions
    ],
    "06.2": [
        "def to_device(batch, device):\n    inputs, labels = batch\n    return inputs.to(device), labels\n\nanswer = to_device",
        "answer = to_device",  # the unchanged stub
        "def to_device(batch, device):\n    inputs, labels = batch\n    return labels.to(device), inputs.to(device)\n\nanswer = to_device",
        "def to_device(batch, device):\n    inputs, labels = batch\n    return inputs.to(device), labels.float().to(device)\n\nanswer = to_device",
    ],
    "06.3": [
        "def build(device):\n    model = CifarNet()\n    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)\n"
        "    model.to(device)\n    return model, optimizer\n\nanswer = build",  # optimizer before the move
        "def build(device):\n    model = CifarNet()\n    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)\n"
        "    return model, optimizer\n\nanswer = build",  # never moved
        "answer = CifarNet()",  # not a function
    ],
    "06.4": [
        "answer = image",  # still normalized
        "answer = image * 0.5 - 0.5",
        "answer = (image - 0.5) / 0.5",  # normalized twice
    ],
    "06.5": [
        "answer = len(list(wide.parameters()))",  # tensors, not numbers
        "answer = sum(p.numel() for p in CifarNet().parameters())",  # the narrow net
        "answer = float(sum(p.numel() for p in wide.parameters()))",  # a float
        "answer = sum(p.numel() for p in wide.conv1.parameters())",
    ],
}

CASES = wrong_answer_cases("06_cifar10_classifier.ipynb", WRONG)


@pytest.mark.parametrize(("ex", "code"), CASES, ids=[f"{ex.exercise_id}:{code.splitlines()[0]}" for ex, code in CASES])
def test_wrong_answer_is_not_yet(ex, code):
    assert_rejected(ex, code)


@pytest.mark.parametrize(
    ("exercise_id", "code", "hint"),
    [
        ("06.1", "answer = (predictions == labels).float()", "one value per image"),
        ("06.2", "answer = to_device", "inputs are not on the device"),
        ("06.2", "def to_device(batch, device):\n    return batch[0].to(device), batch[1]\n\nanswer = to_device", "labels did not"),
        ("06.3", "def build(device):\n    model = CifarNet()\n    optimizer = optim.SGD(model.parameters(), lr=0.1)\n"
         "    model.to(device)\n    return model, optimizer\n\nanswer = build", "AFTER"),
        ("06.4", "answer = image", "still the normalized image"),
        ("06.5", "answer = len(list(wide.parameters()))", "TENSORS"),
        ("06.5", "answer = sum(p.numel() for p in CifarNet().parameters())", "narrow"),
    ],
)
def test_hints_point_at_the_mistake(exercise_id, code, hint):
    ex = next(ex for ex, _ in CASES if ex.exercise_id == exercise_id)
    result, _ = ex.run(code)
    assert hint in result.message, result.line()
