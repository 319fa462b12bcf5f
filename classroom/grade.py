"""Grade a folder of submitted notebooks: run each one, check each exercise with the course's own checkers.

    python -m classroom.grade SUBMISSIONS --lesson 01 [--out DIR] [--jobs 2] [--cell-timeout 120]
                              [--notebook-timeout 600] [--language en] [--regrade]
    make grade LESSON=01 SUBMISSIONS=path/to/folder [OUT=...] [JOBS=...] [CELL_LIMIT=...] [NOTEBOOK_LIMIT=...]
               [REGRADE=1]

For each ``*.ipynb`` in SUBMISSIONS (any case: ``.IPYNB`` too; lesson LESSON), in parallel (``--jobs``, one kernel
and one client each):

1. The file is read, without following a link out of SUBMISSIONS (a link inside is followed). A file that is not a
   notebook of the usual shape (cells a list, each with a ``cell_type`` and a text ``source``), a link out of the
   folder, a FIFO or a file over 100 MB is "unreadable", another lesson's notebook "wrong lesson": each gets a clear
   line and no kernel.
2. A fresh kernel of this environment (kernel ``python3``: the running interpreter) starts in its own temporary
   folder, with ``COURSE_DATA_DIR``, ``IPYTHONDIR`` and Jupyter's runtime folder pointed into that folder.
3. First the grader's own preamble cell runs: before any learner code, it captures the course's observer
   (``helpers.check.observe_for_grader``) and every builtin it needs, and registers a ``post_run_cell`` hook; it
   leaves no name in the learner's namespace. So redefining ``check`` or shadowing ``dict``, ``len``, ``print``...
   neither changes nor breaks a grade. Then the submission's setup cell (its first code cell before the exercise
   section; the course's own setup cell, with a note, when it has none) runs, then every code cell from the
   "## Exercises" heading on: the exercises need only the setup cell, by the course's design, and skipping the
   lesson's body keeps grading fast. A learner's own cells in that section run too.
4. Right after each exercise cell (the cell that calls ``check("NN.k", answer)``) the grader runs a marker cell, a
   comment that resolves no name and holds a seed chosen now; the hook then *observes* ``answer``: it turns it into
   plain data (tensors, numbers, strings, lists, dicts), calling it first when it is a function, on the exercise's own
   example and on inputs drawn from the seed. It sends that data (``torch.save`` bytes) back as display data marked
   with a token that is new for every submission. The grader loads it with ``torch.load(weights_only=True)`` (no
   object of the learner's survives the trip: no Tensor or float subclass can lie) and computes the verdict itself,
   in its own process, with the course's checker, against expectations it computes itself: a function answer must be
   right on the example (with the same hint as the learner's ``check``) and on the grader's inputs. Printed lines are
   never read; a message claiming to be the grader's can at most say "not yet" unless it holds the right values.
5. Grades per exercise: correct, not yet (with the hint), not attempted, or error (the cell's exception, "timed out
   after N s", "output too large", or "the kernel died"). A deleted exercise cell counts as not attempted, noted
   "exercise cell missing". A failing cell does not stop the later ones; a cell over the per-cell limit, or printing
   more than 1 MB, is interrupted and grading goes on (the preamble also caps what the kernel sends per cell, and the
   grader's client refuses unread any message frame over 9 MB); a dead kernel, a kernel still busy 5 s after the
   interrupt (a loop that catches KeyboardInterrupt), more than 5 MB of output in all, a refused frame or the
   per-notebook limit ends that submission, keeping the grades obtained so far.

The preamble and the setup cell (which import PyTorch) are bounded by the per-notebook limit only; every other cell
by both limits.

Writes ``OUT/gradebook.csv`` (one row per submission: file, language, status, one column per exercise, total) and
``OUT/feedback/<submission>.md`` in the learner's language (a submission whose setup cell calls
``helpers.set_language("zh")`` gets Chinese), each (atomically) as soon as that submission is graded, with
``OUT/.grade-state.json`` (each graded file's SHA-256 and result): a run stopped midway keeps every finished row, and
the same command then grades only the files not graded yet or changed since (``--regrade``: all of them). Escape
sequences and control characters are removed from everything it prints or writes, and a file name that a spreadsheet
would read as a formula (``=``, ``+``, ``-``, ``@``) starts with ``'`` in the gradebook. It prints a progress bar and a
summary table (in ``--language``). It writes nothing else outside its temporary folders. It runs other people's code:
see TEACHING.md before you use it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import hashlib
import io
import json
import os
import re
import secrets
import stat
import string
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import monotonic
from typing import Any

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from tqdm import tqdm

from classroom import sandbox
from classroom.notebook import (
    BUILD,
    NOTEBOOKS,
    check_calls,
    course_notebook,
    exercises,
    exercises_heading_index,
    is_inside,
    language,
    malformed,
    setup_cell_index,
    source,
    speaking,
    title,
)
from helpers.check import NotData, judge_for_grader
from helpers.checkpoint import write_atomically
from helpers.i18n import _, display_width, pad

MIME = "application/vnd.pytorch-course.grade+json"
PROBE_SECONDS = 5  # after an interrupt, the kernel must run an empty cell within this time
TIMEOUT_MARK = "ClassroomCellTimeout"
GRADES = ("correct", "not yet", "not attempted", "error")
ICONS = {"correct": "✅", "not yet": "❌", "not attempted": "⬜", "error": "💥"}
# submission statuses (the gradebook's "status" column)
GRADED, KERNEL_DIED, TIMED_OUT, UNREADABLE, WRONG_LESSON, NOT_GRADED, TOO_MUCH_OUTPUT = (
    "graded", "kernel died", "timed out", "unreadable", "wrong lesson", "not graded", "output too large")
STUCK = "stuck"  # why grading stopped (the gradebook says "timed out"): the kernel ignored the interrupt
LOST = "lost"  # why grading stopped (the gradebook says "output too large"): a message over max_frame_bytes()

# The grader's first cell in every kernel. It runs before any learner code, so the observer it keeps is the course's,
# and every name its hook uses is bound here, as a closure variable: a learner who later defines ``dict``, ``len``,
# ``print``, ``Exception``... (or the course's names) neither breaks the grader's observations nor changes them. It
# leaves no name in the learner's namespace. The hook runs after every cell; it acts only after the grader's own
# marker cell, a comment (``# <MARKER> 01.1 answer <seed>``) that resolves no name at all. It sends only an
# observation (plain data, ``torch.save`` bytes in base64): the verdict is computed by the grader, in its own process.
PREAMBLE = string.Template('''\
def __classroom_setup(token, language, mime, marker, output_limit):
    import sys
    from base64 import b64encode

    from IPython import get_ipython
    from IPython.display import display

    from helpers.check import observe_for_grader, registered_ids
    from helpers.i18n import get_language, set_language

    registered_ids()  # load every checker now, before any learner code runs
    shell = get_ipython()
    namespace = shell.user_ns
    text, base_exception, kind_of, length, is_a, whole = str, BaseException, type, len, isinstance, int

    def observe(exercise_id, name, seed):
        if name not in namespace:
            return {"status": "error", "message": "NameError: name %r is not defined" % (name,)}
        before = get_language()
        set_language(language)
        try:
            data = observe_for_grader(exercise_id, namespace[name], seed)
            return {"observation": text(b64encode(data), "ascii")}
        except base_exception as error:  # an observer never raises on an answer; an interrupt or a broken kernel may
            return {"status": "error", "message": "%s: %s" % (kind_of(error).__name__, error)}
        finally:
            set_language(before)

    def after_cell(result=None):
        info = result.info if result is not None else None
        cell = info.raw_cell if info is not None else None
        if not is_a(cell, text):
            return
        words = cell.split()
        if length(words) != 5 or words[0] != "#" or words[1] != marker or not words[4].isdigit():
            return
        payload = observe(words[2], words[3], whole(words[4]))
        payload["token"] = token
        payload["exercise"] = words[2]
        display({mime: payload}, raw=True)

    shell.events.register("post_run_cell", after_cell)

    # The kernel sends at most output_limit + 1 characters of printed text per cell: one over the grader's limit, so
    # that the grader sees the flood, says so and interrupts the cell, without a message of hundreds of MB to read.
    # (ipykernel's streams gather what is printed and send it from their thread, cell by cell: the cap sits there.)
    sent = {}
    mapping, has = dict, hasattr

    def capped(flush_buffers):
        def capped_flush_buffers():
            for parent, data in flush_buffers():
                cell = parent.get("msg_id", "") if is_a(parent, mapping) else ""
                room = output_limit + 1 - sent.get(cell, 0)
                if room > 0:
                    data = data[:room]
                    sent[cell] = sent.get(cell, 0) + length(data)
                    yield parent, data
        return capped_flush_buffers

    for stream in (sys.stdout, sys.stderr):
        if has(stream, "_flush_buffers"):
            stream._flush_buffers = capped(stream._flush_buffers)


__classroom_setup($token, $language, $mime, $marker, $output_limit)
del __classroom_setup
''')
MARKER = "classroom-grader:"  # the grader's marker cells: "# classroom-grader: 01.1 answer"
INTERNAL = "__classroom"  # the grader's names in the kernel: never shown to a learner


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
    setup_cells: dict[str, str] = field(default_factory=dict)  # language -> the course's own setup cell

    @classmethod
    def load(cls, number: str) -> Lesson:
        nb = nbformat.read(course_notebook(number), as_version=4)
        ids = [exercise.exercise_id for exercise in exercises(nb.cells)]
        if not ids:
            raise UsageError(f"lesson {number} has no exercises to grade; pass a lesson with exercises (01 to 07)")
        titles = {"en": (title(nb.cells) or (number, ""))[1]}
        setups = {"en": _setup_source(nb.cells)}
        try:
            chinese = nbformat.read(course_notebook(number, chinese=True), as_version=4)
            titles["zh"] = (title(chinese.cells) or (number, titles["en"]))[1]
            setups["zh"] = _setup_source(chinese.cells)
        except ValueError:  # no Chinese twin yet
            pass
        return cls(number, titles, ids, setups)

    def title(self, language_code: str) -> str:
        return self.titles.get(language_code, self.titles["en"])


def _setup_source(cells: list[Any]) -> str:
    index = setup_cell_index(cells)
    return source(cells[index]) if index is not None else ""


@dataclass
class Step:
    """One cell the grader runs: the preamble, the setup cell, a learner's cell, or the grader's check after one."""

    kind: str  # "preamble", "setup", "learner", "exercise", "grade"
    code: str
    exercise_id: str = ""
    seed: int = 0  # "grade": the seed of the inputs a function answer is called on (chosen now, not in the notebook)


@dataclass(frozen=True)
class Limits:
    cell: int = 120
    notebook: int = 600
    sandboxed: bool = True  # False: --no-sandbox
    memory: int | None = sandbox.MEMORY_LIMIT  # bytes of private memory per kernel process (sandbox only)
    hide: tuple[Path, ...] = ()  # what the sandbox covers besides build/: SUBMISSIONS and OUT (grade_folder sets them)


# What the grader reads of a kernel's output (characters of the output messages' JSON): beyond the cell's limit it
# interrupts the cell and reads no more of it; beyond the notebook's it stops grading that submission.
CELL_OUTPUT_LIMIT = 1_000_000
NOTEBOOK_OUTPUT_LIMIT = 5_000_000
OBSERVATION_LIMIT = 8_000_000  # characters of the grader's own observation per exercise (base64 of torch.save bytes)
MAX_FILE_BYTES = 100_000_000  # a bigger file is not read ("unreadable")
STATE = ".grade-state.json"  # in OUT: what each graded file held (SHA-256) and its result, to resume a run
# ANSI/OSC escape sequences and the other control characters (C0 but tab and newline, DEL, C1), surrogates left by
# undecodable file names, and the Unicode controls that reorder text on screen: never printed nor written
ESCAPES = re.compile(r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (title, hyperlink...)
                     r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                     r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI (colours, cursor, clear screen...)
                     r"|\x1b[ -/]*[0-~]?")  # any other escape sequence
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(text: Any) -> str:
    """``text`` without escape sequences and control characters (tabs become spaces; newlines are kept)."""
    return CONTROLS.sub("", ESCAPES.sub("", str(text))).replace("\t", " ")


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(clean(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_text(output: Any) -> str:
    return _one_line(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": "))


def plan(cells: list[Any], lesson: Lesson, token: str, language_code: str) -> tuple[list[Step], list[str]]:
    """The cells to run for one submission, and the exercise ids whose cell is missing.

    A notebook without a setup cell (it holds only the exercise section) gets the course's own setup cell, in its
    language: the exercises need only that cell, by the course's design, and the learner never changed it (the
    student edition's code cells are the course's), so the answers get the grades they earn.
    """
    template = {"token": repr(token), "language": repr(language_code), "mime": repr(MIME), "marker": repr(MARKER),
                "output_limit": repr(CELL_OUTPUT_LIMIT)}
    steps = [Step("preamble", PREAMBLE.substitute(template))]
    setup = setup_cell_index(cells)
    if setup is None:
        steps.append(Step("course setup", lesson.setup_cells.get(language_code) or lesson.setup_cells.get("en", "")))
    else:
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
        seed = secrets.randbelow(2**31)
        steps.append(Step("grade", f"# {MARKER} {exercise_id} {name} {seed}", exercise_id, seed))
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
    if step.kind in ("setup", "course setup"):
        return _("the setup cell")
    if step.kind == "preamble":
        return _("the grader's first cell")
    first = next((line for line in step.code.splitlines() if line.strip()), "")
    return _("your cell that starts with {line}").format(line=f"`{_one_line(first, 60)}`")


def limit_frames(manager: AsyncKernelManager, max_frame: int) -> zmq.asyncio.Context:
    """Make ``manager``'s clients refuse any message frame over ``max_frame`` bytes (ZeroMQ's MAXMSGSIZE: the
    connection to the kernel is dropped before the frame is read), so that no single message of a hostile kernel can
    fill the grader's memory. The kernel's output is lost from there on (the grader notices: no message comes for a
    cell) and only that submission suffers. Works with any kernel manager (the sandbox's too); returns the clients'
    own ZeroMQ context, to ``destroy`` when grading ends."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, max_frame)
    make_client = manager.client

    def client(**kwargs: Any) -> Any:
        return make_client(context=context, **kwargs)

    manager.client = client  # type: ignore[method-assign]
    return context


def max_frame_bytes() -> int:
    """The largest message frame the grader reads: a cell's output at its limit, even as escaped JSON, with room
    (with the default limits, room for an observation at OBSERVATION_LIMIT too)."""
    return 8 * CELL_OUTPUT_LIMIT + 1_000_000


KNOWN_MESSAGES = {"status", "execute_input", "stream", "display_data", "update_display_data", "execute_result",
                  "error", "clear_output", "comm_open", "comm_msg", "comm_close"}


class CappedClient(NotebookClient):
    """nbclient's client that reads at most ``CELL_OUTPUT_LIMIT`` characters of output per cell and
    ``NOTEBOOK_OUTPUT_LIMIT`` in all: beyond either it keeps no more output and interrupts the cell (once).

    The grader's own observations (display data of its MIME type carrying ``token``, in one of the ``grade_cells``)
    count against ``OBSERVATION_LIMIT`` per cell instead: an honest answer's observation may be a few MB (07.1 sends
    a batch of crops), more than a learner's cell may print.
    """

    def __init__(self, *args: Any, token: str = "", grade_cells: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token, self.grade_cells = token, grade_cells
        self.observed: dict[int, int] = {}  # characters of the grader's observations read, per grade cell
        self.read_per_cell: dict[int, int] = {}
        self.read_in_all = 0  # what was kept, of all cells
        self.too_large: set[int] = set()  # cells whose output went over a limit
        self.heard: set[int] = set()  # cells the kernel sent any message about (status, input...)
        self.notebook_over = False
        self.interrupts: list[Any] = []

    def notebook_too_large(self) -> bool:
        return self.notebook_over

    def _observation(self, msg: dict[str, Any]) -> bool:
        """Is ``msg`` display data in the grader's name (its MIME type and this submission's token)?"""
        content = msg.get("content")
        data = content.get("data") if isinstance(content, dict) else None
        payload = data.get(MIME) if isinstance(data, dict) else None
        return msg.get("msg_type") == "display_data" and isinstance(payload, dict) and payload.get("token") == self.token

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        self.heard.add(cell_index)
        if msg.get("msg_type") not in KNOWN_MESSAGES:  # nbclient would log its type (kernel-made text) to the terminal
            return None
        if msg.get("msg_type") == "status":
            return super().process_message(msg, cell, cell_index)
        try:
            size = len(json.dumps(msg.get("content"), default=str))
        except (TypeError, ValueError, RecursionError):
            size = CELL_OUTPUT_LIMIT + 1
        if cell_index in self.grade_cells and self._observation(msg):
            self.observed[cell_index] = self.observed.get(cell_index, 0) + size
            if self.observed[cell_index] <= OBSERVATION_LIMIT:
                return super().process_message(msg, cell, cell_index)
            size = CELL_OUTPUT_LIMIT + 1  # over: as much too large as any output
        self.read_per_cell[cell_index] = self.read_per_cell.get(cell_index, 0) + size
        if self.read_per_cell[cell_index] > CELL_OUTPUT_LIMIT:
            pass
        elif self.read_in_all + size > NOTEBOOK_OUTPUT_LIMIT:
            self.notebook_over = True
        else:
            self.read_in_all += size
            return super().process_message(msg, cell, cell_index)
        if cell_index not in self.too_large:
            self.too_large.add(cell_index)
            if self.km is not None:
                self.interrupts.append(asyncio.ensure_future(self.km.interrupt_kernel()))
        return None


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
    box = sandbox.Sandbox(workdir, hide=limits.hide, memory=limits.memory) if limits.sandboxed else None
    manager = sandbox.kernel_manager(box, connection_file=str(workdir / "runtime" / "kernel.json"))
    context = limit_frames(manager, max_frame_bytes())
    # iopub_timeout: how long to wait for a cell's last output messages after its reply (nbclient's default is 4 s;
    # the grader's payload is sent before the reply, and a timed-out cell of a stuck kernel sends nothing more)
    grade_cells = frozenset(index for index, step in enumerate(steps) if step.kind == "grade")
    client = CappedClient(nb, km=manager, token=token, grade_cells=grade_cells, timeout=limits.cell, iopub_timeout=2,
                          allow_errors=True,
                          interrupt_on_timeout=True,
                          error_on_timeout={"ename": TIMEOUT_MARK, "evalue": ""}, shutdown_kernel="immediate",
                          on_cell_executed=keep_reply)
    deadline = monotonic() + limits.notebook
    skip_grade_of: set[str] = set()
    try:
        with (workdir / "kernel.log").open("wb") as log:
            async with client.async_setup_kernel(env=env, cwd=str(workdir / "work"), cleanup_kc=True, stdout=log,
                                                 stderr=log):
                for index, step in enumerate(steps):
                    if step.kind == "grade" and step.exercise_id in skip_grade_of:
                        continue
                    remaining = deadline - monotonic()
                    bounded_by_notebook = step.kind in ("preamble", "setup", "course setup") or remaining < limits.cell
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
                    too_large = index in client.too_large
                    # no message at all about a cell (not even "busy"): a refused frame cut the kernel's output, unless
                    # a new cell is heard again (a very slow machine)
                    lost = index not in client.heard and not timed_out and not await _still_heard(client, nb)
                    with speaking(language_code):
                        if client.notebook_too_large():
                            _stop(result, steps, index, TOO_MUCH_OUTPUT, limits.notebook)
                            break
                        if lost:
                            _stop(result, steps, index, LOST, limits.notebook)
                            break
                        if timed_out and bounded_by_notebook and not too_large:
                            _stop(result, steps, index, TIMED_OUT, limits.notebook)
                            break
                        if not _record(result, step, cells[index], timed_out, limit, token, too_large):
                            break
                    if client.interrupts:  # an interrupt for too much output reaches the kernel before its next cell
                        await asyncio.gather(*client.interrupts, return_exceptions=True)
                        client.interrupts.clear()
                    if (timed_out or too_large) and not await _answers_after_interrupt(client, nb, replies):
                        with speaking(language_code):
                            _stop(result, steps, index, STUCK, limits.notebook)
                        break
                    if step.kind == "exercise" and step.exercise_id in result.grades:  # the cell itself failed
                        skip_grade_of.add(step.exercise_id)
    finally:  # the clients' own ZeroMQ context (limit_frames): its sockets and thread go now
        context.destroy(linger=0)
    return result


async def _still_heard(client: CappedClient, nb: Any) -> bool:
    """Does the kernel's output still reach the grader? An empty cell always sends "busy" and "idle" messages."""
    probe = nbformat.v4.new_code_cell("pass")
    nb.cells.append(probe)
    index = len(nb.cells) - 1
    timeout, client.timeout = client.timeout, PROBE_SECONDS
    try:
        await client.async_execute_cell(probe, index)
    except DeadKernelError:
        return True  # not a lost output: the next cell says the kernel died
    finally:
        client.timeout = timeout
    return index in client.heard


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


def _size(characters: int) -> str:
    return f"{characters / 1_000_000:g} MB"


def _record(result: Submission, step: Step, cell: Any, timed_out: bool, limit: int, token: str,
            too_large: bool = False) -> bool:
    """Record what running ``step`` in ``cell`` means for the grades; False when grading must stop."""
    errors = [o for o in cell.outputs if o.get("output_type") == "error"]
    problem = (_("output too large: the cell printed more than {size}; the grader stopped reading it and "
                 "interrupted the cell").format(size=_size(CELL_OUTPUT_LIMIT)) if too_large
               else _("timed out after {seconds} s").format(seconds=limit) if timed_out
               else _error_text(errors[0]) if errors else None)
    if too_large and step.kind in ("setup", "course setup", "learner"):
        result.notes.append(_("{cell} printed more than {size}: the grader stopped reading it and interrupted "
                              "it").format(cell=_describe(step), size=_size(CELL_OUTPUT_LIMIT)))
    if step.kind == "preamble" and problem:
        result.status = NOT_GRADED
        result.notes.append(_("the grader could not start in this kernel ({problem}); is the course "
                              "installed in this environment (`make setup`)?").format(problem=problem))
        return False
    if step.kind == "course setup":
        result.notes.append(_("this notebook has no setup cell before its exercises: the course's own setup cell "
                              "ran in its place"))
    if step.kind in ("setup", "course setup") and problem and not too_large:
        result.notes.append(_("the setup cell failed ({problem}); exercises that need it fail "
                              "too").format(problem=problem))
    if errors and not timed_out and not too_large and sandbox.memory_problem(str(errors[0].get("ename", "")),
                                                                             str(errors[0].get("evalue", ""))):
        problem = sandbox.memory_message()
    if step.kind == "exercise" and problem:
        result.grades[step.exercise_id] = Grade("error", problem)
    if step.kind == "grade":  # the grader's result counts even when a learner's hook failed after it
        grade = None if timed_out or too_large else _verdict(cell, token, step)
        grade = grade or (Grade("error", problem) if problem else None)
        result.grades[step.exercise_id] = grade or Grade("error", _("the grader's check sent no result"))
    return True


def _verdict(cell: Any, token: str, step: Step) -> Grade | None:
    """The grade of ``step``'s exercise, computed here from the observation the kernel sent (None: none came).

    The kernel's message is trusted for nothing but routing: its observation is loaded as plain data and judged by
    the course's checker in this process, on the inputs ``step.seed`` draws here. More than one message claiming to be
    the grader's is an error: the notebook sends messages in the grader's name.
    """
    found = [output.get("data", {}).get(MIME) for output in cell.outputs if output.get("output_type") == "display_data"]
    found = [data for data in found if isinstance(data, dict) and data.get("token") == token]
    if len(found) > 1:
        return Grade("error", _("the grader got more than one result for this exercise: something in the notebook "
                                "sends results in the grader's name"))
    data = found[0] if found else None
    if data is None or data.get("exercise") != step.exercise_id:
        return None
    if data.get("status") == "error" and "observation" not in data:
        return Grade("error", _one_line(str(data.get("message", ""))))
    try:
        observation = base64.b64decode(str(data.get("observation", "")), validate=True)
        result = judge_for_grader(step.exercise_id, observation, step.seed)
    except (ValueError, NotData) as error:  # NotData, or base64 that is not
        return Grade("error", _("the grader could not read what the notebook sent for this exercise "
                                "({problem})").format(problem=_one_line(str(error), 200)))
    return Grade(result.status.value, result.message)


def _stop(result: Submission, steps: list[Step], index: int, status: str, notebook_limit: int) -> None:
    """Record why running stopped at ``steps[index]``; every exercise not graded yet gets an error."""
    step = steps[index]
    result.status = TIMED_OUT if status == STUCK else TOO_MUCH_OUTPUT if status == LOST else status
    if status == STUCK:
        result.notes.append(_("the kernel kept running {cell} after it was interrupted (does a loop there catch "
                              "KeyboardInterrupt?); the grades before it are kept").format(cell=_describe(step)))
        here = _("timed out, and the kernel kept running after the interrupt")
        later = _("not run: the kernel was still busy with an earlier cell")
    elif status == LOST:
        result.notes.append(_("the kernel sent a message larger than {size} (found after {cell}): the grader "
                              "stopped reading its output there; the grades before it are kept").format(
                                  size=_size(max_frame_bytes()), cell=_describe(step)))
        here = _("output too large: a message larger than {size}").format(size=_size(max_frame_bytes()))
        later = _("not run: the notebook printed too much in earlier cells")
    elif status == TOO_MUCH_OUTPUT:
        result.notes.append(_("the notebook printed more than {size} in all, the last of it in {cell}: the grader "
                              "stopped reading it; the grades before it are kept").format(
                                  size=_size(NOTEBOOK_OUTPUT_LIMIT), cell=_describe(step)))
        here = _("output too large: the notebook printed more than {size} in all").format(
            size=_size(NOTEBOOK_OUTPUT_LIMIT))
        later = _("not run: the notebook printed too much in earlier cells")
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


@dataclass
class Entry:
    """One ``*.ipynb`` entry of the submissions folder, as the grader found it."""

    path: Path
    name: str  # the name the gradebook shows (control characters removed)
    feedback: str  # its feedback file's name in OUT/feedback/
    data: bytes | None = None  # the file's bytes, None when not read
    problem: str | None = None  # why it was not read (English; translated when shown)
    sha256: str = ""


def _read_entry(entry: Entry, folder: Path) -> None:
    """Read ``entry``'s bytes without following a link out of ``folder``, blocking on a FIFO or reading a huge file;
    set ``entry.problem`` instead when it cannot be read. The target of a link is never quoted."""
    path = entry.path
    try:
        if path.is_symlink():
            target = path.resolve()
            if not is_inside(target, folder):
                entry.problem = "link outside"
                return
            path = target
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                entry.problem = "not a file"
                return
            if info.st_size > MAX_FILE_BYTES:
                entry.problem = "too large"
                return
            with os.fdopen(descriptor, "rb", closefd=False) as handle:
                entry.data = handle.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        entry.problem = error.strerror or type(error).__name__
        return
    if len(entry.data) > MAX_FILE_BYTES:
        entry.data, entry.problem = None, "too large"
        return
    entry.sha256 = hashlib.sha256(entry.data).hexdigest()


def _unreadable(entry: Entry, reason: str, teacher_language: str) -> Submission:
    with speaking(teacher_language):
        if entry.problem == "link outside":
            note = _("this file is a link to a place outside the submissions folder, which the grader does not "
                     "follow: put the notebook itself in the folder")
        elif entry.problem == "not a file":
            note = _("this is not a regular file: put the notebook itself in the folder")
        elif entry.problem == "too large":
            note = _("this file is larger than {size}: save the notebook without its outputs and hand it in "
                     "again").format(size=_size(MAX_FILE_BYTES))
        else:
            note = _("this file could not be read as a notebook ({reason}): save the notebook again in JupyterLab "
                     "and hand it in again").format(reason=_one_line(reason, 200))
    return Submission(entry.name, "", UNREADABLE, {}, [note])


async def grade_file(entry: Entry, lesson: Lesson, limits: Limits, teacher_language: str) -> Submission:
    """Grade one submitted notebook; never raises on what the file holds."""
    if entry.data is None:
        return _unreadable(entry, entry.problem or "", teacher_language)
    try:
        nb = nbformat.reads(entry.data.decode("utf-8"), as_version=4, capture_validation_error={})
        problem = malformed(nb)
        if problem:
            raise ValueError(problem)
        cells = list(nb.cells)
    except Exception as error:  # JSON, nbformat, encoding, the notebook's shape...: any unreadable file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return _unreadable(entry, reason, teacher_language)
    try:
        return await _grade_cells(entry, cells, lesson, limits)
    except Exception as error:  # a bug of the grader on this file: this file's row says so, the others are graded
        with speaking(teacher_language):
            note = _("the grader failed on this file ({problem}); please report it with the file").format(
                problem=_one_line(f"{type(error).__name__}: {error}", 200))
        return Submission(entry.name, "", NOT_GRADED, {}, [note])


async def _grade_cells(entry: Entry, cells: list[Any], lesson: Lesson, limits: Limits) -> Submission:
    learner_language = language(cells)
    with speaking(learner_language):
        problem = _lesson_problem(cells, lesson)
    if problem:
        return Submission(entry.name, learner_language, WRONG_LESSON, {}, [problem])
    token = secrets.token_hex(16)
    steps, missing = plan(cells, lesson, token, learner_language)
    if any(step.kind == "exercise" for step in steps):
        with tempfile.TemporaryDirectory(prefix="classroom-grade-") as workdir:
            result = await run_steps(steps, limits, token, Path(workdir), learner_language)
    else:
        result = Submission("")
    result.file, result.language = entry.name, learner_language
    with speaking(learner_language):
        for exercise_id in missing:
            result.grades[exercise_id] = Grade("not attempted", _("exercise cell missing"))
        for exercise_id in lesson.exercise_ids:
            result.grades.setdefault(exercise_id, Grade("error", _("not run")))
        for grade in result.grades.values():  # the grader's own names are no learner's business
            if INTERNAL in grade.message:
                grade.message = _("the grader's check failed in this kernel")
    result.notes = [note for note in result.notes if INTERNAL not in note]
    return result


def list_submissions(submissions: Path) -> list[Entry]:
    """Every ``*.ipynb`` entry (any case, links and other odd entries included) of ``submissions``, by name, with its
    feedback file's name (unique even where two names differ only by case or by removed characters)."""
    paths = sorted((p for p in submissions.iterdir() if p.suffix.lower() == ".ipynb" and not p.name.startswith(".")),
                   key=lambda p: p.name)
    entries, taken = [], set()
    for path in paths:
        name = _one_line(path.name, 250) or "?"
        stem = name[: -len(".ipynb")] if name.lower().endswith(".ipynb") else name
        stem = stem.replace("/", "_").lstrip(".") or "_"
        feedback_name, number = f"{stem}.md", 1
        while feedback_name.lower() in taken:
            number += 1
            feedback_name = f"{stem} ({number}).md"
        taken.add(feedback_name.lower())
        entries.append(Entry(path, name, feedback_name))
    return entries


def check_folders(submissions: Path, out: Path) -> tuple[Path, Path, list[Entry]]:
    """Resolve and check the folders; return them and the submissions, or raise UsageError saying what to pass."""
    submissions, out = submissions.expanduser().resolve(), out.expanduser().resolve()
    if not submissions.is_dir():
        raise UsageError(f"SUBMISSIONS must be a folder of .ipynb files; {clean(submissions)} is not a folder. "
                         f"Pass the folder that holds the notebooks you collected.")
    entries = list_submissions(submissions)
    if not entries:
        raise UsageError(f"{clean(submissions)} holds no .ipynb file; pass the folder that holds the collected "
                         f"notebooks.")
    if is_inside(out, submissions) or is_inside(submissions, out):
        raise UsageError(f"--out must lie outside the submissions folder (the grader never writes there); got "
                         f"{clean(out)}. Pass another folder, or leave --out out to write into build/grades/.")
    if is_inside(out, NOTEBOOKS) or is_inside(NOTEBOOKS, out):
        raise UsageError(f"--out must not be the course's notebooks/ folder, lie in it or hold it; got {clean(out)}. "
                         f"Pass another folder, or leave --out out to write into build/grades/.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out must be a folder, but {clean(out)} is a file; pass a new folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / "gradebook.csv").is_file():
        raise UsageError(f"--out must be a new or empty folder, or an earlier grading output (with gradebook.csv); "
                         f"{clean(out)} holds other files. Pass a new folder.")
    return submissions, out, entries


def _state_key(lesson: Lesson, limits: Limits) -> dict[str, Any]:
    """What a kept result depends on besides the file: the lesson, the time and output limits, and the sandbox."""
    return {"lesson": lesson.number, "exercises": lesson.exercise_ids, "limits": [limits.cell, limits.notebook],
            "output limits": [CELL_OUTPUT_LIMIT, NOTEBOOK_OUTPUT_LIMIT], "sandbox": [limits.sandboxed, limits.memory]}


def _load_state(path: Path, key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The results an earlier run kept (file name -> {"sha256", "result"}), or {} when there are none to reuse."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("key") != key or not isinstance(state.get("files"), dict):
            return {}
        return state["files"]
    except (OSError, ValueError, AttributeError):
        return {}


def _to_json(result: Submission) -> dict[str, Any]:
    return {"file": result.file, "language": result.language, "status": result.status, "notes": result.notes,
            "grades": {i: [g.status, g.message] for i, g in result.grades.items()}}


def _from_json(saved: dict[str, Any]) -> Submission:
    grades = {i: Grade(str(status), str(message)) for i, (status, message) in saved["grades"].items()
              if status in GRADES}
    return Submission(str(saved["file"]), str(saved["language"]), str(saved["status"]), grades,
                      [str(note) for note in saved["notes"]])


async def grade_all(entries: list[Entry], lesson: Lesson, limits: Limits, jobs: int, teacher_language: str,
                    progress: bool = True, done: Any = None) -> list[Submission]:
    """Grade ``entries``, at most ``jobs`` at a time, with a progress bar; call ``done(entry, result)`` as soon as
    each is graded; return the results in file order."""
    slots = asyncio.Semaphore(jobs)

    async def one(entry: Entry) -> tuple[Entry, Submission]:
        async with slots:
            return entry, await grade_file(entry, lesson, limits, teacher_language)

    with speaking(teacher_language):
        description = _("grading")
    results = []
    with tqdm(total=len(entries), desc=description, unit="nb", disable=not progress, file=sys.stderr) as bar:
        tasks = [asyncio.ensure_future(one(entry)) for entry in entries]  # started in file order
        for finished in asyncio.as_completed(tasks):
            entry, result = await finished
            if done is not None:
                done(entry, result)
            results.append(result)
            bar.update()
    return sorted(results, key=lambda s: s.file)


def _csv_cell(value: str) -> str:
    """A value that a spreadsheet shows as text (OWASP's advice against CSV injection), without control characters."""
    value = clean(value).replace("\n", " ")
    return "'" + value if value.startswith(FORMULA_START) else value


def gradebook_text(results: list[Submission], lesson: Lesson) -> str:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(["file", "language", "status", *lesson.exercise_ids, "total"])
    for s in sorted(results, key=lambda s: s.file):
        grades = [s.grades[i].status if i in s.grades else "" for i in lesson.exercise_ids]
        writer.writerow([_csv_cell(v) for v in [s.file, s.language, s.status, *grades, s.total(lesson.exercise_ids)]])
    return handle.getvalue()


def write_gradebook(results: list[Submission], lesson: Lesson, path: Path) -> None:
    _write_text(path, gradebook_text(results, lesson))


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


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
    return clean("\n\n".join(lines) + "\n")


def summary(results: list[Submission], lesson: Lesson) -> str:
    """The table printed at the end, and one line per submission that needs the teacher's attention."""
    status_words = {GRADED: _("graded"), KERNEL_DIED: _("kernel died"), TIMED_OUT: _("timed out"),
                    UNREADABLE: _("unreadable"), WRONG_LESSON: _("wrong lesson"), NOT_GRADED: _("not graded"),
                    TOO_MUCH_OUTPUT: _("output too large")}
    table = [[_("file"), _("language"), _("status"), *lesson.exercise_ids, _("total")]]
    for s in results:
        marks = [ICONS[s.grades[i].status] if i in s.grades else "" for i in lesson.exercise_ids]
        table.append([_one_line(s.file), s.language or "?", status_words.get(s.status, s.status), *marks,
                      s.total(lesson.exercise_ids)])
    widths = [max(display_width(row[column]) for row in table) for column in range(len(table[0]))]
    rows = ["  ".join(pad(cell, width) for cell, width in zip(row, widths)).rstrip() for row in table]
    rows.append(_("✅ correct  ❌ not yet  ⬜ not attempted  💥 error"))
    rows.append(_("Only each notebook's setup cell and exercise section were run."))
    for s in results:
        for note in s.notes:
            rows.append(f"{s.file}: {note}")
    return clean("\n".join(rows))


def grade_folder(submissions: Path, lesson_number: str, out: Path | None = None, jobs: int = 2,
                 limits: Limits = Limits(), teacher_language: str = "en", progress: bool = True,
                 regrade: bool = False) -> list[Submission]:
    """Grade every notebook in ``submissions``; write OUT/gradebook.csv and OUT/feedback/; return the results.

    Each submission's row and feedback are written (atomically) as soon as it is graded, with what it held (its
    SHA-256) in OUT/.grade-state.json: a run stopped midway keeps every finished row, and the same command then grades
    only the rest (and any file that changed). ``regrade`` grades every file again.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {jobs}; pass e.g. --jobs 2")
    if limits.cell < 1 or limits.notebook < 1:
        raise UsageError(f"time limits must be whole seconds, 1 or more; got {limits}; pass e.g. --cell-timeout 120")
    try:
        lesson = Lesson.load(lesson_number)
    except ValueError as error:
        raise UsageError(str(error)) from None
    out = out if out is not None else BUILD / "grades" / f"lesson-{lesson_number}"
    submissions, out, entries = check_folders(submissions, out)
    with speaking(teacher_language):
        if not limits.sandboxed:
            print(clean(sandbox.no_sandbox_warning()), file=sys.stderr)
        elif (problem := sandbox.unavailable()) is not None:
            raise UsageError(problem)
    limits = replace(limits, hide=(submissions, out))
    for entry in entries:
        _read_entry(entry, submissions)
    key = _state_key(lesson, limits)
    saved = {} if regrade else _load_state(out / STATE, key)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):  # a temporary file of a run killed while it wrote
        stale.unlink(missing_ok=True)
    wanted = {entry.feedback for entry in entries}
    for old in (out / "feedback").iterdir():  # feedback of files no longer in the folder, or named otherwise
        if old.name not in wanted and old.suffix == ".md" and old.is_file() and not old.is_symlink():
            old.unlink()
    done: dict[str, tuple[Entry, Submission]] = {}

    def keep(entry: Entry, result: Submission) -> None:
        done[entry.path.name] = (entry, result)
        with speaking(result.language or teacher_language):
            text = feedback(result, lesson)
        _write_text(out / "feedback" / entry.feedback, text)
        if entry.sha256 and result.status != NOT_GRADED:
            files = {name: {"sha256": e.sha256, "result": _to_json(r)} for name, (e, r) in done.items()
                     if e.sha256 and r.status != NOT_GRADED}
            _write_text(out / STATE, json.dumps({"key": key, "files": files}, ensure_ascii=True, indent=1))
        write_gradebook([r for _e, r in done.values()], lesson, out / "gradebook.csv")

    to_grade = []
    for entry in entries:
        previous = saved.get(entry.path.name)
        try:
            kept = _from_json(previous["result"]) if previous and previous["sha256"] == entry.sha256 else None
        except (KeyError, TypeError, ValueError):
            kept = None
        if kept is not None and entry.sha256:
            keep(entry, kept)
        else:
            to_grade.append(entry)
    write_gradebook([r for _e, r in done.values()], lesson, out / "gradebook.csv")
    if done:
        with speaking(teacher_language):
            print(clean(_("{count} submissions were graded already and have not changed since: their grades are "
                          "kept (--regrade, or REGRADE=1 with make, grades them again)").format(count=len(done))))
    asyncio.run(grade_all(to_grade, lesson, limits, jobs, teacher_language, progress, keep))
    results = sorted((r for _e, r in done.values()), key=lambda s: s.file)
    with speaking(teacher_language):
        print(summary(results, lesson))
        print(clean(_("Gradebook: {path}").format(path=out / "gradebook.csv")))
        print(clean(_("Feedback for each learner: {path}").format(path=out / "feedback")))
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
    parser.add_argument("--regrade", action="store_true",
                        help="grade every file again, even those an earlier run into --out graded and that have not "
                             "changed since")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the submissions without the bubblewrap sandbox: only for submissions you trust")
    args = parser.parse_args(argv)
    try:
        grade_folder(args.submissions, args.lesson, args.out, args.jobs,
                     Limits(args.cell_timeout, args.notebook_timeout, sandboxed=not args.no_sandbox),
                     args.language, not args.no_progress,
                     args.regrade)
    except UsageError as error:
        parser.error(clean(str(error)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
