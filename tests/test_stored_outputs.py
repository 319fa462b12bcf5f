"""What a reader sees in a notebook before running it: no machine paths, no broken widgets, no stuck bars."""

from __future__ import annotations

import base64
import io
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
IMAGE_KINDS = ("image/png", "image/jpeg", "image/svg+xml")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


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


def image_problems(nb: dict, chinese: bool) -> list[str]:
    """What a reader misses in a notebook's stored images: alt text (in the notebook's language), an opaque PNG.

    Every image output needs ``metadata[kind]["alt"]`` (helpers/alt_text.py puts it there), written with Chinese
    characters in the Chinese edition and without them in the English one. A PNG with see-through pixels shows its
    black text on the page's background, which a dark theme makes unreadable.
    """
    from PIL import Image

    found = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code):
        for output in cell.get("outputs", []):
            for kind in IMAGE_KINDS:
                data = output.get("data", {}).get(kind)
                if data is None:
                    continue
                about = output.get("metadata", {}).get(kind)
                alt = about.get("alt") if isinstance(about, dict) else None
                if not isinstance(alt, str) or not alt.strip():
                    found.append(f"code cell {i}: an {kind} output without alt text")
                elif bool(CJK.search(alt)) != chinese:
                    found.append(f"code cell {i}: alt text not in {'Chinese' if chinese else 'English'}: {alt[:60]!r}")
                if kind == "image/png":
                    png = base64.b64decode("".join(data) if isinstance(data, list) else data)
                    lowest, _ = Image.open(io.BytesIO(png)).convert("RGBA").getchannel("A").getextrema()
                    if lowest < 255:
                        found.append(f"code cell {i}: a PNG with see-through pixels (alpha down to {lowest})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_stored_image_has_alt_text_in_the_notebook_s_language_and_is_opaque(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = image_problems(nb, chinese="zh" in path.relative_to(ROOT / "notebooks").parts)
    assert not found, f"{path.relative_to(ROOT)} (re-store it with tools/run_notebooks.py):\n" + "\n".join(found)


def _png(alpha: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (2, 2), (255, 255, 255, alpha)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _notebook(data: dict, metadata: dict) -> dict:
    output = {"output_type": "display_data", "data": {"text/plain": "<Figure>", **data}, "metadata": metadata}
    return {"cells": [{"cell_type": "markdown", "source": "# t"}, {"cell_type": "code", "outputs": [output]}]}


def test_the_image_check_can_fail():
    alt = {"image/png": {"alt": "A line chart."}}
    assert image_problems(_notebook({"image/png": _png(255)}, alt), chinese=False) == []
    assert image_problems(_notebook({"image/png": _png(255)}, {}), chinese=False) == [
        "code cell 0: an image/png output without alt text"]
    assert image_problems(_notebook({"image/png": _png(255)}, {"image/png": {"alt": " "}}), chinese=False)
    assert image_problems(_notebook({"image/png": _png(255)}, alt), chinese=True) == [
        "code cell 0: alt text not in Chinese: 'A line chart.'"]
    assert image_problems(_notebook({"image/png": _png(255)}, {"image/png": {"alt": "折线图。"}}), chinese=True) == []
    assert image_problems(_notebook({"image/png": _png(0)}, alt), chinese=False) == [
        "code cell 0: a PNG with see-through pixels (alpha down to 0)"]
    assert image_problems(_notebook({"image/svg+xml": "<svg/>"}, alt), chinese=False) == [
        "code cell 0: an image/svg+xml output without alt text"], "the alt text goes with its own kind of image"
