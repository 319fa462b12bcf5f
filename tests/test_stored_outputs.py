"""What a reader sees in a notebook before running it: no machine paths, no broken widgets, no stuck bars."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
# An absolute path of the machine the notebook ran on: /home/ada/..., /tmp/..., C:\Users\...
MACHINE_PATH = re.compile(r"(?<![\w.~])(?:/(?:home|root|tmp|work|Users|private|var/folders|mnt)/|[A-Za-z]:\\\\?Users\\)")
WIDGET_TEXT_FORM = re.compile(r"\b[A-Z]\w*(?:Box|Slider|Dropdown|Checkbox|Button|Output|Label|Progress)\(\w+=")
UNFINISHED_BAR = re.compile(r"(\d+)/(\d+) \[|\b(\d+)%\|")


def stored_outputs(path: Path) -> list[tuple[int, str]]:
    """Return (code cell number, output as JSON text) for every stored output of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    return [(i, json.dumps(o, ensure_ascii=False)) for i, c in enumerate(code) for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_stored_output_shows_a_path_of_the_machine_it_ran_on(path):
    found = [(i, m.group(0)) for i, text in stored_outputs(path) for m in MACHINE_PATH.finditer(text)]
    assert not found, f"{path.name}: code cells with a machine path in their stored output: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_stored_widgets_are_friendly_text_and_bars_are_finished(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"], f"{path.name} stores widget state: re-store it with make outputs"
    for i, text in stored_outputs(path):
        output = json.loads(text)
        data = output.get("data", {})
        assert "application/vnd.jupyter.widget-view+json" not in data, (
            f"{path.name}: code cell {i} stores a widget view, which shows as an error or as text until it runs")
        shown = "".join(data.get("text/plain", "")) + "".join(output.get("text", ""))
        assert not WIDGET_TEXT_FORM.search(shown), f"{path.name}: code cell {i} stores a widget's raw text form"
        for done, total, percent in UNFINISHED_BAR.findall(shown.replace("\u2007", " ")):
            assert (done == total) if total else percent == "100", (
                f"{path.name}: code cell {i} stores an unfinished progress bar: {shown[:80]!r}")


@pytest.mark.parametrize("text", [
    "/home/ada/course/data", "/root/pytorch-course/data", "/tmp/pytest-3/data", "/work/main/data",
    "/Users/ada/data", "C:\\Users\\ada\\data",
])
def test_the_path_check_recognises_machine_paths(text):
    assert MACHINE_PATH.search(json.dumps(text))


@pytest.mark.parametrize("text", ["data", "data/smoke-run", "~/data", "https://www.cs.toronto.edu/~kriz/", "a/tmp/b"])
def test_the_path_check_leaves_relative_paths_and_urls_alone(text):
    assert not MACHINE_PATH.search(json.dumps(text))
