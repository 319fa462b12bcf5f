"""Checkers for the exercises of notebook 01 · Tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from helpers.check import NotYet, a_type, exercise, expect_tensor, expect_type
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


@exercise("01.4")
def mean_as_python_float(answer: Any) -> str:
    """The mean of [1., 2., 3., 4.] as a plain Python float."""
    if isinstance(answer, torch.Tensor):
        raise NotYet(
            _("that is still a tensor (a 0-dimensional one); one method turns it into a plain Python number.")
        )
    expect_type(answer, float)
    if answer == 10.0:
        raise NotYet(_("10.0 is the sum; the task asks for the mean."))
    if abs(answer - 2.5) > 1e-6:
        raise NotYet(_("{answer} is not the mean of 1, 2, 3 and 4.").format(answer=answer))
    return _("x.mean().item() gives a Python float.")


@exercise("01.5")
def change_numpy_through_torch(answer: Any) -> str:
    """The pair ``(a, t)`` after adding 1 to every element through ``t = torch.from_numpy(a)``, in place."""
    if isinstance(answer, (np.ndarray, torch.Tensor)):
        raise NotYet(_("give both, as the pair (a, t): the check needs a and t to see that they share memory."))
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet(_("answer should be the pair (a, t), but it is {kind}.").format(kind=a_type(answer)))
    a, t = answer
    if isinstance(a, torch.Tensor) and isinstance(t, np.ndarray):
        raise NotYet(_("the pair is the wrong way round: (a, t), the NumPy array first."))
    if not isinstance(a, np.ndarray):
        raise NotYet(_("the first item should be the NumPy array a, but it is {kind}.").format(kind=a_type(a)))
    if not isinstance(t, torch.Tensor):
        raise NotYet(_("the second item should be the tensor t, but it is {kind}.").format(kind=a_type(t)))
    if t.device.type != "cpu" or t.requires_grad or not np.shares_memory(a, t.numpy()):
        raise NotYet(
            _(
                "a and t no longer share memory: an operation like t + 1 or a + 1 makes a new tensor or array "
                "(and assigning it to t or a replaces the shared one). "
                "Change t in place: remember the trailing underscore."
            )
        )
    if not np.array_equal(a, np.ones(3)):
        raise NotYet(
            _("a is {values}; adding 1 to the zeros should give [1.0, 1.0, 1.0].").format(values=a.tolist())
        )
    if t._version == 0:
        raise NotYet(
            _(
                "a changed, but not through t: t's version counter (t._version) never moved, so the change came "
                "from NumPy's side. Change t in place instead."
            )
        )
    return _("t and a share memory, so an in-place change to t shows up in a.")


@exercise("01.6")
def float64_on_cpu(answer: Any) -> str:
    """``x`` (wherever it lives) as a float64 tensor on the CPU."""
    expect_type(answer, torch.Tensor)
    if answer.device.type != "cpu":
        raise NotYet(_("your tensor is on {device}; move it to the CPU.").format(device=answer.device))
    if answer.dtype != torch.float64:
        raise NotYet(
            _("your tensor has dtype {dtype}; float64 is also called torch.double.").format(dtype=answer.dtype)
        )
    expect_tensor(
        answer, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), hint=_("convert x, don't make a new tensor.")
    )
    return _('x.to("cpu", torch.double) moves and converts in one call.')
