"""A pytest plugin for nbval: every notebook cell runs twice in a row, and the second run must match too.

Learners run a cell again all the time (Shift+Enter twice), and notebook 00 tells them to. A cell that changes
state it also reads (gradients that add up, a graph whose saved tensors are freed, a model stepped twice) then
shows other numbers, or an error, the second time. So under ``make test`` each cell that nbval runs is run again
at once in the same kernel, and that second run is checked exactly like the first: it must not raise, and
strict nbval compares its outputs with the stored ones (``# NBVAL_IGNORE_OUTPUT`` cells: only "must not raise").

- Before the second run the random number generators (Python, NumPy, torch) are put back as they were before the
  first: new random numbers on a re-run are expected; state that a cell changes is what this check is about.
- A cell whose change on a re-run is the lesson (00's ``counter += 1``) carries the cell tag ``rerun-changes`` and
  runs once.
- A cell whose work is another program (07's ``torchrun`` launch) carries the tag ``rerun-once`` and runs once: it
  only assigns names in the kernel, so a second run would test the launched program again (its own test, the
  next cell, is strict), not the cell, at ~10 s of the budget.
- The Chinese edition (``notebooks/zh/``) runs once: whether a cell survives a re-run is a property of its code, and
  every Chinese cell's code is token for token its English twin's (``tests/test_zh_parity.py``), which runs twice.

Doing this inside nbval's own run costs one extra execution of each cell, not a second pass over every notebook
in another kernel.

**The deprecation gate**: before a notebook's first cell its kernel gets the warning filters of pytest's
``filterwarnings`` (``tests/deprecations.py``), so a cell that calls a deprecated API of torch, torchvision, numpy or
matplotlib fails as a unit test would.

**The learner's path after the end** (one more test item per Chinese twin, ``…::learner path``, run in the same
kernel right after nbval's run of that notebook): every exercise is solved with its own folded solution, then the
whole notebook runs again top to bottom ("Run All" a second time). No cell may raise, every cell that nbval checks
must print what is stored, every solved exercise must print ✅, and a cell tagged ``trains:NAME`` must change the
parameters of the module (or tensor) NAME is bound to when it starts: re-running training after the notebook moved
on must train the network in scope, not one an old optimizer still holds. This catches exercise cells that rebind a
lesson's name and training cells that step a stale optimizer, which the author's top-to-bottom run never meets.
It runs on the Chinese twins because they run only once otherwise and their code is their English twins' (so the
property is the same); ``rerun-once`` cells (another program) are not launched again, and ``rerun-changes`` cells
are run without comparing their output.

Loaded from the root ``conftest.py``.
"""

from __future__ import annotations

import copy
import re
from queue import Empty

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError

from classroom.notebook import CHECK_CALL, SOLUTION, source, with_answer
from tests import deprecations

RERUN_CHANGES = "rerun-changes"
RERUN_ONCE = "rerun-once"
TRAINS = re.compile(r"^trains:(?P<name>[A-Za-z_]\w*)$")  # tag: this cell trains what NAME holds ("local": its own)
LEARNER_PATH = "learner path"
HIDDEN_TIMEOUT_S = 60

# Run in the notebook's kernel around each cell. Only libraries the notebook has imported already are touched,
# so this imports nothing ahead of the notebook; it never raises into the notebook.
SAVE_RANDOM_STATE = '''
def _course_rng_state():
    import random, sys
    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    cuda = torch is not None and torch.cuda.is_initialized()
    return (random.getstate(), numpy and numpy.random.get_state(), torch and torch.random.get_rng_state(),
            torch.cuda.get_rng_state_all() if cuda else None)

def _course_restore_rng(state):
    import random, sys
    random.setstate(state[0])
    if state[1] is not None:
        sys.modules["numpy"].random.set_state(state[1])
    if state[2] is not None:
        sys.modules["torch"].random.set_rng_state(state[2])
    if state[3] is not None:
        sys.modules["torch"].cuda.set_rng_state_all(state[3])

_course_rng_saved = _course_rng_state()
'''
RESTORE_RANDOM_STATE = "_course_restore_rng(_course_rng_saved)"


