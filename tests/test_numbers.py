"""Numbers in prose: a notebook's claims about results are printed by its cells or name where they come from.

A percentage or a speed-up factor in a Markdown cell ("accuracy fell from 97.2 % to 96.4 %", "4.4× faster") is either
about the notebook's own run, and then one of its stored outputs prints it, or about someone else's, and then the
same cell names its source: a link, ``benchmarks/README.md`` (the course's own measurements, with device and date),
an author and year in parentheses ("Page, 2018"), or the official tutorial. A percentage that restates a setting the
same cell shows in code (80 % and 20 % beside ``label_smoothing=0.2``) is neither, and passes. A number that is neither is a claim a
learner cannot check: the kind of sentence a review found wrong ("both curves fall together" under a plot that
showed otherwise).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
CLAIM = re.compile(r"(?<![\w.\-/#])(\d+(?:\.\d+)?)\s?(?:%|×\s*(?=faster|slower|the|more|less|fewer|as)|倍)")
SOURCE = re.compile(r"\]\(https?://|benchmarks/README|\([^()]*\b(?:19|20)\d\d\b[^()]*\)|（[^（）]*(?:19|20)\d\d[^（）]*）"
                    r"|tutorial|原教程|官方教程")


def stored_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(v for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def prose(markdown: str) -> str:
    """Markdown without code blocks, code spans, formulas and link targets."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`|\$[^$]*\$", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def settings_shown(markdown: str) -> set[str]:
    """The percentages a cell's code spans set as fractions: `label_smoothing=0.2` -> {"20", "80"}."""
    found = set()
    for span in re.findall(r"`([^`]*)`", markdown):
        for number in re.findall(r"(?<![\w.])0\.\d+", span):
            found |= {f"{100 * float(number):g}", f"{100 - 100 * float(number):g}"}
    return found


def unsourced_claims(nb) -> list[str]:
    printed = stored_text(nb)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or SOURCE.search(cell.source):
            continue
        text, settings = prose(cell.source), settings_shown(cell.source)
        for match in CLAIM.finditer(text):
            if match.group(1) not in printed and match.group(1) not in settings:
                found.append(f"cell {index}: …{text[max(match.start() - 60, 0):match.end() + 20]}…".replace("\n", " "))
    return found


def test_the_check_tells_sourced_and_printed_numbers_from_bare_claims():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Accuracy fell from 97.2 % to 96.4 %."),  # printed below: fine
        nbformat.v4.new_code_cell("print(...)", outputs=[nbformat.v4.new_output("stream", text="acc 97.2 then 96.4\n")]),
        nbformat.v4.new_markdown_cell("Page's recipe reaches 94 % (Page, 2018)."),  # sourced
        nbformat.v4.new_markdown_cell("This trains 4.4× faster and reaches 88 %."),  # neither
        nbformat.v4.new_markdown_cell("A 32×32 image; `x = 3 %` is code."),  # shapes and code are not claims
        nbformat.v4.new_markdown_cell("`label_smoothing=0.2` puts 80 % on the true class."),  # a setting, shown
    ])
    found = unsourced_claims(nb)
    assert len(found) == 2 and all(f.startswith("cell 3:") for f in found), found


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_numbers_in_prose_are_printed_or_sourced(notebook):
    found = unsourced_claims(nbformat.read(notebook, as_version=4))
    assert not found, ("print these numbers in a cell, or name their source in the same cell:\n" + "\n".join(found))


SPACE_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])")
UNGROUPED = re.compile(r"(?<![\w.,/#-])\d{5,}(?![\w,])")


def number_format_problems(markdown: str) -> list[str]:
    """Thousands written with a space (62 006) or not grouped at all (50000): the course writes 62,006 and 50,000."""
    text = prose(markdown)
    return [f"…{text[max(m.start() - 30, 0):m.end() + 10]}…".replace("\n", " ")
            for pattern in (SPACE_GROUPED, UNGROUPED) for m in pattern.finditer(text)]


@pytest.mark.parametrize("markdown, problems", [
    ("60 000 photos", 1), ("60,000 photos", 0), ("50000 images", 1), ("in 2018, 1,797 digits", 0),
    ("`50000` in code", 0), ("a 32×32 image, 10 epochs", 0),
])
def test_the_number_format_check(markdown, problems):
    assert len(number_format_problems(markdown)) == problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_numbers_in_prose_use_one_format(notebook):
    found = [f"cell {i}: {problem}" for i, cell in enumerate(nbformat.read(notebook, as_version=4).cells)
             if cell.cell_type == "markdown" for problem in number_format_problems(cell.source)]
    assert not found, "write thousands with a comma (61,706), in both editions:\n" + "\n".join(found)
