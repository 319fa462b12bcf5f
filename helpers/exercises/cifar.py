"""Checkers for notebook 06 (CIFAR10 classifier).

06.1 and 06.5 observe the answer itself (a tensor or a count, else the name of its type). 06.2 to 06.4 call the
learner's function on the exercise's inputs (or on the grader's: ``cases``) and observe what came back: type names,
shapes, devices, dtypes, values, counts. The judges compare that with what they compute from the inputs.

No verdict here depends on the machine: values are compared on the CPU, which every machine has, and the
``meta`` device (also on every machine) serves only to see that a tensor or a model was moved at all. Checkers
never compare Parameter identities after a move to ``meta``: moving there makes new Parameter objects, while
moving to cuda or mps keeps them, so such a check would judge differently from a real GPU.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_kind, exercise, expect_equal, expect_tensor, wrong_type
from helpers.i18n import _

# 06.1: the predictions and labels printed in the exercise cell (three classes, seven images).
_PREDICTIONS = torch.tensor([0, 2, 1, 1, 0, 2, 2])
_LABELS = torch.tensor([0, 1, 1, 1, 2, 2, 0])
_MOVED = torch.device("meta")  # only to see that something moved: a device every machine has
_CPU = torch.device("cpu")


def _plain(tensor: torch.Tensor) -> torch.Tensor:
    """A plain CPU copy of a tensor the learner made: no subclass, no autograd history."""
    return tensor.detach().cpu().clone().as_subclass(torch.Tensor)


def _tensor_or_kind(answer: Any) -> torch.Tensor | dict[str, str]:
    """The answer as a plain tensor, or the name of its type when it is no tensor."""
    return _plain(answer) if isinstance(answer, torch.Tensor) else {"kind": type(answer).__name__}


def _expect(seen: Any, wanted: type, what: str | None = None) -> None:
    """NotYet when ``seen`` is an observer's ``{"kind": name}``: the answer was no ``wanted`` but a ``name``."""
    if isinstance(seen, dict) and "kind" in seen:
        raise wrong_type(wanted, seen["kind"], what)


def _close(answer: torch.Tensor, expected: torch.Tensor) -> bool:
    return tuple(answer.shape) == tuple(expected.shape) and torch.allclose(
        answer.detach().cpu().double(), expected.double(), atol=1e-4
    )


@exercise("06.1", observe=_tensor_or_kind)
def per_class_accuracy_any_batch(answer: Any) -> None:
    """Per-class accuracy of the cell's seven predictions (a batch size that is not 4); observes the tensor."""
    correct = _PREDICTIONS == _LABELS
    per_label = torch.bincount(_LABELS[correct], minlength=3).double()
    expected = per_label / torch.bincount(_LABELS, minlength=3)
    _expect(answer, torch.Tensor)
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


# ---- function answers: observers call them, judges read what they did ----------------------------------------


def _attempt(function: Any, *args: Any) -> tuple[Any, dict[str, str] | None]:
    """Call the learner's function without moving the global RNG: (what it returned, None), or (None, the error
    it raised, as data: the judge turns it into the hint, at the point where the check met it)."""
    try:
        with torch.random.fork_rng(devices=[]):
            return function(*args), None
    except Exception as error:
        return None, {"raised": type(error).__name__, "error": str(error).splitlines()[0] if str(error) else ""}


def _not_a_function(answer: Any) -> dict[str, str] | None:
    """The observation of an answer that is no function (a module is callable, but not what is asked)."""
    return {"kind": type(answer).__name__} if not callable(answer) or isinstance(answer, nn.Module) else None


def _expect_function(seen: dict[str, Any], hint: str) -> None:
    """``hint`` (with the answer's kind) when the answer was no function."""
    if "kind" in seen:
        raise NotYet(hint.format(kind=a_kind(seen["kind"])))


def _expect_no_error(call: dict[str, Any]) -> None:
    if "raised" in call:
        raise NotYet(
            _("your function raised {error_type}: {error}").format(error_type=call["raised"], error=call["error"])
        )


