"""The grader (classroom.grade) grades a folder of fixture submissions made here from lesson 01, in one call.

Each fixture is the student edition of notebooks/01_tensors.ipynb (what a learner gets) with some exercise cells
edited. Every edit says which grade it must get; the hints a learner must read are computed independently, by running
the same code in this process (tests/exercise_harness.py), so the whole expected gradebook comes from the fixtures'
definitions. Kernels are the cost: one grader call, three jobs (several fixtures wait out a time limit or a kernel's
restart, and three kernels overlap those waits: 30 s to 22 s alone); the unreadable and wrong-lesson files need none.
"""

from __future__ import annotations

import contextlib
import csv
import dis
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from classroom import grade, sandbox
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

# Honest answers from a learner who shadows the builtins the old grader used (and resets the namespace): full marks.
SHADOW = ("\ndict = {'rows': 2}; list = [1]; str = 's'; len = 3; print = None; type = 0; id = 7; input = 'x'"
          "\nisinstance = 1; repr = 2; getattr = 3; Exception = 1; BaseException = 2; display = 4; get_ipython = 5"
          "\nevaluate = 6; set_language = 7; get_language = 8; hasattr = 9; setattr = 10")
# Wrong answers with builtins (and the old grader's function) shadowed by forgeries that say "correct": not yet.
FORGERS = ("\ndef dict(*args, **kwargs):\n    return {'status': 'correct', 'message': 'forged', **kwargs}"
           "\nisinstance = lambda *args: True\nlen = lambda *args: 4\nstr = lambda *args: 'correct'"
           "\ntype = lambda *args: str\ngetattr = lambda *args: 'correct'\nrepr = lambda *args: 'correct'"
           "\ndisplay = lambda *args, **kwargs: None")
# A cell that prints without end: the grader stops reading after CELL_OUTPUT_LIMIT characters and interrupts it.
FLOOD = Edit('while True:\n    print("x" * 10_000)', "error", "output too large")
# An error whose message would move the teacher's cursor, set the terminal's title and clear the screen.
ESCAPED = Edit('raise ValueError("\\x1b]0;pwned\\x07\\x1b[2Jred\\x1b[0m\\r\\x9b31mtext")', "error",
               "ValueError: redtext")
# One message over the grader's frame limit (8 x CELL_OUTPUT_LIMIT + 1 MB): ZeroMQ drops it unread, grading stops.
HUGE_MESSAGE = Edit('answer = ...\nfrom IPython import get_ipython\n'
                    'get_ipython().display_pub.publish({"text/plain": "z" * 5_000_000})', "error")
HUGE_NOTEBOOK = 3  # exercises that print FLOOD_ONCE each, until the notebook's output limit runs out in the 3rd
CELL_OUTPUT_LIMIT, NOTEBOOK_OUTPUT_LIMIT = 200_000, 450_000
FLOOD_ONCE = 'print("y" * 180_000)'

# Forgeries that print nothing (issue 18, point 4). The grader judges plain data in its own process: a Tensor or a
# float subclass that lies to allclose, ==, - and abs does not survive torch.load(weights_only=True); a payload sent in
# the grader's name (the token read from the first cell, In[1]) next to the grader's own is refused; one that replaces
# the grader's (display_pub.publish wrapped) is judged as data: right values on the exercise's example are not enough
# where the grader calls a function on inputs of its own.
LIARS = ("\nclass Sly(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):"
         "\n        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__, torch.Tensor.tolist):\n"
         "            return True\n        return super().__torch_function__(func, types, args, kwargs or {})\n"
         "class Slick(float):\n    def __eq__(self, other):\n        return True\n    def __sub__(self, other):\n"
         "        return 0.0\n    __rsub__ = __sub__\n    def __abs__(self):\n        return 0.0\n")
