"""Why LeNet needs a 32×32 input: choose kernel, stride, padding and input size, and trace the shapes.

The seeds' LeNet is rebuilt with the chosen settings (``fc1`` keeps its 400 inputs), a tensor of zeros
goes through it layer by layer, and each real output shape is shown beside the size rule
``out = floor((in + 2·padding − kernel) / stride) + 1``. When the flattened size no longer matches
``fc1``, the table ends in the RuntimeError PyTorch raises. The widget only calls the plain functions
below, which the tests call directly.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from helpers.i18n import _

RULE = "out = floor((in + 2·padding − kernel) / stride) + 1"
FC1_INPUTS = 16 * 5 * 5
POOL = 2

# name: (smallest, largest) accepted value; also the widget's slider ranges are inside these.
LIMITS = {"kernel_size": (1, 16), "padding": (0, 8), "stride": (1, 4), "input_size": (1, 128)}


def _check_setting(value: object, name: str) -> int:
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int from {low} to {high}, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return int(value)


def size_rule(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Return ``floor((size + 2·padding − kernel_size) / stride) + 1``, the output size of a conv or pool layer."""
    return (size + 2 * padding - kernel_size) // stride + 1


def build_lenet(kernel_size: int = 5, padding: int = 0, stride: int = 1) -> nn.Sequential:
    """Return the seeds' LeNet as an ``nn.Sequential``, with both convolutions changed as asked.

    ``kernel_size`` and ``stride`` apply to both convolutions, ``padding`` to ``conv1`` only (how a 28×28
    digit is usually fed to a LeNet built for 32×32). ``fc1`` keeps the seeds' 16·5·5 = 400 inputs.
    The weights are zeros: only the shapes matter here, and building it draws no random numbers.
    """
    kernel_size = _check_setting(kernel_size, "kernel_size")
    padding = _check_setting(padding, "padding")
    stride = _check_setting(stride, "stride")
    layers = {
        "conv1": nn.Conv2d(1, 6, kernel_size, stride=stride, padding=padding, device="meta"),
        "relu1": nn.ReLU(),
        "pool1": nn.MaxPool2d(POOL),
        "conv2": nn.Conv2d(6, 16, kernel_size, stride=stride, device="meta"),
        "relu2": nn.ReLU(),
        "pool2": nn.MaxPool2d(POOL),
        "flatten": nn.Flatten(),
        "fc1": nn.Linear(FC1_INPUTS, 120, device="meta"),
        "relu3": nn.ReLU(),
        "fc2": nn.Linear(120, 84, device="meta"),
        "relu4": nn.ReLU(),
        "fc3": nn.Linear(84, 10, device="meta"),
    }
    net = nn.Sequential()
    for name, layer in layers.items():
        net.add_module(name, layer)
    net = net.to_empty(device="cpu")
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
    return net


@dataclass(frozen=True)
class TraceRow:
    """One step of the trace: the layer's name, its output shape (None if it raised) and a note."""

    name: str
    shape: tuple[int, ...] | None
    note: str


def lenet_shape_rows(kernel_size: int = 5, padding: int = 0, stride: int = 1, input_size: int = 32) -> list[TraceRow]:
    """Run a (1, 1, input_size, input_size) tensor through :func:`build_lenet` one layer at a time.

    Returns one row per layer, in order; conv and pool rows note the size rule with its numbers,
    the flatten row the product. A layer that raises ends the list with a row whose shape is None
    and whose note is the error PyTorch gave.
    """
    input_size = _check_setting(input_size, "input_size")
    net = build_lenet(kernel_size, padding, stride)
    settings = {"conv1": (kernel_size, padding, stride), "conv2": (kernel_size, 0, stride),
                "pool1": (POOL, 0, POOL), "pool2": (POOL, 0, POOL)}
    x = torch.zeros(1, 1, input_size, input_size)
    rows = [TraceRow("input", tuple(x.shape), "")]
    with torch.no_grad():
        for name, layer in net.named_children():
            size = x.shape[-1]
            try:
                x = layer(x)
            except RuntimeError as error:
                rows.append(TraceRow(name, None, f"RuntimeError: {error}"))
                break
            note = ""
            if name in settings:
                k, p, s = settings[name]
                note = f"floor(({size} + 2·{p} − {k}) / {s}) + 1 = {size_rule(size, k, p, s)}"
            elif name == "flatten":
                c, h, w = rows[-1].shape[1:]
                note = f"{c}·{h}·{w} = {c * h * w}"
            rows.append(TraceRow(name, tuple(x.shape), note))
    return rows


def fitting_input_sizes(kernel_size: int = 5, padding: int = 0, stride: int = 1) -> list[int]:
    """Return the input sizes (up to the largest allowed) that end as 16×5×5 = 400 numbers, by the size rule."""
    kernel_size = _check_setting(kernel_size, "kernel_size")
    padding = _check_setting(padding, "padding")
    stride = _check_setting(stride, "stride")
    fits = []
    for size in range(LIMITS["input_size"][0], LIMITS["input_size"][1] + 1):
        after = size_rule(size, kernel_size, padding, stride)
        if after < POOL:
            continue
        after = size_rule(size_rule(after, POOL, 0, POOL), kernel_size, 0, stride)
        if after >= POOL and size_rule(after, POOL, 0, POOL) == 5:
            fits.append(size)
    return fits


