import sys

import pytest
import torch

from helpers.config import display_path
from helpers.environment import environment_report, format_report
from helpers.widgets.selfcheck import describe_square, square_slider


@pytest.mark.pinned  # the report says "ok" for the pinned versions only: make canary runs newer ones
def test_report_lists_versions_and_device():
    rows = environment_report(torch.device("cpu"))
    items = [r[0] for r in rows]
    assert items == ["Python", "torch", "torchvision", "kernel", "device"]
    assert rows[1][1] == torch.__version__
    assert rows[3][1] == display_path(sys.executable)
    assert all(verdict.startswith("ok") for _, _, verdict in rows), rows


def test_report_on_an_absent_gpu_says_so(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda check_available=False: None)
    with pytest.raises(RuntimeError, match="device asks for 'cuda', but this machine has no usable CUDA device"):
        environment_report(torch.device("cuda"))


def test_format_report_aligns_columns():
    text = format_report([("a", "1", "ok"), ("long", "22", "fine")])
    assert text.splitlines() == ["a     1   ok", "long  22  fine"]


@pytest.mark.parametrize("bad", [[], [("a", "b")], "abc"])
def test_format_report_bad_rows(bad):
    with pytest.raises(ValueError, match=r"rows must be a non-empty list of \(item, value, verdict\) tuples"):
        format_report(bad)


def test_report_bad_device():
    with pytest.raises(TypeError, match="device must be a torch.device or None, got str"):
        environment_report("cpu")


def test_slider_moves_change_the_printed_value():
    box = square_slider(start=3)
    slider, label = box.children
    assert label.value == "3 squared is 9"
    slider.value = 7
    assert label.value == "7 squared is 49"


def test_describe_square():
    assert describe_square(-4) == "-4 squared is 16"
    with pytest.raises(TypeError, match="n must be an int, got float 2.0"):
        describe_square(2.0)


@pytest.mark.parametrize("kwargs", [dict(start=11), dict(low=5, high=5, start=5), dict(low=3, start=1)])
def test_slider_bad_range(kwargs):
    with pytest.raises(ValueError, match="square_slider needs low <= start <= high"):
        square_slider(**kwargs)


def test_slider_bad_type():
    with pytest.raises(TypeError, match="start must be an int, got str"):
        square_slider(start="3")
