"""What the classroom kit reads in a course notebook: its setup cell, exercises, folded solutions and language.

The conventions are the course's own (README, "For course authors"): the first code cell is the setup cell; the
lesson ends with a "## Exercises" section ("## 练习" in the Chinese edition); an exercise cell holds one placeholder
line ``answer = ...`` and one call ``check("NN.k", answer)``; the Markdown cell before it states the exercise and the
Markdown cell after it folds the solution in ``<details>`` around one fenced ```python block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.i18n import get_language, set_language

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"

CHECK_CALL = re.compile(r"""check\(\s*["'](?P<id>\d\d\.\d+)["']\s*,\s*(?P<name>[A-Za-z_]\w*)\s*\)""")
# the line an exercise cell holds until the learner answers: ``answer = ...`` (a comment may follow)
PLACEHOLDER = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*\.\.\.\s*(#.*)?$", re.MULTILINE)
SOLUTION = re.compile(r"<details>.*?```python\n(?P<code>.*?)```.*?</details>", re.DOTALL)
EXERCISES_HEADING = re.compile(r"^##\s+(Exercises|练习)\s*$")
TITLE = re.compile(r"^#\s+(?P<number>\d\d)\s+·\s+(?P<title>.+)$", re.MULTILINE)
CHINESE_SETUP = re.compile(r"""set_language\(\s*["']zh["']\s*\)""")


def source(cell: Any) -> str:
    """A cell's source as one string (nbformat keeps it as a string or a list of lines)."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


@dataclass(frozen=True)
class Exercise:
    """One exercise of a course notebook."""

    exercise_id: str
    name: str  # the variable the exercise cell checks (``answer``)
    cell_index: int  # the exercise cell
    statement: str  # the Markdown cell before it
    cell: str  # the exercise cell as the learner gets it
    solution: str  # the code of the folded solution
    solution_cell: str  # the whole Markdown cell that folds it


def setup_cell_index(cells: list[Any]) -> int | None:
    """The index of the setup cell: the first code cell before the exercise section (before its heading, or before
    the first exercise cell when the heading was deleted); None when the notebook has no code cell there (a notebook
    that holds only the exercise section: its first exercise cell is no setup cell)."""
    start = exercises_heading_index(cells)
    if start is None:
        start = next((i for i, cell in enumerate(cells) if check_calls(cell)), len(cells))
    return next((i for i, cell in enumerate(cells[:start]) if cell.get("cell_type") == "code"), None)


def exercises_heading_index(cells: list[Any]) -> int | None:
    """The index of the Markdown cell that opens the exercise section, or None."""
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown":
            first_line = source(cell).lstrip().split("\n", 1)[0]
            if EXERCISES_HEADING.match(first_line):
                return index
    return None


def check_calls(cell: Any) -> list[tuple[str, str]]:
    """(exercise id, checked name) for each ``check("NN.k", name)`` call in a code cell."""
    if cell.get("cell_type") != "code":
        return []
    return [(m.group("id"), m.group("name")) for m in CHECK_CALL.finditer(source(cell))]


def is_solution_cell(cells: list[Any], index: int) -> bool:
    """True for a Markdown cell that folds a solution right after an exercise cell."""
    cell = cells[index]
    return (
        cell.get("cell_type") == "markdown"
        and index > 0
        and bool(check_calls(cells[index - 1]))
        and SOLUTION.search(source(cell)) is not None
    )


def exercises(cells: list[Any]) -> list[Exercise]:
    """The exercises of a course notebook, in order (an exercise cell without a folded solution is skipped)."""
    found = []
    for index, cell in enumerate(cells):
        calls = check_calls(cell)
        if len(calls) != 1 or index + 1 >= len(cells) or not is_solution_cell(cells, index + 1):
            continue
        exercise_id, name = calls[0]
        before = cells[index - 1] if index > 0 and cells[index - 1].get("cell_type") == "markdown" else {}
        solution_cell = source(cells[index + 1])
        match = SOLUTION.search(solution_cell)
        assert match is not None
        found.append(Exercise(exercise_id, name, index, source(before).strip(), source(cell),
                              match.group("code"), solution_cell))
    return found


def with_answer(cell_source: str, code: str) -> str:
    """An exercise cell's source with its placeholder line (``answer = ...``) replaced by ``code``.

    Raises ValueError when the cell has no placeholder line (it was answered already, or is no exercise cell).
    """
    match = PLACEHOLDER.search(cell_source)
    if match is None:
        raise ValueError(f"no placeholder line (`answer = ...`) in this cell:\n{cell_source}")
    return cell_source[: match.start()] + code.rstrip("\n") + cell_source[match.end():]


def language(cells: list[Any]) -> str:
    """ "zh" when the setup cell switches the helpers to Chinese (or, in a notebook without one, when its exercise
    section is headed "## 练习"), else "en"."""
    index = setup_cell_index(cells)
    if index is not None:
        return "zh" if CHINESE_SETUP.search(source(cells[index])) else "en"
    heading = exercises_heading_index(cells)
    return "zh" if heading is not None and "练习" in source(cells[heading]).lstrip().split("\n", 1)[0] else "en"


def malformed(nb: Any) -> str | None:
    """Why ``nb`` (a notebook read as JSON) does not have the shape the kit reads, or None when it does: a list of
    cells, each a mapping with a string ``cell_type`` and a ``source`` that is a string or a list of strings."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return "'cells' is not a list"
    for index, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            return f"cell {index} is not a mapping"
        if not isinstance(cell.get("cell_type"), str):
            return f"cell {index} has no 'cell_type'"
        text = cell.get("source")
        if not (isinstance(text, str) or (isinstance(text, list) and all(isinstance(t, str) for t in text))):
            return f"the source of cell {index} is not text"
    return None


def title(cells: list[Any]) -> tuple[str, str] | None:
    """(lesson number, title) from the notebook's "# NN · Title" heading, or None."""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            match = TITLE.search(source(cell))
            if match:
                return match.group("number"), match.group("title").strip()
    return None


def course_notebook(lesson: str, chinese: bool = False) -> Path:
    """The course's own notebook of ``lesson`` ("01"), English or Chinese; ValueError when there is none."""
    folder = NOTEBOOKS / "zh" if chinese else NOTEBOOKS
    found = sorted(folder.glob(f"{lesson}_*.ipynb")) if re.fullmatch(r"\d\d", lesson) else []
    if len(found) != 1:
        known = sorted(p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
        raise ValueError(f"lesson must be a two-digit lesson number with one notebook in {folder}, one of "
                         f"{', '.join(known)}; got {lesson!r}")
    return found[0]


@contextmanager
def speaking(language_code: str) -> Iterator[None]:
    """Translate ``_()`` into ``language_code`` ("en" or "zh") inside the block, then switch back."""
    before = get_language()
    set_language(language_code)
    try:
        yield
    finally:
        set_language(before)


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies under it (both resolved)."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents
