"""Markdown renders as written: no emphasis left unclosed on GitHub (CommonMark) in the documents or the notebooks.

CommonMark closes ``**`` only where it is "right-flanking": a closing ``**`` right after punctuation must be followed by
a space or punctuation. Chinese prose runs on without spaces, so ``**给老师：**课程`` shows its asterisks on GitHub
and in JupyterLab; ``**给老师**：课程`` is bold. Checking the source by eye misses this: this test renders every
Markdown document and Markdown cell with mistune (a CommonMark renderer that nbconvert uses) and fails on any ``**``
or ``__`` left in the rendered text outside code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import mistune
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(p for p in [*ROOT.glob("*.md"), *ROOT.glob("notebooks/**/*.md"), *ROOT.glob("benchmarks/*.md")])
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
CODE = re.compile(r"<code>.*?</code>|<pre>.*?</pre>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
render = mistune.create_markdown(plugins=["table", "strikethrough"])


def stray_markers(markdown: str) -> list[str]:
    """Lines of the rendered text that still show ``**`` or ``__`` (emphasis that did not open or close)."""
    text = html.unescape(TAG.sub("", CODE.sub("", render(markdown))))
    return [line.strip() for line in text.splitlines() if "**" in line or "__" in line]


@pytest.mark.parametrize("markdown, stray", [
    ("**给老师：**课程", True), ("**给老师**：课程", False), ("这是**粗体**字", False), ("（**粗体**）", False),
    ("**Note:** text", False), ("`a**b`", False), ("**不闭合", True),
])
def test_the_check_sees_what_github_shows(markdown, stray):
    assert bool(stray_markers(markdown)) is stray


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documents_render_their_emphasis(document):
    assert not stray_markers(document.read_text(encoding="utf-8"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_markdown_renders_its_emphasis(notebook):
    found = [f"cell {i}: {line}" for i, cell in enumerate(nbformat.read(notebook, as_version=4).cells)
             if cell.cell_type == "markdown" for line in stray_markers(cell.source)]
    assert not found, "\n".join(found)
