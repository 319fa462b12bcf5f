"""Grade a folder of submitted notebooks: run each one, check each exercise with the course's own checkers.

    python -m classroom.grade SUBMISSIONS --lesson 01 [--out DIR] [--jobs 2] [--cell-timeout 120]
                              [--notebook-timeout 600] [--language en]
    make grade LESSON=01 SUBMISSIONS=path/to/folder [OUT=...] [JOBS=...]

For each ``*.ipynb`` in SUBMISSIONS (lesson LESSON), in parallel (``--jobs``, one kernel and one client each):

1. The file is read; an unreadable file or another lesson's notebook gets a clear line and no kernel.
2. A fresh kernel of this environment (kernel ``python3``: the running interpreter) starts in its own temporary
   folder, with ``COURSE_DATA_DIR``, ``IPYTHONDIR`` and Jupyter's runtime folder pointed into that folder.
3. First the grader's own preamble cell runs: it captures the course's checker (``helpers.check.evaluate``) before any
   learner code, so redefining ``check`` or printing "✅" earns nothing. Then the submission's setup cell (its first
   code cell) runs, then every code cell from the "## Exercises" heading on: the exercises need only the setup cell,
   by the course's design, and skipping the lesson's body keeps grading fast. A learner's own cells in that section
   run too.
4. Right after each exercise cell (the cell that calls ``check("NN.k", answer)``) the grader runs its own cell, which
   checks ``answer`` with the captured checker, in the learner's language, and sends the result back as display data
   marked with a token that is new for every submission. Printed lines are never read.
5. Grades per exercise: correct, not yet (with the hint), not attempted, or error (the cell's exception, "timed out
   after N s", or "the kernel died"). A deleted exercise cell counts as not attempted, noted "exercise cell missing".
   A failing cell does not stop the later ones; a cell over the per-cell limit is interrupted and grading goes on; a
   dead kernel, a kernel still busy 5 s after the interrupt (a loop that catches KeyboardInterrupt) or the
   per-notebook limit ends that submission, keeping the grades obtained so far.

The preamble and the setup cell (which import PyTorch) are bounded by the per-notebook limit only; every other cell
by both limits.

Writes ``OUT/gradebook.csv`` (one row per submission: file, language, status, one column per exercise, total) and
``OUT/feedback/<submission>.md`` in the learner's language (a submission whose setup cell calls
``helpers.set_language("zh")`` gets Chinese), prints a progress bar and a summary table (in ``--language``). It writes
nothing else outside its temporary folders. It runs other people's code: see TEACHING.md before you use it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import secrets
import shutil
import string
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from tqdm import tqdm

from classroom.notebook import (
    BUILD,
    NOTEBOOKS,
    check_calls,
    course_notebook,
    exercises,
    exercises_heading_index,
    is_inside,
    language,
    setup_cell_index,
    source,
    speaking,
    title,
)
from helpers.i18n import _, display_width, pad

MIME = "application/vnd.pytorch-course.grade+json"
PROBE_SECONDS = 5  # after an interrupt, the kernel must run an empty cell within this time
TIMEOUT_MARK = "ClassroomCellTimeout"
GRADES = ("correct", "not yet", "not attempted", "error")
ICONS = {"correct": "✅", "not yet": "❌", "not attempted": "⬜", "error": "💥"}
# submission statuses (the gradebook's "status" column)
GRADED, KERNEL_DIED, TIMED_OUT, UNREADABLE, WRONG_LESSON, NOT_GRADED = (
    "graded", "kernel died", "timed out", "unreadable", "wrong lesson", "not graded")
STUCK = "stuck"  # why grading stopped (the gradebook says "timed out"): the kernel ignored the interrupt

# The grader's first cell in every kernel. It runs before any learner code, so the checker it keeps is the course's.
PREAMBLE = string.Template('''\
def __classroom_setup(token, language, mime):
    from IPython import get_ipython
    from IPython.display import display

    from helpers.check import evaluate, registered_ids
    from helpers.i18n import get_language, set_language

    registered_ids()  # load every checker now, before any learner code runs
    namespace = get_ipython().user_ns

    def grade(exercise_id, name):
        if name not in namespace:
            payload = {"status": "error", "message": "NameError: name %r is not defined" % name}
        else:
            before = get_language()
            set_language(language)
            try:
                result = evaluate(exercise_id, namespace[name])
            finally:
                set_language(before)
            payload = {"status": result.status.value, "message": result.message}
        display({mime: dict(payload, token=token, exercise=exercise_id)}, raw=True)

    return grade


__classroom_grade = __classroom_setup($token, $language, $mime)
del __classroom_setup
''')


class UsageError(ValueError):
    """Wrong arguments: the message says what was expected and what to do."""


@dataclass
class Grade:
    """One exercise's grade and what the learner reads about it (already in the learner's language)."""

    status: str  # one of GRADES
    message: str = ""


@dataclass
class Submission:
    """One graded file."""

    file: str
    language: str = ""  # "en", "zh", or "" when the file could not be read
    status: str = GRADED
    grades: dict[str, Grade] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # in the learner's language

    def total(self, exercise_ids: list[str]) -> str:
        right = sum(1 for i in exercise_ids if i in self.grades and self.grades[i].status == "correct")
        return f"{right}/{len(exercise_ids)}"


@dataclass(frozen=True)
class Lesson:
    """The lesson being graded, read from the course's own notebook."""

    number: str
    titles: dict[str, str]  # language -> the lesson's title
    exercise_ids: list[str]

    @classmethod
    def load(cls, number: str) -> Lesson:
        nb = nbformat.read(course_notebook(number), as_version=4)
        ids = [exercise.exercise_id for exercise in exercises(nb.cells)]
        if not ids:
            raise UsageError(f"lesson {number} has no exercises to grade; pass a lesson with exercises (01 to 07)")
        titles = {"en": (title(nb.cells) or (number, ""))[1]}
        try:
            chinese = nbformat.read(course_notebook(number, chinese=True), as_version=4)
            titles["zh"] = (title(chinese.cells) or (number, titles["en"]))[1]
        except ValueError:  # no Chinese twin yet
            pass
        return cls(number, titles, ids)

    def title(self, language_code: str) -> str:
        return self.titles.get(language_code, self.titles["en"])


