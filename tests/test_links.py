"""Every relative link in every notebook (both editions) and every Markdown file of the course leads somewhere.

A link is `[text](target)` in Markdown (notebook Markdown cells, README.md, ...). Web links (http, https, mailto) are
not followed: the tests run without network. A relative target must be an existing file or folder; a `#anchor` on a
notebook must name one of its headings, as JupyterLab builds anchors (the heading's text, spaces turned into `-`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"```.*?```", re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def _markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                           for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def _documents() -> list[Path]:
    notebooks = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    markdown = sorted(p for p in ROOT.rglob("*.md") if not any(part.startswith(".") or part in {"data", "build"}
                                                               for part in p.relative_to(ROOT).parts))
    return [p for p in notebooks + markdown if ".ipynb_checkpoints" not in p.parts]


def _anchors(notebook: Path) -> set[str]:
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", _markdown_of(notebook), re.MULTILINE)
    return {heading.replace(" ", "-") for heading in headings}


def links(text: str) -> list[str]:
    """The link targets in Markdown text, outside code blocks and code spans."""
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return [m.group("target") for m in LINK.finditer(text)]


def broken_links(document: Path) -> list[str]:
    found = []
    for target in links(_markdown_of(document)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # web links are not followed; same-page anchors are checked by JupyterLab itself
        path_part, _, anchor = target.partition("#")
        resolved = (document.parent / unquote(path_part)).resolve()
        if not resolved.exists():
            found.append(f"{target}: no such file ({resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved})")
        elif anchor and resolved.suffix == ".ipynb" and unquote(anchor) not in _anchors(resolved):
            found.append(f"{target}: {resolved.name} has no heading '{unquote(anchor).replace('-', ' ')}'")
    return found


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(document):
    broken = broken_links(document)
    assert not broken, f"{document.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)


def test_the_link_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "real.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "## Real heading"}]}))
    page.write_text("[ok](real.ipynb#Real-heading) [gone](missing.ipynb) [bad anchor](real.ipynb#Nope) "
                    "[web](https://example.org) `[code](not-a-link.md)`\n```\n[fenced](nope.md)\n```\n")
    broken = broken_links(page)
    assert len(broken) == 2 and "missing.ipynb" in broken[0] and "no heading 'Nope'" in broken[1]
