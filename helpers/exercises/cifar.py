"""Checkers for notebook 06 (CIFAR10 classifier).

No verdict here depends on the machine: values are compared on the CPU, which every machine has, and the
``meta`` device (also on every machine) serves only to see that a tensor or a model was moved at all. Checkers
never compare Parameter identities after a move to ``meta``: moving there makes new Parameter objects, while
moving to cuda or mps keeps them, so such a check would judge differently from a real GPU.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_type, exercise, expect_equal, expect_tensor, expect_type
from helpers.i18n import _

# 06.1: the predictions and labels printed in the exercise cell (three classes, seven images).
_PREDICTIONS = torch.tensor([0, 2, 1, 1, 0, 2, 2])
_LABELS = torch.tensor([0, 1, 1, 1, 2, 2, 0])
_MOVED = torch.device("meta")  # only to see that something moved: a device every machine has


def _close(answer: torch.Tensor, expected: torch.Tensor) -> bool:
    return tuple(answer.shape) == tuple(expected.shape) and torch.allclose(
        answer.detach().cpu().double(), expected.double(), atol=1e-4
    )


@exercise("06.1")
def per_class_accuracy_any_batch(answer: Any) -> None:
    """Per-class accuracy of the cell's seven predictions (a batch size that is not 4)."""
    correct = _PREDICTIONS == _LABELS
    per_label = torch.bincount(_LABELS[correct], minlength=3).double()
    expected = per_label / torch.bincount(_LABELS, minlength=3)
    expect_type(answer, torch.Tensor)
    if answer.shape == (7,):
        raise NotYet(
            _("you have one value per image; group them by the TRUE class (true_labels) and average within each class.")
        )
    if _close(answer, per_label):
        raise NotYet(
            _("those are the counts of right predictions per class; divide each by the number of images of that class.")
        )
    if _close(answer, per_label / torch.bincount(_PREDICTIONS, minlength=3)):
        raise NotYet(
            _(
                "you divided by how often each class was PREDICTED; divide by how often it is the TRUE label "
                "(the number of images that really belong to it)."
            )
        )
    if answer.numel() > 1 and _close(answer, correct.double().mean().expand(answer.shape)):
        raise NotYet(
            _("every class has the same value: that is the overall accuracy; compute one accuracy per class.")
        )
    expect_tensor(
        answer.double() if answer.dtype.is_floating_point else answer,
        expected,
        _("your per-class accuracy"),
        hint=_(
            "for each class c: (predictions[true_labels == c] == c).float().mean(); "
            "count by the true label, not the prediction."
        ),
    )


def _call(function: Any, *args: Any) -> Any:
    """Call the learner's function without moving the global RNG; turn its errors into a hint."""
    try:
        with torch.random.fork_rng(devices=[]):
            return function(*args)
    except Exception as error:
        raise NotYet(
            _("your function raised {error_type}: {error}").format(
                error_type=type(error).__name__, error=str(error).splitlines()[0] if str(error) else ""
            )
        ) from None


