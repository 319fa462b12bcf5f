"""Checkers for notebook 03 · Neural networks.

Each exercise has an observer (``_...``), which runs in the learner's kernel and returns plain data, and a judge (the
function registered with ``@exercise``), which computes what it expects itself. The answers of 03.1 and 03.2 (functions)
and of 03.4 (a network) are called on the inputs that ``cases(seed)`` gives.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

import torch
from torch import nn
from torch.nn.modules.lazy import LazyModuleMixin

from helpers.check import NotYet, a_kind, exercise, expect_tensor, wrong_type
from helpers.i18n import _
from helpers.models import LeNet

LENET_PARAMS = 61_706


def _call(function: Any, argument: Any) -> tuple[Any, tuple[str, str] | None]:
    """The learner's function called on ``argument``, torch's global generator kept as it was: (what it returned,
    None), or (None, (the error's type name, its message)) when it raised."""
    try:
        with torch.random.fork_rng(devices=[]):
            return function(argument), None
    except Exception as error:
        return None, (type(error).__name__, str(error))


def _whole_number(value: Any) -> dict[str, Any]:
    """A returned value as data: its type's name, and the number when it is a whole number (not a bool)."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return {"kind": type(value).__name__, "count": int(value) if whole else None}


# ---- 03.1: count the parameters of a model ---------------------------------------------------------------------------
# A model as plain data: ("LeNet",), ("Linear", in, out, bias), ("Conv2d", in, out, kernel, bias), ("ReLU",),
# ("Flatten",) or ("Sequential", (layer, ...)).


def _models(seed: int | None) -> tuple[tuple, ...]:
    """03.1's models: LeNet first, then a linear layer and a small convolutional stack the learner has not seen."""
    if seed is None:
        return (
            ("LeNet",),
            ("Linear", 3, 2, True),
            ("Sequential", (("Conv2d", 3, 4, 3, True), ("ReLU",), ("Flatten",), ("Linear", 144, 5, False))),
        )
    generator = torch.Generator().manual_seed(seed)

    def draw(low: int, high: int) -> int:
        return int(torch.randint(low, high + 1, (1,), generator=generator))

    channels, kernel = draw(2, 8), draw(1, 5)
    side = draw(kernel, 9) - kernel + 1  # the side of the convolution's output, for an input of side kernel to 9
    return (
        ("LeNet",),
        ("Linear", draw(2, 9), draw(1, 9), bool(draw(0, 1))),
        ("Sequential", (("Conv2d", draw(1, 4), channels, kernel, True), ("ReLU",), ("Flatten",),
                        ("Linear", channels * side * side, draw(2, 9), bool(draw(0, 1))))),
    )


def _name(model: tuple) -> str:
    """How the hints name a model: 'LeNet', 'nn.Linear(3, 2)', 'nn.Linear(144, 5, bias=False)', 'nn.Sequential(...)'."""
    kind, *args = model
    if kind == "LeNet":
        return kind
    if kind == "Sequential":
        return f"nn.Sequential({', '.join(map(_name, args[0]))})"
    if kind in ("Linear", "Conv2d"):
        *sizes, bias = args
        return f"nn.{kind}({', '.join(map(str, sizes))}{'' if bias else ', bias=False'})"
    return f"nn.{kind}()"


def _build(model: tuple) -> nn.Module:
    """The model on the meta device: parameters with shapes but no values, so building it draws no random number."""
    kind, *args = model
    with torch.device("meta"):
        if kind == "LeNet":
            return LeNet()
        if kind == "Sequential":
            return nn.Sequential(*map(_build, args[0]))
        if kind in ("Linear", "Conv2d"):
            *sizes, bias = args
            return getattr(nn, kind)(*sizes, bias=bias)
        return getattr(nn, kind)()


def _count_in_each(answer: Any, models: tuple[tuple, ...]) -> dict[str, Any]:
    """03.1, in the kernel: whether the answer is a function and, calling it on each model in turn (an ordinary CPU
    model in empty memory: only the shapes matter) until a call raises, what it returned or raised."""
    if not callable(answer):
        return {"function": False, "kind": type(answer).__name__}
    calls = []
    for model in models:
        got, raised = _call(answer, _build(model).to_empty(device="cpu"))
        if raised:
            calls.append({"raised": raised})
            break
        if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
            got = got.item()
        calls.append(_whole_number(got))
    return {"function": True, "calls": calls}


@exercise("03.1", observe=_count_in_each, cases=_models)
def count_parameters(seen: dict[str, Any], models: tuple[tuple, ...]) -> str:
    """A function model -> the number of learnable numbers in it; called on LeNet and on two other models."""
    if not seen["function"]:
        raise NotYet(
            _("the answer should be a function that takes a model, but it is {kind}.").format(kind=a_kind(seen["kind"]))
        )
    for index, spec in enumerate(models):
        name, call = _name(spec), seen["calls"][index]
        if "raised" in call:
            error_type, error = call["raised"]
            raise NotYet(
                _("calling your function on {model} raised {error_type}: {error}").format(
                    model=name, error_type=error_type, error=error
                )
            )
        got = call["count"]
        if type(got) is not int:
            raise NotYet(
                _("for {model} your function returns {kind}; a count is a whole number (an int).").format(
                    model=name, kind=a_kind(call["kind"])
                )
            )
        model = _build(spec)
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
        if spec[0] != "LeNet" and got == LENET_PARAMS:
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


# ---- 03.2: features per sample ---------------------------------------------------------------------------------------


def _batch_shapes(seed: int | None) -> tuple[tuple[int, ...], ...]:
    """03.2's inputs: the shapes of four batches (of zeros), of 2 to 5 dimensions."""
    if seed is None:
        return (2, 16, 5, 5), (1, 16, 5, 5), (3, 7), (4, 2, 3, 4, 5)
    generator = torch.Generator().manual_seed(seed)
    dims = torch.randint(2, 6, (4,), generator=generator).tolist()
    return tuple(tuple(torch.randint(1, 8, (d,), generator=generator).tolist()) for d in dims)


def _features_of_each(answer: Any, shapes: tuple[tuple[int, ...], ...]) -> dict[str, Any]:
    """03.2, in the kernel: whether the answer is a function and, calling it on a batch of zeros of each shape until a
    call raises, what it returned (a tensor as the hint shows it, anything else as :func:`_whole_number`) or raised."""
    if not callable(answer):
        return {"function": False, "kind": type(answer).__name__}
    calls = []
    for shape in shapes:
        got, raised = _call(answer, torch.zeros(shape))
        if raised:
            calls.append({"raised": raised})
            break
        calls.append({"tensor": format(got)} if isinstance(got, torch.Tensor) else _whole_number(got))
    return {"function": True, "calls": calls}


@exercise("03.2", observe=_features_of_each, cases=_batch_shapes)
def flat_features(seen: dict[str, Any], shapes: tuple[tuple[int, ...], ...]) -> None:
    """A function returning the number of features per sample (everything but the batch dimension), as an int."""
    if not seen["function"]:
        raise NotYet(
            _("the answer should be a function taking a tensor, but it is {kind}.").format(kind=a_kind(seen["kind"]))
        )
    for index, shape in enumerate(shapes):
        call = seen["calls"][index]
        if "raised" in call:
            error_type, error = call["raised"]
            raise NotYet(
                _("calling your function on a tensor of shape {shape} raised {error_type}: {error}").format(
                    shape=shape, error_type=error_type, error=error
                )
            )
        if "tensor" in call:
            raise NotYet(
                _(
                    "for a tensor of shape {shape} your function returns a tensor ({got}); "
                    "a count is a plain int: use .item(), or math.prod."
                ).format(shape=shape, got=call["tensor"])
            )
        got = call["count"]
        if type(got) is not int:
            raise NotYet(
                _(
                    "for a tensor of shape {shape} your function returns {kind}; "
                    "a count of features is a whole number: return an int."
                ).format(shape=shape, kind=a_kind(call["kind"]))
            )
        if got == math.prod(shape[1:]):
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
                shape=shape, got=repr(got), want=math.prod(shape[1:])
            )
        )


