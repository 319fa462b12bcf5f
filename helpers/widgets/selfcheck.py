"""A slider whose movement changes a printed value: proof that ipywidgets render and talk to the kernel."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.i18n import _
from helpers.widgets.live import LiveBox


def describe_square(n: int) -> str:
    """Return the text the self-check shows for slider value ``n``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__} {n!r}")
    return _("{n} squared is {square}").format(n=n, square=n * n)


def square_slider(start: int = 3, low: int = 0, high: int = 10) -> LiveBox:
    """Return a slider and a label; moving the slider recomputes the label in the kernel."""
    for name, value in (("start", start), ("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not low <= start <= high or low == high:
        raise ValueError(f"square_slider needs low <= start <= high and low < high, got low={low}, start={start}, high={high}")
    slider = widgets.IntSlider(value=start, min=low, max=high, description="n")
    label = widgets.Label(value=describe_square(start))

    def update(change: dict) -> None:
        label.value = describe_square(change["new"])

    slider.observe(update, names="value")
    return LiveBox([slider, label], what=_("a slider that squares a number"))