@exercise("06.2")
def move_batch(answer: Any) -> None:
    """A function (batch, device) -> (inputs, labels), both moved to ``device``, values, dtypes and order kept."""
    if not callable(answer) or isinstance(answer, torch.nn.Module):
        raise NotYet(
            _("answer should be a function like `def to_device(batch, device): ...`, got {kind}.").format(kind=a_type(answer))
        )
    generator = torch.Generator().manual_seed(6)
    inputs = torch.randn(4, 3, 32, 32, generator=generator)
    labels = torch.tensor([3, 1, 4, 1])
    for target in (_MOVED, torch.device("cpu")):
        result = _call(answer, (inputs.clone(), labels.clone()), target)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise NotYet(_("return a pair: (inputs, labels)."))
        got_inputs, got_labels = result
        expect_type(got_inputs, torch.Tensor, _("the inputs you return"))
        expect_type(got_labels, torch.Tensor, _("the labels you return"))
        if tuple(got_inputs.shape) == (4,) and tuple(got_labels.shape) == (4, 3, 32, 32):
            raise NotYet(_("you swapped them: return the batch's inputs first and its labels second."))
        if got_inputs.device != target:
            raise NotYet(_("the inputs are not on the device: use inputs.to(device)."))
        if got_labels.device != target:
            raise NotYet(_("the inputs moved but the labels did not: the loss needs both on the same device."))
        if tuple(got_inputs.shape) != (4, 3, 32, 32) or tuple(got_labels.shape) != (4,):
            raise NotYet(_("keep the shapes: return the batch's inputs first and its labels second."))
        if got_inputs.dtype != torch.float32:
            raise NotYet(
                _("the inputs became {dtype}; moving a batch must not change its dtype (float32).").format(
                    dtype=got_inputs.dtype
                )
            )
        if got_labels.dtype != torch.int64:
            raise NotYet(
                _("the labels became {dtype}; CrossEntropyLoss needs int64 class indices.").format(dtype=got_labels.dtype)
            )
    # values and order, on the CPU (the last target)
    if torch.equal(got_inputs, inputs) and torch.equal(got_labels, labels):
        return
    where = [next((i for i, original in enumerate(inputs) if torch.equal(row, original)), None) for row in got_inputs]
    if None in where:
        raise NotYet(_("the values changed: moving a batch must only move it, not rescale or edit it."))
    if not torch.equal(got_labels, labels[where]):
        raise NotYet(_("the images and labels no longer belong together (one of them changed order): keep the order."))
    raise NotYet(_("the batch changed order: moving a batch must only move it."))


def _optimizer_params(optimizer: torch.optim.Optimizer) -> list[torch.Tensor]:
    return [p for group in optimizer.param_groups for p in group["params"]]


@exercise("06.3")
def optimizer_for_final_model(answer: Any) -> None:
    """``build(device) -> (model, optimizer)``: a two-class CifarNet on ``device``, its SGD built over its final parameters."""
    if not callable(answer) or isinstance(answer, torch.nn.Module):
        raise NotYet(_("answer should be a function like `def build(device): ...`, got {kind}.").format(kind=a_type(answer)))
    for target in (torch.device("cpu"), _MOVED):
        result = _call(answer, target)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise NotYet(_("return a pair: (model, optimizer)."))
        model, optimizer = result
        expect_type(model, torch.nn.Module, _("the model you return"))
        expect_type(optimizer, torch.optim.Optimizer, _("the optimizer you return"))
        params = list(model.parameters())
        if not params:
            raise NotYet(_("the model you return has no parameters: return the CifarNet you built."))
        if target.type == "cpu":
            _check_cpu_build(model, optimizer, params)
        elif any(p.device != target for p in params):
            raise NotYet(
                _(
                    "part of the model is not on the device: call model.to(device) after the last change to the "
                    "model (a layer made after the move stays on the CPU)."
                )
            )


