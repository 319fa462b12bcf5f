"""Notebook 07's exercises: typical wrong answers get 'not yet' with a hint, never a crash."""

from __future__ import annotations

from tests.exercise_harness import exercise_tests


def _crop(offsets: str, body: str = "") -> str:
    """A random_crop that draws its offsets with ``offsets`` (code defining top and left)."""
    return (
        "def random_crop(images, padding=4):\n"
        "    n, _, height, width = images.shape\n"
        '    padded = F.pad(images, (padding, padding, padding, padding), mode="reflect")\n'
        "    windows = padded.unfold(2, height, 1).unfold(3, width, 1)\n"
        f"{offsets}"
        f"{body or '    return windows[torch.arange(n), :, top, left]'}\n"
        "\n\n"
        "answer = random_crop"
    )


def _predict(body: str) -> str:
    return f"def predict(model, images):\n{body}\n\n\nanswer = predict"


def _orders(loop: str) -> str:
    return (
        "def epoch_orders(sampler, epochs):\n"
        "    orders = []\n"
        "    for epoch in range(epochs):\n"
        f"{loop}\n"
        "    return orders\n"
        "\n\n"
        "answer = epoch_orders"
    )


def _tta(body: str) -> str:
    return f"def predict_tta(model, images):\n    return {body}\n\n\nanswer = predict_tta"


ONE_OFFSET = "    top = left = torch.randint(0, 2 * padding + 1, ()).expand(n)\n"
OFF_BY_ONE = "    top = torch.randint(0, 2 * padding, (n,))\n    left = torch.randint(0, 2 * padding, (n,))\n"
SAME_PAIR = "    top = torch.randint(0, 2 * padding + 1, (n,))\n    left = top\n"
ONLY_TOP = "    top = torch.randint(0, 2 * padding + 1, (n,))\n    left = torch.full((n,), padding)\n"
RIGHT_OFFSETS = "    top = torch.randint(0, 2 * padding + 1, (n,))\n    left = torch.randint(0, 2 * padding + 1, (n,))\n"

EVAL_NO_RESTORE = "    model.eval()\n    with torch.no_grad():\n        return model(images).argmax(dim=1)"
EVAL_WITH_GRAPH = "    model.eval()\n    return model(images).argmax(dim=1)"
NO_GRAD_ONLY = "    with torch.no_grad():\n        return model(images).argmax(dim=1)"
ALWAYS_TRAIN = "    model.eval()\n    with torch.no_grad():\n        classes = model(images).argmax(dim=1)\n    model.train()\n    return classes"
SCORES = (
    "    was_training = model.training\n    model.eval()\n    with torch.no_grad():\n        scores = model(images)\n"
    "    model.train(was_training)\n    return scores"
)
GRAD_OFF_FOR_GOOD = "    model.eval()\n    torch.set_grad_enabled(False)\n    return model(images).argmax(dim=1)"

NO_SET_EPOCH = _orders("        orders.append(list(sampler))")
SET_EPOCH_AFTER = _orders("        orders.append(list(sampler))\n        sampler.set_epoch(epoch)")
SET_EPOCH_ZERO = _orders("        sampler.set_epoch(0)\n        orders.append(list(sampler))")
SET_EPOCH_AHEAD = _orders("        sampler.set_epoch(epoch + 1)\n        orders.append(list(sampler))")
RANDPERM = _orders("        orders.append(torch.randperm(len(sampler.dataset)).tolist())")

