"""Checkers for notebook 03 · Neural networks."""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

import torch
from torch import nn

from helpers.check import NotYet, a_type, exercise, expect_tensor, expect_type
from helpers.i18n import _
from helpers.models import LeNet

LENET_PARAMS = 61_706


def _models() -> list[tuple[str, nn.Module]]:
    """The models 03.1's check counts: LeNet first, then two the learner has not seen.

    They are ordinary CPU models whose weights are left uninitialised (built on `meta`, then given empty CPU memory),
    so the check draws no random numbers; only the parameters' shapes matter.
    """
    with torch.device("meta"):
        models = [
            ("LeNet", LeNet()),
            ("nn.Linear(3, 2)", nn.Linear(3, 2)),
            ("nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 5, bias=False))",
             nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 5, bias=False))),
        ]
    return [(name, model.to_empty(device="cpu")) for name, model in models]


@exercise("03.1")
def count_parameters(answer: Any) -> str:
    """A function model -> the number of learnable numbers in it; called on LeNet and on two other models."""
    if not callable(answer):
        raise NotYet(
            _("the answer should be a function that takes a model, but it is {kind}.").format(kind=a_type(answer))
        )
    for name, model in _models():
        try:
            got = answer(model)
        except Exception as error:
            raise NotYet(
                _("calling your function on {model} raised {error_type}: {error}").format(
                    model=name, error_type=type(error).__name__, error=error
                )
            ) from None
        if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise NotYet(
                _("for {model} your function returns {kind}; a count is a whole number (an int).").format(
                    model=name, kind=a_type(got)
                )
            )
        got = int(got)
        want = sum(p.numel() for p in model.parameters())
        if got == want:
            continue
        if got == len(list(model.parameters())):
            raise NotYet(
                _(
                    "for {model} you counted {got}: that is the number of parameter tensors; "
                    "count the numbers inside them with p.numel()."
                ).format(model=name, got=got)
            )
        if got == len(list(model.modules())) or got == len(list(model.children())):
            raise NotYet(
                _("for {model} you counted {got}: that is the number of layers; count the numbers in their "
                  "parameters with p.numel().").format(model=name, got=got)
            )
        weights_only = sum(p.numel() for n, p in model.named_parameters() if not n.endswith("bias"))
        if got == weights_only:
            raise NotYet(
                _("for {model} you counted {got}: the weights only. The biases are learned too.").format(
                    model=name, got=got
                )
            )
        if name != "LeNet" and got == LENET_PARAMS:
            raise NotYet(
                _(
                    "your function returns {lenet} for {model} too: it counts LeNet whatever it is given. "
                    "Count the parameters of the model it gets."
                ).format(lenet=LENET_PARAMS, model=name)
            )
        raise NotYet(
            _("for {model} your function returns {got}, expected {want}. Add up p.numel() for every p in "
              "model.parameters().").format(model=name, got=f"{got:,}", want=f"{want:,}")
        )
    return _("LeNet learns {lenet} numbers.").format(lenet=f"{LENET_PARAMS:,}")


@exercise("03.2")
def flat_features(answer: Any) -> None:
    """A function returning the number of features per sample (everything but the batch dimension), as an int."""
    if not callable(answer):
        raise NotYet(
            _("the answer should be a function taking a tensor, but it is {kind}.").format(kind=a_type(answer))
        )
    cases = [(2, 16, 5, 5), (1, 16, 5, 5), (3, 7), (4, 2, 3, 4, 5)]
    for shape in cases:
        x = torch.zeros(shape)
        try:
            got = answer(x)
        except Exception as error:
            raise NotYet(
                _("calling your function on a tensor of shape {shape} raised {error_type}: {error}").format(
                    shape=shape, error_type=type(error).__name__, error=error
                )
            ) from None
        want = math.prod(shape[1:])
        if isinstance(got, torch.Tensor):
            raise NotYet(
                _(
                    "for a tensor of shape {shape} your function returns a tensor ({got}); "
                    "a count is a plain int: use .item(), or math.prod."
                ).format(shape=shape, got=got)
            )
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise NotYet(
                _(
                    "for a tensor of shape {shape} your function returns {kind}; "
                    "a count of features is a whole number: return an int."
                ).format(shape=shape, kind=a_type(got))
            )
        got = int(got)
        if got == want:
            continue
        if got == math.prod(shape):
            raise NotYet(
                _(
                    "for a tensor of shape {shape} you returned {got}, which counts the batch dimension too; "
                    "skip x.size()[0]."
                ).format(shape=shape, got=got)
            )
        raise NotYet(
            _("for a tensor of shape {shape} you returned {got}, expected {want}.").format(
                shape=shape, got=repr(got), want=want
            )
        )


@exercise("03.3")
def add_batch_dimension(answer: Any) -> None:
    """One (3, 32, 32) colour image turned into a batch of one, (1, 3, 32, 32), with the same numbers."""
    image = torch.arange(3 * 32 * 32, dtype=torch.float32).view(3, 32, 32) / 3072
    if isinstance(answer, torch.Tensor) and tuple(answer.shape) == (3, 1, 32, 32):
        raise NotYet(
            _(
                "your batch has shape (3, 1, 32, 32): a network reads that as 3 images of 1 channel each. "
                "The batch dimension goes in front of the channels."
            )
        )
    expect_tensor(
        answer,
        image.unsqueeze(0),
        _("your batch"),
        hint=_("the network reads (batch, channels, height, width); add a new dimension of size 1 in front."),
    )


