"""Notebook 06's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations


from tests.exercise_harness import exercise_tests

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

# A wrong answer, and words its hint must contain.
HINTS = [
    ("06.1", "answer = (predictions == labels).float()", "one value per image"),
    ("06.2", "answer = to_device", "inputs are not on the device"),
    ("06.2", "def to_device(batch, device):\n    return batch[0].to(device), batch[1]\n\nanswer = to_device", "labels did not"),
    ("06.3", "def build(device):\n    model = CifarNet()\n    optimizer = optim.SGD(model.parameters(), lr=0.1)\n"
     "    model.to(device)\n    return model, optimizer\n\nanswer = build", "AFTER"),
    ("06.4", "answer = image", "still the normalized image"),
    ("06.5", "answer = len(list(wide.parameters()))", "TENSORS"),
    ("06.5", "answer = sum(p.numel() for p in CifarNet().parameters())", "narrow"),
]

globals().update(exercise_tests("06_cifar10_classifier.ipynb", WRONG, HINTS))
