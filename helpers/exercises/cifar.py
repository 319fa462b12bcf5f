"""Checkers for notebook 06 (CIFAR10 classifier)."""

from __future__ import annotations

from typing import Any

import torch

from helpers.check import NotYet, a_type, exercise, expect_equal, expect_tensor, expect_type
from helpers.i18n import _

# 06.1: the predictions and labels printed in the exercise cell (three classes, seven images).
_PREDICTIONS = torch.tensor([0, 2, 1, 1, 0, 2, 2])
_LABELS = torch.tensor([0, 1, 1, 1, 2, 2, 0])


@exercise("06.1")
def per_class_accuracy_any_batch(answer: Any) -> None:
    """Per-class accuracy of the cell's seven predictions (a batch size that is not 4)."""
    expected = torch.tensor([0.5, 2 / 3, 0.5])
    expect_type(answer, torch.Tensor)
    if answer.shape == (7,):
        raise NotYet(
            _("you have one value per image; group them by the TRUE class (labels) and average within each class.")
        )
    expect_tensor(
        answer.double() if answer.dtype.is_floating_point else answer,
        expected.double(),
        _("your per-class accuracy"),
        hint=_(
            "for each class c: (predictions[labels == c] == c).float().mean(); "
            "count by the true label, not the prediction."
        ),
    )


@exercise("06.2")
def move_batch(answer: Any) -> None:
    """A function (batch, device) -> (inputs, labels), both moved to ``device``."""
    if not callable(answer) or isinstance(answer, torch.nn.Module):
        raise NotYet(
            _("answer should be a function like `def to_device(batch, device): ...`, got {kind}.").format(kind=a_type(answer))
        )
    inputs, labels = torch.randn(4, 3, 32, 32), torch.tensor([3, 1, 4, 1])
    target = torch.device("meta")  # a device every machine has: tensors with shapes but no data
    result = answer((inputs, labels), target)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotYet(_("return a pair: (inputs, labels)."))
    got_inputs, got_labels = result
    expect_type(got_inputs, torch.Tensor, _("the inputs you return"))
    expect_type(got_labels, torch.Tensor, _("the labels you return"))
    if got_inputs.device != target:
        raise NotYet(_("the inputs are not on the device: use inputs.to(device)."))
    if got_labels.device != target:
        raise NotYet(_("the inputs moved but the labels did not: the loss needs both on the same device."))
    if tuple(got_inputs.shape) != (4, 3, 32, 32) or tuple(got_labels.shape) != (4,):
        raise NotYet(_("keep the shapes: return the batch's inputs first and its labels second."))
    if got_labels.dtype != torch.int64:
        raise NotYet(_("the labels became {dtype}; CrossEntropyLoss needs int64 class indices.").format(dtype=got_labels.dtype))


@exercise("06.3")
def optimizer_after_move(answer: Any) -> None:
    """A function device -> (model, optimizer) that moves the model before building the optimizer."""
    if not callable(answer) or isinstance(answer, torch.nn.Module):
        raise NotYet(_("answer should be a function like `def build(device): ...`, got {kind}.").format(kind=a_type(answer)))
    target = torch.device("meta")
    result = answer(target)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise NotYet(_("return a pair: (model, optimizer)."))
    model, optimizer = result
    expect_type(model, torch.nn.Module, _("the model you return"))
    expect_type(optimizer, torch.optim.Optimizer, _("the optimizer you return"))
    params = list(model.parameters())
    if not params or any(p.device != target for p in params):
        raise NotYet(_("the model is not on the device: call model.to(device)."))
    in_optimizer = [p for group in optimizer.param_groups for p in group["params"]]
    model_ids = {id(p) for p in params}
    if not all(id(p) in model_ids for p in in_optimizer) or len(in_optimizer) != len(params):
        raise NotYet(
            _(
                "the optimizer holds other tensors than the model's current parameters: build it AFTER "
                "model.to(device), so it updates the tensors the model really uses."
            )
        )


@exercise("06.4")
def unnormalize_image(answer: Any) -> None:
    """Undo Normalize(mean=0.5, std=0.5) on the cell's image."""
    original = torch.linspace(0, 1, 12).reshape(3, 2, 2)
    expect_type(answer, torch.Tensor)
    if answer.shape == original.shape and torch.allclose(answer.float(), (original - 0.5) / 0.5, atol=1e-5):
        raise NotYet(_("that is still the normalized image: undo the normalization (multiply by std, then add mean)."))
    expect_tensor(
        answer.float(), original, _("your un-normalized image"), check_dtype=False,
        hint=_("Normalize computed (x - 0.5) / 0.5, so x = image * 0.5 + 0.5 (the seeds write img / 2 + 0.5)."),
    )


@exercise("06.5")
def wide_net_parameters(answer: Any) -> str:
    """The number of trainable numbers in CifarNet(conv1_channels=32, conv2_channels=64)."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise NotYet(_("answer should be an int (a count), got {kind}.").format(kind=a_type(answer)))
    if answer == 10:
        raise NotYet(_("10 is the number of parameter TENSORS; add up p.numel() over them."))
    if answer == 62006:
        raise NotYet(_("62006 is the tutorial's narrow net; count the wide one, CifarNet(32, 64)."))
    expect_equal(answer, 256830, _("your count"), hint=_("sum(p.numel() for p in wide.parameters() if p.requires_grad)"))
    return _("256,830 numbers: about 4× the tutorial net, mostly in fc1 (64·5·5·120 + 120 = 192,120).")