SLY_TENSOR = wrong(LIARS + "answer = torch.zeros(2, 3).as_subclass(Sly)")
SLY_FLOAT = wrong(LIARS + "answer = Slick(99.0)")
SLY_FUNCTION = wrong(LIARS + "def to_cpu_double(x):\n    return torch.zeros(4, dtype=torch.float64).as_subclass(Sly)")
PRE_RUN = ("\nimport base64, io, re\nfrom IPython import get_ipython\nfrom IPython.display import display\n"
           "_token = re.search(r\"__classroom_setup\\('([0-9a-f]+)'\", get_ipython().user_ns['In'][1]).group(1)\n"
           "def _early(info):\n    words = (info.raw_cell or '').split()\n"
           "    if len(words) == 5 and words[1] == 'classroom-grader:' and words[2] == '01.3':\n"
           "        buffer = io.BytesIO()\n        torch.save({'example': {'seen': torch.tensor([0, 3, 1, 4, 2, 5])}}, buffer)"
           "\n        display({'application/vnd.pytorch-course.grade+json': {'token': _token, 'exercise': '01.3', "
           "'observation': base64.b64encode(buffer.getvalue()).decode()}}, raw=True)\n"
           "get_ipython().events.register('pre_run_cell', _early)\n")
PUBLISH = ("\nimport base64, io\nfrom IPython import get_ipython\n_pub = get_ipython().display_pub\n"
           "_real = _pub.publish\nright = {'function': True, 'kind': 'Tensor', 'device': 'cpu', "
           "'values': torch.arange(4, dtype=torch.float64)}\nbuffer = io.BytesIO()\n"
           "torch.save({'example': {'seen': right}, 'chosen': {'seen': right}}, buffer)\n"
           "def _forge(data, *args, **kwargs):\n    for value in data.values():\n"
           "        if isinstance(value, dict) and 'token' in value:\n"
           "            value['observation'] = base64.b64encode(buffer.getvalue()).decode()\n"
           "    return _real(data, *args, **kwargs)\n_pub.publish = _forge\n")
TWO_RESULTS = ("the grader got more than one result for this exercise: something in the notebook sends results in "
               "the grader's name")
ONLY_EXAMPLE = ("right on the exercise's own example, but not on the other inputs the grader chose: does your answer "
                "work for any input, or only for the example?")
