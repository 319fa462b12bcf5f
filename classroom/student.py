"""The student edition: the course notebooks without their folded solutions, and the solutions for the teacher.

    python -m classroom.student              # = make student: writes build/student/ and build/teacher/
    python -m classroom.student --out DIR    # somewhere else: a new or empty folder, or a previous student build

What it writes into the output folder (``build/`` by default, which git ignores):

- ``student/notebooks/`` (and ``zh/``): every course notebook, with each folded solution replaced by a short note
  in the notebook's language ("the solution is with your teacher") and each sentence that promises folded solutions
  rewritten. Code cells are not touched at all, so the student notebooks run exactly as the course's, which the
  course's strict nbval run checks; the exercises still print "not attempted" until answered.
- ``student/README.md`` and ``student/README.zh-CN.md``: a short guide for learners (how to answer, what to hand in).
- ``teacher/solutions/NN_name.md`` (and ``zh/``): each lesson's exercises with their statements and solutions.

It never writes outside the output folder. Inside the course folder the output must lie under ``build/``; elsewhere
it must be a new or empty folder, or one that a previous run wrote (it holds the marker file ``.classroom-student``);
then only its ``student/`` and ``teacher/`` folders are replaced.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import nbformat

from classroom.notebook import (
    BUILD,
    NOTEBOOKS,
    ROOT,
    exercises,
    is_inside,
    is_solution_cell,
    language,
    source,
    speaking,
    title,
)
from helpers.i18n import _

MARKER = ".classroom-student"
# A sentence or clause that promises folded solutions, in either language.
FOLDED = re.compile(r"\bfolded\b|折叠")
# Where such a clause starts (after the previous sentence, clause or list bullet) and where it ends.
CLAUSE_START = re.compile(r"[.;:](?=\s)|[。；：]|\n\s*\n|^- |^#[^\n]*\n|\A", re.MULTILINE)
CLAUSE_END = re.compile(r"\.(?=\s|$)|。")


class UsageError(ValueError):
    """A wrong --out: the message says what was expected and what to do."""


def _no_solution_note() -> str:
    return "> " + _("The solution to this exercise is with your teacher. Try it yourself first.")


def rewrite_folded_promises(text: str) -> str:
    """Replace each sentence (or clause) of ``text`` that mentions folded solutions by "your teacher has them"."""
    while match := FOLDED.search(text):
        starts = [m.end() for m in CLAUSE_START.finditer(text, 0, match.start())]
        start = starts[-1] if starts else 0
        while start < match.start() and text[start].isspace():
            start += 1
        end_match = CLAUSE_END.search(text, match.end())
        end = end_match.end() if end_match else len(text)
        note = _("Your teacher has the solutions.")
        if text[start:start + 1].islower():
            note = note[:1].lower() + note[1:]
        text = text[:start] + note + text[end:]
    return text


def student_notebook(nb: Any) -> Any:
    """A copy of ``nb`` with every folded solution replaced by a note; code cells stay exactly as they are."""
    copy = nbformat.from_dict(nb)
    cells = copy.cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        if is_solution_cell(cells, index):
            cell.source = _no_solution_note()
        else:
            cell.source = rewrite_folded_promises(source(cell))
    return copy


def _fence(code: str) -> str:
    return "```python\n" + code.rstrip("\n") + "\n```"


def teacher_solutions(nb: Any, notebook_name: str) -> str:
    """The Markdown file that shows a teacher each exercise of ``nb``: statement, learner's cell, solution."""
    number, name = title(nb.cells) or (notebook_name[:2], notebook_name)
    parts = [
        "# " + _("{number} · {title}: solutions").format(number=number, title=name),
        _("For the teacher: the exercises of {notebook} with their solutions. "
          "The student edition does not contain them.").format(notebook=f"`{notebook_name}`"),
    ]
    for exercise in exercises(nb.cells):
        folded = re.sub(r"</?details>|<summary>.*?</summary>", "", exercise.solution_cell).strip()
        parts += [
            "## " + _("Exercise {exercise_id}").format(exercise_id=exercise.exercise_id),
            exercise.statement,
            _("The learner's cell:"),
            _fence(exercise.cell),
            _("Solution:"),
            folded,
        ]
    return "\n\n".join(parts) + "\n"


