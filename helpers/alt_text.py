"""Alt text: a short description of a figure, for a reader who cannot see it (a screen reader, a reading site).

``describe(fig, text)`` gives a whole Figure its description; ``describe(ax, text)`` describes one Axes, a part of
its figure. ``alt_text(fig)`` reads it back: the figure's own description, else its described Axes' parts in order,
each a sentence. The course's figure helpers describe what they draw in the helpers' language (``helpers.i18n``).

The descriptions are kept here, in a weak-key dictionary, not in matplotlib's own state: a figure that is closed and
dropped takes its description with it.

In a Jupyter kernel (IPython), ``describe`` also wraps the shell's image formatters for ``Figure``: a described
figure is formatted as ``(image, {"alt": text})`` (IPython's formatters may return data and metadata), so the inline
backend's ``plt.show()`` stores ``metadata["image/png"]["alt"]`` in the notebook's output. An undescribed figure is
formatted exactly as before. Nothing happens at import time.
"""

from __future__ import annotations

import math
import weakref
from typing import Any, Callable, Sequence, TypeVar

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.i18n import _, get_language

Target = TypeVar("Target", Figure, Axes)

_descriptions: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
# the image formats whose Figure printer is wrapped; the attribute marks a wrapper and holds the printer it wraps
IMAGE_FORMATS = ("image/png", "image/jpeg", "image/svg+xml")
_WRAPPED = "_course_alt_wraps"
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def describe(target: Target, text: str) -> Target:
    """Give a Figure (or one Axes of it) its alt text, a sentence or two saying what it shows; return ``target``."""
    if not isinstance(target, (Figure, Axes)):
        raise TypeError(f"describe expects target as a matplotlib Figure or Axes, got {type(target).__name__}")
    if not isinstance(text, str) or not text.strip():
        got = repr(text) if isinstance(text, str) else type(text).__name__
        raise ValueError(f"describe expects text as a non-empty str saying what the figure shows, got {got}")
    _descriptions[target] = " ".join(text.split())
    _wrap_ipython_formatters()
    return target


def alt_text(fig: Figure) -> str | None:
    """The figure's alt text: its own description, else its described Axes' parts as sentences; None if neither."""
    if not isinstance(fig, Figure):
        raise TypeError(f"alt_text expects a matplotlib Figure, got {type(fig).__name__}")
    own = _descriptions.get(fig)
    if own is not None:
        return own
    parts = [_descriptions[ax] for ax in fig.axes if ax in _descriptions]
    return sentences(*parts) if parts else None


def sentences(*parts: str) -> str:
    """Parts joined as sentences the way the language writes them: "A. B." in English, "甲。乙。" in Chinese."""
    chinese = get_language() == "zh"
    end = "。" if chinese else "."
    ended = [p if p.endswith(_SENTENCE_ENDS) else p + end for p in (p.strip() for p in parts) if p]
    return ("" if chinese else " ").join(ended)


def number(value: float) -> str:
    """A number as a reader wants it: 3 significant digits, plain from 0.0001 to a million (0.0123, 45.7, 12,300)."""
    x = float(value)
    if not math.isfinite(x):
        return str(x)  # inf, -inf, nan
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    if not -4 <= exponent < 6:
        return f"{x:.3g}"
    text = f"{round(x, 2 - exponent):,.{max(2 - exponent, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def listing(items: Sequence[str], limit: int = 120, separator: str | None = None) -> str:
    """Items joined the way the language lists them ("a, b" / "a、b"), cut to about ``limit`` characters.

    Args:
        separator: what goes between two items; None: the language's list separator (``_(", ")``).
    """
    items = [str(i) for i in items]
    separator = _(", ") if separator is None else separator
    shown = items
    while len(shown) > 1 and len(separator.join(shown)) > limit:
        shown = shown[:-1]
    text = separator.join(shown)
    if len(shown) < len(items):
        text = _("{items} and {count} more").format(items=text, count=len(items) - len(shown))
    return text


def _wrap_ipython_formatters() -> None:
    """In IPython: make the shell's image formatters add {"alt": ...} for described figures (once per printer)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters:
        return
    for mime in IMAGE_FORMATS:
        formatter = formatters.get(mime)
        if formatter is None:
            continue
        try:
            printer = formatter.lookup_by_type(Figure)
        except KeyError:  # this format is not selected (the inline backend registers png by default)
            continue
        if getattr(printer, _WRAPPED, None) is None:  # new, or replaced since (e.g. by %matplotlib inline again)
            formatter.for_type(Figure, _with_alt(printer))


def _with_alt(printer: Callable[[Figure], Any]) -> Callable[[Figure], Any]:
    """``printer``, returning ``(data, metadata + {"alt": text})`` for a described figure and as it did otherwise."""

    def print_with_alt(fig: Figure) -> Any:
        result = printer(fig)
        text = alt_text(fig) if isinstance(fig, Figure) else None
        if result is None or text is None:
            return result
        if isinstance(result, tuple) and len(result) == 2:  # e.g. retina PNGs come with their width and height
            data, metadata = result
            return data, {**(metadata or {}), "alt": text}
        return result, {"alt": text}

    setattr(print_with_alt, _WRAPPED, printer)
    return print_with_alt