# ---- 03.3: a batch of one --------------------------------------------------------------------------------------------

_MAX_VALUES = 100_000  # an answer tensor with more numbers has the wrong shape: its values are not sent


def _tensor_or_kind(answer: Any) -> dict[str, Any]:
    """03.3, in the kernel: a tensor's shape, dtype and values (up to _MAX_VALUES numbers); else its type."""
    if not isinstance(answer, torch.Tensor):
        return {"tensor": False, "kind": type(answer).__name__}
    values = answer.detach().cpu().clone() if answer.numel() <= _MAX_VALUES else None
    return {"tensor": True, "shape": tuple(answer.shape), "dtype": answer.dtype, "values": values}


@exercise("03.3", observe=_tensor_or_kind)
def add_batch_dimension(seen: dict[str, Any]) -> None:
    """One (3, 32, 32) colour image turned into a batch of one, (1, 3, 32, 32), with the same numbers."""
    if not seen["tensor"]:
        raise wrong_type(torch.Tensor, seen["kind"], _("your batch"))
    if tuple(seen["shape"]) == (3, 1, 32, 32):
        raise NotYet(
            _(
                "your batch has shape (3, 1, 32, 32): a network reads that as 3 images of 1 channel each. "
                "The batch dimension goes in front of the channels."
            )
        )
    # values not sent: a stand-in with the answer's shape and dtype, which the shape check rejects
    values = seen["values"]
    if values is None:
        values = torch.empty(seen["shape"], dtype=seen["dtype"], device="meta")
    image = torch.arange(3 * 32 * 32, dtype=torch.float32).view(3, 32, 32) / 3072
    expect_tensor(
        values,
        image.unsqueeze(0),
        _("your batch"),
        hint=_("the network reads (batch, channels, height, width); add a new dimension of size 1 in front."),
    )


