"""Notebook 06's exercises: each plausible mistake gets "not yet" with a hint that names it; right variants pass."""

from __future__ import annotations

from tests.exercise_harness import exercise_tests

MOVE = "def to_device(batch, device):\n    inputs, labels = batch\n    return {}\n\nanswer = to_device"
BUILD = "def build(device):\n{}\n    return model, optimizer\n\nanswer = build"
UNDO = "def unnormalize(image):\n    return {}\n\nanswer = unnormalize"

WRONG = {
    "06.1": [
        ("answer = (predictions == true_labels).float()", "one value per image"),
        ("answer = torch.bincount(predictions[predictions == true_labels], minlength=3)"
         " / torch.bincount(predictions, minlength=3)", "PREDICTED"),
        ("answer = (predictions == true_labels).float().mean().repeat(3)", "overall accuracy"),
        ("answer = torch.bincount(true_labels[predictions == true_labels], minlength=3)", "counts"),
        ("answer = torch.tensor([0.5, 0.5, 0.5])", "count by the true label"),
    ],
    "06.2": [
        ("answer = to_device", "inputs are not on the device"),  # the unchanged stub
        (MOVE.format("inputs.to(device), labels"), "labels did not"),
        (MOVE.format("labels.to(device), inputs.to(device)"), "swapped"),
        (MOVE.format("inputs.to(device), labels.float().to(device)"), "int64"),
        (MOVE.format("(inputs / 255).to(device), labels.to(device)"), "values changed"),
        (MOVE.format("inputs.half().to(device), labels.to(device)"), "float16"),
        (MOVE.format("inputs.flip(0).to(device), labels.to(device)"), "no longer belong together"),
        (MOVE.format("inputs.to(device), labels.flip(0).to(device)"), "no longer belong together"),
        (MOVE.format("inputs.to(device)"), "a pair"),
    ],
    "06.3": [
        # the optimizer built before the last change to the model
        (BUILD.format("    model = CifarNet().to(device)\n    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)\n"
                      "    model.fc3 = nn.Linear(84, 2).to(device)"), "AFTER the last change"),
        # a new layer made after the move stays on the CPU
        (BUILD.format("    model = CifarNet().to(device)\n    model.fc3 = nn.Linear(84, 2)\n"
                      "    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)"), "not on the device"),
        # never moved
        (BUILD.format("    model = CifarNet()\n    model.fc3 = nn.Linear(84, 2)\n"
                      "    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)"), "not on the device"),
        # an optimizer over the new layer only
        (BUILD.format("    model = CifarNet()\n    model.fc3 = nn.Linear(84, 2)\n    model.to(device)\n"
                      "    optimizer = optim.SGD(model.fc3.parameters(), lr=0.001, momentum=0.9)"), "only 2 of the model's 10"),
        # other optimizers or settings than the statement asks for
        (BUILD.format("    model = CifarNet(num_classes=2).to(device)\n    optimizer = optim.Adam(model.parameters(), lr=0.1)"),
         "optim.SGD"),
        (BUILD.format("    model = CifarNet(num_classes=2).to(device)\n    optimizer = optim.SGD(model.parameters(), lr=10)"),
         "lr=0.001 and momentum=0.9"),
        (BUILD.format("    model = CifarNet(num_classes=2).to(device)\n    optimizer = optim.SGD(model.parameters(), lr=0.001)"),
         "lr=0.001 and momentum=0.9"),
        # the last layer not replaced
        (BUILD.format("    model = CifarNet().to(device)\n    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)"),
         "nn.Linear(84, 2)"),
        ("answer = CifarNet()", "def build(device)"),
    ],
    "06.4": [
        ("answer = unnormalize", "still the normalized image"),  # the unchanged stub
        (UNDO.format("image * 0.5 - 0.5"), "ADD the mean"),
        (UNDO.format("(image - 0.5) / 0.5"), "normalized a second time"),
        (UNDO.format("image * 0.5"), "did not add the mean"),
        (UNDO.format("image + 0.5"), "did not multiply by std"),
        (UNDO.format("image * 2 + 0.5"), "x = image * 0.5 + 0.5"),
        ("answer = torch.linspace(0, 1, 12).reshape(3, 2, 2)", "def unnormalize(image)"),
    ],
    "06.5": [
        ("answer = len(list(wide.parameters()))", "TENSORS"),
        ("answer = sum(p.numel() for p in CifarNet().parameters())", "narrow"),
        ("answer = float(sum(p.numel() for p in wide.parameters()))", "int"),
        ("answer = sum(p.numel() for p in wide.conv1.parameters())", "one layer"),
        ("answer = sum(p.numel() for name, p in wide.named_parameters() if name.endswith('weight'))", "biases"),
    ],
}

RIGHT = {
    "06.1": [
        "answer = torch.stack([(predictions[true_labels == c] == c).float().mean() for c in range(3)])",
    ],
    "06.2": [
        MOVE.format("inputs.to(device, non_blocking=True), labels.to(device)"),
        "def to_device(batch, device):\n    return tuple(t.to(device) for t in batch)\n\nanswer = to_device",
        "answer = lambda batch, device: [t.to(device) for t in batch]",
    ],
    "06.3": [
        # with today's PyTorch, .to(cuda or mps) keeps the Parameter objects: this order is right there too
        BUILD.format("    model = CifarNet()\n    model.fc3 = nn.Linear(84, 2)\n"
                     "    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)\n    model.to(device)"),
        BUILD.format("    model = CifarNet(num_classes=2).to(device)\n"
                     "    optimizer = optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)"),
        BUILD.format("    model = CifarNet().to(device)\n    model.fc3 = nn.Linear(84, 2, device=device)\n"
                     "    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)"),
    ],
    "06.4": [
        UNDO.format("image / 2 + 0.5"),
        UNDO.format("transforms.Normalize((-1, -1, -1), (2, 2, 2))(image)"),
        "def unnormalize(image):\n    return image.mul_(0.5).add_(0.5)\n\nanswer = unnormalize",
    ],
    "06.5": [
        "answer = sum(p.numel() for p in wide.parameters())",
        "answer = torch.tensor(256830)",
    ],
}

# Right on the exercise's own inputs only: the learner's check accepts them, the grader (other inputs) does not.
ONLY_EXAMPLE = {
    "06.2": [
        # a batch of four 32×32 images written into the function
        MOVE.format("inputs.reshape(4, 3, 32, 32).to(device), labels.to(device)"),
        # the example's batch itself, whatever batch comes in
        MOVE.format("torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(6)).to(device), "
                    "torch.tensor([3, 1, 4, 1]).to(device)"),
    ],
    "06.3": [
        # a model that answers two images, whatever it is shown
        BUILD.format("    model = CifarNet(num_classes=2).to(device)\n    model.forward = lambda x: torch.zeros(2, 2)\n"
                     "    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)"),
    ],
    "06.4": [
        # the example's images, replayed from the check's generator
        "def unnormalize(image):\n    g = torch.Generator().manual_seed(64)\n"
        "    small = torch.rand(3, 8, 8, generator=g)\n"
        "    return small if image.dim() == 3 else torch.rand(4, 3, 32, 32, generator=g)\n\nanswer = unnormalize",
    ],
}

globals().update(exercise_tests("06_cifar10_classifier.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))
