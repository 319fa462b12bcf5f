"""Checkers for the exercises of notebook 01 · Tensors.

01.1 to 01.3 take the answer itself (a tensor is plain data); 01.4 observes what kind of number the answer is; 01.5
and 01.6 call the learner's function on the exercise's inputs (or on the grader's: ``cases``) and observe what it did.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from helpers.check import NotYet, a_kind, exercise, expect_tensor, expect_type, wrong_type
from helpers.i18n import _


@exercise("01.1")
def build_a_float_tensor(answer: Any) -> str:
    """The tensor [[1, 2, 3], [4, 5, 6]] with dtype float32."""
    expect_type(answer, torch.Tensor)
    if tuple(answer.shape) != (2, 3):
        raise NotYet(
            _("your tensor has shape {shape}; two rows of three numbers make shape (2, 3).").format(
                shape=tuple(answer.shape)
            )
        )
    if answer.dtype == torch.int64:
        raise NotYet(_("the values are right, but whole numbers give an int64 tensor; the task asks for float32."))
    expect_tensor(
        answer, torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), hint=_("check the dtype and the values.")
    )
    return _("a (2, 3) float32 tensor.")


@exercise("01.2")
def last_column(answer: Any) -> str:
    """The last column of ``torch.arange(12).reshape(3, 4)`` as a 1-D tensor."""
    expect_type(answer, torch.Tensor)
    if tuple(answer.shape) == (3, 1):
        raise NotYet(
            _("right numbers, but shape (3, 1): a slice like -1: keeps the dimension; a plain index drops it.")
        )
    if answer.tolist() == [8, 9, 10, 11]:
        raise NotYet(_("that is the last row; the first index picks rows, the second picks columns."))
    expect_tensor(answer, torch.tensor([3, 7, 11]), hint=_("keep every row and pick one column."))
    return _("x[:, -1] keeps all rows and picks the last column.")


@exercise("01.3")
def flatten_a_transposed_tensor(answer: Any) -> str:
    """``torch.arange(6).reshape(2, 3).t()`` flattened to 1-D, read row by row."""
    expect_type(answer, torch.Tensor)
    if answer.dim() != 1:
        raise NotYet(
            _("your tensor has {dims} dimensions; flat means one dimension of 6 elements.").format(dims=answer.dim())
        )
    if answer.tolist() == [0, 1, 2, 3, 4, 5]:
        raise NotYet(
            _(
                "these are the numbers in memory order; t() changed the order in which you read them. "
                "Print t and read it row by row."
            )
        )
    expect_tensor(answer, torch.tensor([0, 3, 1, 4, 2, 5]), hint=_("start from t itself, not from a new tensor."))
    return _("reshape copies a non-contiguous tensor when it must, so the values come out in reading order.")


def _number(answer: Any) -> dict[str, Any]:
    """What kind of number ``answer`` is, and its value when it is a plain Python float."""
    if isinstance(answer, torch.Tensor):
        return {"kind": "Tensor"}
    if isinstance(answer, (np.generic, np.ndarray)):
        return {"kind": "numpy", "name": type(answer).__name__}
    if type(answer) is not float:
        return {"kind": type(answer).__name__}
    return {"kind": "float", "value": answer}


@exercise("01.4", observe=_number)
def mean_as_python_float(seen: dict[str, Any]) -> str:
    """The mean of [1., 2., 3., 4.] as a plain Python float (``type(answer) is float``)."""
    if seen["kind"] == "Tensor":
        raise NotYet(
            _("that is still a tensor (a 0-dimensional one); one method turns it into a plain Python number.")
        )
    if seen["kind"] == "numpy":
        raise NotYet(
            _(
                "that is NumPy's {kind}, not a plain Python float: the value went through NumPy. "
                "Call .item() on the tensor instead."
            ).format(kind=seen["name"])
        )
    answer = seen.get("value")
    if seen["kind"] != "float" or type(answer) is not float:
        raise NotYet(_("your answer should be a float, but it is {kind}.").format(kind=a_kind(seen["kind"])))
    if answer == 10.0:
        raise NotYet(_("10.0 is the sum; the task asks for the mean."))
    if abs(answer - 2.5) > 1e-6:
        raise NotYet(_("{answer} is not the mean of 1, 2, 3 and 4.").format(answer=answer))
    return _("x.mean().item() gives a Python float.")


class _Watch(TorchFunctionMode):
    """Notes whether ``tensor`` changed between two PyTorch calls, that is outside PyTorch (through NumPy)."""

    def __init__(self, tensor: torch.Tensor) -> None:
        super().__init__()
        self.tensor = tensor
        self.last = tensor.clone()
        self.outside = False

    def notice(self) -> None:
        if not torch.equal(self.tensor, self.last):
            self.outside = True

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.notice()
        result = func(*args, **(kwargs or {}))
        self.last = self.tensor.clone()
        return result


def _call(function: Any, *args: Any) -> Any:
    """Call the learner's function; an error it raises becomes a hint that names it."""
    try:
        return function(*args)
    except Exception as error:
        raise NotYet(
            _("calling your function raised {error_type}: {error}").format(
                error_type=type(error).__name__, error=error
            )
        ) from None