WRONG = {
    "07.1": [
        "answer = random_crop",  # the unchanged stub: one corner for the whole batch
        _crop(ONE_OFFSET),  # one random offset for the whole batch
        _crop(OFF_BY_ONE),  # randint's high end is exclusive
        _crop(SAME_PAIR),  # top == left: crops slide along the diagonal
        _crop(ONLY_TOP),  # left never moves
        _crop(RIGHT_OFFSETS, "    return padded"),  # the padded images, not crops
        _crop(RIGHT_OFFSETS, "    return windows[:, :, top, left]"),  # (N, C, N, H, W): indices not paired with images
        "answer = random_crop(torch.rand(8, 3, 32, 32))",  # a batch, not the function
        "answer = lambda images: images",  # a function with the wrong signature
        "import helpers.augment\n\nanswer = helpers.augment.random_crop_flip",  # crops and flips
    ],
    "07.2": [
        "answer = predict",  # the unchanged stub: train mode, graph recorded
        _predict(NO_GRAD_ONLY),  # no graph, but BatchNorm still in train mode
        _predict(EVAL_WITH_GRAPH),  # eval mode, but a graph nobody needs
        _predict(EVAL_NO_RESTORE),  # left in eval mode
        _predict(ALWAYS_TRAIN),  # training afterwards even if it came in eval mode
        _predict(SCORES),  # scores, not classes
        _predict(GRAD_OFF_FOR_GOOD),  # gradients switched off for the rest of the notebook
    ],
    "07.3": [
        "answer = base_lr * per_process_batch / base_batch",  # one process's batch only
        "answer = base_lr * processes",  # processes only
        "answer = base_lr",  # unchanged
        "answer = base_lr * base_batch / (processes * per_process_batch)",  # scaled down
        "answer = torch.tensor(base_lr * processes * per_process_batch / base_batch)",  # a tensor
        "answer = '0.08'",  # a string
        "answer = processes * per_process_batch",  # the global batch, not a learning rate
    ],
    "07.4": [
        "answer = epoch_orders",  # the unchanged stub: the same order every epoch
        SET_EPOCH_AFTER,  # set_epoch after iterating
        SET_EPOCH_ZERO,  # always epoch 0
        SET_EPOCH_AHEAD,  # one epoch ahead
        RANDPERM,  # a shuffle of its own instead of the sampler's share
        "def epoch_orders(sampler, epochs):\n    sampler.set_epoch(0)\n    return [list(sampler)] * epochs\n\n\nanswer = epoch_orders",
        "answer = epoch_orders(DistributedSampler(range(8), num_replicas=2, rank=0), 3)",  # a result, not the function
    ],
    "07.5": [
        "answer = predict_tta",  # the unchanged stub: no mirror
        _tta("(model(images) + model(images.flip(2))) / 2"),  # upside down
        _tta("(model(images) + model(images.flip(0))) / 2"),  # the batch reversed
        _tta("model(images.flip(3))"),  # the mirror only
        _tta("((model(images) + model(images.flip(3))) / 2).argmax(dim=1)"),  # classes, not scores
        _tta("(model(images) + model(images.flip(1))) / 2"),  # colour channels reversed
        _tta("(model(images) + model(images).flip(3)) / 2"),  # the scores flipped, not the images
        _tta("(model(images) + model(images).flip(1)) / 2"),  # the scores flipped, not the images
    ],
}

# A wrong answer, and words its hint must contain.
HINTS = [
    ("07.1", "answer = random_crop", "draw one offset per image, e.g. torch.randint(0, 2*padding + 1, (n,))"),
    ("07.1", _crop(ONE_OFFSET), "one offset per image"),
    ("07.1", _crop(OFF_BY_ONE), "high end is exclusive"),
    ("07.1", _crop(SAME_PAIR), "draw them separately"),
    ("07.1", _crop(ONLY_TOP), "left offset is the same for every image"),
    ("07.1", _crop(RIGHT_OFFSETS, "    return padded"), "padded images"),
    ("07.1", "answer = lambda images: images", "should take 2 arguments"),
    ("07.1", "answer = 3", "should be a function"),
    ("07.1", _crop(RIGHT_OFFSETS, "    return windows[:, :, top, left]"), "index the batch too"),
    ("07.1", "import helpers.augment\n\nanswer = helpers.augment.random_crop_flip", "mirrored"),
    ("07.2", "answer = predict", "model.eval()"),
    ("07.2", _predict(NO_GRAD_ONLY), "running statistics"),
    ("07.2", _predict(EVAL_WITH_GRAPH), "torch.no_grad()"),
    ("07.2", _predict(EVAL_NO_RESTORE), "put the model back in training mode: model.train(was_training)"),
    ("07.2", _predict(ALWAYS_TRAIN), "came in eval mode"),
    ("07.2", _predict(SCORES), "argmax(dim=1)"),
    ("07.2", _predict(GRAD_OFF_FOR_GOOD), "still switched off"),
    ("07.3", "answer = base_lr * per_process_batch / base_batch", "DDP averages the gradients of all processes"),
    ("07.3", "answer = base_lr * processes", "processes only"),
    ("07.3", "answer = base_lr", "unchanged"),
    ("07.3", "answer = base_lr * base_batch / (processes * per_process_batch)", "UP"),
    ("07.3", "answer = torch.tensor(0.08)", "not a tensor"),
    ("07.3", "answer = '0.08'", "should be a number"),
    ("07.4", "answer = epoch_orders", "call sampler.set_epoch(epoch) at the start of every epoch, before iterating"),
    ("07.4", SET_EPOCH_AFTER, "before iterating"),
    ("07.4", SET_EPOCH_ZERO, "the epoch number"),
    ("07.4", SET_EPOCH_AHEAD, "one epoch ahead"),
    ("07.4", RANDPERM, "iterate over the sampler: it gives this process its own share, the same shuffle on every process"),
    ("07.5", "answer = predict_tta", "mirrored images"),
    ("07.5", _tta("(model(images) + model(images.flip(2))) / 2"), "upside down"),
    ("07.5", _tta("(model(images) + model(images.flip(0))) / 2"), "order of the batch"),
    ("07.5", _tta("model(images.flip(3))"), "only the mirrored images' scores"),
    ("07.5", _tta("((model(images) + model(images.flip(3))) / 2).argmax(dim=1)"), "return the averaged scores"),
    ("07.5", _tta("(model(images) + model(images).flip(3)) / 2"), "flip the images before the model"),
]

