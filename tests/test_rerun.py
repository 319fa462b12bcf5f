"""The re-run check (tests/nbval_rerun.py) finds what it should, on a small notebook made here.

The check itself runs inside nbval on every notebook of the course (``make test``); this test proves that it can
fail: a cell that shows something else when run again and a cell that raises when run again are reported, while
a cell tagged ``rerun-changes`` or ``rerun-once``, fresh random numbers and an ignored output are not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from classroom.notebook import CHECK_CALL
from tests.nbval_rerun import RERUN_CHANGES, RERUN_ONCE, TRAINS

TRAINING_CALL = re.compile(r"\.step\(\s*\)|\bfit\(|\btrain_one_epoch\(")

ROOT = Path(__file__).resolve().parent.parent


def _cell(source: str, text: str | None = None, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    made = nbformat.v4.new_code_cell(source, execution_count=1, metadata={"tags": list(tags)} if tags else {})
    if text is not None:
        made.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": text}, execution_count=1)]
    return made


def test_the_check_reports_re_run_hazards_and_nothing_else(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        _cell("import random\nrandom.seed(0)\nstack, counter, total, launched = [1], 0, 0, 1"),
        _cell("random.random()", "0.8444218515250481"),  # new random numbers on a re-run are fine
        _cell("total += 1\ntotal", "1"),  # a hazard: 2 the second time
        _cell("counter += 1\ncounter", "1", tags=(RERUN_CHANGES,)),  # on purpose, and tagged
        _cell("# NBVAL_IGNORE_OUTPUT\nstack.pop()", "1"),  # IndexError the second time
        _cell("del launched", tags=(RERUN_ONCE,)),  # NameError if it ran twice: tagged, it runs once
    ])
    nbformat.write(nb, tmp_path / "small.ipynb")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.nbval_rerun", "--nbval", "--nbval-current-env",
         "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp_path), "-q", "-rf",
         str(tmp_path / "small.ipynb")],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=120,
    )
    failed = sorted(line.split("::")[1].split()[0] + " " + line.split("::")[1].split()[1]
                    for line in run.stdout.splitlines() if line.startswith("FAILED"))
    assert failed == ["Cell 2", "Cell 4"], run.stdout[-3000:]
    details = run.stdout.split("short test summary info")[0]  # the summary repeats the messages on CI (no cut)
    assert details.count("Run a second time in a row") == 2, run.stdout[-3000:]
    assert "2 failed, 4 passed" in run.stdout, run.stdout[-3000:]


def _markdown(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _printed(source: str, text: str = "", tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A code cell whose stored output is what it prints."""
    made = _cell(source, tags=tags)
    if text:
        made.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return made


def _learner_path_failures(tmp_path, notebooks: dict[str, list]) -> tuple[dict[str, list[str]], str]:
    """Run small Chinese-twin notebooks under nbval with the plugin, in one pytest; return (failed items, output)."""
    folder = tmp_path / "notebooks" / "zh"
    folder.mkdir(parents=True)
    for name, cells in notebooks.items():
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{name}.ipynb")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.nbval_rerun", "--nbval", "--nbval-current-env",
         "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp_path), "-q", "-rf", str(folder)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=180,
    )
    failed: dict[str, list[str]] = {name: [] for name in notebooks}
    for line in run.stdout.splitlines():
        if line.startswith("FAILED"):
            path, item = line.split(" - ")[0].removeprefix("FAILED ").split("::", 1)
            failed[Path(path).stem].append(item.strip())
    return failed, run.stdout


SETUP = ("limit = 3\n"
         "def check(exercise_id, value):\n    print('✅' if value == 5 else '❌')")


def _exercise(solution: str) -> list[nbformat.NotebookNode]:
    return [_printed("answer = ...\ncheck('99.1', answer)", "❌\n"),
            _markdown(f"<details><summary>Solution</summary>\n\n```python\n{solution}\n```\n\n</details>")]


def test_the_learner_path_after_the_end_finds_what_it_should_and_nothing_else(tmp_path):
    """Solve the exercises, re-run single cells from the end, Run All again: each hazard below is caught."""
    failed, out = _learner_path_failures(tmp_path, {
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
    })
    assert failed == {"survives": [], "rebinds": ["learner path"], "stale": ["learner path"],
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
