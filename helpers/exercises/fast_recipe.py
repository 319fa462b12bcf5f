"""Checkers for notebook 07 (faster and better).

Every answer here is a function. Its observer (in the learner's kernel) calls it on inputs the exercise's ``cases``
describe, builds those inputs itself (a batch of images, a model, a sampler) and records what happened as plain data:
what the function returned, and what it did to the model, the sampler or the gradient setting. The judge rebuilds the
same inputs from the case and computes what it expects itself.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data.distributed import DistributedSampler

from helpers.check import NotYet, a_kind, a_type, exercise, wrong_type
from helpers.i18n import _


def _expect_function(answer: Any, signature: str, n_args: int) -> None:
    """Raise NotYet unless ``answer`` is a function that can be called with ``n_args`` arguments."""
    if not callable(answer) or isinstance(answer, (nn.Module, type)):
        raise NotYet(
            _("answer should be a function like `def {signature}: ...`, but it is {kind}.").format(
                signature=signature, kind=a_type(answer)
            )
        )
    try:
        inspect.signature(answer).bind(*range(n_args))
    except TypeError:
        raise NotYet(
            _("your function should take {n_args} arguments, like `def {signature}: ...`.").format(
                n_args=n_args, signature=signature
            )
        ) from None
    except ValueError:  # no signature to inspect (a builtin): let the call tell
        pass


def _call(function: Callable, *args: Any, call: str, known: Sequence[tuple[str, str]] = ()) -> Any:
    """Call the learner's function; turn an error into NotYet (with a specific hint where one is known)."""
    try:
        with torch.random.fork_rng(devices=[]):  # the learner's draws leave the notebook's random numbers alone
            return function(*args)
    except NotYet:
        raise
    except Exception as error:  # noqa: BLE001 - a learner's function may fail in any way
        for words, hint in known:
            if words in str(error):
                raise NotYet(hint) from None
        raise NotYet(
            _(
                "{call} raised {error_type}: {error}. "
                "Try your function on a small batch in a cell of its own to see where."
            ).format(call=call, error_type=type(error).__name__, error=error)
        ) from None


def _described(value: Any) -> dict[str, Any]:
    """What a returned value is, as plain data: its type's name, whether it is a tensor, and a tensor's layout."""
    seen: dict[str, Any] = {"type": type(value).__name__, "tensor": isinstance(value, torch.Tensor)}
    if seen["tensor"]:
        seen.update(shape=tuple(value.shape), dtype=value.dtype, device=value.device)
    return seen


def _expect_tensor(seen: dict[str, Any], what: str) -> None:
    """In a judge: expect_type's hint unless the observer saw a tensor (``seen`` as :func:`_described` makes it)."""
    if not seen["tensor"]:
        raise wrong_type(torch.Tensor, seen["type"], what)


def _draw(generator: torch.Generator, low: int, high: int) -> int:
    """An int in low … high - 1, drawn with ``generator``."""
    return int(torch.randint(low, high, (1,), generator=generator))


def _replay_hint(run: dict[str, Any]) -> None:
    """In a judge: the hint the observer met on one of several calls (the learner's function failed), in its turn."""
    if "not yet" in run:
        raise NotYet(str(run["not yet"]))


# ---- 07.1 · Random crops, one per image -------------------------------------------------


def _crop_case(seed: int | None) -> dict[str, Any]:
    """The batch random_crop gets (its shape, square images, and the seed of its pixels), the paddings, and the seed
    of the learner's draws."""
    if seed is None:
        return {"n": 128, "channels": 3, "size": 32, "paddings": (4, 2), "pixels": 7, "draws": 0}
    g = torch.Generator().manual_seed(seed)
    return {
        "n": _draw(g, 128, 161), "channels": _draw(g, 1, 4), "size": _draw(g, 12, 29),
        "paddings": tuple(int(p) + 1 for p in torch.randperm(4, generator=g)[:2]),  # two of 1 … 4
        "pixels": _draw(g, 0, 2**31), "draws": _draw(g, 0, 2**31),
    }


def _crop_images(case: dict[str, Any]) -> torch.Tensor:
    shape = (case["n"], case["channels"], case["size"], case["size"])
    return torch.rand(shape, generator=torch.Generator().manual_seed(case["pixels"]))