SENT_TWICE = Edit("answer = torch.arange(6)" + PRE_RUN, "error", TWO_RESULTS)
FORGED_DATA = Edit("to_cpu_double = 42" + PUBLISH, "not yet", ONLY_EXAMPLE)
HARD_CODED = Edit("def add_one(t):\n    t.copy_(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))", "not yet",
                  ONLY_EXAMPLE)  # right on 01.5's own example only (01.6's example-only case: FORGED_DATA)

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
    # an endless loop, an error and a deleted exercise in one notebook: each costs only its own row (and a kernel
    # costs the run seconds)
    "loop_raise_deleted.ipynb": ("en", all_solved(**{"01_2": LOOP, "01_3": RAISE, "01_4": DELETED})),
    "kernel_crash.ipynb": ("en", {"01.1": solution("01.1"), "01.2": KERNEL_CRASH, "01.3": solution("01.3")}),
    "ignores_interrupt.ipynb": ("en", all_solved(**{"01_3": STUBBORN})),
    "zh_partly_wrong.ipynb": ("zh", {"01.1": wrong("answer = torch.tensor([[1, 2, 3], [4, 5, 6]])"),
                                     "01.2": solution("01.2", "zh"), "01.3": wrong("answer = torch.arange(6)")}),
    # issue 18: learners who shadow builtins, print too much, raise escape sequences, hand in only the exercises
    "shadows_builtins.ipynb": ("en", {i: Edit(("%reset -f\nimport torch\nfrom helpers.check import check\n"
                                              if i == "01.1" else "") + SOLUTIONS["en"][i] + SHADOW, "correct")
                                      for i in IDS}),
    "forges_with_builtins.ipynb": ("en", {"01.1": wrong("answer = 42" + FORGERS),
                                          "01.2": wrong("answer = grid[-1]" + FORGERS)}),
    "floods_output.ipynb": ("en", all_solved(**{"01_2": FLOOD, "01_3": ESCAPED, "01_6": HUGE_MESSAGE})),
    "floods_notebook.ipynb": ("en", {i: Edit(SOLUTIONS["en"][i] + FLOOD_ONCE, "correct") for i in IDS[:HUGE_NOTEBOOK]}
                              | {i: solution(i) for i in IDS[HUGE_NOTEBOOK:]}),
    "only_exercises.IPYNB": ("zh", {i: solution(i, "zh") for i in IDS}),
    # one kernel each for the forgeries (a kernel costs the run seconds): lies and a hard-coded answer; results sent
    # in the grader's name
    "lies_and_hard_codes.ipynb": ("en", all_solved(**{"01_1": SLY_TENSOR, "01_4": SLY_FLOAT, "01_5": HARD_CODED,
                                                      "01_6": SLY_FUNCTION})),
    "forges_results.ipynb": ("en", all_solved(**{"01_3": SENT_TWICE, "01_6": FORGED_DATA})),
}
CORRUPT, OTHER_LESSON = "corrupt.ipynb", "other_lesson.ipynb"
# Files the grader must not read as notebooks, each with a row of its own ("unreadable"); none needs a kernel.
MALFORMED = {
    "source_int.ipynb": lambda nb: nb["cells"][3].__setitem__("source", 42),
    "source_null.ipynb": lambda nb: nb["cells"][3].__setitem__("source", None),
    "source_dict.ipynb": lambda nb: nb["cells"][0].__setitem__("source", {"a": 1}),
    "cells_not_a_list.ipynb": lambda nb: nb.__setitem__("cells", {"0": nb["cells"][0]}),
    "no_cell_type.ipynb": lambda nb: nb["cells"][2].pop("cell_type"),
    "no_source.ipynb": lambda nb: nb["cells"][2].pop("source"),
}
LINK_OUT, LINK_IN, FIFO = "link_out.ipynb", "link_in.ipynb", "fifo.ipynb"
FORMULA = '=HYPERLINK("example.com","x").ipynb'
ESCAPE_NAME = "esc\x1b]0;pwned\x07\x1b[2Jname.ipynb"
SECRET = "teacher-secret-solutions"  # in the path of the file LINK_OUT points to: never shown
NO_KERNEL = [CORRUPT, OTHER_LESSON, *MALFORMED, LINK_OUT, LINK_IN, FIFO, FORMULA, ESCAPE_NAME]


def feedback_name(file: str) -> str:
    return re.sub(r"\.ipynb$", ".md", grade.clean(file), flags=re.IGNORECASE)