@dataclass
class Step:
    """One cell the grader runs: the preamble, the setup cell, a learner's cell, or the grader's check after one."""

    kind: str  # "preamble", "setup", "learner", "exercise", "grade"
    code: str
    exercise_id: str = ""


@dataclass(frozen=True)
class Limits:
    cell: int = 120
    notebook: int = 600


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_text(output: Any) -> str:
    return _one_line(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": "))


def plan(cells: list[Any], lesson: Lesson, token: str, language_code: str) -> tuple[list[Step], list[str]]:
    """The cells to run for one submission, and the exercise ids whose cell is missing."""
    template = {"token": repr(token), "language": repr(language_code), "mime": repr(MIME)}
    steps = [Step("preamble", PREAMBLE.substitute(template))]
    setup = setup_cell_index(cells)
    if setup is None:
        return [], list(lesson.exercise_ids)
    steps.append(Step("setup", source(cells[setup])))
    start = exercises_heading_index(cells)
    if start is None:  # the heading was deleted: start at the first exercise cell
        start = next((i for i, c in enumerate(cells) if any(e in lesson.exercise_ids for e, _n in check_calls(c))),
                     len(cells))
    last_cell: dict[str, int] = {}
    for index in range(start, len(cells)):
        for exercise_id, _name in check_calls(cells[index]):
            if exercise_id in lesson.exercise_ids:
                last_cell[exercise_id] = index
    for index in range(start, len(cells)):
        cell = cells[index]
        if index == setup or cell.get("cell_type") != "code" or not source(cell).strip():
            continue
        graded_here = [(e, n) for e, n in check_calls(cell) if last_cell.get(e) == index]
        if not graded_here:
            steps.append(Step("learner", source(cell)))
            continue
        exercise_id, name = graded_here[0]
        steps.append(Step("exercise", source(cell), exercise_id))
        steps.append(Step("grade", f"__classroom_grade({exercise_id!r}, {name!r})", exercise_id))
    missing = [i for i in lesson.exercise_ids if i not in last_cell]
    return steps, missing