STORED = pytest.StashKey[list]()
_GATED: set[int] = set()  # the kernels that run with the deprecation gate's filters (tests/deprecations.py)


def _run_hidden(item: IPyNbCell, code: str) -> None:
    """Run ``code`` in the cell's kernel and wait until it is done; nbval skips its messages (another msg_id)."""
    _execute(item.parent.kernel, code, HIDDEN_TIMEOUT_S)


def _is_chinese_twin(item: IPyNbCell) -> bool:
    return item.path.parent.name == "zh" and item.path.parent.parent.name == "notebooks"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not isinstance(item, IPyNbCell) or item.options.get("skip"):
        return (yield)
    kernel = item.parent.kernel
    if kernel is not None and id(kernel) not in _GATED:  # the deprecation gate, before the notebook's first cell
        _GATED.add(id(kernel))
        _run_hidden(item, deprecations.kernel_code())
    tags = item.cell.metadata.get("tags", [])
    once = RERUN_CHANGES in tags or RERUN_ONCE in tags or _is_chinese_twin(item)
    if not once:
        _run_hidden(item, SAVE_RANDOM_STATE)
    # nbval merges the stored stream outputs in place while comparing: keep a copy for the second comparison
    # (and for the learner-path pass after the end).
    stored = copy.deepcopy(item.cell.outputs)
    item.stash[STORED] = copy.deepcopy(stored)
    result = yield  # nbval's own run: raises, and so stops here, when it fails
    if once:
        return result
    _run_hidden(item, RESTORE_RANDOM_STATE)
    item.cell.outputs = stored
    try:
        item.runtest()
    except NbCellError as error:
        hint = (f"Run a second time in a row (as a learner pressing Shift+Enter again): {error.args[0]}. "
                f"Make the cell safe to re-run, or tag it '{RERUN_CHANGES}' if the change is the lesson")
        error.args = (hint, *error.args[1:])
        raise
    return result


# ---- the learner's path after the end ----------------------------------------------------------------------------

FINGERPRINT = '''
def _course_fingerprint(name):
    import torch
    value = globals().get(name)
    if isinstance(value, torch.nn.Module):
        return [p.detach().clone() for p in value.parameters()]
    if isinstance(value, torch.Tensor):
        return [value.detach().clone()]
    raise TypeError(f"the cell is tagged trains:{name}, but {name} is {type(value).__name__}, not a module or tensor")

def _course_unchanged(before, name):
    import torch
    after = _course_fingerprint(name)
    return len(before) == len(after) and all(torch.equal(a, b) for a, b in zip(before, after))
'''


def _execute(kernel, code: str, timeout: float) -> tuple[str, str | None]:
    """Run ``code`` in ``kernel``; return (everything it printed or displayed as text, the error or None)."""
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=timeout)
    text, error = [], None
    while True:
        try:
            msg = kernel.get_message("iopub", timeout=timeout)
        except Empty:
            return "".join(text), f"no output arrived within {timeout} s"
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            return "".join(text), error
        if kind == "stream":
            text.append(content["text"])
        elif kind in ("display_data", "execute_result"):
            text.append(content["data"].get("text/plain", "") + "\n")
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"


def trains_names(cell) -> list[str]:
    """The NAMEs of a cell's ``trains:NAME`` tags."""
    return [m.group("name") for tag in cell.metadata.get("tags", []) if (m := TRAINS.match(tag))]