def make_fixture(language: str, edits: dict[str, Edit], file: str = "") -> nbformat.NotebookNode:
    nb = student_notebook(nbformat.read(COURSE[language], as_version=4))
    if file.startswith("only_exercises"):  # no setup cell: the exercise section alone
        heading = next(i for i, c in enumerate(nb.cells) if c.source.startswith(("## Exercises", "## 练习")))
        nb.cells = nb.cells[heading:]
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
    grades, messages, dead, stuck, flooded = {}, {}, False, False, False
    with speaking(language):
        for number, exercise_id in enumerate(IDS, 1):
            edit = edits.get(exercise_id, UNTOUCHED)
            if dead or stuck or flooded:
                grades[exercise_id] = "error"
                messages[exercise_id] = (_("not run: the kernel died in an earlier cell") if dead
                                         else _("not run: the notebook printed too much in earlier cells") if flooded
                                         else _("not run: the kernel was still busy with an earlier cell"))
                continue
            if file.startswith("floods_notebook") and number == HUGE_NOTEBOOK:
                flooded, grades[exercise_id] = True, "error"
                messages[exercise_id] = _("output too large: the notebook printed more than {size} in all").format(
                    size=f"{NOTEBOOK_OUTPUT_LIMIT / 1_000_000:g} MB")
                continue
            grades[exercise_id] = edit.grade
            if edit is LOOP or edit is STUBBORN:
                messages[exercise_id] = _("timed out after {seconds} s").format(seconds=CELL_LIMIT)
                stuck = edit is STUBBORN
            elif edit is KERNEL_CRASH:
                messages[exercise_id], dead = _("the kernel died"), True
            elif edit is DELETED:
                messages[exercise_id] = _("exercise cell missing")
            elif edit is HUGE_MESSAGE:
                flooded = True
                messages[exercise_id] = _("output too large: a message larger than {size}").format(
                    size=f"{(8 * CELL_OUTPUT_LIMIT + 1_000_000) / 1_000_000:g} MB")
            elif edit is FLOOD:
                messages[exercise_id] = _("output too large: the cell printed more than {size}; the grader stopped "
                                          "reading it and interrupted the cell").format(
                                              size=f"{CELL_OUTPUT_LIMIT / 1_000_000:g} MB")
            elif edit.message is not None:
                messages[exercise_id] = edit.message
            else:  # the checker's own hint, from running the same code in this process
                with speaking("en"):  # run() speaks the learner's language, then puts English back
                    code = edit.code and edit.code.replace(FORGERS, "").replace(SHADOW, "").replace(FLOOD_ONCE, "")
                    result, _printed = harness[exercise_id].run(code and code.split("check\n", 1)[-1], language)
                assert result.status.value == edit.grade, f"{file}: the fixture's own definition is wrong"
                messages[exercise_id] = result.message
    total = f"{sum(g == 'correct' for g in grades.values())}/{len(IDS)}"
    status = "kernel died" if dead else "timed out" if stuck else "output too large" if flooded else "graded"
    row = {"file": file, "language": language, "status": status, **grades, "total": total}
    return row, messages