# ---- 03.4: LeNet with 3×3 convolutions -------------------------------------------------------------------------------

_LAYERS = ("conv1", "conv2", "fc1", "fc2", "fc3")


def _lenet_3x3() -> nn.Module:
    """The seeds' LeNet with 3×3 convolutions and fc1 for 576 inputs, on the meta device (shapes, no values)."""
    with torch.device("meta"):
        reference = LeNet()
        reference.conv1 = nn.Conv2d(1, 6, 3)
        reference.conv2 = nn.Conv2d(6, 16, 3)
        reference.fc1 = nn.Linear(16 * 6 * 6, 120)
    return reference


_LENET_3X3_SHAPES = {name: tuple(p.shape) for name, p in _lenet_3x3().state_dict().items()}


def _images_and_weights(seed: int | None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """03.4's case: a batch of images (4 for the example, 2 to 6 otherwise) and weights for LeNet 3×3, drawn from a
    generator seeded with 0 for the example; each layer's numbers are normal, scaled by 1/√(its inputs)."""
    generator = torch.Generator().manual_seed(0 if seed is None else seed)
    batch = 4 if seed is None else int(torch.randint(2, 7, (1,), generator=generator))
    images = torch.randn(batch, 1, 32, 32, generator=generator)
    weights = {}
    for name, shape in _LENET_3X3_SHAPES.items():
        fan_in = math.prod(_LENET_3X3_SHAPES[name.rsplit(".", 1)[0] + ".weight"][1:])
        weights[name] = torch.randn(shape, generator=generator) / math.sqrt(fan_in)
    return images, weights


def _run_network(answer: Any, case: tuple[torch.Tensor, dict[str, torch.Tensor]]) -> dict[str, Any]:
    """03.4, in the kernel, as far as the network allows: its type; the first of the seeds' layers it lacks; the types
    of conv1, conv2 and fc1; their kernels, channels and fc1's inputs (and whether fc1 is lazy); on a copy (where a
    lazy fc1 comes to life), the output for a batch of zeros (or the error), fc1's inputs then, the names and shapes
    of what its state_dict holds; and its outputs for the case's images with the case's weights in place of its own
    (torch.func.functional_call: the network keeps its weights), or the error."""
    if not isinstance(answer, nn.Module):
        return {"module": False, "kind": type(answer).__name__}
    seen: dict[str, Any] = {"module": True, "missing": [name for name in _LAYERS if not hasattr(answer, name)][:1]}
    if seen["missing"]:
        return seen
    conv1, conv2, fc1 = answer.conv1, answer.conv2, answer.fc1
    kinds = ((conv1, nn.Conv2d), (conv2, nn.Conv2d), (fc1, nn.Linear))
    seen["layers"] = [{"kind": type(layer).__name__, "right": isinstance(layer, kind)} for layer, kind in kinds]
    if not all(layer["right"] for layer in seen["layers"]):
        return seen
    seen["kernels"] = [tuple(int(k) for k in conv1.kernel_size), tuple(int(k) for k in conv2.kernel_size)]
    seen["channels"] = [int(c) for c in (conv1.in_channels, conv1.out_channels, conv2.in_channels, conv2.out_channels)]
    seen["lazy fc1"] = isinstance(fc1, LazyModuleMixin)
    seen["fc1 features"] = int(fc1.in_features)
    try:
        net = copy.deepcopy(answer)  # a dummy forward materialises lazy layers; keep the learner's own untouched
    except Exception:
        net = answer
    try:
        # a lazy layer draws its first weights from the global generator: put its state back afterwards
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            out = net(torch.zeros(2, 1, 32, 32))
    except Exception as error:
        seen["raised"] = (type(error).__name__, str(error))
        return seen
    is_tensor = isinstance(out, torch.Tensor)
    seen["output"] = {"tensor": is_tensor, "kind": type(out).__name__, "shape": tuple(out.shape) if is_tensor else None}
    seen["fc1 features after"] = int(net.fc1.in_features)
    seen["parameters"] = {name: tuple(value.shape) for name, value in net.state_dict().items()}
    images, weights = case
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            outputs = torch.func.functional_call(net, weights, (images,), strict=True)
    except Exception as error:
        seen["raised on the images"] = (type(error).__name__, str(error))
        return seen
    seen["outputs"] = outputs.detach().cpu().clone() if isinstance(outputs, torch.Tensor) else None
    return seen


def _fc1_features(in_features: int) -> str:
    """The hint for an fc1 that takes the wrong number of features."""
    return _(
        "fc1 takes {features} features. "
        "Trace the sizes: 32 → conv 3×3 → 30 → pool → 15 → conv 3×3 → 13 → pool → 6."
    ).format(features=in_features)


@exercise("03.4", observe=_run_network, cases=_images_and_weights)
def lenet_3x3(seen: dict[str, Any], case: tuple[torch.Tensor, dict[str, torch.Tensor]]) -> str:
    """The seed-004 variant: LeNet with 3×3 convolutions, so fc1 takes 16·6·6 = 576 features.

    With the case's weights in place of its own, the network must give LeNet 3×3's outputs on the case's images.
    """
    if not seen["module"]:
        raise wrong_type(nn.Module, seen["kind"], _("your network"))
    if seen["missing"]:
        raise NotYet(
            _("your network has no layer called {name}; keep the seeds' layer names.").format(
                name=repr(seen["missing"][0])
            )
        )
    for name, layer, kind in zip(("conv1", "conv2", "fc1"), seen["layers"], (nn.Conv2d, nn.Conv2d, nn.Linear)):
        if not layer["right"]:
            raise wrong_type(kind, layer["kind"], name)
    first, second = seen["kernels"]
    if first != (3, 3) or second != (3, 3):
        raise NotYet(
            _("the kernels are {first} and {second}; both convolutions should use 3×3.").format(
                first=first, second=second
            )
        )
    if seen["channels"] != [1, 6, 6, 16]:
        raise NotYet(_("keep the channels of the seeds: conv1 goes 1 → 6, conv2 goes 6 → 16."))
    if not seen["lazy fc1"] and seen["fc1 features"] != 576:
        raise NotYet(_fc1_features(seen["fc1 features"]))
    if "raised" in seen:
        error_type, error = seen["raised"]
        raise NotYet(
            _("a batch of shape (2, 1, 32, 32) made your network raise {error_type}: {error}").format(
                error_type=error_type, error=error
            )
        )
    if not seen["output"]["tensor"]:
        raise wrong_type(torch.Tensor, seen["output"]["kind"], _("your network's output"))
    if seen["output"]["shape"] != (2, 10):
        raise NotYet(
            _("a batch of 2 images gave an output of shape {shape}, expected (2, 10).").format(
                shape=seen["output"]["shape"]
            )
        )
    if seen["fc1 features after"] != 576:
        raise NotYet(_fc1_features(seen["fc1 features after"]))
    if seen["parameters"] != _LENET_3X3_SHAPES:
        raise NotYet(
            _(
                "your network holds the parameters {names}; keep exactly the seeds' five layers "
                "(conv1, conv2, fc1, fc2, fc3) with their shapes, and nothing else that learns."
            ).format(names=sorted(seen["parameters"]))
        )
    if "raised on the images" in seen:
        error_type, error = seen["raised on the images"]
        raise NotYet(
            _("checking your answer raised {error_type}: {error}").format(error_type=error_type, error=error)
        )
    images, weights = case
    with torch.no_grad():
        want = torch.func.functional_call(_lenet_3x3(), weights, (images,), strict=True)
    got = seen["outputs"]
    if not (
        isinstance(got, torch.Tensor)
        and got.shape == want.shape
        and torch.allclose(got.double(), want.double(), atol=1e-5, rtol=1e-4)
    ):
        raise NotYet(
            _(
                "with the same weights, your network's outputs differ from LeNet's with 3×3 kernels. Does forward use "
                "every layer in order, with ReLU after conv1, conv2, fc1 and fc2, "
                "and a 2×2 max-pool after each convolution?"
            )
        )
    total = sum(math.prod(shape) for shape in _LENET_3X3_SHAPES.values())
    return _("well done! It has {total} parameters, against {lenet} for the 5×5 version.").format(
        total=f"{total:,}", lenet=f"{LENET_PARAMS:,}"
    )


# ---- 03.5: LeNet's parameter shapes ----------------------------------------------------------------------------------

_LENET_SHAPES = {
    "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
    "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
    "fc1.weight": (120, 400), "fc1.bias": (120,),
    "fc2.weight": (84, 120), "fc2.bias": (84,),
    "fc3.weight": (10, 84), "fc3.bias": (10,),
}


def _as_shape(value: Any) -> tuple[int | float, ...] | None:
    """A tuple (a torch.Size too) of numbers as a tuple of Python numbers; None for anything else."""
    if isinstance(value, tuple) and all(isinstance(s, numbers.Real) for s in value):
        return tuple(int(s) if isinstance(s, numbers.Integral) else float(s) for s in value)
    return None


def _names_and_shapes(answer: Any) -> dict[str, Any]:
    """03.5, in the kernel: a dict's keys and, for each of LeNet's parameter names among them, its value as a shape
    (:func:`_as_shape`) and as it prints; anything else's type name."""
    if not isinstance(answer, dict):
        return {"dict": False, "kind": type(answer).__name__}
    values = {name: (_as_shape(answer[name]), repr(answer[name])) for name in _LENET_SHAPES if name in answer}
    return {"dict": True, "keys": list(answer), "values": values}


@exercise("03.5", observe=_names_and_shapes)
def named_shapes(seen: dict[str, Any]) -> None:
    """A dict mapping each parameter's name in LeNet to its shape as a tuple."""
    if not seen["dict"]:
        raise wrong_type(dict, seen["kind"], _("your answer"))
    if set(seen["keys"]) != set(_LENET_SHAPES):
        raise NotYet(
            _("the keys should be the names from net.named_parameters(), like 'conv1.weight'; got {keys}…").format(
                keys=sorted(seen["keys"])[:4]
            )
        )
    for name, shape in _LENET_SHAPES.items():
        got, printed = seen["values"][name]
        if type(got) is not tuple or got != shape:
            raise NotYet(_("{name} maps to {value}; use tuple(p.shape) to get {shape}.").format(
                name=name, value=printed, shape=shape
            ))