def student_readme() -> str:
    """The student edition's README, in the current language."""
    return "\n\n".join([
        "# " + _("PyTorch course: student edition"),
        _("These are the course notebooks for learners. Every exercise is still there and still checks your answer, "
          "but the solutions are with your teacher."),
        "## " + _("Running the notebooks"),
        _("The notebooks need the course's Python environment: Python 3.11 to 3.13, the pinned packages and the course's "
          "`helpers` package. Your teacher tells you where to run them: a lab computer, a JupyterHub, or your own "
          "computer with the course installed (`make lab`). Open a notebook in JupyterLab and run its cells from the "
          "top."),
        _("The English notebooks are in `notebooks/`, the Chinese ones in `notebooks/zh/`."),
        "## " + _("Exercises"),
        _("Each exercise cell holds `answer = ...` and a `check(...)` line. Replace the `...` with your answer and "
          "run the cell. It prints ✅ when your answer is right, ❌ with a hint when it is not yet, and ⬜ while it "
          "still holds `...`."),
        "## " + _("Handing in"),
        _("Hand in the lesson's notebook file (`.ipynb`), saved. Keep every exercise cell and its `check(...)` line: "
          "the grader finds your answers by them."),
        _("The grader runs your notebook again and checks each answer itself, so what a cell printed does not count. "
          "It runs only the setup cell (the first code cell) and the exercise section, so each answer must work with "
          "just the setup cell run before it."),
    ]) + "\n"


def check_out(out: Path) -> Path:
    """Return ``out`` resolved if the student edition may be written there; raise UsageError saying why not."""
    out = out.expanduser().resolve()
    if is_inside(out, NOTEBOOKS) or is_inside(NOTEBOOKS, out):
        raise UsageError(f"--out must not be the course's notebooks/ folder, a folder inside it or a folder that "
                         f"holds it; got {out}. Leave --out out to write into build/, or pass a new folder.")
    if is_inside(out, ROOT) and not is_inside(out, BUILD):
        raise UsageError(f"--out inside the course folder must lie under build/ (which git ignores); got {out}. "
                         f"Leave --out out to write into build/, or pass a folder under build/ or outside the course.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out must be a folder, but {out} is a file; pass a new folder.")
    if out.is_dir() and any(out.iterdir()) and out != BUILD.resolve() and not (out / MARKER).is_file():
        raise UsageError(f"--out must be a new or empty folder, or one that an earlier `python -m classroom.student` "
                         f"wrote (it holds {MARKER}); {out} holds other files. Pass a new folder.")
    return out


def build(out: Path = BUILD) -> list[Path]:
    """Write the student edition and the teacher's solutions into ``out``; return the files written."""
    out = check_out(out)
    for part in ("student", "teacher"):
        shutil.rmtree(out / part, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("The student/ and teacher/ folders here are rebuilt by `python -m classroom.student`.\n",
                              encoding="utf-8")
    written = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "zh").glob("*.ipynb")):
        relative = path.relative_to(NOTEBOOKS)
        nb = nbformat.read(path, as_version=4)
        with speaking(language(nb.cells)):
            target = out / "student" / "notebooks" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(student_notebook(nb), target)
            written.append(target)
            if exercises(nb.cells):
                solutions = out / "teacher" / "solutions" / relative.with_suffix(".md")
                solutions.parent.mkdir(parents=True, exist_ok=True)
                solutions.write_text(teacher_solutions(nb, path.name), encoding="utf-8")
                written.append(solutions)
    for language_code, name in (("en", "README.md"), ("zh", "README.zh-CN.md")):
        with speaking(language_code):
            readme = out / "student" / name
            readme.write_text(student_readme(), encoding="utf-8")
            written.append(readme)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.student", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=BUILD,
                        help="where to write student/ and teacher/ (default: build/ in the course folder)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out)
    except UsageError as error:
        parser.error(str(error))
    out = check_out(args.out)
    notebooks = sum(1 for p in written if p.suffix == ".ipynb")
    solutions = sum(1 for p in written if p.suffix == ".md" and "teacher" in p.parts)
    print(_("Student edition: {count} notebooks in {folder}").format(count=notebooks, folder=out / "student"))
    print(_("Solutions for the teacher: {count} files in {folder}").format(count=solutions,
                                                                         folder=out / "teacher" / "solutions"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
