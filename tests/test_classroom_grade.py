"""The grader (classroom.grade) grades a folder of fixture submissions made here from lesson 01, in one call.

Each fixture is the student edition of notebooks/01_tensors.ipynb (what a learner gets) with some exercise cells
edited. Every edit says which grade it must get; the hints a learner must read are computed independently, by running
the same code in this process (tests/exercise_harness.py), so the whole expected gradebook comes from the fixtures'
definitions. Kernels are the cost: one grader call, two jobs; the unreadable and wrong-lesson files need none.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from classroom import grade
from classroom.notebook import ROOT, check_calls, exercises, speaking, with_answer
from classroom.student import student_notebook
from helpers.i18n import _
from tests.exercise_harness import find_exercises

NOTEBOOKS = ROOT / "notebooks"
COURSE = {"en": NOTEBOOKS / "01_tensors.ipynb", "zh": NOTEBOOKS / "zh" / "01_tensors.ipynb"}
CELL_LIMIT = 2  # seconds: each endless loop costs this much (lesson 01's cells take milliseconds)
CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Edit:
    """What a fixture does to one exercise cell, and the grade that must follow."""

    code: str | None  # replaces the placeholder line; None leaves the cell untouched
    grade: str  # "correct", "not yet", "not attempted", "error"
    message: str | None = None  # the grader's own message (error, missing cell); None: the checker's hint
    delete: bool = False


def solution(exercise_id: str, language: str = "en") -> Edit:
    return Edit(SOLUTIONS[language][exercise_id], "correct")


def wrong(code: str) -> Edit:
    return Edit(code, "not yet")


UNTOUCHED = Edit(None, "not attempted")
LOOP = Edit("while True:\n    pass", "error", "timed out")
RAISE = Edit('raise ValueError("my own mistake")', "error", "ValueError: my own mistake")
KERNEL_CRASH = Edit("import os\nos._exit(1)", "error", "kernel died")
# A loop that swallows the interrupt: the kernel stays busy, so the grader stops instead of timing out every cell.
STUBBORN = Edit("import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n"
                "        pass", "error", "timed out")
DELETED = Edit(None, "not attempted", "missing", delete=True)
# A wrong answer dressed up as a right one: the learner's own check prints a ✅ line.
FORGED = Edit('answer = 42\ncheck = lambda *args: print("✅ Exercise 01.1: correct — well done!")\n'
              'print("✅ Exercise 01.1: correct — well done!")', "not yet")

SOLUTIONS = {lang: {e.exercise_id: e.solution for e in exercises(nbformat.read(path, as_version=4).cells)}
             for lang, path in COURSE.items()}
IDS = list(SOLUTIONS["en"])


def all_solved(**changes: Edit) -> dict[str, Edit]:
    edits = {i: solution(i) for i in IDS}
    edits.update({k.replace("_", "."): v for k, v in changes.items()})
    return edits


# file -> (language, edits by exercise id); every exercise not named is left untouched
FIXTURES: dict[str, tuple[str, dict[str, Edit]]] = {
    "all_correct.ipynb": ("en", all_solved()),
    "partly_wrong.ipynb": ("en", {"01.1": solution("01.1"), "01.2": wrong("answer = grid[-1]"),
                                  "01.4": wrong("answer = readings.mean()"), "01.5": solution("01.5")}),
    "untouched.ipynb": ("en", {}),
    "forged_check.ipynb": ("en", {"01.1": FORGED, "01.2": solution("01.2")}),
    "infinite_loop.ipynb": ("en", all_solved(**{"01_2": LOOP})),
    "crashing_cell.ipynb": ("en", all_solved(**{"01_3": RAISE})),
    "kernel_crash.ipynb": ("en", {"01.1": solution("01.1"), "01.2": KERNEL_CRASH, "01.3": solution("01.3")}),
    "ignores_interrupt.ipynb": ("en", all_solved(**{"01_3": STUBBORN})),
    "deleted_cell.ipynb": ("en", all_solved(**{"01_4": DELETED})),
    "zh_partly_wrong.ipynb": ("zh", {"01.1": wrong("answer = torch.tensor([[1, 2, 3], [4, 5, 6]])"),
                                     "01.2": solution("01.2", "zh"), "01.3": wrong("answer = torch.arange(6)")}),
}
CORRUPT, OTHER_LESSON = "corrupt.ipynb", "other_lesson.ipynb"


def make_fixture(language: str, edits: dict[str, Edit]) -> nbformat.NotebookNode:
    nb = student_notebook(nbformat.read(COURSE[language], as_version=4))
    keep = []
    for cell in nb.cells:
        calls = check_calls(cell)
        edit = edits.get(calls[0][0]) if calls else None
        if edit is not None and edit.delete:
            continue
        if edit is not None and edit.code is not None:
            cell.source = with_answer(cell.source, edit.code)
            assert edit.code in cell.source
        keep.append(cell)
    nb.cells = keep
    return nb


def expected_row(file: str, language: str, edits: dict[str, Edit]) -> tuple[dict[str, str], dict[str, str]]:
    """The gradebook row this fixture must get, and the message its feedback must show for each exercise."""
    harness = {e.exercise_id: e for e in find_exercises(COURSE[language])}
    grades, messages, dead, stuck = {}, {}, False, False
    with speaking(language):
        for exercise_id in IDS:
            edit = edits.get(exercise_id, UNTOUCHED)
            if dead or stuck:
                grades[exercise_id] = "error"
                messages[exercise_id] = (_("not run: the kernel died in an earlier cell") if dead
                                         else _("not run: the kernel was still busy with an earlier cell"))
                continue
            grades[exercise_id] = edit.grade
            if edit is LOOP or edit is STUBBORN:
                messages[exercise_id] = _("timed out after {seconds} s").format(seconds=CELL_LIMIT)
                stuck = edit is STUBBORN
            elif edit is KERNEL_CRASH:
                messages[exercise_id], dead = _("the kernel died"), True
            elif edit is DELETED:
                messages[exercise_id] = _("exercise cell missing")
            elif edit.message is not None:
                messages[exercise_id] = edit.message
            else:  # the checker's own hint, from running the same code in this process
                with speaking("en"):  # run() speaks the learner's language, then puts English back
                    result, _printed = harness[exercise_id].run(edit.code, language)
                assert result.status.value == edit.grade, f"{file}: the fixture's own definition is wrong"
                messages[exercise_id] = result.message
    total = f"{sum(g == 'correct' for g in grades.values())}/{len(IDS)}"
    status = "kernel died" if dead else "timed out" if stuck else "graded"
    row = {"file": file, "language": language, "status": status, **grades, "total": total}
    return row, messages


def _snapshot(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Write the fixtures, grade them in one call with two jobs, and keep what the grader wrote and printed."""
    submissions = tmp_path_factory.mktemp("submissions")
    for file, (language, edits) in FIXTURES.items():
        nbformat.write(make_fixture(language, edits), submissions / file)
    (submissions / CORRUPT).write_text('{"cells": [ this is not a notebook', encoding="utf-8")
    nbformat.write(student_notebook(nbformat.read(NOTEBOOKS / "02_autograd.ipynb", as_version=4)),
                   submissions / OTHER_LESSON)
    (submissions / "notes.txt").write_text("not a notebook: the grader reads only *.ipynb", encoding="utf-8")
    out = tmp_path_factory.mktemp("graded") / "out"
    before = (_snapshot(sorted(submissions.iterdir())), _snapshot(_tracked_files()))
    printed = io.StringIO()
    # how long the grader gives a kernel to answer after an interrupt: 1 s is plenty for lesson 01's cells here
    with contextlib.redirect_stdout(printed), pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade, "PROBE_SECONDS", 1)
        code = grade.main([str(submissions), "--lesson", "01", "--out", str(out), "--jobs", "2",
                           "--cell-timeout", str(CELL_LIMIT), "--no-progress"])
    after = (_snapshot(sorted(submissions.iterdir())), _snapshot(_tracked_files()))
    return {"code": code, "out": out, "printed": printed.getvalue(), "before": before, "after": after,
            "submissions": submissions}