def _batches(seed: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """06.2's batch (inputs, labels): four 3×32×32 images in the exercise; 2 to 6 smaller ones for the grader."""
    if seed is None:
        return torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(6)), torch.tensor([3, 1, 4, 1])
    g = torch.Generator().manual_seed(seed)
    size, height, width = (int(n) for n in torch.randint(2, 7, (3,), generator=g))
    return torch.randn(size, 3, 2 * height, 2 * width, generator=g), torch.randint(0, 10, (size,), generator=g)


def _tensor_facts(value: Any, with_values: bool) -> dict[str, Any]:
    """A returned tensor's shape, device and dtype (and its values, when asked and on the CPU), or its type's name."""
    if not isinstance(value, torch.Tensor):
        return {"kind": type(value).__name__}
    keep = with_values and value.device.type == "cpu"
    return {"shape": tuple(value.shape), "device": value.device, "dtype": value.dtype,
            "values": _plain(value) if keep else None}


def _run_to_device(answer: Any, case: tuple[torch.Tensor, torch.Tensor]) -> dict[str, Any]:
    """Call ``to_device(batch, device)`` with the ``meta`` device, then the CPU: is a pair returned, and for each
    of its tensors the shape, device, dtype and (on the CPU) values; an error stops there."""
    if (other := _not_a_function(answer)) is not None:
        return other
    inputs, labels = case
    calls = []
    for target in (_MOVED, _CPU):
        result, raised = _attempt(answer, (inputs.clone(), labels.clone()), target)
        if raised:
            calls.append(raised)
            break
        pair = isinstance(result, (tuple, list)) and len(result) == 2
        facts = [_tensor_facts(value, target == _CPU) for value in result] if pair else None
        calls.append({"pair": pair, "tensors": facts})
    return {"calls": calls}


@exercise("06.2", observe=_run_to_device, cases=_batches)
def move_batch(seen: dict[str, Any], case: tuple[torch.Tensor, torch.Tensor]) -> None:
    """A function (batch, device) -> (inputs, labels), both moved to ``device``, values, dtypes and order kept;
    judged from what ``_run_to_device`` saw it return."""
    _expect_function(seen, _("answer should be a function like `def to_device(batch, device): ...`, got {kind}."))
    inputs, labels = case
    for target, call in zip((_MOVED, _CPU), seen["calls"], strict=True):
        _expect_no_error(call)
        if not call["pair"]:
            raise NotYet(_("return a pair: (inputs, labels)."))
        got_inputs, got_labels = call["tensors"]
        _expect(got_inputs, torch.Tensor, _("the inputs you return"))
        _expect(got_labels, torch.Tensor, _("the labels you return"))
        if got_inputs["shape"] == tuple(labels.shape) and got_labels["shape"] == tuple(inputs.shape):
            raise NotYet(_("you swapped them: return the batch's inputs first and its labels second."))
        if got_inputs["device"] != target:
            raise NotYet(_("the inputs are not on the device: use inputs.to(device)."))
        if got_labels["device"] != target:
            raise NotYet(_("the inputs moved but the labels did not: the loss needs both on the same device."))
        if got_inputs["shape"] != tuple(inputs.shape) or got_labels["shape"] != tuple(labels.shape):
            raise NotYet(_("keep the shapes: return the batch's inputs first and its labels second."))
        if got_inputs["dtype"] != torch.float32:
            raise NotYet(
                _("the inputs became {dtype}; moving a batch must not change its dtype (float32).").format(
                    dtype=got_inputs["dtype"]
                )
            )
        if got_labels["dtype"] != torch.int64:
            raise NotYet(
                _("the labels became {dtype}; CrossEntropyLoss needs int64 class indices.").format(
                    dtype=got_labels["dtype"]
                )
            )
    # values and order, on the CPU (the last target)
    got_inputs, got_labels = got_inputs["values"], got_labels["values"]
    if torch.equal(got_inputs, inputs) and torch.equal(got_labels, labels):
        return
    where = [next((i for i, original in enumerate(inputs) if torch.equal(row, original)), None) for row in got_inputs]
    if None in where:
        raise NotYet(_("the values changed: moving a batch must only move it, not rescale or edit it."))
    if not torch.equal(got_labels, labels[where]):
        raise NotYet(_("the images and labels no longer belong together (one of them changed order): keep the order."))
    raise NotYet(_("the batch changed order: moving a batch must only move it."))


