"""The notebooks work where the course's helpers package is not installed (a copied folder, a hub, a git clone
opened in another environment): each setup cell finds the course's own copy in a folder above the notebook, and
otherwise says in one line what to install. Run here in an environment with the course's requirements but without
the helpers package: a new virtual environment that sees this one's site-packages as a plain folder, so the editable
install's import hook (a .pth file there) never runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SITE_PACKAGES = Path(torch.__file__).resolve().parent.parent

# Runs notebooks (each in a kernel of its own) and prints, for each, where helpers came from or the error it raised.
RUN = textwrap.dedent('''
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    results = []
    for path, folder, cells in json.loads(sys.argv[1]):
        nb = nbformat.read(path, as_version=4)
        if cells:
            nb.cells = [c for c in nb.cells if c.cell_type == "code"][:cells]
        probe = "import importlib.util\\nprint(importlib.util.find_spec('helpers'))"
        nb.cells.insert(0, nbformat.v4.new_code_cell(probe))
        nb.cells.append(nbformat.v4.new_code_cell("import helpers\\nprint(helpers.__file__)"))
        try:
            NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
        except CellExecutionError as error:
            results.append({"error": error.ename, "message": error.evalue})
            continue
        found = [("".join(cell.outputs[0]["text"]).strip()) for cell in (nb.cells[0], nb.cells[-1])]
        results.append({"before": found[0], "helpers": found[1]})
    print(json.dumps(results))
''')
# 00 runs whole (its environment report uses the helpers throughout); of 01 only the setup cell, which finds the
# helpers the same way in every notebook (a whole run of 01 cost make test ~4 s and showed nothing more)
IN_THE_COURSE = {"00_start_here.ipynb": 0, "01_tensors.ipynb": 1}
ELSEWHERE = {"00_start_here.ipynb": "pip install -e .", "zh/00_start_here.ipynb": "这个笔记本需要课程的 helpers 包"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Notebook 00 and 01's setup cell in the course folder, and copies of 00 (both editions) elsewhere, run with a
    Python that has the course's requirements (this environment's packages) but not the helpers package."""
    folder = tmp_path_factory.mktemp("without-helpers")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "course-requirements.pth").write_text(f"{SITE_PACKAGES}\n", encoding="utf-8")
    jobs = [(str(NOTEBOOKS / name), str((NOTEBOOKS / name).parent), cells) for name, cells in IN_THE_COURSE.items()]
    for index, name in enumerate(ELSEWHERE):
        copy = folder / f"elsewhere{index}" / "copied.ipynb"
        copy.parent.mkdir()
        shutil.copy(NOTEBOOKS / name, copy)
        jobs.append((str(copy), str(copy.parent), 1))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(python), "-c", RUN, json.dumps(jobs)], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return dict(zip([*IN_THE_COURSE, *(f"elsewhere: {name}" for name in ELSEWHERE)], results))


@pytest.mark.parametrize("notebook", list(IN_THE_COURSE))
def test_a_notebook_in_the_course_folder_finds_the_courses_helpers(runs, notebook):
    assert runs[notebook] == {"before": "None", "helpers": str(ROOT / "helpers" / "__init__.py")}, runs[notebook]


@pytest.mark.parametrize("notebook", list(ELSEWHERE))
def test_a_notebook_outside_the_course_says_in_one_line_what_to_install(runs, notebook):
    result = runs[f"elsewhere: {notebook}"]
    assert result["error"] == "ModuleNotFoundError" and ELSEWHERE[notebook] in result["message"], result
    assert "\n" not in result["message"] and "torch" in result["message"]


def test_no_notebook_installs_anything():
    """The setup cells find the course; none runs pip (which could install or replace torch)."""
    for path in sorted(NOTEBOOKS.rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            code = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            for line in code.splitlines():
                if "pip" in line and "install" in line:
                    assert "ModuleNotFoundError" in code and "`pip install -e .`" in line, f"{path.name}: {line}"
