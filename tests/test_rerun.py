"""The nbval plugin (tests/nbval_rerun.py) finds what it should, on small notebooks made here.

Its checks run inside nbval on every notebook of the course (``make test``); these tests prove that each can fail:
- the re-run check: a cell that shows something else when run again and a cell that raises when run again are
  reported, while a cell tagged ``rerun-changes`` or ``rerun-once``, fresh random numbers and an ignored output are not;
- the learner's path after the end: an exercise that rebinds a lesson's name, training that steps a stale optimizer,
  state that outlives the kernel's names;
- the deprecation gate in every notebook's kernel (tests/deprecations.py): a deprecated torch call fails its cell.

All the small notebooks run in one pytest under the plugin (``plugin_run``): each pytest and kernel costs make test
seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from classroom.notebook import CHECK_CALL
from tests.nbval_rerun import RERUN_CHANGES, RERUN_ONCE, TRAINS

TRAINING_CALL = re.compile(r"\.step\(\s*\)|\bfit\(|\btrain_one_epoch\(")

ROOT = Path(__file__).resolve().parent.parent


def _cell(source: str, text: str | None = None, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    made = nbformat.v4.new_code_cell(source, execution_count=1, metadata={"tags": list(tags)} if tags else {})
    if text is not None:
        made.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": text}, execution_count=1)]
    return made


HAZARDS = [
    _cell("import random\nrandom.seed(0)\nstack, counter, total, launched = [1], 0, 0, 1"),
    _cell("random.random()", "0.8444218515250481"),  # new random numbers on a re-run are fine
    _cell("total += 1\ntotal", "1"),  # a hazard: 2 the second time
    _cell("counter += 1\ncounter", "1", tags=(RERUN_CHANGES,)),  # on purpose, and tagged
    _cell("# NBVAL_IGNORE_OUTPUT\nstack.pop()", "1"),  # IndexError the second time
    _cell("del launched", tags=(RERUN_ONCE,)),  # NameError if it ran twice: tagged, it runs once
]
# The gate: the same filters as pyproject's filterwarnings apply in the kernel; a deprecated call fails its cell.
OLD_API = [nbformat.v4.new_code_cell("import torch\nx = 1"),
           nbformat.v4.new_code_cell("with torch.cuda.amp.autocast(enabled=False):\n    y = 2"),
           nbformat.v4.new_code_cell("import numpy as np\nz = np.zeros(2)")]


def test_the_check_reports_re_run_hazards_and_nothing_else(plugin_run):
    outcomes, out = plugin_run
    assert outcomes["hazards"] == {"Cell 0": "PASSED", "Cell 1": "PASSED", "Cell 2": "FAILED", "Cell 3": "PASSED",
                                   "Cell 4": "FAILED", "Cell 5": "PASSED"}, out[-3000:]
    details = out.split("short test summary info")[0]  # the summary repeats the messages on CI (no cut)
    assert details.count("Run a second time in a row") == 2, out[-3000:]


def test_the_deprecation_gate_runs_in_every_notebook_kernel(plugin_run):
    """A deprecated call in a cell fails it under make test's nbval, as it fails a unit test (test_deprecations.py)."""
    outcomes, out = plugin_run
    assert outcomes["old_api"] == {"Cell 0": "PASSED", "Cell 1": "FAILED", "Cell 2": "PASSED"}, out[-3000:]
    assert "FutureWarning" in out and "torch.amp.autocast" in out, out[-3000:]


