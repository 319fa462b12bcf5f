"""Notebook 07's exercises: each plausible mistake gets "not yet" with a hint that names it; right variants pass."""

from __future__ import annotations

from tests.exercise_harness import exercise_tests


def _crop(offsets: str, body: str = "", mode: str = "reflect") -> str:
    """A random_crop that draws its offsets with ``offsets`` (code defining top and left)."""
    return (
        "def random_crop(images, padding=4):\n"
        "    n, _, height, width = images.shape\n"
        f'    padded = F.pad(images, (padding, padding, padding, padding), mode="{mode}")\n'
        "    windows = padded.unfold(2, height, 1).unfold(3, width, 1)\n"
        f"{offsets}"
        f"{body or '    return windows[torch.arange(n), :, top, left]'}\n"
        "\n\n"
        "answer = random_crop"
    )


def _predict(body: str) -> str:
    return f"def predict(model, images):\n{body}\n\n\nanswer = predict"


def _lr(body: str) -> str:
    return f"def scaled_lr(base_lr, base_batch, processes, per_process_batch):\n    return {body}\n\n\nanswer = scaled_lr"


def _orders(loop: str, start: str = "range(epochs)") -> str:
    return (
        "def epoch_orders(sampler, epochs):\n"
        "    orders = []\n"
        f"    for epoch in {start}:\n"
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

RESTORE = "    was_training = model.training\n    model.eval()\n{}\n    model.train(was_training)\n    return classes"

WRONG = {
    "07.1": [
        ("answer = random_crop", "draw one offset per image, e.g. torch.randint(0, 2*padding + 1, (n,))"),
        (_crop(ONE_OFFSET), "one offset per image"),
        (_crop(OFF_BY_ONE), "high end is exclusive"),
        (_crop(SAME_PAIR), "draw them separately"),
        (_crop(ONLY_TOP), "left offset is the same for every image"),
        (_crop(RIGHT_OFFSETS, "    return padded"), "padded images"),
        # (N, C, N, H, W): the offsets are not paired with their images
        (_crop(RIGHT_OFFSETS, "    return windows[:, :, top, left]"), "index the batch too"),
        ("answer = random_crop(torch.rand(8, 3, 32, 32))", "should be a function"),
        ("answer = lambda images: images", "should take 2 arguments"),
        # crops and flips: a step too many
        ("import helpers.augment\n\nanswer = helpers.augment.random_crop_flip", "mirrored"),
    ],
    "07.2": [
        ("answer = predict", "model.eval()"),  # the stub: train mode, graph recorded
        (_predict("    with torch.no_grad():\n        return model(images).argmax(dim=1)"), "running statistics"),
        (_predict("    model.eval()\n    return model(images).argmax(dim=1)"), "torch.no_grad()"),
        (_predict("    model.eval()\n    with torch.no_grad():\n        return model(images).argmax(dim=1)"),
         "put the model back in training mode: model.train(was_training)"),
        # what the notebook's test_accuracy did before: training afterwards, whatever mode it came in
        (_predict("    model.eval()\n    with torch.no_grad():\n        classes = model(images).argmax(dim=1)\n"
                  "    model.train()\n    return classes"), "came in eval mode"),
        (_predict(RESTORE.format("    with torch.no_grad():\n        classes = model(images)")), "argmax(dim=1)"),
        (_predict("    model.eval()\n    torch.set_grad_enabled(False)\n    return model(images).argmax(dim=1)"),
         "still switched off"),
        # switched off, then on again: wrong inside an outer no_grad
        (_predict(RESTORE.format("    torch.set_grad_enabled(False)\n    classes = model(images).argmax(dim=1)\n"
                                 "    torch.set_grad_enabled(True)")), "outer `with torch.no_grad():`"),
    ],
    "07.3": [
        (_lr("base_lr * per_process_batch / base_batch"), "DDP averages the gradients of all processes"),
        (_lr("base_lr * processes"), "number of processes only"),
        (_lr("base_lr"), "unchanged"),  # the stub
        (_lr("base_lr * base_batch / (processes * per_process_batch)"), "UP"),
        (_lr("base_lr * (processes * per_process_batch // base_batch)"), "rounds the batch's growth down"),
        (_lr("base_lr * (processes * per_process_batch / base_batch) ** 0.5"), "square-root rule"),
        (_lr("0.08"), "whatever numbers it is given"),  # the example's value, typed in
        (_lr("processes * per_process_batch / base_batch"), "multiply base_lr by it"),
        (_lr("torch.tensor(base_lr * processes * per_process_batch / base_batch)"), "not a tensor"),
        (_lr("str(base_lr * processes * per_process_batch / base_batch)"), "return the learning rate, a number"),
        ("answer = 0.08", "should be a function"),
    ],
    "07.4": [
        ("answer = epoch_orders", "call sampler.set_epoch(epoch) at the start of every epoch, before iterating"),
        (_orders("        orders.append(list(sampler))\n        sampler.set_epoch(epoch)"), "before iterating"),
        (_orders("        sampler.set_epoch(0)\n        orders.append(list(sampler))"), "the epoch number"),
        # the sampler's internal attribute instead of its method
        (_orders("        sampler.epoch = epoch\n        orders.append(list(sampler))"), "sampler.set_epoch(epoch)"),
        (_orders("        orders.append(torch.randperm(len(sampler.dataset)).tolist())"),
         "iterate over the sampler: it gives this process its own share, the same shuffle on every process"),
        # a different epoch number on every process: the shares no longer split the dataset
        (_orders("        sampler.set_epoch(epoch + 10 * sampler.rank)\n        orders.append(list(sampler))"),
         "do not split the dataset"),
        ("def epoch_orders(sampler, epochs):\n    sampler.set_epoch(0)\n    return [list(sampler)] * epochs\n\n\n"
         "answer = epoch_orders", "once per epoch"),
        ("answer = epoch_orders(DistributedSampler(range(8), num_replicas=2, rank=0), 3)", "should be a function"),
    ],
    "07.5": [
        ("answer = predict_tta", "mirrored images"),  # the stub: no mirror
        (_tta("(model(images) + model(images.flip(2))) / 2"), "upside down"),
        (_tta("(model(images) + model(images.flip(0))) / 2"), "order of the batch"),
        (_tta("model(images.flip(3))"), "only the mirrored images' scores"),
        (_tta("((model(images) + model(images.flip(3))) / 2).argmax(dim=1)"), "return the averaged scores"),
        (_tta("(model(images) + model(images.flip(1))) / 2"), "colour channels"),
        (_tta("(model(images) + model(images).flip(3)) / 2"), "flip the images before the model"),
        (_tta("(model(images) + model(images).flip(1)) / 2"), "flip the images before the model"),
        # sums, not averages: the same classes, scores twice as large
        (_tta("model(images) + model(images.flip(3))"), "not their average"),
        (_tta("model(images).softmax(dim=1) + model(images.flip(3)).softmax(dim=1)"), "not their average"),
    ],
}

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

RIGHT = {
    "07.1": [
        LOOP_CROP,  # a Python loop over the images: slow, but right
        INDEXED_CROP,  # a row and a column index per image, zero padding (torchvision's default)
        _crop(RIGHT_OFFSETS, mode="replicate"),  # the edge pixels copied outwards
    ],
    "07.2": [
        _predict(
            "    was_training = model.training\n    model.eval()\n    try:\n        with torch.inference_mode():\n"
            "            return model(images).argmax(dim=1)\n    finally:\n        model.train(was_training)"
        ),
        _predict("    twin = copy.deepcopy(model).eval()\n    with torch.no_grad():\n        return twin(images).argmax(1)"),
        # the setting saved and put back by hand
        _predict(RESTORE.format("    grad_was = torch.is_grad_enabled()\n    torch.set_grad_enabled(False)\n"
                                "    classes = model(images).argmax(dim=1)\n    torch.set_grad_enabled(grad_was)")),
    ],
    "07.3": [
        _lr("base_lr * (processes * per_process_batch) / base_batch"),
        _lr("base_lr / base_batch * processes * per_process_batch"),
        _lr("float(base_lr * processes * per_process_batch / base_batch)"),
    ],
    "07.4": [
        # set the next epoch's number at the end of each epoch (epoch 0 is the sampler's default)
        _orders("        orders.append(list(sampler))\n        sampler.set_epoch(epoch + 1)"),
        # epochs counted from 1: a new shuffle every epoch, the same on every process
        _orders("        sampler.set_epoch(epoch)\n        orders.append(list(sampler))", start="range(1, epochs + 1)"),
        _orders("        sampler.set_epoch(epoch + 1)\n        orders.append([index for index in sampler])"),
    ],
    "07.5": [
        _tta("(model(images) + model(torch.flip(images, dims=[-1]))) / 2"),
        _tta("model(torch.cat([images, images.flip(-1)])).view(2, len(images), -1).mean(dim=0)"),  # one forward pass
        _tta("(model(images).softmax(dim=1) + model(images.flip(3)).softmax(dim=1)) / 2"),  # probabilities
        _tta("torch.stack([model(images).log_softmax(1), model(images.flip(3)).log_softmax(1)]).mean(0)"),
    ],
}

# right on the exercise's own example, wrong on the grader's inputs: the learner's check accepts them, the grader not
ONLY_EXAMPLE = {
    "07.1": [
        # the example's 32×32 images, typed in
        "def random_crop(images, padding=4):\n"
        "    n = len(images)\n"
        '    padded = F.pad(images, (padding, padding, padding, padding), mode="reflect")\n'
        "    windows = padded.unfold(2, 32, 1).unfold(3, 32, 1)\n"
        f"{RIGHT_OFFSETS}"
        "    return windows[torch.arange(n), :, top, left]\n\n\nanswer = random_crop",
    ],
    "07.2": [
        # the example's eval-mode predictions, typed in (after a proper pass in eval mode)
        _predict(RESTORE.format("    with torch.no_grad():\n        model(images)\n"
                                "    classes = torch.tensor([3, 3, 3, 3, 2, 3, 3, 3, 7, 3, 2, 2, 3, 3, 3, 2])")),
    ],
    "07.3": [
        # a table of the example's four answers
        "def scaled_lr(base_lr, base_batch, processes, per_process_batch):\n"
        "    return {64: 0.08, 256: 0.2, 32: 0.075, 128: 0.01}[base_batch]\n\n\nanswer = scaled_lr",
    ],
    "07.4": [
        # the example's three epochs, typed in
        _orders("        sampler.set_epoch(epoch)\n        orders.append(list(sampler))", start="range(3)"),
    ],
    "07.5": [
        # one forward pass over both views, reshaped for the example's 6 images
        _tta("model(torch.cat([images, images.flip(3)])).view(2, 6, 10).mean(dim=0)"),
    ],
}

globals().update(exercise_tests("07_faster_and_better.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))