def _crop_offsets(crops: torch.Tensor, images: torch.Tensor, padding: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(top, left) of each crop's window in its own padded image (reflect, zero or edge padding); -1 where none fits.

    A window fits when every pixel of the crop is within 1e-6 of it; of several, the first in (padding mode, top,
    left) order. To find them fast, every window and every crop first gets a signature, its dot product with fixed
    random weights (one convolution gives all windows'), and only the windows whose signature is close are compared
    pixel by pixel.
    """
    n, channels, height, width = images.shape
    top = torch.full((n,), -1)
    left = torch.full((n,), -1)
    weights = torch.rand((1, channels, height, width), generator=torch.Generator().manual_seed(0))
    # how far a fitting crop's signature may be off: its pixels' 1e-6, and float32's rounding in sums of ~10^4 terms
    slack = 1e-6 * float(weights.sum()) + 1e-3 * (1 + float(images.abs().amax()) * float(weights.sum()))
    signatures = (crops.float() * weights).sum(dim=(1, 2, 3))
    for mode in ("reflect", "constant", "replicate"):
        padded = F.pad(images, (padding, padding, padding, padding), mode=mode)
        close = (F.conv2d(padded.float(), weights)[:, 0] - signatures[:, None, None]).abs() <= slack
        for k, i, j in torch.nonzero(close & (top < 0)[:, None, None]).tolist():  # row-major: by image, top, left
            if top[k] < 0 and bool(((crops[k] - padded[k, :, i : i + height, j : j + width]).abs() <= 1e-6).all()):
                top[k], left[k] = i, j
        if (top >= 0).all():
            break
    return top, left


def _run_crops(answer: Any, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Call random_crop on the case's batch once per padding, with the case's seed in force for its draws."""
    _expect_function(answer, "random_crop(images, padding=4)", 2)
    runs = []
    for padding in case["paddings"]:
        images = _crop_images(case)
        original = images.clone()
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(case["draws"])  # the same draws every time the check runs
                crops = _call(
                    answer, images, padding,
                    call=_("random_crop(images, {padding}) on a batch of shape {shape}").format(
                        padding=padding, shape=tuple(images.shape)
                    ),
                    known=[
                        (
                            "device",
                            _(
                                "make the random offsets on the images' own device: torch.randint(..., "
                                "device=images.device) (the check passes a batch that sits on the CPU)."
                            ),
                        )
                    ],
                )
        except NotYet as hint:  # judged after the earlier paddings' crops
            runs.append({"not yet": str(hint)})
            break
        run = {"changed": not torch.equal(images, original), **_described(crops)}
        if run["tensor"] and crops.shape == images.shape:
            run["crops"] = crops.detach().cpu().clone()
        runs.append(run)
    return runs


def _judge_crops(run: dict[str, Any], images: torch.Tensor, padding: int) -> None:
    _replay_hint(run)
    n, channels, height, width = images.shape
    if run["changed"]:
        raise NotYet(
            _("your function changed the images it was given; pad and crop into new tensors and leave the input as it is.")
        )
    _expect_tensor(run, _("what random_crop returns"))
    shape = tuple(run["shape"])
    span = height + 2 * padding
    if shape == (n, channels, span, span):
        raise NotYet(
            _("you return the padded images ({span}×{span}); cut a {height}×{width} window out of each.").format(
                span=span, height=height, width=width
            )
        )
    if len(shape) == 5 and shape[2] == n:
        raise NotYet(
            _(
                "your crops have an extra batch dimension: index the batch too, so that image k takes its own top[k] "
                "and left[k], e.g. windows[torch.arange(n), :, top, left]."
            )
        )
    if shape != tuple(images.shape):
        raise NotYet(
            _("the crops have shape {shape}; they should keep the images' shape, {expected}.").format(
                shape=shape, expected=tuple(images.shape)
            )
        )
    if run["dtype"] != images.dtype or run["device"] != images.device:
        raise NotYet(
            _(
                "the crops are {dtype} on {device}; keep the images' dtype and device ({expected_dtype} on {expected_device})."
            ).format(
                dtype=run["dtype"], device=run["device"], expected_dtype=images.dtype, expected_device=images.device
            )
        )
    crops = run["crops"].reshape(images.shape)
    top, left = _crop_offsets(crops, images, padding)
    if (top < 0).any():
        mirrored = torch.nonzero(top < 0).flatten()
        flipped_top, _flipped_left = _crop_offsets(crops[mirrored].flip(3), images[mirrored], padding)
        if (flipped_top >= 0).all():
            raise NotYet(_("some crops come out mirrored: this function only crops (flipping is a step of its own)."))
        k = int(mirrored[0])
        raise NotYet(
            _(
                "crop {k} is not a {height}×{width} window of its own padded image: cut every image out of its own padded "
                "version, rows top … top+{last_row} and columns left … left+{last_column}."
            ).format(k=k, height=height, width=width, last_row=height - 1, last_column=width - 1)
        )
    if top.unique().numel() == 1 and left.unique().numel() == 1:
        raise NotYet(
            _(
                "every image was cropped at the same offset (top={top}, left={left}): draw one offset per "
                "image, e.g. torch.randint(0, 2*padding + 1, (n,))."
            ).format(top=int(top[0]), left=int(left[0]))
        )
    for name, values in (("top", top), ("left", left)):
        if values.unique().numel() == 1:
            raise NotYet(
                _(
                    "the {name} offset is the same for every image: draw top and left per image, "
                    "each with its own torch.randint."
                ).format(name=name)
            )
    if torch.equal(top, left):
        raise NotYet(
            _("top and left are equal for every image, so the crops only slide along the diagonal: draw them separately.")
        )
    for name, values in (("top", top), ("left", left)):
        seen = sorted(set(values.tolist()))
        if seen == list(range(2 * padding)):
            raise NotYet(
                _(
                    "with padding={padding} the offsets never reach {high}: torch.randint's high end is exclusive, so "
                    "torch.randint(0, 2*padding + 1, ...) draws 0 … 2*padding."
                ).format(padding=padding, high=2 * padding)
            )
        if seen != list(range(2 * padding + 1)):
            raise NotYet(
                _(
                    "with padding={padding} the {name} offsets of {n} images took only the values {seen}; each should be "
                    "drawn at random from 0 … {high} (2*padding + 1 choices)."
                ).format(padding=padding, name=name, n=n, seen=seen, high=2 * padding)
            )


@exercise("07.1", observe=_run_crops, cases=_crop_case)
def per_image_random_crop(seen: list[dict[str, Any]], case: dict[str, Any]) -> str:
    """A function (images, padding) -> a random crop of each padded image (reflected, zero or edge padding), at an
    offset of its own.

    Observed per padding: whether the function changed its images, what it returned and, when they keep the images'
    shape, the crops. The judge finds each crop's offset in its own copy of the padded images.
    """
    for padding, run in zip(case["paddings"], seen, strict=True):
        _judge_crops(run, _crop_images(case), padding)
    return _("every image got its own shift, anywhere in 0 … 2·padding.")


# ---- 07.2 · Evaluate with BatchNorm in eval mode -----------------------------------------


def _predict_case(seed: int | None) -> dict[str, Any]:
    """The seed of the model and its batch, the batch's size, the images' size, and whether each image has a colour
    cast of its own; drawn again until the model's eval-mode predictions are not all one class and differ from its
    training-mode predictions."""
    if seed is None:
        return {"seed": 0, "n": 16, "size": 8, "tinted": False}
    g = torch.Generator().manual_seed(seed)
    while True:
        case = {"seed": _draw(g, 1, 2**31), "n": _draw(g, 8, 33), "size": _draw(g, 5, 12), "tinted": True}
        model, images = _batchnorm_model_and_batch(case)
        classes = _predictions(model, images, training=False)
        if classes.unique().numel() > 1 and not torch.equal(classes, _predictions(model, images, training=True)):
            return case


def _batchnorm_model_and_batch(case: dict[str, Any]) -> tuple[nn.Sequential, torch.Tensor]:
    """A small conv net with BatchNorm whose running statistics differ from the test batch's own statistics."""
    size = case["size"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(case["seed"])
        model = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10),
        )
        with torch.no_grad():
            for _batch in range(10):  # "training" batches: shifted and spread out
                model(torch.randn(16, 3, size, size) * 2 + 1)
        images = torch.randn(case["n"], 3, size, size) * 0.5 - 1
        if case["tinted"]:
            images += torch.randn(case["n"], 3, 1, 1)
    return model, images


def _predictions(model: nn.Module, images: torch.Tensor, training: bool) -> torch.Tensor:
    twin = copy.deepcopy(model).train(training)
    with torch.no_grad():
        return twin(images).argmax(dim=1)


# how predict is called: (was the model in training mode, inside an outer torch.no_grad())
_PREDICT_CALLS = ((True, False), (False, False), (True, True))  # the last as inside an evaluation loop's own no_grad


def _watch_predict(answer: Callable, case: dict[str, Any], was_training: bool, outer_no_grad: bool) -> dict[str, Any]:
    """One call of predict: the gradient setting around it, the BatchNorm's mode and the gradient setting at each of
    its forward passes, whether its running statistics moved, the modes the model leaves in, and what it returned."""
    model, images = _batchnorm_model_and_batch(case)
    model.train(was_training)
    batchnorm = model[1]
    tracked = batchnorm.num_batches_tracked.clone()
    passes: list[tuple[bool, bool]] = []

    def record(module: nn.Module, inputs: Any, output: Any) -> None:
        passes.append((bool(module.training), torch.is_grad_enabled()))

    handle = batchnorm.register_forward_hook(record)
    grad_outside = torch.is_grad_enabled()
    try:
        with torch.no_grad() if outer_no_grad else contextlib.nullcontext():
            grad_before = torch.is_grad_enabled()
            result = _call(answer, model, images, call="predict(model, images)")
            grad_after = torch.is_grad_enabled()
    finally:
        handle.remove()
        torch.set_grad_enabled(grad_outside)
    seen = {
        "grad_before": grad_before, "grad_after": grad_after, "passes": passes,
        "updated": not torch.equal(batchnorm.num_batches_tracked, tracked),
        "modes": sorted({bool(module.training) for module in model.modules()}), **_described(result),
    }
    if seen["tensor"] and tuple(result.shape) == (case["n"],):
        seen["classes"] = result.detach().cpu().clone()
    return seen


def _run_predict(answer: Any, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Call predict on a fresh copy of the case's model and batch, as _PREDICT_CALLS says (see _watch_predict)."""
    _expect_function(answer, "predict(model, images)", 2)
    runs = []
    for was_training, outer_no_grad in _PREDICT_CALLS:
        try:
            runs.append(_watch_predict(answer, case, was_training, outer_no_grad))
        except NotYet as hint:  # judged after the earlier calls
            runs.append({"not yet": str(hint)})
            break
    return runs


def _judge_predict(run: dict[str, Any], expected: torch.Tensor, was_training: bool) -> None:
    _replay_hint(run)
    grad_before, grad_after = run["grad_before"], run["grad_after"]
    if grad_after and not grad_before:
        raise NotYet(
            _(
                "called inside an outer `with torch.no_grad():`, your function switched gradients back on for the rest "
                "of that block: torch.set_grad_enabled(True) turns them on whatever they were before. "
                "`with torch.no_grad():` puts back the state it found."
            )
        )
    if not run["passes"]:
        raise NotYet(_("your function never ran the model: compute the scores with model(images) inside it."))
    if any(training for training, _grad in run["passes"]) or run["updated"]:
        raise NotYet(
            _(
                "BatchNorm normalized with this batch's own statistics and updated its running statistics: call model.eval() "
                "before the forward pass, so it uses the running statistics it learned in training."
            )
        )
    if any(grad for _training, grad in run["passes"]):
        raise NotYet(_("the forward pass recorded an autograd graph nobody needs: run it inside `with torch.no_grad():`."))
    if grad_after != grad_before:
        raise NotYet(
            _(
                "gradients are still switched off after your function returns: use `with torch.no_grad():`, which switches "
                "them back on at the end of the block, rather than torch.set_grad_enabled(False)."
            )
        )
    _expect_tensor(run, _("what predict returns"))
    n = expected.shape[0]
    shape = tuple(run["shape"])
    if shape == (n, 10):
        raise NotYet(_("you return the class scores, shape (N, 10); return the predicted classes: scores.argmax(dim=1)."))
    if shape != (n,) or run["dtype"] != torch.int64:
        raise NotYet(
            _(
                "predict returned a {dtype} tensor of shape {shape}; return one class per image, "
                "int64 of shape ({n},), as scores.argmax(dim=1) gives."
            ).format(dtype=run["dtype"], shape=shape, n=n)
        )
    if not torch.equal(run["classes"], expected):
        raise NotYet(
            _(
                "these are not the model's eval-mode predictions: "
                "return model(images).argmax(dim=1) with the model in eval mode."
            )
        )
    modes = set(run["modes"])
    if was_training and modes != {True}:
        raise NotYet(
            _(
                "the model came in training mode and leaves in eval mode, so training would go on with BatchNorm frozen: "
                "put the model back in training mode: model.train(was_training), with was_training = model.training "
                "read at the start."
            )
        )
    if not was_training and modes != {False}:
        raise NotYet(
            _(
                "the model came in eval mode and leaves training: put it back the way it was with model.train(was_training), "
                "where was_training = model.training read at the start, rather than model.train()."
            )
        )


@exercise("07.2", observe=_run_predict, cases=_predict_case)
def predict_in_eval_mode(seen: list[dict[str, Any]], case: dict[str, Any]) -> str:
    """A function (model, images) -> classes, with BatchNorm in eval mode, no graph, the model's mode restored.

    Observed on each call (see _watch_predict): the gradient setting, BatchNorm's mode at each forward pass, its
    running statistics, the modes the model leaves in, and the classes. The judge builds the case's model itself and
    takes its eval-mode predictions.
    """
    model, images = _batchnorm_model_and_batch(case)
    expected = _predictions(model, images, training=False)
    if torch.equal(expected, _predictions(model, images, training=True)):
        raise RuntimeError("checker setup: train- and eval-mode predictions must differ")
    for (was_training, _outer_no_grad), run in zip(_PREDICT_CALLS, seen, strict=True):
        _judge_predict(run, expected, was_training)
    return _("running statistics, no graph, and the model back in the mode it came in.")


# ---- 07.3 · Scale the learning rate -----------------------------------------------------


_LR_CASES = ((0.01, 64, 4, 128), (0.1, 256, 8, 64), (0.05, 32, 3, 16), (0.02, 128, 2, 32))


def _lr_cases(seed: int | None) -> tuple[tuple[float, int, int, int], ...]:
    """(base_lr, base_batch, processes, per_process_batch), four times: base_lr 0.01 … 0.2, batches of 16 … 256."""
    if seed is None:
        return _LR_CASES
    g = torch.Generator().manual_seed(seed)
    return tuple(
        (_draw(g, 1, 21) / 100, 2 ** _draw(g, 4, 9), _draw(g, 2, 9), 2 ** _draw(g, 4, 9)) for _case in _LR_CASES
    )


def _linear_rule(base_lr: float, base_batch: int, processes: int, per_process_batch: int) -> float:
    return base_lr * processes * per_process_batch / base_batch


def _run_lr(answer: Any, cases: tuple[tuple[float, int, int, int], ...]) -> list[dict[str, Any]]:
    """Call scaled_lr on each case until it returns something else than a number: what it returned, and the number."""
    _expect_function(answer, "scaled_lr(base_lr, base_batch, processes, per_process_batch)", 4)
    got = []
    for case in cases:
        value = _call(answer, *case, call="scaled_lr{case}".format(case=case))
        number = isinstance(value, numbers.Real) and not isinstance(value, (bool, torch.Tensor))
        got.append({"type": type(value).__name__, "tensor": isinstance(value, torch.Tensor),
                    "value": float(value) if number else None})
        if not number:
            break
    return got


@exercise("07.3", observe=_run_lr, cases=_lr_cases)
def scaled_learning_rate(seen: list[dict[str, Any]], cases: tuple[tuple[float, int, int, int], ...]) -> str:
    """A function (base_lr, base_batch, processes, per_process_batch) -> the linearly scaled learning rate.

    Observed: what it returns on each case (a number, or the type of what it returned instead). The judge applies the
    linear rule, and the usual wrong rules for their hints, to the cases itself.
    """
    got = []
    for case, returned in zip(cases, seen, strict=True):
        if returned["tensor"]:
            raise NotYet(
                _("scaled_lr should return a plain Python number (a float), not a tensor: the optimizer takes a float.")
            )
        if returned["value"] is None:
            raise NotYet(
                _("scaled_lr{case} returned {kind}; return the learning rate, a number.").format(
                    case=case, kind=a_kind(returned["type"])
                )
            )
        got.append(float(returned["value"]))
    if all(math.isclose(v, _linear_rule(*c), rel_tol=1e-9) for v, c in zip(got, cases)):
        return _("base_lr × (processes × per_process_batch) / base_batch: 0.08 for 4 × 128 images against 64.")
    if len(set(got)) == 1:
        raise NotYet(
            _(
                "your function returns {value:g} whatever numbers it is given: "
                "compute the learning rate from its four arguments."
            ).format(value=got[0])
        )
    wrong_rules = [
        (lambda lr, b, p, k: lr * k / b, _(
            "you scale by one process's batch only. DDP averages the gradients of all processes, so each optimizer "
            "step uses processes × per_process_batch images: scale by that global batch.")),
        (lambda lr, b, p, k: lr * p, _(
            "you scale by the number of processes only; "
            "the global batch is processes × per_process_batch, compared with base_batch.")),
        (lambda lr, b, p, k: lr, _(
            "that is the base learning rate unchanged; the batch grew, and the linear rule grows the learning rate "
            "with it.")),
        (lambda lr, b, p, k: lr * math.sqrt(p * k / b), _(
            "that is the square-root rule; "
            "the linear rule asked for here multiplies the learning rate by the batch's growth itself.")),
        (lambda lr, b, p, k: lr * b / (p * k), _(
            "a bigger batch gives a less noisy gradient, so the rule scales the learning rate UP: "
            "base_lr × (global batch / base_batch).")),
        (lambda lr, b, p, k: lr * (p * k // b), _(
            "`//` rounds the batch's growth down to a whole number (48 // 32 is 1): "
            "use `/`, since the growth can be 1.5.")),
        (lambda lr, b, p, k: p * k / b, _(
            "that is the batch's growth, not the learning rate: multiply base_lr by it.")),
        (lambda lr, b, p, k: p * k, _(
            "that is the global batch, not the learning rate: multiply base_lr by global batch / base_batch.")),
    ]
    for rule, hint in wrong_rules:
        if all(math.isclose(v, rule(*c), rel_tol=1e-9) for v, c in zip(got, cases)):
            raise NotYet(hint)
    value, case = next((v, c) for v, c in zip(got, cases) if not math.isclose(v, _linear_rule(*c), rel_tol=1e-9))
    raise NotYet(
        _(
            "scaled_lr{case} returned {value:g}; the linear rule gives {right:g}: the learning rate grows by the same "
            "factor as the batch, (processes × per_process_batch) / base_batch."
        ).format(case=case, value=value, right=_linear_rule(*case))
    )


# ---- 07.4 · The DDP loop that forgets set_epoch ------------------------------------------


def _sampler_case(seed: int | None) -> dict[str, int]:
    """The dataset's size (a multiple of the number of processes), the processes, the epochs and the shuffle's seed."""
    if seed is None:
        return {"size": 40, "replicas": 2, "epochs": 3, "seed": 0}
    g = torch.Generator().manual_seed(seed)
    replicas = _draw(g, 2, 5)
    return {
        "size": replicas * _draw(g, 8, 21), "replicas": replicas, "epochs": _draw(g, 4, 7), "seed": _draw(g, 1, 2**31)
    }


class _WatchedSampler(DistributedSampler):
    """A DistributedSampler that remembers the epochs it was given, and the epoch in force at each pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epochs_set: list[int] = []
        self.passes: list[tuple[int, bool]] = []  # (epoch in force, whether set_epoch set it) at each iteration
        self._by_method = self.epoch

    def set_epoch(self, epoch: int) -> None:
        self.epochs_set.append(epoch)
        super().set_epoch(epoch)
        self._by_method = self.epoch

    def __iter__(self):  # type: ignore[override]
        self.passes.append((self.epoch, self.epoch == self._by_method))
        return super().__iter__()


def _sampler(case: dict[str, int], rank: int, sampler: type[DistributedSampler] = DistributedSampler) -> Any:
    return sampler(list(range(case["size"])), num_replicas=case["replicas"], rank=rank, shuffle=True, seed=case["seed"])


def _order(case: dict[str, int], rank: int, epoch: int) -> list[int]:
    """What the sampler of ``rank`` gives in ``epoch``."""
    sampler = _sampler(case, rank)
    sampler.set_epoch(epoch)
    return list(sampler)


def _as_orders(result: Any, epochs: int) -> list[list[int]]:
    """``result`` as one list of ints per epoch; NotYet when it is not that."""
    if not isinstance(result, (list, tuple)):
        raise NotYet(
            _("epoch_orders should return a list with one list of indices per epoch, but it returns {kind}.").format(
                kind=a_type(result)
            )
        )
    if len(result) != epochs:
        raise NotYet(
            _("for {epochs} epochs your function returned {count} orders: append one list of indices per epoch.").format(
                epochs=epochs, count=len(result)
            )
        )
    orders = []
    for order in result:
        if isinstance(order, torch.Tensor):
            order = order.tolist()
        if not isinstance(order, (list, tuple)) or not all(
            isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in order
        ):
            raise NotYet(
                _("each epoch's order should be a list of ints, as list(sampler) gives; one is {kind}.").format(
                    kind=a_type(order)
                )
            )
        orders.append([int(i) for i in order])
    return orders


def _plain_epoch(epoch: Any) -> int | str:
    """An epoch number the learner gave set_epoch, as plain data (anything else than an int: its repr)."""
    return int(epoch) if isinstance(epoch, numbers.Integral) else repr(epoch)


def _run_epoch_orders(answer: Any, case: dict[str, int]) -> list[dict[str, Any]]:
    """Call epoch_orders once per process (rank), each with its own watched sampler: the orders it returned, the
    epochs it gave set_epoch, and at each pass over the sampler the epoch in force and whether set_epoch set it."""
    _expect_function(answer, "epoch_orders(sampler, epochs)", 2)
    ranks = []
    for rank in range(case["replicas"]):
        sampler = _sampler(case, rank, _WatchedSampler)
        result = _call(answer, sampler, case["epochs"], call=f"epoch_orders(sampler, {case['epochs']})")
        ranks.append({
            "orders": _as_orders(result, case["epochs"]),
            "epochs_set": [_plain_epoch(epoch) for epoch in sampler.epochs_set],
            "passes": [(_plain_epoch(epoch), bool(by_method)) for epoch, by_method in sampler.passes],
        })
    return ranks


@exercise("07.4", observe=_run_epoch_orders, cases=_sampler_case)
def set_epoch_every_epoch(seen: list[dict[str, Any]], case: dict[str, int]) -> str:
    """A function (sampler, epochs) -> each epoch's indices, a new epoch number set with set_epoch before each epoch.

    Observed per process: see _run_epoch_orders. The judge computes each process's order for the epochs in force
    with a sampler of its own.
    """
    epochs = case["epochs"]
    got = [_as_orders(rank["orders"], epochs) for rank in seen]
    everything = set(range(case["size"]))
    for epoch in range(epochs):
        shares = [orders[epoch] for orders in got]
        if (
            len(shares) != case["replicas"]
            or sum(map(len, shares)) != len(everything)
            or set().union(*shares) != everything
        ):
            raise NotYet(
                _(
                    "in some epoch the two processes do not split the dataset between them: iterate over the sampler: "
                    "it gives this process its own share, the same shuffle on every process."
                )
            )
    for rank, (orders, watched) in enumerate(zip(got, seen)):
        sampler_passes, epochs_set = watched["passes"], watched["epochs_set"]
        if any(not by_method for _epoch, by_method in sampler_passes):
            raise NotYet(
                _(
                    "you set the attribute sampler.epoch yourself; call the sampler's own method, "
                    "sampler.set_epoch(epoch): the attribute is an internal detail that other samplers may not have."
                )
            )
        if len(sampler_passes) != epochs or any(
            order != _order(case, rank, epoch) for order, (epoch, _by_method) in zip(orders, sampler_passes)
        ):
            raise NotYet(
                _(
                    "iterate over the sampler once per epoch and keep what it gives, list(sampler): "
                    "its order is this process's share of that epoch's shuffle."
                )
            )
        in_force = [epoch for epoch, _by_method in sampler_passes]
        if len(set(in_force)) == epochs:
            continue
        if not epochs_set:
            raise NotYet(
                _(
                    "every epoch repeats the same order: call sampler.set_epoch(epoch) at the start of every epoch, "
                    "before iterating, so each epoch gets a new shuffle (the same one on every process)."
                )
            )
        if len(set(epochs_set)) == 1:
            raise NotYet(
                _(
                    "set_epoch only ever gets {epoch}, so every epoch gets the same order: "
                    "pass the epoch number, sampler.set_epoch(epoch)."
                ).format(epoch=epochs_set[0])
            )
        if in_force[0] == in_force[1]:
            raise NotYet(
                _(
                    "the first two epochs share one order: call sampler.set_epoch(epoch) before iterating over the "
                    "sampler, not after."
                )
            )
        raise NotYet(
            _(
                "two epochs got the same epoch number ({epochs}), so they share one order: "
                "give every epoch its own number with sampler.set_epoch(epoch)."
            ).format(epochs=in_force)
        )
    return _("a new shuffle every epoch, and the two processes still split each epoch between them.")


# ---- 07.5 · Test-time augmentation --------------------------------------------------------


def _tta_case(seed: int | None) -> dict[str, int]:
    """The seed of the model and its batch, the batch's size, and the images' height and width."""
    if seed is None:
        return {"seed": 0, "n": 6, "height": 8, "width": 8}
    g = torch.Generator().manual_seed(seed)
    return {"seed": _draw(g, 1, 2**31), "n": _draw(g, 7, 13), "height": _draw(g, 5, 11), "width": _draw(g, 5, 11)}


def _tta_model_and_batch(case: dict[str, int]) -> tuple[nn.Module, torch.Tensor]:
    """A model that is not mirror-symmetric (a Linear layer on the raw pixels) and a random batch."""
    height, width = case["height"], case["width"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(case["seed"])
        model = nn.Sequential(nn.Flatten(), nn.Linear(3 * height * width, 10))
        images = torch.randn(case["n"], 3, height, width)
    return model, images


def _flip_scores() -> str:
    return _("flip the images before the model, not the scores: model(images.flip(3)).")


def _run_tta(answer: Any, case: dict[str, int]) -> dict[str, Any]:
    """Call predict_tta on the case's model and batch: what it returned and, when they have the shape (N, 10), the
    scores."""
    _expect_function(answer, "predict_tta(model, images)", 2)
    model, images = _tta_model_and_batch(case)
    result = _call(
        answer, model, images.clone(), call="predict_tta(model, images)",
        known=[("Dimension out of range", _flip_scores())],
    )
    seen = _described(result)
    if seen["tensor"] and tuple(result.shape) == (case["n"], 10):
        seen["scores"] = result.detach().cpu().clone()
    return seen


@exercise("07.5", observe=_run_tta, cases=_tta_case)
def mirror_tta(seen: dict[str, Any], case: dict[str, int]) -> str | None:
    """A function (model, images) -> class scores averaged over the images and their mirror images.

    Right: the mean of the two views' raw scores, of their probabilities (softmax) or of their log-probabilities
    (log_softmax), all standard; a sum is not an average. Observed: what the function returned, and its scores. The
    judge builds the case's model and batch itself and compares the scores with the right views and the usual slips.
    """
    model, images = _tta_model_and_batch(case)
    with torch.no_grad():
        plain, mirrored = model(images), model(images.flip(3))
        if torch.allclose(plain, mirrored):
            raise RuntimeError("checker setup: the model must not be mirror-symmetric")
        upside_down, channels, batch = (model(images.flip(d)) for d in (2, 1, 0))
    _expect_tensor(seen, _("what predict_tta returns"))
    n = images.shape[0]
    shape = tuple(seen["shape"])
    if shape == (n,):
        raise NotYet(
            _(
                "you return classes; return the averaged scores, shape (N, 10): TTA averages the scores of the two views, "
                "and the argmax comes after."
            )
        )
    if shape != (n, 10):
        raise NotYet(
            _("predict_tta returned shape {shape}; return one row of 10 class scores per image, ({n}, 10).").format(
                shape=shape, n=n
            )
        )
    got = seen["scores"].double().reshape(n, 10)

    def matches(*candidates: torch.Tensor) -> bool:
        return any(torch.allclose(got, c.double(), atol=1e-5, rtol=1e-4) for c in candidates)

    def mean_or_sum(other: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (plain + other) / 2, plain + other

    if matches((plain + mirrored) / 2):
        return None
    if matches((plain.softmax(dim=1) + mirrored.softmax(dim=1)) / 2):
        return _("averaging probabilities works too; averaging the raw scores is the usual, cheaper choice.")
    if matches((plain.log_softmax(dim=1) + mirrored.log_softmax(dim=1)) / 2):
        return _("averaging log-probabilities works too; averaging the raw scores is the usual, cheaper choice.")
    sums = [plain + mirrored, plain.softmax(dim=1) + mirrored.softmax(dim=1),
            plain.log_softmax(dim=1) + mirrored.log_softmax(dim=1)]
    if matches(*sums):
        raise NotYet(
            _(
                "that is the sum of the two views' scores, not their average: divide by 2. (The sum picks the same "
                "classes, but its scores are twice as large, and a sum over more views grows with their number.)"
            )
        )
    if matches(plain):
        raise NotYet(
            _(
                "these are the scores of the images as they are: "
                "also run the model on the mirrored images, images.flip(3), and average the two."
            )
        )
    if matches(mirrored):
        raise NotYet(_("these are only the mirrored images' scores: average them with the scores of the images as they are."))
    if matches(*mean_or_sum(upside_down)):
        raise NotYet(
            _(
                "images.flip(2) turns the images upside down; "
                "a mirror flips the width, the last dimension: images.flip(3) or images.flip(-1)."
            )
        )
    if matches(*mean_or_sum(channels)):
        raise NotYet(
            _("images.flip(1) reverses the colour channels (RGB becomes BGR); a mirror flips the width: images.flip(3).")
        )
    if matches(*mean_or_sum(batch)):
        raise NotYet(
            _(
                "images.flip(0) reverses the order of the batch, so each image's scores are averaged with another image's; "
                "a mirror flips the width: images.flip(3)."
            )
        )
    if matches(*mean_or_sum(plain.flip(1))):
        raise NotYet(_flip_scores())
    raise NotYet(
        _(
            "your scores differ from (model(images) + model(images.flip(3))) / 2, "
            "the average over the images and their mirror images."
        )
    )