LOOP_CROP = (
    "def random_crop(images, padding=4):\n"
    "    height, width = images.shape[-2:]\n"
    '    padded = F.pad(images, (padding, padding, padding, padding), mode="reflect")\n'
    "    crops = torch.empty_like(images)\n"
    "    for k in range(len(images)):\n"
    "        top, left = torch.randint(0, 2 * padding + 1, (2,)).tolist()\n"
    "        crops[k] = padded[k, :, top : top + height, left : left + width]\n"
    "    return crops\n\n\nanswer = random_crop"
)
INDEXED_CROP = (
    "def random_crop(images, padding=4):\n"
    "    n, c, height, width = images.shape\n"
    "    padded = F.pad(images, (padding, padding, padding, padding))\n"
    "    top = torch.randint(0, 2 * padding + 1, (n, 1, 1, 1))\n"
    "    left = torch.randint(0, 2 * padding + 1, (n, 1, 1, 1))\n"
    "    rows = top + torch.arange(height).view(1, 1, -1, 1)\n"
    "    cols = left + torch.arange(width).view(1, 1, 1, -1)\n"
    "    return padded[torch.arange(n).view(-1, 1, 1, 1), torch.arange(c).view(1, -1, 1, 1), rows, cols]\n"
    "\n\nanswer = random_crop"
)

# Right answers written another way than the folded solutions.
RIGHT = {
    "07.1": [
        LOOP_CROP,  # a Python loop over the images: slow, but right
        INDEXED_CROP,  # a row and a column index per image, zero padding
    ],
    "07.2": [
        _predict(
            "    was_training = model.training\n    model.eval()\n    try:\n        with torch.inference_mode():\n"
            "            return model(images).argmax(dim=1)\n    finally:\n        model.train(was_training)"
        ),
        _predict("    twin = copy.deepcopy(model).eval()\n    with torch.no_grad():\n        return twin(images).argmax(1)"),
    ],
    "07.3": [
        "answer = 0.08",
        "answer = base_lr * (processes * per_process_batch // base_batch)",
    ],
    "07.4": [
        # set the next epoch's number at the end of each epoch (epoch 0 is the sampler's default)
        _orders("        orders.append(list(sampler))\n        sampler.set_epoch(epoch + 1)"),
        _orders("        sampler.set_epoch(epoch)\n        orders.append([index for index in sampler])"),
    ],
    "07.5": [
        _tta("model(images) + model(torch.flip(images, dims=[-1]))"),  # the sum: the same classes
        _tta("model(torch.cat([images, images.flip(-1)])).view(2, len(images), -1).mean(dim=0)"),  # one forward pass
        _tta("(model(images).softmax(dim=1) + model(images.flip(3)).softmax(dim=1)) / 2"),  # probabilities
    ],
}

globals().update(exercise_tests("07_faster_and_better.ipynb", WRONG, HINTS, RIGHT))
