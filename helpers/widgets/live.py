"""A widget box whose text form tells the reader what to do when no live widget can be shown.

Jupyter stores a widget's plain-text form beside it. JupyterLab shows that text instead of the widget
wherever it cannot draw it: in a freshly cloned (untrusted) notebook before its cell runs, on GitHub,
or when the widget extension is missing. ipywidgets' own text form (``VBox(children=(IntSlider(...``)
looks like a bug there; this one says what the widget is and what to do.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from helpers.alt_text import alt_text
from helpers.i18n import _


class LiveBox(widgets.VBox):
    """A ``VBox`` whose text form names the widget and says to run the cell, instead of ``VBox(children=...)``."""

    def __init__(self, children: Sequence[widgets.Widget], what: str, **kwargs) -> None:
        if not isinstance(what, str) or not what.strip():
            raise TypeError(f"LiveBox needs what= as a short description such as 'a slider', got {what!r}")
        super().__init__(list(children), **kwargs)
        self._what = what.strip()

    def __repr__(self) -> str:
        # translated here, when shown: the language may change after the box was made
        return _(
            "[Interactive: {what}. Run this cell to use it. "
            "If this line is still here after the cell has run, see 'Widgets not showing' in 00 · Start here.]"
        ).format(what=self._what)

    def _repr_mimebundle_(self, **kwargs) -> dict | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = repr(self)  # whole: ipywidgets cuts its text form at 110 characters
        return bundle


def png_output(fig: Any, dpi: int = 100) -> dict[str, Any]:
    """Render a matplotlib Figure as a display_data output (PNG), to put in an Output widget's ``outputs``.

    Setting ``outputs`` (rather than drawing inside ``with out:``) also works outside a kernel, so tests can see it.
    A described figure (``helpers.alt_text``) carries its alt text in the metadata, as ``plt.show()`` stores it.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    text = alt_text(fig)
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": "<Figure>"},
        "metadata": {"image/png": {"alt": text}} if text is not None else {},
    }
