"""LiveBox: a stored widget's text form says what the widget is and what to do, never VBox(children=...)."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from helpers.widgets.learning_rate import learning_rate_explorer
from helpers.widgets.lenet_shapes import lenet_shape_explorer
from helpers.widgets.live import LiveBox
from helpers.widgets.selfcheck import square_slider
from helpers.widgets.tensor_explorer import tensor_explorer
from helpers.widgets.vjp import vjp_explorer
from helpers.widgets.zero_grad import zero_grad_stepper


def test_text_form_names_the_widget_and_what_to_do():
    box = LiveBox([widgets.IntSlider()], what="a slider")
    text = box._repr_mimebundle_()["text/plain"]
    assert text.startswith("[Interactive: a slider. Run this cell to use it.")
    assert "Widgets not showing" in text and "children" not in text
    assert "application/vnd.jupyter.widget-view+json" in box._repr_mimebundle_()


@pytest.mark.parametrize("make", [
    square_slider, tensor_explorer, vjp_explorer, lenet_shape_explorer, zero_grad_stepper, learning_rate_explorer,
])
def test_every_course_widget_has_the_friendly_text_form(make):
    box = make()
    assert isinstance(box, LiveBox)
    text = repr(box)
    assert text.startswith("[Interactive: ") and "children=" not in text and "Slider(" not in text


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_a_missing_description_is_explained(bad):
    with pytest.raises(TypeError, match="LiveBox needs what= as a short description"):
        LiveBox([], what=bad)


def test_png_output_is_a_display_data_output_holding_the_figure_as_png():
    import base64

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from helpers.widgets.live import png_output

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    small, large = png_output(fig, dpi=50), png_output(fig, dpi=100)
    assert small["output_type"] == "display_data" and small["data"]["text/plain"] == "<Figure>"
    png = base64.b64decode(small["data"]["image/png"])
    assert png.startswith(b"\x89PNG") and len(base64.b64decode(large["data"]["image/png"])) > len(png)


def test_png_output_carries_the_alt_text_of_a_described_figure_only():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from helpers.alt_text import describe
    from helpers.widgets.live import png_output

    fig = Figure(figsize=(1, 1))
    assert png_output(fig)["metadata"] == {}
    describe(fig.add_subplot(), "An empty chart")
    assert png_output(fig)["metadata"] == {"image/png": {"alt": "An empty chart."}}