def _markdown(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _printed(source: str, text: str = "", tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A code cell whose stored output is what it prints."""
    made = _cell(source, tags=tags)
    if text:
        made.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return made


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory) -> tuple[dict[str, dict[str, str]], str]:
    """Every small notebook of this module under nbval with the plugin, in one pytest: the re-run check's and the
    gate's notebooks in the folder, the learner path's as Chinese twins (notebooks/zh/, where that pass runs).
    Returns each notebook's items with their outcome (PASSED, FAILED), and pytest's output."""
    folder = tmp_path_factory.mktemp("plugin")
    twins = folder / "notebooks" / "zh"
    twins.mkdir(parents=True)
    notebooks = {folder / "hazards.ipynb": HAZARDS, folder / "old_api.ipynb": OLD_API,
                 **{twins / f"{name}.ipynb": cells for name, cells in LEARNER_PATHS.items()}}
    for path, cells in notebooks.items():
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.nbval_rerun", "--nbval", "--nbval-current-env",
         "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(folder), "-q", "-rA", str(folder)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
    )
    outcomes: dict[str, dict[str, str]] = {path.stem: {} for path in notebooks}
    for line in run.stdout.split("short test summary info")[-1].splitlines():
        if line.startswith(("PASSED ", "FAILED ")):
            outcome, _, rest = line.partition(" ")
            path, item = rest.split(" - ")[0].split("::", 1)
            outcomes[Path(path).stem][item.strip()] = outcome
    return outcomes, run.stdout


def learner_path_failures(outcomes: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    return {name: [item for item, outcome in outcomes[name].items() if outcome == "FAILED"] for name in LEARNER_PATHS}


SETUP = ("limit = 3\n"
         "def check(exercise_id, value):\n    print('✅' if value == 5 else '❌')")


def _exercise(solution: str) -> list[nbformat.NotebookNode]:
    return [_printed("answer = ...\ncheck('99.1', answer)", "❌\n"),
            _markdown(f"<details><summary>Solution</summary>\n\n```python\n{solution}\n```\n\n</details>")]


LEARNER_PATHS = {
    "survives": [
        _cell(SETUP),
        _printed("print(list(range(limit)))", "[0, 1, 2]\n"),
        _cell("import torch\nnet = torch.nn.Linear(2, 1)\noptimizer = torch.optim.SGD(net.parameters(), lr=0.1)\n"
              "optimizer.zero_grad()\nnet(torch.ones(1, 2)).sum().backward()\noptimizer.step()",
              tags=("trains:net",)),
        *_exercise("answer = limit + 2"),
    ],
    # an exercise rebinds a lesson's name: the cell above it then raises when re-run on its own
    "rebinds": [_cell(SETUP), _printed("print(list(range(limit)))", "[0, 1, 2]\n"),
                *_exercise("limit = 'five'\nanswer = 5")],
    # re-running training after a later cell replaced the net steps the old net's optimizer (06's bug)
    "stale": [
        _cell(SETUP),
        _cell("import torch\nnet = torch.nn.Linear(2, 1)\noptimizer = torch.optim.SGD(net.parameters(), lr=0.1)"),
        _cell("optimizer.zero_grad()\nnet(torch.ones(1, 2)).sum().backward()\noptimizer.step()",
              tags=("trains:net",)),
        _cell("net = torch.nn.Linear(2, 1)"),
    ],
    # state that outlives the kernel's names (a file): Run All again prints something other than stored
    "outlives": [_cell(SETUP), _printed("from pathlib import Path\nprint('old' if Path('marker').exists() else "
                                        "'new')\nPath('marker').touch()", "new\n")],
}


def test_the_learner_path_after_the_end_finds_what_it_should_and_nothing_else(plugin_run):
    """Solve the exercises, re-run single cells from the end, Run All again: each hazard in LEARNER_PATHS is caught."""
    outcomes, out = plugin_run
    assert learner_path_failures(outcomes) == {"survives": [], "rebinds": ["learner path"], "stale": ["learner path"],
                                               "outlives": ["learner path"]}, out[-4000:]
    assert "re-run on its own after the end, it raised TypeError" in out, out[-4000:]
    assert "did not change the parameters of the net now in scope" in out, out[-4000:]
    assert "Cell 1: Cell outputs differ" in out, out[-4000:]


def test_every_cell_that_trains_says_what_it_trains():
    """A cell that steps an optimizer or calls a training helper carries trains:NAME (or trains:local).

    The learner-path item then asserts that re-running it after the end changes NAME's parameters. The Chinese twins
    carry the same tags (tests/test_zh_parity.py), and it is on them that the learner path runs.
    """
    untagged = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
            if cell.cell_type != "code" or CHECK_CALL.search(cell.source) or not TRAINING_CALL.search(cell.source):
                continue
            if not any(TRAINS.match(tag) for tag in cell.metadata.get("tags", [])):
                untagged.append(f"{notebook.name} cell {index}: {cell.source.splitlines()[0]}")
    assert not untagged, "tag these cells trains:NAME (the module they train) or trains:local:\n" + "\n".join(untagged)
