"""helpers.widgets.vjp: the vector-Jacobian product numbers and text, called directly, and bad inputs."""

from __future__ import annotations

import pytest
import torch

from helpers.widgets.vjp import draw_vjp, f, vjp_explorer, vjp_numbers, vjp_report

J_AT_DEFAULT = torch.tensor([[2.0, 1.0, 0.0], [0.0, 1.0, 6.0]], dtype=torch.double)


def test_f_values_and_jacobian_by_hand():
    x = torch.tensor([1.0, 2.0, 3.0])
    assert torch.equal(f(x), torch.tensor([2.0, 11.0]))
    assert torch.equal(torch.autograd.functional.jacobian(f, x.double()), J_AT_DEFAULT)


@pytest.mark.parametrize("v", [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.5, -2.0), (-3, 3)])
def test_backward_with_v_equals_v_times_jacobian(v):
    n = vjp_numbers(v)
    assert torch.equal(n["J"], J_AT_DEFAULT)
    assert torch.allclose(n["grad"], n["vJ"])
    assert torch.allclose(n["vJ"], torch.tensor(v, dtype=torch.double) @ J_AT_DEFAULT)
    # and it is the gradient of the scalar v·y
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.double, requires_grad=True)
    (torch.tensor(v, dtype=torch.double) * f(x)).sum().backward()
    assert torch.allclose(n["grad"], x.grad)


def test_numbers_at_another_point_and_from_tensors():
    n = vjp_numbers(torch.tensor([1.0, 1.0]), x=torch.tensor([0.0, -1.0, 2.0]))
    assert torch.equal(n["J"], torch.tensor([[-1.0, 0.0, 0.0], [0.0, 1.0, 4.0]], dtype=torch.double))
    assert torch.equal(n["grad"], torch.tensor([-1.0, 1.0, 4.0], dtype=torch.double))


def test_report_text():
    text = vjp_report([0.5, -2.0])
    assert "y.backward(gradient=v)  →  x.grad = [  1.00  -1.50 -12.00 ]" in text
    assert "v @ J                   →           [  1.00  -1.50 -12.00 ]" in text
    assert "same numbers ✓" in text
    assert "v·y = 0.50·y0 - 2.00·y1" in text
    assert "[  2.00   1.00   0.00 ]" in text and "[  0.00   1.00   6.00 ]" in text


def test_report_has_no_negative_zero():
    assert "-0.00" not in vjp_report([-1.0, 0.0]) and "-0.00" not in vjp_report([0.0, -1.0])


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0), "12", 1.0, None, (float("nan"), 1.0), (True, 1.0),
                                 torch.ones(2, 1)])
def test_bad_v_is_rejected(bad):
    with pytest.raises(ValueError, match="expects v as 2 finite numbers"):
        vjp_report(bad)
    with pytest.raises(ValueError, match="vjp_numbers expects v as 2 finite numbers"):
        vjp_numbers(bad)


@pytest.mark.parametrize("bad", [(1.0, 2.0), [1, 2, "3"], (1.0, 2.0, float("inf"))])
def test_bad_x_is_rejected(bad):
    with pytest.raises(ValueError, match="expects x as 3 finite numbers"):
        vjp_numbers((1.0, 0.0), x=bad)


@pytest.mark.parametrize("bad", [torch.ones(2), torch.ones(3, 1), [1.0, 2.0, 3.0]])
def test_f_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="f expects x as a tensor of shape \\(3,\\), got"):
        f(bad)


def test_widget_shows_the_starting_v_and_follows_the_sliders():
    box = vjp_explorer()
    (s0, s1), out = box.children[0].children, box.children[1]
    assert out.outputs[0]["text"] == vjp_report([1.0, 0.0]) + "\n"
    s1.value = 1.0
    assert out.outputs[0]["text"] == vjp_report([1.0, 1.0]) + "\n"
    s0.value = -2.5
    assert out.outputs[0]["text"] == vjp_report([-2.5, 1.0]) + "\n"
    assert len(out.outputs) == 2


def test_widget_rejects_bad_start():
    with pytest.raises(ValueError, match="vjp_explorer expects v as 2 finite numbers"):
        vjp_explorer((1.0,))
    with pytest.raises(ValueError, match=r"in \[-3, 3\]"):
        vjp_explorer((5.0, 0.0))


def test_draw_vjp_shows_v_the_jacobian_and_the_product():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = draw_vjp([0.5, -1.0], fig=Figure())
    numbers = sorted(t.get_text() for ax in fig.axes[:3] for t in ax.texts)
    expected = ["0.50", "-1.00", "2.00", "1.00", "0.00", "0.00", "1.00", "6.00", "1.00", "-0.50", "-6.00"]
    assert numbers == sorted(expected)
    assert len(fig.axes) == 4


def test_draw_vjp_rejects_bad_input():
    with pytest.raises(ValueError, match="expects v as 2 finite numbers"):
        draw_vjp([1.0])
    with pytest.raises(TypeError, match="draw_vjp expects fig as a matplotlib Figure or None, got str"):
        draw_vjp([1.0, 0.0], fig="figure")


def test_widget_shows_the_picture_too():
    out = vjp_explorer().children[1]
    assert [o["output_type"] for o in out.outputs] == ["stream", "display_data"]
    assert out.outputs[1]["data"]["image/png"]


def test_every_text_of_the_picture_is_readable_at_its_displayed_size():
    """At least ~11 px on screen: the notebook stores the figure at 100 dpi and the widget draws it at DPI, both
    shown unscaled since the figure is narrower than helpers.plot.MAX_WIDTH."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from helpers.plot import MAX_WIDTH
    from helpers.widgets.vjp import DPI, FIGSIZE

    fig = draw_vjp([0.5, -1.0], fig=Figure(figsize=FIGSIZE))
    assert FIGSIZE[0] <= MAX_WIDTH
    texts = [t for ax in fig.axes for t in [*ax.texts, ax.title] if t.get_text()]
    assert len(texts) == 11 + 3 + 1  # the numbers, the three titles and the note
    for dpi in (100, DPI):
        smallest = min(t.get_fontsize() for t in texts) * dpi / 72
        assert smallest >= 11, f"text of {smallest:.1f} px at {dpi} dpi"


def test_draw_vjp_and_the_widget_describe_v_the_jacobian_and_the_product():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import helpers
    from helpers.alt_text import alt_text

    assert alt_text(draw_vjp([0.5, -1.0], fig=Figure())) == (
        "Three coloured grids with their numbers: v = [0.5, -1]; the 2×3 Jacobian J = [[2, 1, 0], [0, 1, 6]], whose "
        "row i is the gradient of y_i; and v @ J = x.grad = [1, -0.5, -6], which adds v[0] times row 0 and v[1] times "
        "row 1.")
    helpers.set_language("zh")
    try:
        out = vjp_explorer().children[1]
        assert out.outputs[1]["metadata"]["image/png"]["alt"].startswith("三个标着数字的彩色网格：v = [1, 0]；")
    finally:
        helpers.set_language("en")