def _check_cpu_build(model: nn.Module, optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> None:
    with torch.no_grad():
        scores = model(torch.zeros(2, 3, 32, 32))
    if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (2, 2):
        shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else a_type(scores)
        raise NotYet(
            _(
                "the model gives outputs of shape {shape} for 2 images, expected (2, 2): "
                "replace its last layer, model.fc3 = nn.Linear(84, 2)."
            ).format(shape=shape)
        )
    if type(optimizer) is not torch.optim.SGD:
        raise NotYet(
            _("the exercise asks for optim.SGD(..., lr=0.001, momentum=0.9), got {kind}.").format(
                kind=type(optimizer).__name__
            )
        )
    held = _optimizer_params(optimizer)
    model_ids, held_ids = {id(p) for p in params}, {id(p) for p in held}
    stale = len(held_ids - model_ids)
    missing = len(model_ids - held_ids)
    if stale:
        raise NotYet(
            _(
                "the optimizer holds {stale} tensor(s) the model no longer uses (the old fc3): build the optimizer "
                "AFTER the last change to the model, from model.parameters()."
            ).format(stale=stale)
        )
    if missing:
        raise NotYet(
            _(
                "the optimizer updates only {held} of the model's {total} parameter tensors: "
                "give it all of model.parameters()."
            ).format(held=len(model_ids & held_ids), total=len(model_ids))
        )
    for group in optimizer.param_groups:
        if group.get("lr") != 0.001 or group.get("momentum") != 0.9:
            raise NotYet(
                _("the exercise asks for lr=0.001 and momentum=0.9, got lr={lr} and momentum={momentum}.").format(
                    lr=group.get("lr"), momentum=group.get("momentum")
                )
            )


def _unnormalize_cases() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(64)
    return [
        torch.rand(3, 8, 8, generator=generator),
        torch.rand(4, 3, 32, 32, generator=generator),  # a batch, as make_grid's input would be
    ]


@exercise("06.4")
def unnormalize_image(answer: Any) -> None:
    """A function undoing Normalize(mean=0.5, std=0.5), checked on images the check chooses."""
    if not callable(answer) or isinstance(answer, torch.nn.Module):
        raise NotYet(
            _("answer should be a function like `def unnormalize(image): ...`, got {kind}.").format(kind=a_type(answer))
        )
    for original in _unnormalize_cases():
        image = (original - 0.5) / 0.5
        got = _call(answer, image.clone())
        expect_type(got, torch.Tensor, _("what your function returns"))
        mistakes = [
            (image, _("that is still the normalized image: undo the normalization (multiply by std, then add mean).")),
            (image * 0.5 - 0.5, _("you subtracted the mean again: to undo (x - mean) / std, multiply by std and ADD the mean.")),
            ((image - 0.5) / 0.5, _("you normalized a second time: undo it instead, x = image * std + mean.")),
            (image * 0.5, _("you multiplied by std but did not add the mean back.")),
            (image + 0.5, _("you added the mean but did not multiply by std first.")),
        ]
        for wrong, hint in mistakes:
            if _close(got, wrong):
                raise NotYet(hint)
        expect_tensor(
            got.float(), original, _("your un-normalized image"), check_dtype=False,
            hint=_("Normalize computed (x - 0.5) / 0.5, so x = image * 0.5 + 0.5 (the tutorial writes img / 2 + 0.5)."),
        )


# CifarNet(32, 64), layer by layer: conv1, conv2, fc1, fc2, fc3 (weights and biases)
_WIDE_LAYERS = {"conv1": 32 * 3 * 5 * 5 + 32, "conv2": 64 * 32 * 5 * 5 + 64, "fc1": 64 * 5 * 5 * 120 + 120,
                "fc2": 120 * 84 + 84, "fc3": 84 * 10 + 10}


@exercise("06.5")
def wide_net_parameters(answer: Any) -> str:
    """The number of trainable numbers in CifarNet(conv1_channels=32, conv2_channels=64)."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and not answer.dtype.is_floating_point:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise NotYet(_("answer should be an int (a count), got {kind}.").format(kind=a_type(answer)))
    if answer == 10:
        raise NotYet(_("10 is the number of parameter TENSORS; add up p.numel() over them."))
    if answer == 62006:
        raise NotYet(_("62,006 is the tutorial's narrow net; count the wide one, CifarNet(32, 64)."))
    weights_only = sum(_WIDE_LAYERS.values()) - (32 + 64 + 120 + 84 + 10)
    if answer == weights_only:
        raise NotYet(_("you left out the biases: count every parameter tensor, weights and biases."))
    if 0 < answer < sum(_WIDE_LAYERS.values()) and any(answer == v for v in _WIDE_LAYERS.values()):
        raise NotYet(_("that is one layer's count; add up p.numel() over all of wide.parameters()."))
    expect_equal(answer, sum(_WIDE_LAYERS.values()), _("your count"),
                 hint=_("sum(p.numel() for p in wide.parameters() if p.requires_grad)"))
    return _("256,830 numbers: about 4× the tutorial net, mostly in fc1 (64·5·5·120 + 120 = 192,120).")