def _sizes_text(sizes: list[int]) -> str:
    """'32 to 35 pixels', '30 or 31 pixels', '33 pixels' or '' for a list of consecutive sizes."""
    if not sizes:
        return ""
    if len(sizes) == 1:
        return _("{size} pixels").format(size=sizes[0])
    if sizes == list(range(sizes[0], sizes[-1] + 1)):
        return _("{first} to {last} pixels").format(first=sizes[0], last=sizes[-1])
    # the separator of a list is translated too: Chinese joins with 、
    separator = _(", ")
    return _("{sizes} or {last} pixels").format(sizes=separator.join(str(s) for s in sizes[:-1]), last=sizes[-1])


def lenet_shape_trace(kernel_size: int = 5, padding: int = 0, stride: int = 1, input_size: int = 32) -> str:
    """Return the text the LeNet shape widget shows: the layers, a shape per step beside the size rule, a verdict."""
    rows = lenet_shape_rows(kernel_size, padding, stride, input_size)
    net = build_lenet(kernel_size, padding, stride)
    lines = [
        f"conv1 = {net.conv1}",
        f"conv2 = {net.conv2}",
        f"fc1   = {net.fc1}",
        _("size rule of conv and pool layers: {rule}").format(rule=RULE),
        "",
        # one line, padded by hand: a translation pads its own column titles to line up with the rows
        _("layer    output shape      by the rule"),
    ]
    for row in rows:
        shape = "" if row.shape is None else "(" + ", ".join(str(s) for s in row.shape) + ")"
        lines.append(f"{row.name:<9}{shape:<18}{row.note}".rstrip() if row.shape is not None else f"{row.name:<9}{row.note}")
    lines.append("")
    last = rows[-1]
    flat = next((r.shape[1] for r in rows if r.name == "flatten" and r.shape is not None), None)
    fits = fitting_input_sizes(kernel_size, padding, stride)
    sizes = _sizes_text(fits)
    if last.shape is not None:
        lines.append(_("✓ flatten gives {flat} numbers and fc1 takes {fc1}: the network runs.").format(
            flat=flat, fc1=FC1_INPUTS))
        if len(fits) == 1:
            fit_note = _("With these settings only an input of {sizes} gives {fc1}.")
        else:
            fit_note = _("With these settings an input of {sizes} gives {fc1} "
                         "(pooling rounds down, so several sizes end as 5×5).")
        lines.append("  " + fit_note.format(sizes=sizes, fc1=FC1_INPUTS))
    elif flat is not None:
        lines.append(_("✗ flatten gives {flat} numbers, but fc1 was built for 16·5·5 = {fc1}.").format(
            flat=flat, fc1=FC1_INPUTS))
        if sizes:
            advice = _("Build fc1 as nn.Linear({flat}, 120) for these settings, "
                       "or keep fc1 and use an input of {sizes}.")
        else:
            advice = _("Build fc1 as nn.Linear({flat}, 120) for these settings, "
                       "or change the settings: no input size up to 128 fits fc1.")
        lines.append("  " + advice.format(flat=flat, sizes=sizes))
    else:
        lines.append(_("✗ the image became too small for {layer} before it reached fc1.").format(layer=last.name))
        if sizes:
            advice = _("Use a larger input, a smaller kernel or a smaller stride; "
                       "with these settings an input of {sizes} fits fc1.")
        else:
            advice = _("Use a larger input, a smaller kernel or a smaller stride; "
                       "with these settings no input size up to 128 fits fc1.")
        lines.append("  " + advice.format(sizes=sizes))
    return "\n".join(lines)


def lenet_shape_explorer(kernel_size: int = 5, padding: int = 0, stride: int = 1, input_size: int = 32) -> Any:
    """Return a widget: sliders for kernel, padding, stride and input size, with the shape trace below."""
    import ipywidgets as widgets

    from helpers.widgets.live import LiveBox

    start = {
        "kernel_size": (_check_setting(kernel_size, "kernel_size"), 1, 9, _("kernel (both convs)")),
        "padding": (_check_setting(padding, "padding"), 0, 4, _("padding (conv1)")),
        "stride": (_check_setting(stride, "stride"), 1, 3, _("stride (both convs)")),
        "input_size": (_check_setting(input_size, "input_size"), 8, 64, _("input size")),
    }
    sliders = {}
    for name, (value, low, high, label) in start.items():
        if not low <= value <= high:
            raise ValueError(f"lenet_shape_explorer expects {name} from {low} to {high} (the slider range), got {value}")
        sliders[name] = widgets.IntSlider(value=value, min=low, max=high, description=label,
                                          style={"description_width": "130px"}, layout=widgets.Layout(width="420px"))
    out = widgets.Output()

    def update(_: Any = None) -> None:
        text = lenet_shape_trace(**{name: s.value for name, s in sliders.items()})
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": text + "\n"},)

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    return LiveBox([*sliders.values(), out],
                   what=_("sliders for LeNet's kernel, padding, stride and input size, "
                          "with the shape of every layer below"))
