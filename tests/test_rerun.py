"""The re-run check (tests/nbval_rerun.py) finds what it should, on a small notebook made here.

The check itself runs inside nbval on every notebook of the course (``make test``); this test proves that it can
fail: a cell that shows something else when run again and a cell that raises when run again are reported, while
a cell tagged ``rerun-changes`` or ``rerun-once``, fresh random numbers and an ignored output are not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.nbval_rerun import RERUN_CHANGES, RERUN_ONCE

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
