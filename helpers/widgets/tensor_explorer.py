"""A tensor explorer: pick a shape and an operation (view, reshape, permute, transpose, slicing), see the result."""

from __future__ import annotations

from typing import Any, Callable

import torch

from helpers.i18n import _

MAX_ELEMENTS = 120

# Each operation: the code a learner would write, and what it does.
OPERATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "x.view(-1)": lambda x: x.view(-1),
    "x.reshape(-1)": lambda x: x.reshape(-1),
    "x.view(x.shape[0], -1)": lambda x: x.view(x.shape[0], -1),
    "x.permute(<all dims reversed>)": lambda x: x.permute(*reversed(range(x.dim()))),
    "x.transpose(0, -1)": lambda x: x.transpose(0, -1),
    "x[0]": lambda x: x[0],
    "x[..., ::2]": lambda x: x[..., ::2],
    "x.contiguous().view(-1)": lambda x: x.contiguous().view(-1),
}

SHAPES: tuple[tuple[int, ...], ...] = ((12,), (3, 4), (4, 3), (2, 3, 4), (2, 2, 3), (2, 1, 2, 3))


def _check_shape(shape: Any) -> tuple[int, ...]:
    ok = (
        isinstance(shape, (tuple, list, torch.Size))
        and 1 <= len(shape) <= 4
        and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape)
    )
    if not ok:
        raise ValueError(f"explore expects shape as a tuple of 1 to 4 positive ints, got {shape!r}")
    shape = tuple(shape)
    count = 1
    for s in shape:
        count *= s
    if count > MAX_ELEMENTS:
        raise ValueError(
            f"explore expects a shape with at most {MAX_ELEMENTS} elements (to keep the printout readable), "
            f"got {shape} with {count}"
        )
    return shape


def _describe(name: str, t: torch.Tensor) -> str:
    if t.is_contiguous():
        text = _("{name}: shape {shape}, stride {stride}, contiguous")
    else:
        text = _("{name}: shape {shape}, stride {stride}, NOT contiguous")
    return text.format(name=name, shape=tuple(t.shape), stride=t.stride())


def _start_tensor(shape: tuple[int, ...], transposed: bool = False) -> torch.Tensor:
    """Return ``torch.arange(n).reshape(shape)``, transposed (first and last dims swapped) if asked."""
    shape = _check_shape(shape)
    if not isinstance(transposed, bool):
        raise TypeError(f"transposed must be True or False, got {transposed!r}")
    x = torch.arange(int(torch.tensor(shape).prod())).reshape(shape)
    return x.transpose(0, -1) if transposed else x


def explore(shape: tuple[int, ...], operation: str, transposed: bool = False) -> str:
    """Apply ``operation`` (a key of OPERATIONS) to a tensor of ``shape`` and return the text the widget shows.

    Args:
        shape: 1 to 4 positive ints, at most 120 elements; the tensor holds 0, 1, 2, ... in memory order.
        operation: one of the keys of ``OPERATIONS``, e.g. ``"x.view(-1)"``.
        transposed: start from ``x.transpose(0, -1)``, a non-contiguous tensor (when two dims are > 1).
    """
    shape = _check_shape(shape)
    if operation not in OPERATIONS:
        raise ValueError(f"explore expects operation as one of {list(OPERATIONS)}, got {operation!r}")
    x = _start_tensor(shape, transposed)
    made = f"torch.arange({x.numel()}).reshape{shape}" + (".transpose(0, -1)" if transposed else "")
    code = operation
    if "permute" in operation:
        code = f"x.permute({', '.join(str(d) for d in reversed(range(x.dim())))})"
    lines = [f"x = {made}", _describe("x", x), str(x), "", f">>> {code}"]
    try:
        result = OPERATIONS[operation](x)
    except RuntimeError as error:
        lines.append(f"RuntimeError: {error}")
        if "view" not in operation:
            return "\n".join(lines)
        lines += [
            "",
            _("Why: view() never copies, it only reinterprets the same memory with new strides. x is not\n"
              "contiguous (its elements are not laid out in the order you read them), so no strides can\n"
              "describe the new shape. Use x.reshape(...), which copies when it must, or x.contiguous().view(...)."),
        ]
        return "\n".join(lines)
    shares = result.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    lines += [
        _describe(_("result"), result),
        _("shares memory with x (a view, no copy)") if shares else _("a new copy (does not share memory with x)"),
        str(result),
    ]
    return "\n".join(lines)


def tensor_explorer(shape: tuple[int, ...] = (3, 4), operation: str = "x.view(-1)", transposed: bool = True) -> Any:
    """Return an ipywidgets box: a shape, an operation and a 'transposed' switch, with the result below."""
    import ipywidgets as widgets

    from helpers.widgets.live import LiveBox

    _check_shape(shape)
    if not isinstance(transposed, bool):
        raise TypeError(f"tensor_explorer expects transposed as True or False, got {transposed!r}")
    if operation not in OPERATIONS:
        raise ValueError(f"tensor_explorer expects operation as one of {list(OPERATIONS)}, got {operation!r}")
    shapes = list(SHAPES) if tuple(shape) in SHAPES else [tuple(shape), *SHAPES]
    shape_box = widgets.Dropdown(options=[(str(s), s) for s in shapes], value=tuple(shape), description=_("shape"))
    # the menu shows the code; only permute's placeholder is prose, so only its label is translated
    permute = "x.permute(<all dims reversed>)"
    labels = [(_("x.permute(<all dims reversed>)") if op == permute else op, op) for op in OPERATIONS]
    op_box = widgets.Dropdown(options=labels, value=operation, description=_("operation"),
                              layout=widgets.Layout(width="420px"))
    flip_box = widgets.Checkbox(value=transposed, description=_("start from x.transpose(0, -1) (non-contiguous)"),
                                layout=widgets.Layout(width="420px"))
    out = widgets.Output()

    def update(_: Any = None) -> None:
        text = explore(shape_box.value, op_box.value, flip_box.value)
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": text + "\n"},)

    for box in (shape_box, op_box, flip_box):
        box.observe(update, names="value")
    update()
    return LiveBox([widgets.HBox([shape_box, op_box]), flip_box, out],
                   what=_("menus to pick a shape and an operation, with the result below"))
