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
in another kernel. Loaded from the root ``conftest.py``.
"""

from __future__ import annotations

import copy

import pytest
from nbval.plugin import IPyNbCell, NbCellError

RERUN_CHANGES = "rerun-changes"
RERUN_ONCE = "rerun-once"
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


def _run_hidden(item: IPyNbCell, code: str) -> None:
    """Run ``code`` in the cell's kernel and wait until it is done; nbval skips its messages (another msg_id)."""
    kernel = item.parent.kernel
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=HIDDEN_TIMEOUT_S)
    kernel.await_idle(msg_id, HIDDEN_TIMEOUT_S)


def _is_chinese_twin(item: IPyNbCell) -> bool:
    return item.path.parent.name == "zh" and item.path.parent.parent.name == "notebooks"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not isinstance(item, IPyNbCell) or item.options.get("skip"):
        return (yield)
    tags = item.cell.metadata.get("tags", [])
    once = RERUN_CHANGES in tags or RERUN_ONCE in tags or _is_chinese_twin(item)
    if not once:
        _run_hidden(item, SAVE_RANDOM_STATE)
    # nbval merges the stored stream outputs in place while comparing: keep a copy for the second comparison.
    stored = copy.deepcopy(item.cell.outputs)
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