def _lenet_3x3() -> nn.Module:
    """The seeds' LeNet with 3×3 convolutions and fc1 for 576 inputs, weights uninitialised (no random numbers drawn)."""
    with torch.device("meta"):
        reference = LeNet()
        reference.conv1 = nn.Conv2d(1, 6, 3)
        reference.conv2 = nn.Conv2d(6, 16, 3)
        reference.fc1 = nn.Linear(16 * 6 * 6, 120)
    return reference.to_empty(device="cpu")


def _fc1_features(in_features: int) -> str:
    """The hint for an fc1 that takes the wrong number of features."""
    return _(
        "fc1 takes {features} features. "
        "Trace the sizes: 32 → conv 3×3 → 30 → pool → 15 → conv 3×3 → 13 → pool → 6."
    ).format(features=in_features)


@exercise("03.4")
def lenet_3x3(answer: Any) -> str:
    """The seed-004 variant: LeNet with 3×3 convolutions, so fc1 takes 16·6·6 = 576 features.

    The learner's weights are loaded into a reference network; both must give the same outputs.
    """
    expect_type(answer, nn.Module, _("your network"))
    for name in ("conv1", "conv2", "fc1", "fc2", "fc3"):
        if not hasattr(answer, name):
            raise NotYet(
                _("your network has no layer called {name}; keep the seeds' layer names.").format(name=repr(name))
            )
    conv1, conv2, fc1 = answer.conv1, answer.conv2, answer.fc1
    for name, layer, kind in (("conv1", conv1, nn.Conv2d), ("conv2", conv2, nn.Conv2d), ("fc1", fc1, nn.Linear)):
        expect_type(layer, kind, name)
    if conv1.kernel_size != (3, 3) or conv2.kernel_size != (3, 3):
        raise NotYet(
            _("the kernels are {first} and {second}; both convolutions should use 3×3.").format(
                first=conv1.kernel_size, second=conv2.kernel_size
            )
        )
    if (conv1.in_channels, conv1.out_channels, conv2.in_channels, conv2.out_channels) != (1, 6, 6, 16):
        raise NotYet(_("keep the channels of the seeds: conv1 goes 1 → 6, conv2 goes 6 → 16."))
    if not isinstance(fc1, nn.modules.lazy.LazyModuleMixin) and fc1.in_features != 576:
        raise NotYet(_fc1_features(fc1.in_features))
    try:
        net = copy.deepcopy(answer)  # a dummy forward materialises lazy layers; keep the learner's own untouched
    except Exception:
        net = answer
    try:
        # a lazy layer draws its first weights from the global generator: put its state back afterwards
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            out = net(torch.zeros(2, 1, 32, 32))
    except Exception as error:
        raise NotYet(
            _("a batch of shape (2, 1, 32, 32) made your network raise {error_type}: {error}").format(
                error_type=type(error).__name__, error=error
            )
        ) from None
    expect_type(out, torch.Tensor, _("your network's output"))
    if tuple(out.shape) != (2, 10):
        raise NotYet(
            _("a batch of 2 images gave an output of shape {shape}, expected (2, 10).").format(shape=tuple(out.shape))
        )
    if net.fc1.in_features != 576:
        raise NotYet(_fc1_features(net.fc1.in_features))
    reference = _lenet_3x3()
    try:
        reference.load_state_dict(net.state_dict())
    except RuntimeError:
        names = sorted(net.state_dict())
        raise NotYet(
            _(
                "your network holds the parameters {names}; keep exactly the seeds' five layers "
                "(conv1, conv2, fc1, fc2, fc3) with their shapes, and nothing else that learns."
            ).format(names=names)
        ) from None
    inputs = torch.randn(4, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, want = net(inputs), reference(inputs)
    if not torch.allclose(got, want, atol=1e-5, rtol=1e-4):
        raise NotYet(
            _(
                "with the same weights, your network's outputs differ from LeNet's with 3×3 kernels. Does forward use "
                "every layer in order, with ReLU after conv1, conv2, fc1 and fc2, "
                "and a 2×2 max-pool after each convolution?"
            )
        )
    total = sum(p.numel() for p in net.parameters())
    return _("well done! It has {total} parameters, against {lenet} for the 5×5 version.").format(
        total=f"{total:,}", lenet=f"{LENET_PARAMS:,}"
    )


@exercise("03.5")
def named_shapes(answer: Any) -> None:
    """A dict mapping each parameter's name in LeNet to its shape as a tuple."""
    expected = {
        "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
        "fc1.weight": (120, 400), "fc1.bias": (120,),
        "fc2.weight": (84, 120), "fc2.bias": (84,),
        "fc3.weight": (10, 84), "fc3.bias": (10,),
    }
    expect_type(answer, dict)
    if set(answer) != set(expected):
        raise NotYet(
            _("the keys should be the names from net.named_parameters(), like 'conv1.weight'; got {keys}…").format(
                keys=sorted(answer)[:4]
            )
        )
    for name, shape in expected.items():
        got = answer[name]
        if isinstance(got, torch.Size):
            got = tuple(got)
        if got != shape:
            raise NotYet(
                _("{name} maps to {value}; use tuple(p.shape) to get {shape}.").format(
                    name=name, value=repr(answer[name]), shape=shape
                )
            )