def _lesson_problem(cells: list[Any], lesson: Lesson) -> str | None:
    """Why this notebook is not one of ``lesson``'s (translated), or None when it is."""
    found = {exercise_id for cell in cells for exercise_id, _n in check_calls(cell)}
    if found & set(lesson.exercise_ids):
        return None
    others = sorted({exercise_id[:2] for exercise_id in found})
    heading = title(cells)
    if not others and heading and heading[0] == lesson.number:
        return None  # lesson's notebook with every exercise cell deleted
    if not others and heading:
        others = [heading[0]]
    if others:
        return _("this is the notebook of lesson {other}, not of lesson {lesson}: hand in the notebook of lesson "
                 "{lesson}").format(other=", ".join(others), lesson=lesson.number)
    return _("no exercise of lesson {lesson} was found in this notebook: hand in the notebook of lesson "
             "{lesson}").format(lesson=lesson.number)


def _describe(step: Step) -> str:
    if step.kind in ("exercise", "grade"):
        return _("the cell of exercise {exercise_id}").format(exercise_id=step.exercise_id)
    if step.kind == "setup":
        return _("the setup cell")
    if step.kind == "preamble":
        return _("the grader's first cell")
    first = next((line for line in step.code.splitlines() if line.strip()), "")
    return _("your cell that starts with {line}").format(line=f"`{_one_line(first, 60)}`")


