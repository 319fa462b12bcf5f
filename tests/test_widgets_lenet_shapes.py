"""helpers.widgets.lenet_shapes: LeNet's shapes for other kernels, paddings, strides and input sizes, and the widget."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.models import LeNet
from helpers.widgets.lenet_shapes import (
    build_lenet,
    fitting_input_sizes,
    lenet_shape_explorer,
    lenet_shape_rows,
    lenet_shape_trace,
    size_rule,
)
from helpers.widgets.live import LiveBox


def _shapes(**settings) -> dict[str, tuple[int, ...] | None]:
    return {row.name: row.shape for row in lenet_shape_rows(**settings)}


def test_the_seeds_settings_give_the_seeds_shapes():
    assert [(r.name, r.shape) for r in lenet_shape_rows()] == [
        ("input", (1, 1, 32, 32)),
        ("conv1", (1, 6, 28, 28)), ("relu1", (1, 6, 28, 28)), ("pool1", (1, 6, 14, 14)),
        ("conv2", (1, 16, 10, 10)), ("relu2", (1, 16, 10, 10)), ("pool2", (1, 16, 5, 5)),
        ("flatten", (1, 400)),
        ("fc1", (1, 120)), ("relu3", (1, 120)), ("fc2", (1, 84)), ("relu4", (1, 84)), ("fc3", (1, 10)),
    ]


def test_the_rebuilt_network_is_the_seeds_lenet_at_the_seeds_settings():
    net = build_lenet()
    seeds = LeNet()
    assert sum(p.numel() for p in net.parameters()) == sum(p.numel() for p in seeds.parameters()) == 61_706
    assert str(net.conv1) == str(seeds.conv1) and str(net.conv2) == str(seeds.conv2) and str(net.fc1) == str(seeds.fc1)
    assert all(p.device.type == "cpu" and not p.any() for p in net.parameters())


def test_building_draws_no_random_numbers():
    state = torch.random.get_rng_state()
    build_lenet(3, 1, 2)
    lenet_shape_trace(5, 0, 1, 28)
    assert torch.equal(state, torch.random.get_rng_state())


def test_28_by_28_ends_as_256_numbers_and_fc1_refuses_them():
    shapes = _shapes(input_size=28)
    assert shapes["pool2"] == (1, 16, 4, 4) and shapes["flatten"] == (1, 256)
    assert shapes["fc1"] is None and "fc2" not in shapes
    error = lenet_shape_rows(input_size=28)[-1].note
    assert error == "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x256 and 400x120)"
    text = lenet_shape_trace(input_size=28)
    assert error in text
    assert "✗ flatten gives 256 numbers, but fc1 was built for 16·5·5 = 400." in text
    assert "Build fc1 as nn.Linear(256, 120) for these settings, or keep fc1 and use an input of 32 to 35 pixels." in text


def test_3x3_kernels_give_576_the_seed_004_variant():
    shapes = _shapes(kernel_size=3)
    assert shapes["conv1"] == (1, 6, 30, 30) and shapes["pool1"] == (1, 6, 15, 15)
    assert shapes["conv2"] == (1, 16, 13, 13) and shapes["pool2"] == (1, 16, 6, 6)
    assert shapes["flatten"] == (1, 576)
    assert "nn.Linear(576, 120)" in lenet_shape_trace(kernel_size=3)


def test_padding_2_makes_28_by_28_work_like_32_by_32():
    shapes = _shapes(padding=2, input_size=28)
    assert shapes["conv1"] == (1, 6, 28, 28) and shapes["flatten"] == (1, 400) and shapes["fc3"] == (1, 10)
    text = lenet_shape_trace(padding=2, input_size=28)
    assert "padding=(2, 2)" in text.splitlines()[0] and "padding" not in text.splitlines()[1]
    assert "floor((28 + 2·2 − 5) / 1) + 1 = 28" in text
    assert "✓ flatten gives 400 numbers and fc1 takes 400: the network runs." in text


def test_stride_2_shrinks_fast():
    shapes = _shapes(stride=2)
    assert shapes["conv1"] == (1, 6, 14, 14) and shapes["conv2"] == (1, 16, 2, 2) and shapes["flatten"] == (1, 16)


def test_a_too_small_image_stops_at_the_layer_that_raises():
    rows = lenet_shape_rows(input_size=12)
    assert [r.name for r in rows] == ["input", "conv1", "relu1", "pool1", "conv2"]
    assert rows[-1].shape is None and "Kernel size can't be greater than actual input size" in rows[-1].note
    assert "✗ the image became too small for conv2 before it reached fc1." in lenet_shape_trace(input_size=12)
    pooled_away = lenet_shape_rows(kernel_size=1, stride=3, input_size=8)
    assert pooled_away[-1].name == "pool2" and "Output size is too small" in pooled_away[-1].note


def test_the_rule_is_shown_with_its_numbers():
    text = lenet_shape_trace()
    assert "out = floor((in + 2·padding − kernel) / stride) + 1" in text
    assert "floor((32 + 2·0 − 5) / 1) + 1 = 28" in text
    assert "floor((28 + 2·0 − 2) / 2) + 1 = 14" in text
    assert "16·5·5 = 400" in text


def test_pooling_rounds_down_so_several_sizes_fit():
    assert fitting_input_sizes() == [32, 33, 34, 35]
    assert fitting_input_sizes(3) == [26, 27, 28, 29]
    assert fitting_input_sizes(padding=2) == [28, 29, 30, 31]
    assert fitting_input_sizes(9, 0, 3) == []
    assert "no input size up to 128 fits fc1" in lenet_shape_trace(9, 0, 3, 32)
    assert "or change the settings: no input size up to 128 fits fc1." in lenet_shape_trace(1, 0, 3, 64)


def test_a_single_fitting_size_is_not_called_several():
    assert fitting_input_sizes(12, 1, 2) == [128]
    text = lenet_shape_trace(12, 1, 2, 128)
    assert "only an input of 128 pixels gives 400." in text and "several sizes" not in text


def test_lists_of_sizes_are_joined_the_way_each_language_writes_them():
    from helpers.i18n import set_language
    from helpers.widgets.lenet_shapes import _sizes_text

    try:
        assert _sizes_text([30, 31, 33]) == "30, 31 or 33 pixels"
        set_language("zh")
        assert _sizes_text([30, 31, 33]) == "30、31 或 33 像素"
        text = lenet_shape_trace(12, 1, 2, 128)
        assert "128 像素" in text and "都" not in text.splitlines()[-1]
        assert "都" in lenet_shape_trace().splitlines()[-1]  # 32 to 35: several sizes
    finally:
        set_language("en")


@pytest.mark.parametrize("kernel_size", [1, 3, 5, 9])
@pytest.mark.parametrize("padding", [0, 2, 4])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("input_size", [8, 28, 32, 33, 64])
def test_the_size_rule_agrees_with_pytorch(kernel_size, padding, stride, input_size):
    rows = lenet_shape_rows(kernel_size, padding, stride, input_size)
    settings = {"conv1": (kernel_size, padding, stride), "pool1": (2, 0, 2), "conv2": (kernel_size, 0, stride),
                "pool2": (2, 0, 2)}
    for before, row in zip(rows, rows[1:]):
        if row.name in settings and row.shape is not None:
            k, p, s = settings[row.name]
            assert row.shape[-1] == row.shape[-2] == size_rule(before.shape[-1], k, p, s)
            assert row.note.endswith(f"= {row.shape[-1]}")
    runs = rows[-1].name == "fc3"
    assert runs == (input_size in fitting_input_sizes(kernel_size, padding, stride))


def test_numpy_integers_are_accepted():
    assert lenet_shape_trace(np.int64(5), np.int64(0), np.int64(1), np.int64(32)) == lenet_shape_trace()


@pytest.mark.parametrize("name, bad, error", [
    ("kernel_size", 0, ValueError), ("kernel_size", 17, ValueError), ("kernel_size", 5.0, TypeError),
    ("padding", -1, ValueError), ("padding", "2", TypeError), ("stride", 0, ValueError),
    ("stride", True, TypeError), ("input_size", 0, ValueError), ("input_size", 129, ValueError),
    ("input_size", None, TypeError),
])
def test_bad_settings_are_explained(name, bad, error):
    with pytest.raises(error, match=rf"{name} must be an int from \d+ to \d+, got .*{bad!r}"):
        lenet_shape_trace(**{name: bad})
    with pytest.raises(error, match=rf"{name} must be an int"):
        lenet_shape_explorer(**{name: bad})


def test_the_message_names_argument_expectation_and_value():
    with pytest.raises(TypeError) as info:
        lenet_shape_rows(kernel_size=2.5)
    assert str(info.value) == "kernel_size must be an int from 1 to 16, got float 2.5"


def test_widget_rejects_a_start_outside_its_sliders():
    with pytest.raises(ValueError, match="lenet_shape_explorer expects input_size from 8 to 64 .*got 100"):
        lenet_shape_explorer(input_size=100)


def _text(box: LiveBox) -> str:
    out = box.children[-1]
    assert len(out.outputs) == 1
    return out.outputs[0]["text"]


def test_widget_starts_at_the_seeds_settings_and_every_slider_moves_the_table():
    box = lenet_shape_explorer()
    assert isinstance(box, LiveBox) and repr(box).startswith("[Interactive: sliders for LeNet's kernel")
    sliders = dict(zip(("kernel_size", "padding", "stride", "input_size"), box.children[:4]))
    assert _text(box) == lenet_shape_trace() + "\n"
    start = {name: slider.value for name, slider in sliders.items()}
    assert start == dict(kernel_size=5, padding=0, stride=1, input_size=32)
    for name, slider in sliders.items():  # one step right from each start value changes the text below
        slider.value = start[name] + slider.step
        assert _text(box) == lenet_shape_trace(**{**start, name: start[name] + 1}) + "\n"
        assert _text(box) != lenet_shape_trace() + "\n"
        slider.value = start[name]
    assert _text(box) == lenet_shape_trace() + "\n"


def test_widget_shows_the_28_by_28_error():
    box = lenet_shape_explorer()
    box.children[3].value = 28
    assert "mat1 and mat2 shapes cannot be multiplied (1x256 and 400x120)" in _text(box)


def test_widget_callback_is_fast():
    import time

    box = lenet_shape_explorer()
    start = time.perf_counter()
    for size in range(20, 30):
        box.children[3].value = size
    assert (time.perf_counter() - start) / 10 < 0.3