def _probes(seed: int | None) -> torch.Tensor:
    """06.3's images to run the CPU model on: two black ones in the exercise; 3 to 6 random ones for the grader."""
    if seed is None:
        return torch.zeros(2, 3, 32, 32)
    g = torch.Generator().manual_seed(seed)
    return torch.randn(int(torch.randint(3, 7, (1,), generator=g)), 3, 32, 32, generator=g)


def _number(value: Any) -> Any:
    """A setting of the optimizer (lr, momentum) as plain data that prints as the learner's value does."""
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, torch.Tensor):
        return _plain(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value) if isinstance(value, numbers.Real) else str(value)


def _build_facts(result: Any, target: torch.device, probe: torch.Tensor) -> dict[str, Any]:
    """What ``build(target)`` returned, as far as it can be read: a pair? a module and an optimizer? how many
    parameter tensors? On the ``meta`` device, their devices; on the CPU, the shape of the scores for ``probe``,
    the optimizer's class, how many tensors it holds that the model does not use and the reverse (Parameter
    identities), and each parameter group's lr and momentum."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return {"pair": False}
    model, optimizer = result
    facts: dict[str, Any] = {
        "pair": True,
        "model": None if isinstance(model, nn.Module) else {"kind": type(model).__name__},
        "optimizer": None if isinstance(optimizer, torch.optim.Optimizer) else {"kind": type(optimizer).__name__},
    }
    if facts["model"] or facts["optimizer"]:
        return facts
    params = list(model.parameters())
    facts["parameters"] = len(params)
    if not params:
        return facts
    if target != _CPU:
        return {**facts, "devices": [p.device for p in params]}
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        scores = model(probe.clone())
    held = [p for group in optimizer.param_groups for p in group["params"]]
    model_ids, held_ids = {id(p) for p in params}, {id(p) for p in held}
    return {
        **facts,
        "scores": tuple(scores.shape) if isinstance(scores, torch.Tensor) else {"kind": type(scores).__name__},
        "sgd": type(optimizer) is torch.optim.SGD,
        "optimizer_class": type(optimizer).__name__,
        "stale": len(held_ids - model_ids),
        "missing": len(model_ids - held_ids),
        "held": len(model_ids & held_ids),
        "total": len(model_ids),
        "groups": [(_number(group.get("lr")), _number(group.get("momentum"))) for group in optimizer.param_groups],
    }


def _run_build(answer: Any, case: torch.Tensor) -> dict[str, Any]:
    """Call ``build(device)`` with the CPU, then the ``meta`` device, and read what it returned (``_build_facts``);
    an error stops there."""
    if (other := _not_a_function(answer)) is not None:
        return other
    calls = []
    for target in (_CPU, _MOVED):
        result, raised = _attempt(answer, target)
        if raised:
            calls.append(raised)
            break
        calls.append(_build_facts(result, target, case))
    return {"calls": calls}


@exercise("06.3", observe=_run_build, cases=_probes)
def optimizer_for_final_model(seen: dict[str, Any], case: torch.Tensor) -> None:
    """``build(device) -> (model, optimizer)``: a two-class CifarNet on ``device``, its SGD built over its final
    parameters; judged from what ``_run_build`` read of the pair it returned."""
    _expect_function(seen, _("answer should be a function like `def build(device): ...`, got {kind}."))
    for target, call in zip((_CPU, _MOVED), seen["calls"], strict=True):
        _expect_no_error(call)
        if not call["pair"]:
            raise NotYet(_("return a pair: (model, optimizer)."))
        _expect(call["model"], nn.Module, _("the model you return"))
        _expect(call["optimizer"], torch.optim.Optimizer, _("the optimizer you return"))
        if not call["parameters"]:
            raise NotYet(_("the model you return has no parameters: return the CifarNet you built."))
        if target == _CPU:
            _judge_cpu_build(call, len(case))
        elif any(device != target for device in call["devices"]):
            raise NotYet(
                _(
                    "part of the model is not on the device: call model.to(device) after the last change to the "
                    "model (a layer made after the move stays on the CPU)."
                )
            )


def _judge_cpu_build(call: dict[str, Any], images: int) -> None:
    scores = call["scores"]
    if scores != (images, 2):
        raise NotYet(
            _(
                "the model gives outputs of shape {shape} for 2 images, expected (2, 2): "
                "replace its last layer, model.fc3 = nn.Linear(84, 2)."
            ).format(shape=a_kind(scores["kind"]) if isinstance(scores, dict) else scores)
        )
    if not call["sgd"]:
        raise NotYet(
            _("the exercise asks for optim.SGD(..., lr=0.001, momentum=0.9), got {kind}.").format(
                kind=call["optimizer_class"]
            )
        )
    if call["stale"]:
        raise NotYet(
            _(
                "the optimizer holds {stale} tensor(s) the model no longer uses (the old fc3): build the optimizer "
                "AFTER the last change to the model, from model.parameters()."
            ).format(stale=call["stale"])
        )
    if call["missing"]:
        raise NotYet(
            _(
                "the optimizer updates only {held} of the model's {total} parameter tensors: "
                "give it all of model.parameters()."
            ).format(held=call["held"], total=call["total"])
        )
    for lr, momentum in call["groups"]:
        if lr != 0.001 or momentum != 0.9:
            raise NotYet(
                _("the exercise asks for lr=0.001 and momentum=0.9, got lr={lr} and momentum={momentum}.").format(
                    lr=lr, momentum=momentum
                )
            )


def _images(seed: int | None) -> list[torch.Tensor]:
    """06.4's un-normalized images: one 3×8×8 image and a batch of four 3×32×32 ones in the exercise; an image and a
    batch of 2 to 5 of other sizes for the grader."""
    g = torch.Generator().manual_seed(64 if seed is None else seed)
    if seed is None:
        return [torch.rand(3, 8, 8, generator=g), torch.rand(4, 3, 32, 32, generator=g)]
    height, width, size = (int(n) for n in torch.randint(2, 6, (3,), generator=g))
    return [torch.rand(3, 4 * height, 4 * width, generator=g), torch.rand(size, 3, 4 * width, 4 * height, generator=g)]


def _run_unnormalize(answer: Any, case: list[torch.Tensor]) -> dict[str, Any]:
    """Call ``unnormalize`` on each image of ``case``, normalized: what it returned (a tensor, else its type's
    name); an error stops there."""
    if (other := _not_a_function(answer)) is not None:
        return other
    calls = []
    for original in case:
        got, raised = _attempt(answer, (original - 0.5) / 0.5)
        if raised:
            calls.append(raised)
            break
        calls.append({"returned": _tensor_or_kind(got)})
    return {"calls": calls}


@exercise("06.4", observe=_run_unnormalize, cases=_images)
def unnormalize_image(seen: dict[str, Any], case: list[torch.Tensor]) -> None:
    """A function undoing Normalize(mean=0.5, std=0.5), checked on images the check chooses; judged from what
    ``_run_unnormalize`` saw it return."""
    _expect_function(seen, _("answer should be a function like `def unnormalize(image): ...`, got {kind}."))
    for original, call in zip(case, seen["calls"], strict=True):
        _expect_no_error(call)
        image = (original - 0.5) / 0.5
        got = call["returned"]
        _expect(got, torch.Tensor, _("what your function returns"))
        mistakes = [
            (image, _("that is still the normalized image: undo the normalization (multiply by std, then add mean).")),
            (
                image * 0.5 - 0.5,
                _("you subtracted the mean again: to undo (x - mean) / std, multiply by std and ADD the mean."),
            ),
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


def _count(answer: Any) -> Any:
    """The answer as a plain int or bool, or a plain tensor, else the name of its type."""
    if isinstance(answer, bool) or type(answer) is int:
        return answer
    if isinstance(answer, int):
        return int(answer)
    return _tensor_or_kind(answer)


@exercise("06.5", observe=_count)
def wide_net_parameters(answer: Any) -> str:
    """The number of trainable numbers in CifarNet(conv1_channels=32, conv2_channels=64); observes the count."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and not answer.dtype.is_floating_point:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, int):
        kind = answer["kind"] if isinstance(answer, dict) else type(answer).__name__
        raise NotYet(_("answer should be an int (a count), got {kind}.").format(kind=a_kind(kind)))
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
