"""helpers.alt_text: describing figures, reading the alt text back, and getting it into a notebook's output metadata."""

from __future__ import annotations

import builtins
import gc
import weakref

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import helpers  # noqa: E402
from helpers import alt_text as module  # noqa: E402
from helpers.alt_text import alt_text, describe, listing, number, sentences  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def chinese():
    helpers.set_language("zh")
    yield
    helpers.set_language("en")


def test_a_figure_described_as_a_whole_says_so_and_describe_returns_its_target():
    fig = Figure()
    assert alt_text(fig) is None
    assert describe(fig, "  Two  histograms\nside by side. ") is fig
    assert alt_text(fig) == "Two histograms side by side."


def test_described_axes_are_joined_as_sentences_in_axes_order_and_the_figure_s_own_text_wins():
    fig = Figure()
    left, middle, right = fig.subplots(1, 3)
    describe(right, "A third chart")
    describe(left, "A first chart.")
    assert alt_text(fig) == "A first chart. A third chart.", "undescribed axes are left out, each part ends a sentence"
    describe(fig, "Three charts.")
    assert alt_text(fig) == "Three charts."


def test_chinese_parts_are_joined_without_spaces_and_end_with_a_chinese_full_stop(chinese):
    fig = Figure()
    first, second = fig.subplots(1, 2)
    describe(first, "一张折线图")
    describe(second, "一张直方图。")
    assert alt_text(fig) == "一张折线图。一张直方图。"
    assert sentences("甲", "", "乙！") == "甲。乙！"


def test_descriptions_are_held_weakly_and_go_with_their_figure():
    fig = Figure()
    describe(fig, "a figure")
    ax = describe(fig.add_subplot(), "an axes")
    assert module._descriptions.get(fig) == "a figure" and module._descriptions.get(ax) == "an axes"
    figure_alive, axes_alive = weakref.ref(fig), weakref.ref(ax)
    del fig, ax
    gc.collect()  # a figure and its axes refer to each other: only the cycle collector frees them
    assert figure_alive() is None and axes_alive() is None, "describe keeps no figure alive"


@pytest.mark.parametrize(("target", "text", "error", "match"), [
    (None, "a plot", TypeError, "describe expects target as a matplotlib Figure or Axes, got NoneType"),
    ("fig", "a plot", TypeError, "got str"),
    ("figure", "", ValueError, "describe expects text as a non-empty str saying what the figure shows, got ''"),
    ("figure", "   ", ValueError, "got '   '"),
    ("figure", None, ValueError, "got NoneType"),
    ("figure", 3, ValueError, "got int"),
])
def test_bad_input_gets_a_clear_error(target, text, error, match):
    target = Figure() if target == "figure" else target
    with pytest.raises(error, match=match):
        describe(target, text)


def test_alt_text_wants_a_figure():
    with pytest.raises(TypeError, match="alt_text expects a matplotlib Figure, got Axes"):
        alt_text(Figure().add_subplot())


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (2.3026, "2.3"), (0.41234, "0.412"), (12345, "12,300"), (999.7, "1,000"), (0.000123456, "0.000123"),
    (1e-7, "1e-07"), (-0.5, "-0.5"), (3.0, "3"), (float("inf"), "inf"), (float("nan"), "nan"),
])
def test_numbers_have_three_significant_digits_for_people(value, text):
    assert number(value) == text


def test_long_lists_are_cut_and_say_how_many_are_left(chinese):
    assert listing(["1", "2", "3"]) == "1、2、3"
    assert listing([str(i) for i in range(100)], limit=10) == "0、1、2、3、4，另外还有 95 个"
    helpers.set_language("en")
    assert listing([str(i) for i in range(100)], limit=10) == "0, 1, 2, 3 and 96 more"
    assert listing(["a long item", "b"], limit=3) == "a long item and 1 more", "at least one item is shown"


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """A real IPython shell in this process, with the inline backend's PNG formatter for figures; removed after."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    added = [name for name in ("display", "__IPYTHON__") if name not in builtins.__dict__]
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    select_figure_formats(shell, {"png"})
    try:
        yield shell
    finally:
        InteractiveShell.clear_instance()
        for name in added:
            builtins.__dict__.pop(name, None)


def _small_figure() -> Figure:
    fig = Figure(figsize=(1, 1), dpi=20)
    fig.add_subplot().plot([0, 1])
    return fig


def test_in_ipython_a_described_figure_is_formatted_with_its_alt_text_and_others_as_before(shell):
    described, plain = _small_figure(), _small_figure()
    formatter = shell.display_formatter.formatters["image/png"]
    original = formatter.lookup_by_type(Figure)
    describe(described.axes[0], "A line")
    data, metadata = shell.display_formatter.format(described)
    assert "image/png" in data and metadata == {"image/png": {"alt": "A line."}}
    data, metadata = shell.display_formatter.format(plain)
    assert "image/png" in data and metadata == {}, "an undescribed figure gets no metadata"
    wrapper = formatter.lookup_by_type(Figure)
    assert getattr(wrapper, module._WRAPPED) is original
    describe(plain, "another figure")
    assert formatter.lookup_by_type(Figure) is wrapper, "wrapped once, never twice"


def test_a_replaced_formatter_is_wrapped_again_and_its_own_metadata_is_kept(shell):
    from IPython.core.pylabtools import select_figure_formats

    fig = _small_figure()
    describe(fig, "A figure.")
    select_figure_formats(shell, {"retina"})  # what %matplotlib inline or a changed figure_format does
    describe(fig, "A sharp figure.")
    _, metadata = shell.display_formatter.format(fig)
    assert metadata["image/png"]["alt"] == "A sharp figure."
    assert {"width", "height"} <= set(metadata["image/png"]), "retina PNGs keep their size"
    printer = shell.display_formatter.formatters["image/png"].lookup_by_type(Figure)
    assert not hasattr(getattr(printer, module._WRAPPED), module._WRAPPED), "the wrapper wraps the real printer"


def test_outside_ipython_describe_touches_no_formatter():
    from IPython import get_ipython

    assert get_ipython() is None
    describe(_small_figure(), "A figure.")  # nothing to wrap, no error