def _arrays(seed: int | None) -> torch.Tensor:
    """01.5's array: [0, 1, 2] in the exercise; 2 to 6 whole numbers from -9 to 9 for the grader."""
    if seed is None:
        return torch.arange(3.0, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    size = int(torch.randint(2, 7, (1,), generator=g))
    return torch.randint(-9, 10, (size,), generator=g).double()


def _not_a_function(answer: Any) -> dict[str, Any] | None:
    return None if callable(answer) else {"function": False, "kind": type(answer).__name__}


def _run_add_one(answer: Any, case: torch.Tensor) -> dict[str, Any]:
    """Call the function on ``torch.from_numpy(a)``: does t still share a's memory, what is a now, what came back,
    and did the numbers change between two PyTorch calls (through NumPy)?"""
    if (other := _not_a_function(answer)) is not None:
        return other
    a = case.numpy().copy()
    t = torch.from_numpy(a)
    watch = _Watch(t)
    with watch:
        returned = _call(answer, t)
    watch.notice()
    plain = type(returned) is torch.Tensor
    return {"function": True, "shares": bool(np.shares_memory(a, t.numpy())), "after": torch.from_numpy(a.copy()),
            "returned": returned.detach().clone() if plain else None, "outside": watch.outside}


def _expect_function(seen: dict[str, Any]) -> None:
    if not seen["function"]:
        raise NotYet(
            _("the answer should be a function that takes a tensor, but it is {kind}.").format(
                kind=a_kind(seen["kind"]))
        )


@exercise("01.5", observe=_run_add_one, cases=_arrays)
def add_one_through_the_tensor(seen: dict[str, Any], case: torch.Tensor) -> str:
    """A function that adds 1 in place to the tensor it gets; called on ``torch.from_numpy(a)``, a changes too."""
    _expect_function(seen)
    if not seen["shares"]:
        raise NotYet(
            _(
                "the tensor your function got no longer shares memory with the array: assigning to t.data "
                "gives it new memory. Change the numbers in place instead."
            )
        )
    after, returned = seen["after"], seen["returned"]
    if torch.equal(after, case):
        if isinstance(returned, torch.Tensor) and torch.equal(returned, case + 1):
            raise NotYet(
                _(
                    "your function returns t + 1, a new tensor, and leaves t (and so the array) unchanged. "
                    "Change t in place: remember the trailing underscore."
                )
            )
        raise NotYet(
            _(
                "the array did not change: t + 1 makes a new tensor, and t = t + 1 inside a function only "
                "rebinds a name. Change t in place: remember the trailing underscore."
            )
        )
    if seen["outside"]:
        raise NotYet(
            _(
                "the numbers changed, but not through t: they changed between two PyTorch operations, "
                "on NumPy's side (t.numpy() shares the same memory). Change t itself with a PyTorch operation."
            )
        )
    if not torch.equal(after, case + 1):
        raise NotYet(
            _("on the array [0, 1, 2] your function gave {values}; adding 1 should give [1.0, 2.0, 3.0].").format(
                values=after.tolist()
            )
        )
    return _("t and a share memory, so an in-place change to t shows up in a.")


class _OnAccelerator(torch.Tensor):
    """A CPU tensor that plays one on a GPU: ``device`` says cuda, ``numpy()`` refuses, and every result stays
    'on the GPU' until a call moves it to the CPU. The check then gives the same verdict on every machine."""

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if getattr(func, "__self__", None) is torch.Tensor.device:
            return torch.device("cuda", 0)
        if func in (torch.Tensor.numpy, torch.Tensor.__array__):
            raise TypeError(
                "can't convert cuda:0 device type tensor to numpy. "
                "Use Tensor.cpu() to copy the tensor to host memory first."
            )
        if func is torch.Tensor.__repr__:
            with torch._C.DisableTorchFunctionSubclass():
                text = repr(args[0].as_subclass(torch.Tensor))
            return text[:-1] + ", device='cuda:0')"
        to_cpu = func is torch.Tensor.cpu
        if func is torch.Tensor.to:
            targets = [*args[1:], kwargs.get("device")]
            to_cpu = any(isinstance(t, (str, torch.device)) and torch.device(t).type == "cpu" for t in targets)
        elif kwargs.get("device") is not None:
            to_cpu = torch.device(kwargs["device"]).type == "cpu"
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **kwargs)

        def place(value: Any) -> Any:
            if isinstance(value, torch.Tensor):
                return value.as_subclass(torch.Tensor if to_cpu else cls)
            return value

        if isinstance(result, (tuple, list)):
            return type(result)(place(value) for value in result)
        return place(result)


