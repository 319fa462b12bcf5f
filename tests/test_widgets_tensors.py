"""helpers.widgets.tensor_explorer: the text the explorer shows, called directly, and bad inputs."""

from __future__ import annotations

import pytest
import torch

from helpers.widgets.tensor_explorer import OPERATIONS, SHAPES, _start_tensor, explore, tensor_explorer


def test_view_on_a_non_contiguous_tensor_explains_the_error():
    text = explore((3, 4), "x.view(-1)", transposed=True)
    assert "NOT contiguous" in text
    assert "RuntimeError: view size is not compatible" in text
    assert "reshape" in text and "contiguous().view" in text


def test_reshape_copies_a_non_contiguous_tensor_in_reading_order():
    text = explore((3, 4), "x.reshape(-1)", transposed=True)
    assert "a new copy (does not share memory with x)" in text
    assert str(torch.arange(12).reshape(3, 4).t().reshape(-1)) in text


def test_view_on_a_contiguous_tensor_shares_memory():
    text = explore((3, 4), "x.view(-1)")
    assert "result: shape (12,), stride (1,), contiguous" in text
    assert "shares memory with x (a view, no copy)" in text
    assert "RuntimeError" not in text


def test_permute_shows_the_concrete_call_and_strides():
    text = explore((2, 3, 4), "x.permute(<all dims reversed>)")
    assert ">>> x.permute(2, 1, 0)" in text
    assert "result: shape (4, 3, 2), stride (1, 4, 12), NOT contiguous" in text


def test_slicing_and_transpose():
    assert "result: shape (4,), stride (1,), contiguous" in explore((3, 4), "x[0]")
    assert "result: shape (3, 2), stride (4, 2), NOT contiguous" in explore((3, 4), "x[..., ::2]")
    assert "result: shape (4, 3), stride (1, 4)" in explore((3, 4), "x.transpose(0, -1)")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("transposed", [False, True])
def test_every_choice_of_the_widget_gives_text(shape, operation, transposed):
    text = explore(shape, operation, transposed)
    assert text.startswith("x = torch.arange(")
    assert ("result: shape" in text) != ("RuntimeError" in text)
    if "RuntimeError" in text:
        assert "view" in operation and transposed


def test_start_tensor():
    assert torch.equal(_start_tensor((2, 3)), torch.arange(6).reshape(2, 3))
    assert torch.equal(_start_tensor([2, 3], transposed=True), torch.arange(6).reshape(2, 3).t())
    with pytest.raises(TypeError, match="transposed must be True or False, got 'yes'"):
        _start_tensor((2, 3), transposed="yes")


@pytest.mark.parametrize("bad", [(0, 3), (), (1, 2, 3, 4, 5), (2.0, 3), "3x4", 12, (True, 2), None, (-1, 4)])
def test_bad_shapes_are_rejected(bad):
    with pytest.raises(ValueError, match=r"explore expects shape as a tuple of 1 to 4 positive ints, got"):
        explore(bad, "x.view(-1)")


def test_the_message_of_the_brief():
    with pytest.raises(ValueError) as info:
        explore((0, 3), "x.view(-1)")
    assert str(info.value) == "explore expects shape as a tuple of 1 to 4 positive ints, got (0, 3)"


def test_too_many_elements_is_rejected():
    with pytest.raises(ValueError, match=r"at most 120 elements.*got \(11, 11\) with 121"):
        explore((11, 11), "x.view(-1)")


def test_unknown_operation_is_rejected():
    with pytest.raises(ValueError, match=r"explore expects operation as one of \['x.view\(-1\)'.*got 'x.flatten\(\)'"):
        explore((3, 4), "x.flatten()")


def test_widget_shows_the_starting_choice_and_follows_the_controls():
    box = tensor_explorer()
    (shape_box, op_box), flip_box, out = box.children[0].children, box.children[1], box.children[2]
    assert out.outputs[0]["text"] == explore((3, 4), "x.view(-1)", True) + "\n"
    op_box.value = "x.reshape(-1)"
    assert out.outputs[0]["text"] == explore((3, 4), "x.reshape(-1)", True) + "\n"
    flip_box.value = False
    shape_box.value = (2, 3, 4)
    assert out.outputs[0]["text"] == explore((2, 3, 4), "x.reshape(-1)", False) + "\n"
    assert len(out.outputs) == 1


def test_widget_accepts_a_shape_outside_the_presets_and_rejects_bad_arguments():
    box = tensor_explorer(shape=(5,), operation="x[0]", transposed=False)
    assert box.children[2].outputs[0]["text"] == explore((5,), "x[0]") + "\n"
    with pytest.raises(ValueError, match="explore expects shape"):
        tensor_explorer(shape=(0,))
    with pytest.raises(ValueError, match="tensor_explorer expects operation as one of"):
        tensor_explorer(operation="x.squash()")
    with pytest.raises(TypeError, match="tensor_explorer expects transposed as True or False, got 1"):
        tensor_explorer(transposed=1)