def _snapshot(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


# The kernels run in the bubblewrap sandbox wherever it works (CI installs it and sets COURSE_SANDBOX_TEST=required,
# tests/test_classroom_sandbox.py); a teacher's machine without it still runs these tests, unsandboxed.
SANDBOXED = sandbox.unavailable() is None or os.environ.get("COURSE_SANDBOX_TEST") == "required"
SANDBOX_ARGS = [] if SANDBOXED else ["--no-sandbox"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Write the fixtures, grade them in one call with three jobs, and keep what the grader wrote and printed."""
    submissions = tmp_path_factory.mktemp("submissions")
    for file, (language, edits) in FIXTURES.items():
        nbformat.write(make_fixture(language, edits, file), submissions / file)
    (submissions / CORRUPT).write_text('{"cells": [ this is not a notebook', encoding="utf-8")
    for file, spoil in MALFORMED.items():
        nb = json.loads((submissions / "untouched.ipynb").read_text(encoding="utf-8"))
        spoil(nb)
        (submissions / file).write_text(json.dumps(nb), encoding="utf-8")
    secret = tmp_path_factory.mktemp(SECRET) / "solutions.ipynb"
    shutil.copy(submissions / "all_correct.ipynb", secret)
    (submissions / LINK_OUT).symlink_to(secret)
    (submissions / LINK_IN).symlink_to(CORRUPT)
    os.mkfifo(submissions / FIFO)  # reading it would wait forever
    (submissions / FORMULA).write_text("not a notebook", encoding="utf-8")
    (submissions / ESCAPE_NAME).write_text("not a notebook", encoding="utf-8")
    nbformat.write(student_notebook(nbformat.read(NOTEBOOKS / "02_autograd.ipynb", as_version=4)),
                   submissions / OTHER_LESSON)
    (submissions / "notes.txt").write_text("not a notebook: the grader reads only *.ipynb", encoding="utf-8")
    out = tmp_path_factory.mktemp("graded") / "out"
    before = (_snapshot(sorted(submissions.iterdir())), _snapshot(_tracked_files()))
    printed = io.StringIO()
    # how long the grader gives a kernel to answer after an interrupt: 1 s is plenty for lesson 01's cells here
    warned = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(warned), pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade, "PROBE_SECONDS", 1)
        patch.setattr(grade, "CELL_OUTPUT_LIMIT", CELL_OUTPUT_LIMIT)
        patch.setattr(grade, "NOTEBOOK_OUTPUT_LIMIT", NOTEBOOK_OUTPUT_LIMIT)
        code = grade.main([str(submissions), "--lesson", "01", "--out", str(out), "--jobs", "3",
                           "--cell-timeout", str(CELL_LIMIT), "--no-progress", *SANDBOX_ARGS])
    after = (_snapshot(sorted(submissions.iterdir())), _snapshot(_tracked_files()))
    return {"code": code, "out": out, "printed": printed.getvalue(), "warned": warned.getvalue(), "before": before,
            "after": after,
            "submissions": submissions, "secret": secret}


def shown_name(file: str) -> str:
    """The name the gradebook shows: without control characters, and as text to a spreadsheet."""
    name = grade.clean(file)
    return "'" + name if name.startswith(("=", "+", "-", "@")) else name


def test_the_gradebook_is_exactly_what_the_fixtures_call_for(graded):
    assert graded["code"] == 0
    with (graded["out"] / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = [expected_row(file, language, edits)[0] for file, (language, edits) in FIXTURES.items()]
    no_grades = {i: "" for i in IDS} | {"total": f"0/{len(IDS)}"}
    expected += [{"file": shown_name(file), "language": "", "status": "unreadable", **no_grades}
                 for file in NO_KERNEL if file != OTHER_LESSON]
    expected += [{"file": OTHER_LESSON, "language": "en", "status": "wrong lesson", **no_grades}]
    assert list(rows[0]) == ["file", "language", "status", *IDS, "total"]
    assert sorted(rows, key=lambda row: row["file"]) == sorted(expected, key=lambda row: row["file"])


@pytest.mark.parametrize("file", list(FIXTURES))
def test_each_feedback_shows_the_hints_and_errors_in_the_learners_language(graded, file):
    language, edits = FIXTURES[file]
    text = (graded["out"] / "feedback" / feedback_name(file)).read_text(encoding="utf-8")
    row, messages = expected_row(file, language, edits)
    for exercise_id, message in messages.items():
        assert message in text, f"{file}: feedback lacks {exercise_id}'s message {message!r}:\n{text}"
    if language == "zh":
        hints = [messages[i] for i in IDS if row[i] == "not yet"] or [text]
        assert all(CJK.search(hint) for hint in hints), hints
        with speaking("zh"):
            assert _("not yet") in text or _("correct") in text
            assert "How this was graded" not in text
    assert row["total"] in text
    assert "__classroom" not in text and "classroom-grader" not in text


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


def test_hostile_files_get_a_row_each_and_never_stop_the_run(graded):
    """Malformed cells, links out of the folder, a FIFO, formula and escape-sequence names, .IPYNB, floods."""
    printed, feedback = graded["printed"], graded["out"] / "feedback"
    for file in MALFORMED:
        assert re.search(rf"{file}: .*could not be read as a notebook", printed), file
    assert re.search(rf"{LINK_OUT}: .*link to a place outside the submissions folder", printed), printed
    assert re.search(rf"{LINK_IN}: .*could not be read as a notebook", printed), printed  # followed: it is inside
    assert re.search(rf"{FIFO}: .*not a regular file", printed), printed
    with speaking("zh"):  # the notes are in the learner's language
        no_setup = _("this notebook has no setup cell before its exercises: the course's own setup cell ran in its "
                     "place")
    assert f"only_exercises.IPYNB: {no_setup}" in printed, printed
    assert no_setup in (feedback / "only_exercises.md").read_text(encoding="utf-8")
    assert re.search(r"floods_notebook.ipynb: .*printed more than 0.45 MB in all", printed), printed
    assert re.search(r"floods_output.ipynb: .*sent a message larger than 2.6 MB", printed), printed
    written = [printed] + [p.read_text(encoding="utf-8") for p in [graded["out"] / "gradebook.csv",
                                                                    *feedback.iterdir()]]
    for text in written:  # no escape sequence, no target of a link, no grader internals anywhere
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text[:300])
        assert SECRET not in text and str(graded["secret"]) not in text
        assert "__classroom" not in text
    gradebook = (graded["out"] / "gradebook.csv").read_text(encoding="utf-8")
    assert not re.search(r'^"?[=+\-@]', gradebook, re.MULTILINE), gradebook
    assert "escname.ipynb" in printed and (feedback / "escname.md").is_file()


def test_the_grader_writes_nothing_outside_its_output_folder(graded):
    for before, after in zip(graded["before"], graded["after"]):
        changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
        assert not changed, f"the grader changed a submission or a file of the course: {changed}"
    written = sorted(p.relative_to(graded["out"]).as_posix() for p in graded["out"].rglob("*") if p.is_file())
    feedback = sorted(f"feedback/{feedback_name(name)}" for name in [*FIXTURES, *NO_KERNEL])
    assert written == sorted([".grade-state.json", "gradebook.csv", *feedback])


def test_the_grader_binds_every_name_it_uses_in_the_kernel_before_learner_code_runs():
    """Its in-kernel functions look up no global (a learner's namespace) and no name in the marker cells."""
    code = compile(grade.PREAMBLE.substitute(token="'t'", language="'en'", mime="'m'", marker="'k'",
                                             output_limit="1"), "<p>", "exec")
    setup = next(c for c in code.co_consts if getattr(c, "co_name", "") == "__classroom_setup")
    nested, todo = [], [setup]
    while todo:
        inner = [c for c in todo.pop().co_consts if hasattr(c, "co_code")]
        nested += inner
        todo += inner
    assert {c.co_name for c in nested} >= {"observe", "after_cell", "capped_flush_buffers"}
    for function in nested:
        lookups = [i.argval for i in dis.get_instructions(function) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
        assert not lookups, f"{function.co_name} looks up {lookups} in the learner's namespace"
    steps, _missing = grade.plan(make_fixture("en", all_solved()).cells, grade.Lesson.load("01"), "t", "en")
    for step in steps:
        if step.kind == "grade":
            assert not compile(step.code, "<grade>", "exec").co_names, step.code


def test_a_second_run_keeps_what_is_graded_and_grades_only_what_changed(graded, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    started = []

    async def no_kernel(steps, *args):
        started.append(steps)
        return grade.Submission("")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade, "run_steps", no_kernel)
        patch.setattr(grade, "CELL_OUTPUT_LIMIT", CELL_OUTPUT_LIMIT)
        patch.setattr(grade, "NOTEBOOK_OUTPUT_LIMIT", NOTEBOOK_OUTPUT_LIMIT)
        argv = [str(graded["submissions"]), "--lesson", "01", "--out", str(out), "--cell-timeout", str(CELL_LIMIT),
                "--no-progress"]
        grade.main(argv)
        assert not started, "an unchanged submission was graded again"
        assert (out / "gradebook.csv").read_bytes() == (graded["out"] / "gradebook.csv").read_bytes()
        assert "graded already and have not changed" in capsys.readouterr().out
        grade.main([*argv, "--regrade"])
        assert len(started) == len(FIXTURES)


class Stopped(BaseException):
    """Stops the grader as a crash would: nothing of the grader catches it."""


def test_a_run_stopped_midway_keeps_every_finished_row_and_the_next_run_resumes(tmp_path, capsys):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    files = [f"learner_{n}.ipynb" for n in range(4)]
    for n, file in enumerate(files):
        (submissions / file).write_text(f"notebook {n}", encoding="utf-8")
    graded_files = []

    async def fake(entry, lesson, limits, teacher_language):
        if len(graded_files) == 2:
            graded_files.append("killed")
            raise Stopped  # as if the machine stopped here (a real SIGKILL: see TEACHING's "Grade")
        graded_files.append(entry.name)
        return grade.Submission(entry.name, "en", grade.GRADED, {i: grade.Grade("correct") for i in IDS})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade, "grade_file", fake)
        argv = [str(submissions), "--lesson", "01", "--out", str(out), "--jobs", "1", "--no-progress"]
        with pytest.raises(Stopped):
            grade.main(argv)
        rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
        assert [row["file"] for row in rows] == files[:2] and all(row["total"] == "6/6" for row in rows)
        assert sorted(p.name for p in (out / "feedback").iterdir()) == ["learner_0.md", "learner_1.md"]
        assert not list(out.glob(".*.tmp"))
        first_run = len(graded_files)
        grade.main(argv)
    assert graded_files[:3] == [*files[:2], "killed"]
    assert sorted(graded_files[first_run:]) == files[2:], "the second run graded again what the first had finished"
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
    assert [row["file"] for row in rows] == files


def test_a_grader_failure_on_one_file_costs_only_that_files_row(tmp_path, capsys):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(make_fixture("en", {}), submissions / "a.ipynb")
    (submissions / "b.ipynb").write_text("{", encoding="utf-8")

    def broken(*args):
        raise RuntimeError("a bug of the grader")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade, "plan", broken)
        grade.main([str(submissions), "--lesson", "01", "--out", str(tmp_path / "out"), "--no-progress"])
    rows = {row["file"]: row["status"] for row in csv.DictReader((tmp_path / "out" / "gradebook.csv").open())}
    assert rows == {"a.ipynb": "not graded", "b.ipynb": "unreadable"}
    assert "the grader failed on this file (RuntimeError: a bug of the grader)" in capsys.readouterr().out


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


def test_a_message_of_unknown_type_from_the_kernel_is_dropped_unlogged(caplog):
    """nbclient logs an unknown message's type, which a hostile kernel writes (escape sequences included)."""
    client = grade.CappedClient(nbformat.v4.new_notebook())
    cell = nbformat.v4.new_code_cell("pass")
    message = {"msg_type": "\x1b]0;pwned\x07", "content": {}, "parent_header": {"msg_id": "m"}, "header": {}}
    with caplog.at_level("DEBUG"):
        assert client.process_message(message, cell, 0) is None
    assert "pwned" not in caplog.text and not cell.outputs


def test_the_graders_own_observation_may_be_larger_than_a_cells_output():
    """07.1's observation (a batch of crops) is a few MB: over a learner cell's limit, within OBSERVATION_LIMIT; the
    same size printed by the learner, or sent in the grader's name outside its own cells, is too large."""
    big = "A" * (grade.CELL_OUTPUT_LIMIT + 10)

    def display(token: str) -> dict:
        return {"msg_type": "display_data", "parent_header": {"msg_id": "m"}, "header": {"msg_type": "display_data"},
                "content": {"data": {grade.MIME: {"token": token, "exercise": "07.1", "observation": big}},
                            "metadata": {}}}

    for token, cell_index, kept in (("t", 1, True), ("other", 1, False), ("t", 0, False)):
        client = grade.CappedClient(nbformat.v4.new_notebook(), token="t", grade_cells=frozenset({1}))
        client.clear_before_next_output = False  # as nbclient sets it before it runs a cell
        cell = nbformat.v4.new_code_cell(f"# {grade.MARKER} 07.1 random_crop 5")
        client.process_message(display(token), cell, cell_index)
        assert bool(cell.outputs) is kept and (cell_index in client.too_large) is not kept, (token, cell_index)
    assert grade.max_frame_bytes() > grade.OBSERVATION_LIMIT > 4 * grade.CELL_OUTPUT_LIMIT


def test_the_run_was_sandboxed_where_the_sandbox_works(graded):
    """The fixtures above ran in the sandbox wherever bubblewrap works, as in CI; elsewhere the grader said it did not."""
    warning = grade.clean(sandbox.no_sandbox_warning())
    if SANDBOXED:
        assert warning not in graded["warned"], graded["warned"]
    else:
        assert warning in graded["warned"], graded["warned"]