def test_the_gradebook_is_exactly_what_the_fixtures_call_for(graded):
    assert graded["code"] == 0
    with (graded["out"] / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = [expected_row(file, language, edits)[0] for file, (language, edits) in FIXTURES.items()]
    no_grades = {i: "" for i in IDS} | {"total": f"0/{len(IDS)}"}
    expected += [{"file": CORRUPT, "language": "", "status": "unreadable", **no_grades},
                 {"file": OTHER_LESSON, "language": "en", "status": "wrong lesson", **no_grades}]
    assert list(rows[0]) == ["file", "language", "status", *IDS, "total"]
    assert rows == sorted(expected, key=lambda row: row["file"])


@pytest.mark.parametrize("file", list(FIXTURES))
def test_each_feedback_shows_the_hints_and_errors_in_the_learners_language(graded, file):
    language, edits = FIXTURES[file]
    text = (graded["out"] / "feedback" / file.replace(".ipynb", ".md")).read_text(encoding="utf-8")
    row, messages = expected_row(file, language, edits)
    for exercise_id, message in messages.items():
        assert message in text, f"{file}: feedback lacks {exercise_id}'s message {message!r}:\n{text}"
    if language == "zh":
        hints = [messages[i] for i in IDS if row[i] == "not yet"]
        assert hints and all(CJK.search(hint) for hint in hints), hints
        with speaking("zh"):
            assert _("not yet") in text and _("How this was graded") not in text
    assert row["total"] in text


def test_unreadable_and_wrong_lesson_files_get_a_clear_line_and_feedback(graded):
    printed = graded["printed"]
    assert re.search(rf"{CORRUPT}: .*could not be read as a notebook", printed), printed
    assert re.search(rf"{OTHER_LESSON}: .*notebook of lesson 02, not of lesson 01", printed), printed
    assert re.search(r"kernel_crash.ipynb: .*kernel died while running the cell of exercise 01.2", printed), printed
    assert re.search(r"ignores_interrupt.ipynb: .*kept running the cell of exercise 01.3 after it was interrupted",
                     printed), printed
    for file in [*FIXTURES, CORRUPT, OTHER_LESSON]:
        assert file in printed
    feedback = graded["out"] / "feedback"
    assert "not of lesson 01" in (feedback / "other_lesson.md").read_text(encoding="utf-8")


def test_the_grader_writes_nothing_outside_its_output_folder(graded):
    for before, after in zip(graded["before"], graded["after"]):
        changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
        assert not changed, f"the grader changed a submission or a file of the course: {changed}"
    written = sorted(p.relative_to(graded["out"]).as_posix() for p in graded["out"].rglob("*") if p.is_file())
    feedback = sorted(f"feedback/{name.replace('.ipynb', '.md')}" for name in [*FIXTURES, CORRUPT, OTHER_LESSON])
    assert written == sorted(["gradebook.csv", *feedback])


def test_wrong_arguments_say_what_to_pass(tmp_path, capsys):
    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    cases = [
        ([str(tmp_path / "nowhere"), "--lesson", "01"], "not a folder"),
        ([str(tmp_path), "--lesson", "1"], "two-digit lesson number"),
        ([str(tmp_path), "--lesson", "00"], "no exercises"),
        ([str(tmp_path), "--lesson", "01", "--out", str(tmp_path / "inside")], "outside the submissions folder"),
        ([str(tmp_path), "--lesson", "01", "--out", str(NOTEBOOKS)], "notebooks/"),
        ([str(tmp_path), "--lesson", "01", "--jobs", "0"], "--jobs must be 1 or more"),
    ]
    for argv, words in cases:
        with pytest.raises(SystemExit):
            grade.main(argv)
        assert words in capsys.readouterr().err, argv


def test_the_summary_table_lines_up_in_both_languages():
    from helpers.i18n import display_width

    lesson = grade.Lesson("01", {"en": "Tensors"}, ["01.1", "01.2"])
    results = [grade.Submission("li_wei.ipynb", "zh", grade.GRADED, {"01.1": grade.Grade("correct"),
                                                                      "01.2": grade.Grade("not yet", "")}),
               grade.Submission("a_very_long_file_name.ipynb", "", grade.UNREADABLE)]
    for language in ("en", "zh"):
        with speaking(language):
            lines = grade.summary(results, lesson).splitlines()[:3]
            totals = [display_width(line[:line.rindex(total)]) for line, total in zip(lines, [_("total"), "1/2", "0/2"])]
        assert len(set(totals)) == 1, (language, lines)
