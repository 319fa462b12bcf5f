"""The student edition (classroom.student): no solution in any student file, code cells untouched, solutions kept.

Running the student notebooks is covered elsewhere: their code cells are the course notebooks' (asserted here), which
strict nbval runs, and tests/test_classroom_grade.py runs lesson 01's student notebook through the grader.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from classroom import student
from classroom.notebook import ROOT, SOLUTION, check_calls, source

NOTEBOOKS = ROOT / "notebooks"
COURSE = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "zh").glob("*.ipynb"))
CJK = re.compile("[\u4e00-\u9fff]")


def _normal(text: str) -> str:
    return " ".join(text.split())


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cells: list[dict]) -> str:
    """Everything a reader can see in these cells (sources and outputs), whitespace-normalized."""
    parts = []
    for cell in cells:
        parts.append(source(cell))
        for output in cell.get("outputs", []):
            parts.append(source({"source": output.get("text", "")}))
            parts += [source({"source": value}) for value in output.get("data", {}).values()
                      if isinstance(value, (str, list))]
    return _normal("\n".join(parts))


def _details_cells(cells: list[dict]) -> list[dict]:
    return [cell for cell in cells if cell["cell_type"] == "markdown" and "<details>" in source(cell)]


# every fenced block folded in a <details> cell of any course notebook, whitespace-normalized
SOLUTIONS = sorted({_normal(m.group("code")) for path in COURSE for cell in _details_cells(_cells(path))
                    for m in SOLUTION.finditer(source(cell))})


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "build"
    student.build(out)
    return out


def _student_path(build: Path, course: Path) -> Path:
    return build / "student" / "notebooks" / course.relative_to(NOTEBOOKS)


def test_every_exercise_has_a_folded_solution_to_hide():
    for course in COURSE:
        cells = _cells(course)
        assert len(_details_cells(cells)) == sum(1 for c in cells if check_calls(c)), course
    assert SOLUTIONS


@pytest.mark.parametrize("course", COURSE, ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_no_solution_appears_in_the_student_notebook(build, course):
    """A solution may appear only where the lesson itself shows that code, outside the folded solutions."""
    course_cells = _cells(course)
    outside = _text([c for c in course_cells if c not in _details_cells(course_cells)])
    text = _text(_cells(_student_path(build, course)))
    leaked = [code for code in SOLUTIONS if text.count(code) != outside.count(code)]
    assert not leaked, f"{course.name}: solutions in the student edition: {leaked}"
    assert "<details>" not in text


def test_no_solution_appears_in_the_student_readmes(build):
    files = [p for p in (build / "student").rglob("*") if p.is_file() and p.suffix != ".ipynb"]
    assert sorted(p.name for p in files) == ["README.md", "README.zh-CN.md"]
    for path in files:
        text = _normal(path.read_text(encoding="utf-8"))
        assert not [code for code in SOLUTIONS if code in text], path
    assert CJK.search((build / "student" / "README.zh-CN.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("course", COURSE, ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_code_cells_are_the_course_notebooks_and_every_exercise_is_there(build, course):
    course_cells, student_cells = _cells(course), _cells(_student_path(build, course))
    code = [c for c in course_cells if c["cell_type"] == "code"]
    assert [c for c in student_cells if c["cell_type"] == "code"] == code
    assert [check_calls(c) for c in student_cells] == [check_calls(c) for c in course_cells]
    solutions = [i for i, c in enumerate(course_cells) if c in _details_cells(course_cells)]
    notes = [i for i, c in enumerate(student_cells) if c["cell_type"] == "markdown" and c != course_cells[i]
             and not re.search(r"\bfolded\b|折叠", source(course_cells[i]))]
    assert notes == solutions, "each folded solution, and only those, is replaced by a note"
    language_text = _text([student_cells[i] for i in notes])
    assert bool(CJK.search(language_text)) == (course.parent.name == "zh") or not notes
    markdown = _text([c for c in student_cells if c["cell_type"] == "markdown"])
    assert not re.search(r"\bfolded\b|折叠", markdown), "a sentence still promises folded solutions"


@pytest.mark.parametrize("course", [p for p in COURSE if _details_cells(_cells(p))],
                         ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_the_teachers_file_holds_every_solution_and_statement(build, course):
    teacher = build / "teacher" / "solutions" / course.relative_to(NOTEBOOKS).with_suffix(".md")
    text = _normal(teacher.read_text(encoding="utf-8"))
    cells = _cells(course)
    for index, cell in enumerate(cells):
        if cell in _details_cells(cells):
            for match in SOLUTION.finditer(source(cell)):
                assert _normal(match.group("code")) in text, f"{teacher.name} lacks a solution of {course.name}"
            assert _normal(source(cells[index - 2])) in text, f"{teacher.name} lacks a statement"


def test_it_refuses_to_write_where_it_must_not(tmp_path, build):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("mine", encoding="utf-8")
    for out, words in [(NOTEBOOKS, "notebooks/"), (NOTEBOOKS / "student", "notebooks/"), (ROOT, "notebooks/"),
                       (ROOT / "helpers" / "student", "under build/"), (foreign, "new or empty folder"),
                       (foreign / "thesis.txt", "must be a folder")]:
        with pytest.raises(student.UsageError, match=re.escape(words)):
            student.build(out)
    assert [p.name for p in foreign.iterdir()] == ["thesis.txt"]
    assert student.check_out(build) == build.resolve()  # a previous student build may be rebuilt