async def run_steps(steps: list[Step], limits: Limits, token: str, workdir: Path, language_code: str) -> Submission:
    """Run ``steps`` in a fresh kernel in ``workdir``; return the grades obtained (status, notes, no file).

    Several submissions are graded at once in one event loop, and the language of ``_()`` is global: every message is
    therefore made inside ``speaking(language_code)`` with no ``await`` in between.
    """
    result = Submission(file="")
    cells = [nbformat.v4.new_code_cell(step.code) for step in steps]
    nb = nbformat.v4.new_notebook(cells=cells)
    replies: dict[int, dict] = {}

    def keep_reply(cell: Any, cell_index: int, execute_reply: dict) -> None:
        replies[cell_index] = execute_reply

    for folder in ("work", "data", "ipython", "runtime"):
        (workdir / folder).mkdir()
    env = dict(os.environ, COURSE_DATA_DIR=str(workdir / "data"), IPYTHONDIR=str(workdir / "ipython"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"))
    manager = AsyncKernelManager(kernel_name="python3", connection_file=str(workdir / "runtime" / "kernel.json"))
    # iopub_timeout: how long to wait for a cell's last output messages after its reply (nbclient's default is 4 s;
    # the grader's payload is sent before the reply, and a timed-out cell of a stuck kernel sends nothing more)
    client = NotebookClient(nb, km=manager, timeout=limits.cell, iopub_timeout=2, allow_errors=True,
                            interrupt_on_timeout=True,
                            error_on_timeout={"ename": TIMEOUT_MARK, "evalue": ""}, shutdown_kernel="immediate",
                            on_cell_executed=keep_reply)
    deadline = monotonic() + limits.notebook
    skip_grade_of: set[str] = set()
    with (workdir / "kernel.log").open("wb") as log:
        async with client.async_setup_kernel(env=env, cwd=str(workdir / "work"), cleanup_kc=True, stdout=log,
                                             stderr=log):
            for index, step in enumerate(steps):
                if step.kind == "grade" and step.exercise_id in skip_grade_of:
                    continue
                remaining = deadline - monotonic()
                bounded_by_notebook = step.kind in ("preamble", "setup") or remaining < limits.cell
                limit = max(1, int(remaining if bounded_by_notebook else limits.cell))
                if remaining < 1:
                    with speaking(language_code):
                        _stop(result, steps, index, TIMED_OUT, limits.notebook)
                    break
                client.timeout = limit
                try:
                    await client.async_execute_cell(cells[index], index)
                except DeadKernelError:
                    with speaking(language_code):
                        _stop(result, steps, index, KERNEL_DIED, limits.notebook)
                    break
                reply = replies.get(index, {}).get("content", {})
                timed_out = reply.get("ename") == TIMEOUT_MARK
                with speaking(language_code):
                    if timed_out and bounded_by_notebook:
                        _stop(result, steps, index, TIMED_OUT, limits.notebook)
                        break
                    if not _record(result, step, cells[index], timed_out, limit, token):
                        break
                if timed_out and not await _answers_after_interrupt(client, nb, replies):
                    with speaking(language_code):
                        _stop(result, steps, index, STUCK, limits.notebook)
                    break
                if step.kind == "exercise" and step.exercise_id in result.grades:  # the cell itself failed
                    skip_grade_of.add(step.exercise_id)
    return result


async def _answers_after_interrupt(client: NotebookClient, nb: Any, replies: dict[int, dict]) -> bool:
    """After a cell was interrupted for its time limit: does the kernel run a new cell again? A loop that catches
    KeyboardInterrupt keeps it busy, and every later cell would only wait for its own time limit."""
    probe = nbformat.v4.new_code_cell("pass")
    nb.cells.append(probe)
    # the probe prints nothing: a short wait for its output messages is enough (a stuck kernel sends none)
    timeout, client.timeout = client.timeout, PROBE_SECONDS
    iopub_timeout, client.iopub_timeout = client.iopub_timeout, 1
    index = len(nb.cells) - 1
    try:
        await client.async_execute_cell(probe, index)
    except DeadKernelError:
        return False
    finally:
        client.timeout, client.iopub_timeout = timeout, iopub_timeout
    return replies.get(index, {}).get("content", {}).get("status") == "ok"  # not our timeout's error


def _record(result: Submission, step: Step, cell: Any, timed_out: bool, limit: int, token: str) -> bool:
    """Record what running ``step`` in ``cell`` means for the grades; False when grading must stop."""
    errors = [o for o in cell.outputs if o.get("output_type") == "error"]
    problem = (_("timed out after {seconds} s").format(seconds=limit) if timed_out
               else _error_text(errors[0]) if errors else None)
    if step.kind == "preamble" and problem:
        result.status = NOT_GRADED
        result.notes.append(_("the grader could not start in this kernel ({problem}); is the course "
                              "installed in this environment (`make setup`)?").format(problem=problem))
        return False
    if step.kind == "setup" and problem:
        result.notes.append(_("the setup cell failed ({problem}); exercises that need it fail "
                              "too").format(problem=problem))
    if step.kind == "exercise" and problem:
        result.grades[step.exercise_id] = Grade("error", problem)
    if step.kind == "grade":
        grade = Grade("error", problem) if problem else _payload(cell, token)
        result.grades[step.exercise_id] = grade or Grade("error", _("the grader's check sent no result"))
    return True


def _payload(cell: Any, token: str) -> Grade | None:
    for output in cell.outputs:
        data = output.get("data", {}).get(MIME) if output.get("output_type") == "display_data" else None
        if isinstance(data, dict) and data.get("token") == token and data.get("status") in GRADES:
            return Grade(data["status"], str(data.get("message", "")))
    return None


def _stop(result: Submission, steps: list[Step], index: int, status: str, notebook_limit: int) -> None:
    """Record why running stopped at ``steps[index]``; every exercise not graded yet gets an error."""
    step = steps[index]
    result.status = TIMED_OUT if status == STUCK else status
    if status == STUCK:
        result.notes.append(_("the kernel kept running {cell} after it was interrupted (does a loop there catch "
                              "KeyboardInterrupt?); the grades before it are kept").format(cell=_describe(step)))
        here = _("timed out, and the kernel kept running after the interrupt")
        later = _("not run: the kernel was still busy with an earlier cell")
    elif status == KERNEL_DIED:
        result.notes.append(_("the kernel died while running {cell} (its process exited or ran out of memory); "
                              "the grades before it are kept").format(cell=_describe(step)))
        here, later = _("the kernel died"), _("not run: the kernel died in an earlier cell")
    else:
        result.notes.append(_("the notebook's time limit of {seconds} s ran out in {cell}; the grades before it "
                              "are kept").format(seconds=notebook_limit, cell=_describe(step)))
        here = _("timed out: the notebook's time limit of {seconds} s ran out").format(seconds=notebook_limit)
        later = _("not run: the notebook's time limit ran out earlier")
    if step.exercise_id and step.exercise_id not in result.grades:
        result.grades[step.exercise_id] = Grade("error", here)
    for later_step in steps[index:]:
        if later_step.kind == "exercise" and later_step.exercise_id not in result.grades:
            result.grades[later_step.exercise_id] = Grade("error", later)


async def grade_file(path: Path, lesson: Lesson, limits: Limits, teacher_language: str) -> Submission:
    """Grade one submitted notebook; never raises on what the file holds."""
    try:
        nb = nbformat.read(path, as_version=4)
        cells = list(nb.cells)
    except Exception as error:  # JSON, nbformat, encoding, permission...: any unreadable file
        with speaking(teacher_language):
            reason = _one_line(str(error).splitlines()[0] if str(error) else type(error).__name__, 200)
            note = _("this file could not be read as a notebook ({reason}): save the notebook again in JupyterLab "
                     "and hand it in again").format(reason=reason)
        return Submission(path.name, "", UNREADABLE, {}, [note])
    learner_language = language(cells)
    with speaking(learner_language):
        problem = _lesson_problem(cells, lesson)
    if problem:
        return Submission(path.name, learner_language, WRONG_LESSON, {}, [problem])
    token = secrets.token_hex(16)
    steps, missing = plan(cells, lesson, token, learner_language)
    if any(step.kind == "exercise" for step in steps):
        with tempfile.TemporaryDirectory(prefix="classroom-grade-") as workdir:
            result = await run_steps(steps, limits, token, Path(workdir), learner_language)
    else:
        result = Submission("")
    result.file, result.language = path.name, learner_language
    with speaking(learner_language):
        for exercise_id in missing:
            result.grades[exercise_id] = Grade("not attempted", _("exercise cell missing"))
        for exercise_id in lesson.exercise_ids:
            result.grades.setdefault(exercise_id, Grade("error", _("not run")))
    return result


def check_folders(submissions: Path, out: Path) -> tuple[Path, Path, list[Path]]:
    """Resolve and check the folders; return them and the submissions, or raise UsageError saying what to pass."""
    submissions, out = submissions.expanduser().resolve(), out.expanduser().resolve()
    if not submissions.is_dir():
        raise UsageError(f"SUBMISSIONS must be a folder of .ipynb files; {submissions} is not a folder. "
                         f"Pass the folder that holds the notebooks you collected.")
    files = sorted(p for p in submissions.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UsageError(f"{submissions} holds no .ipynb file; pass the folder that holds the collected notebooks.")
    if is_inside(out, submissions) or is_inside(submissions, out):
        raise UsageError(f"--out must lie outside the submissions folder (the grader never writes there); got {out}. "
                         f"Pass another folder, or leave --out out to write into build/grades/.")
    if is_inside(out, NOTEBOOKS) or is_inside(NOTEBOOKS, out):
        raise UsageError(f"--out must not be the course's notebooks/ folder, lie in it or hold it; got {out}. "
                         f"Pass another folder, or leave --out out to write into build/grades/.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out must be a folder, but {out} is a file; pass a new folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / "gradebook.csv").is_file():
        raise UsageError(f"--out must be a new or empty folder, or an earlier grading output (with gradebook.csv); "
                         f"{out} holds other files. Pass a new folder.")
    return submissions, out, files


async def grade_all(files: list[Path], lesson: Lesson, limits: Limits, jobs: int, teacher_language: str,
                    progress: bool = True) -> list[Submission]:
    """Grade ``files``, at most ``jobs`` at a time, with a progress bar; return the results in file order."""
    slots = asyncio.Semaphore(jobs)

    async def one(path: Path) -> Submission:
        async with slots:
            return await grade_file(path, lesson, limits, teacher_language)

    with speaking(teacher_language):
        description = _("grading")
    results = []
    with tqdm(total=len(files), desc=description, unit="nb", disable=not progress, file=sys.stderr) as bar:
        for finished in asyncio.as_completed([one(path) for path in files]):
            results.append(await finished)
            bar.update()
    return sorted(results, key=lambda s: s.file)


def write_gradebook(results: list[Submission], lesson: Lesson, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "language", "status", *lesson.exercise_ids, "total"])
        for s in results:
            grades = [s.grades[i].status if i in s.grades else "" for i in lesson.exercise_ids]
            writer.writerow([s.file, s.language, s.status, *grades, s.total(lesson.exercise_ids)])


def _status_word(status: str) -> str:
    return {"correct": _("correct"), "not yet": _("not yet"), "not attempted": _("not attempted"),
            "error": _("error")}[status]


def feedback(result: Submission, lesson: Lesson) -> str:
    """The feedback file's Markdown, in the current language."""
    lines = [
        "# " + _("Feedback on {file}").format(file=result.file),
        _("Lesson {number} · {title}. Score: {total}").format(
            number=lesson.number, title=lesson.title(result.language), total=result.total(lesson.exercise_ids)),
    ]
    lines += [f"> {note[:1].upper()}{note[1:]}" for note in result.notes]
    items = []
    for exercise_id in lesson.exercise_ids:
        grade = result.grades.get(exercise_id)
        if grade is not None:
            items.append("- " + _("{icon} Exercise {exercise_id}: {status} — {message}").format(
                icon=ICONS[grade.status], exercise_id=exercise_id, status=_status_word(grade.status),
                message=_one_line(grade.message, 1000)))
    if items:
        lines.append("\n".join(items))
        lines.append(_("How this was graded: your notebook's setup cell and exercise section ran again in a fresh "
                       "kernel, and the grader checked each answer itself with the course's checks. What your cells "
                       "printed does not count."))
    return "\n\n".join(lines) + "\n"


def summary(results: list[Submission], lesson: Lesson) -> str:
    """The table printed at the end, and one line per submission that needs the teacher's attention."""
    status_words = {GRADED: _("graded"), KERNEL_DIED: _("kernel died"), TIMED_OUT: _("timed out"),
                    UNREADABLE: _("unreadable"), WRONG_LESSON: _("wrong lesson"), NOT_GRADED: _("not graded")}
    table = [[_("file"), _("language"), _("status"), *lesson.exercise_ids, _("total")]]
    for s in results:
        marks = [ICONS[s.grades[i].status] if i in s.grades else "" for i in lesson.exercise_ids]
        table.append([s.file, s.language or "?", status_words[s.status], *marks, s.total(lesson.exercise_ids)])
    widths = [max(display_width(row[column]) for row in table) for column in range(len(table[0]))]
    rows = ["  ".join(pad(cell, width) for cell, width in zip(row, widths)).rstrip() for row in table]
    rows.append(_("✅ correct  ❌ not yet  ⬜ not attempted  💥 error"))
    rows.append(_("Only each notebook's setup cell and exercise section were run."))
    for s in results:
        for note in s.notes:
            rows.append(f"{s.file}: {note}")
    return "\n".join(rows)


def grade_folder(submissions: Path, lesson_number: str, out: Path | None = None, jobs: int = 2,
                 limits: Limits = Limits(), teacher_language: str = "en", progress: bool = True) -> list[Submission]:
    """Grade every notebook in ``submissions``; write OUT/gradebook.csv and OUT/feedback/; return the results."""
    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {jobs}; pass e.g. --jobs 2")
    if limits.cell < 1 or limits.notebook < 1:
        raise UsageError(f"time limits must be whole seconds, 1 or more; got {limits}; pass e.g. --cell-timeout 120")
    try:
        lesson = Lesson.load(lesson_number)
    except ValueError as error:
        raise UsageError(str(error)) from None
    out = out if out is not None else BUILD / "grades" / f"lesson-{lesson_number}"
    submissions, out, files = check_folders(submissions, out)
    results = asyncio.run(grade_all(files, lesson, limits, jobs, teacher_language, progress))
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "feedback", ignore_errors=True)
    (out / "feedback").mkdir()
    write_gradebook(results, lesson, out / "gradebook.csv")
    for result in results:
        with speaking(result.language or teacher_language):
            text = feedback(result, lesson)
        (out / "feedback" / Path(result.file).with_suffix(".md").name).write_text(text, encoding="utf-8")
    with speaking(teacher_language):
        print(summary(results, lesson))
        print(_("Gradebook: {path}").format(path=out / "gradebook.csv"))
        print(_("Feedback for each learner: {path}").format(path=out / "feedback"))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, help="the folder of submitted .ipynb files")
    parser.add_argument("--lesson", required=True, help="the lesson's two-digit number, e.g. 01")
    parser.add_argument("--out", type=Path, help="where to write gradebook.csv and feedback/ "
                                                 "(default: build/grades/lesson-NN/ in the course folder)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at the same time (default 2)")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell, help="seconds per cell (default 120)")
    parser.add_argument("--notebook-timeout", type=int, default=Limits.notebook,
                        help="seconds per notebook (default 600)")
    parser.add_argument("--language", choices=["en", "zh"], default="en",
                        help="language of the printed summary and of feedback on unreadable files (default en)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        grade_folder(args.submissions, args.lesson, args.out, args.jobs,
                     Limits(args.cell_timeout, args.notebook_timeout), args.language, not args.no_progress)
    except UsageError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