class LearnerPathItem(pytest.Item):
    """After nbval's run of a notebook: solve every exercise, then Run All again in the same kernel (see above)."""

    def __init__(self, *, cells: list[IPyNbCell], **kwargs):
        super().__init__(**kwargs)
        self.cells = cells

    def _fail(self, where: str, message: str) -> None:
        pytest.fail(f"After the end of the notebook, with every exercise solved, Run All again: {where}: {message}",
                    pytrace=False)

    def _solutions(self) -> dict[int, str]:
        """Exercise cell number (nbval's count of code cells) -> the cell with its folded solution in place."""
        nb_cells = self.parent.nb.cells
        solved, code_number = {}, -1
        for index, cell in enumerate(nb_cells):
            if cell.cell_type != "code":
                continue
            code_number += 1
            if CHECK_CALL.search(source(cell)):
                found = SOLUTION.search(source(nb_cells[index + 1])) if index + 1 < len(nb_cells) else None
                if found is None:
                    self._fail(f"Cell {code_number}", "an exercise cell without a folded solution after it")
                solved[code_number] = with_answer(source(cell), found.group("code"))
        return solved

    def _solve(self, kernel, number: int, code: str, timeout: float) -> None:
        printed, error = _execute(kernel, code, timeout)
        if error or "✅" not in printed:
            self._fail(f"Cell {number}", f"the exercise with its own solution did not print ✅: {error or printed!r}")

    def _trained(self, kernel, cell: IPyNbCell, run, timeout: float) -> None:
        """Call ``run()`` (which runs ``cell``); if the cell is tagged trains:NAME, assert NAME's parameters changed."""
        names = [n for n in trains_names(cell.cell) if n != "local"]
        for name in names:
            _, error = _execute(kernel, f"_course_before_{name} = _course_fingerprint({name!r})", timeout)
            if error:
                self._fail(cell.name, f"tagged trains:{name}, but before it ran: {error}")
        run()
        for name in names:
            printed, error = _execute(kernel, f"print(_course_unchanged(_course_before_{name}, {name!r}))", timeout)
            if error or printed.strip() != "False":
                self._fail(cell.name, f"it is tagged trains:{name}, but running it again did not change the parameters "
                                      f"of the {name} now in scope ({error or 'unchanged'}): does it step an optimizer "
                                      f"built for an older {name}?")

    def runtest(self) -> None:
        kernel = self.parent.kernel
        if kernel is None or not kernel.is_alive():
            self._fail("the notebook", "its kernel is not running (an earlier cell failed)")
        timeout = self.config.option.nbval_cell_timeout or 600
        solved = self._solutions()
        for number, code in solved.items():  # the learner solves every exercise...
            self._solve(kernel, number, code, timeout)
        _execute(kernel, FINGERPRINT, timeout)
        body = [cell for cell in self.cells[1:] if cell.cell_num not in solved and not cell.options.get("skip")
                and RERUN_ONCE not in cell.cell.metadata.get("tags", [])]

        # ...re-runs single cells of the lesson, from the last one up: each sees what every later cell and every
        # solved exercise left behind (a name an exercise rebound, a network a later cell replaced)...
        for cell in reversed(body):
            def run_alone(cell=cell) -> None:
                _, error = _execute(kernel, cell.cell.source, timeout)
                if error:
                    self._fail(cell.name, f"re-run on its own after the end, it raised {error}")
            self._trained(kernel, cell, run_alone, timeout)

        # ...and runs everything again, top to bottom: what nbval checks must print what is stored.
        for cell in self.cells:
            tags = cell.cell.metadata.get("tags", [])
            if cell.options.get("skip") or RERUN_ONCE in tags:
                continue
            if cell.cell_num in solved:
                self._solve(kernel, cell.cell_num, solved[cell.cell_num], timeout)
                continue

            def run_checked(cell=cell, tags=tags) -> None:
                cell.cell.outputs = copy.deepcopy(cell.stash.get(STORED, cell.cell.outputs))
                check = cell.options["check"]
                if RERUN_CHANGES in tags:
                    cell.options["check"] = False
                try:
                    cell.runtest()
                except NbCellError as error:
                    self._fail(cell.name, f"{error.args[0]}{error.inner_traceback or ''}")
                finally:
                    cell.options["check"] = check
            self._trained(kernel, cell, run_checked, timeout)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{LEARNER_PATH}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    """Add a learner-path item right after the last cell of each Chinese twin (its kernel is still running)."""
    by_file: dict[IPyNbFile, list[IPyNbCell]] = {}
    for item in items:
        if isinstance(item, IPyNbCell) and _is_chinese_twin(item):
            by_file.setdefault(item.parent, []).append(item)
    for parent, cells in by_file.items():
        last = items.index(cells[-1])
        items.insert(last + 1, LearnerPathItem.from_parent(parent, name=LEARNER_PATH, cells=cells))