def _whole_numbers(seed: int | None) -> torch.Tensor:
    """01.6's tensor: [0, 1, 2, 3] in the exercise; 3 to 6 whole numbers from -50 to 50 for the grader."""
    if seed is None:
        return torch.arange(4)
    g = torch.Generator().manual_seed(seed)
    size = int(torch.randint(3, 7, (1,), generator=g))
    return torch.randint(-50, 51, (size,), generator=g)


def _run_to_cpu(answer: Any, case: torch.Tensor) -> dict[str, Any]:
    """Call the function on a stand-in for a GPU tensor holding ``case``: what kind of thing comes back, and as a
    tensor, its device, dtype and values."""
    if (other := _not_a_function(answer)) is not None:
        return other
    result = _call(answer, case.clone().as_subclass(_OnAccelerator))
    if isinstance(result, _OnAccelerator):
        return {"function": True, "kind": "still on the accelerator"}
    if isinstance(result, np.ndarray):
        return {"function": True, "kind": "numpy"}
    if type(result) is not torch.Tensor:
        return {"function": True, "kind": type(result).__name__}
    return {"function": True, "kind": "Tensor", "device": str(result.device), "values": result.detach().cpu().clone()}


@exercise("01.6", observe=_run_to_cpu, cases=_whole_numbers)
def float64_on_cpu(seen: dict[str, Any], case: torch.Tensor) -> str:
    """A function returning its argument (a tensor on any device) as a float64 copy on the CPU.

    The check calls it on a stand-in for a GPU tensor, so the verdict is the same on every machine.
    """
    _expect_function(seen)
    if seen["kind"] == "still on the accelerator":
        raise NotYet(
            _(
                "on a tensor that lives on a GPU, your function returns a tensor that is still on the GPU: "
                "it never moves it to the CPU. Add .cpu(), or give .to() the device \"cpu\"."
            )
        )
    if seen["kind"] == "numpy":
        raise NotYet(_("that is a NumPy array; the task asks for a tensor."))
    if seen["kind"] != "Tensor":
        raise wrong_type(torch.Tensor, seen["kind"], _("what your function returns"))
    if torch.device(seen["device"]).type != "cpu":
        raise NotYet(_("your tensor is on {device}; move it to the CPU.").format(device=seen["device"]))
    values = seen["values"]
    if values.dtype != torch.float64:
        raise NotYet(
            _("your tensor has dtype {dtype}; float64 is also called torch.double.").format(dtype=values.dtype)
        )
    expect_tensor(
        values,
        case.to(torch.float64),
        _("what your function returns for [0, 1, 2, 3]"),
        hint=_("convert the tensor your function gets, don't make a new one."),
    )
    return _('x.to("cpu", torch.double) moves and converts in one call.')
