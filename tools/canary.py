"""The canary: the course on the newest PyTorch, torchvision, NumPy, matplotlib, JupyterLab and ipywidgets.

    python tools/canary.py                 # = make canary
    python tools/canary.py --no-install    # run again in the canary environment as it is

``make test`` pins every package, so it tells nothing about the versions learners will install next month. This
tool makes a separate virtual environment (``.venv-canary``) with the newest matching torch/torchvision pair and the
newest numpy, matplotlib, jupyterlab and ipywidgets the package index has (the other packages keep their pins from
requirements.txt, so the pair is what changed), then runs, in smoke mode:

- every notebook, both editions, top to bottom (``--nbval-lax``: stored outputs are not compared, which newer
  versions may print otherwise; an error fails the cell);
- every unit test but those marked ``pinned`` (they check the pins themselves);

with the deprecation gate on (pyproject.toml's ``filterwarnings``; ``tests/deprecations.py`` applies it in every
notebook's kernel): a DeprecationWarning or FutureWarning from torch, torchvision, numpy or matplotlib, or from the
course's code, is an error there. It prints one table (the versions, each notebook with pass or fail, and each failure
with its cell or test and its first line: the warning, for a deprecation) and writes it to
``build/canary/report.md``. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-canary"
OUT = ROOT / "build" / "canary"
NEWEST = ("torch", "torchvision", "numpy", "matplotlib", "jupyterlab", "ipywidgets")  # installed unpinned
SHOWN = ("python", *NEWEST)
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==")


def requirements(text: str) -> str:
    """requirements.txt with the pins of NEWEST removed (their names kept), every other line as it is."""
    lines = []
    for line in text.splitlines():
        match = PIN.match(line)
        if match and match.group(1).lower() in NEWEST:
            line = match.group(1)
        lines.append(line)
    return "\n".join(lines) + "\n"


def pip_env() -> dict[str, str]:
    """The environment for the canary's pip: no constraint file (a machine's pip.conf may cap torch's version, as
    this course's development machines do): the canary asks the index for the newest releases."""
    return dict(os.environ, PIP_CONSTRAINT=" ")


def newest(python: Path, name: str) -> str:
    """The newest release of ``name`` on the package index, as pip sees it."""
    done = subprocess.run([str(python), "-m", "pip", "index", "versions", name], capture_output=True, text=True,
                          env=pip_env(), check=True)
    return re.search(rf"^{re.escape(name)} \(([^)]+)\)", done.stdout, re.M).group(1)


def pair(python: Path) -> tuple[str, str, str]:
    """(torchvision's newest release, the torch series it is built for, torch's newest release).

    torchvision 0.N is built against torch 2.(N-15) (0.15 and 2.0 onward): the newest torch has a matching pair only
    when a torchvision for it is out; otherwise the pair is the newest torchvision and the newest torch of its series.
    """
    torchvision, torch = newest(python, "torchvision"), newest(python, "torch")
    minor = int(torchvision.split(".")[1])
    return torchvision, f"2.{minor - 15}", torch


def install(python: str) -> tuple[Path, str]:
    """Make (or update) the canary environment; return its interpreter and a line on the torch/torchvision pair."""
    if not (VENV / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    bin_python = VENV / "bin" / "python"
    torchvision, series, torch = pair(bin_python)
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = OUT / "requirements.txt"
    text = requirements((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    text = re.sub(r"^torchvision$", f"torchvision=={torchvision}", text, flags=re.M)
    text = re.sub(r"^torch$", f"torch=={series}.*", text, flags=re.M)
    wanted.write_text(text, encoding="utf-8")
    pip = [str(bin_python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "-r", str(wanted)], check=True, env=pip_env())
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True, env=pip_env())
    if torch.startswith(series + ".") or torch == series:
        note = f"torch {torch} is the newest release, and torchvision {torchvision} is built for it."
    else:
        note = (f"torch {torch} is the newest release, but no torchvision for it is out yet: the newest, "
                f"torchvision {torchvision}, is built for torch {series}, so the pair is the newest torch {series}.x.")
    return bin_python, note


def versions(python: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, platform, sys\n"
            f"names = {list(NEWEST)!r}\n"
            "print('python', platform.python_version())\n"
            "for name in names:\n    print(name, m.version(name))\n")
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


@dataclass
class Results:
    notebooks: dict[str, list[str]] = field(default_factory=dict)  # notebook -> its failures ("Cell 12: ...")
    unit_passed: int = 0
    unit_failures: list[str] = field(default_factory=list)
    skipped: int = 0


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if line and not line.startswith(("Traceback", "---", "Cell In", "File ")):
            return line[:200]
    return ""


def read_junit(path: Path) -> Results:
    """Pass and fail per notebook and for the unit tests, from pytest's JUnit XML."""
    results = Results()
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        where = case.get("file") or case.get("classname", "")
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped") is not None
        if where.endswith(".ipynb"):  # nbval's items: classname "notebooks.zh.01_tensors.ipynb"
            book = where if "/" in where else where[: -len(".ipynb")].replace(".", "/") + ".ipynb"
            results.notebooks.setdefault(book, [])
            if problem is not None:
                text = problem.get("message", "") + "\n" + (problem.text or "")
                results.notebooks[book].append(f"{name}: {_first_line(_error_of(text))}")
        elif skipped:
            results.skipped += 1
        elif problem is not None:
            text = problem.get("message", "") + "\n" + (problem.text or "")
            results.unit_failures.append(f"{where}::{name}: {_first_line(_error_of(text))}")
        else:
            results.unit_passed += 1
    return results


def _error_of(text: str) -> str:
    """The line that names the error or warning in a failure's text (a warning raised as an error, mostly)."""
    for line in text.splitlines():
        if re.search(r"(Warning|Error|Exception)\b.*:", line):
            return line.lstrip("E ").strip()
    return text


def table(found: dict[str, str], results: Results, date: str, note: str = "") -> str:
    rows = [f"# Canary, {date}", "", "| package | version |", "|---|---|"]
    rows += [f"| {name} | {found.get(name, '?')} |" for name in SHOWN]
    rows += ["", note] if note else []
    rows += ["", "| notebook | result | failures (cell: error or warning) |", "|---|---|---|"]
    for book in sorted(results.notebooks):
        failures = results.notebooks[book]
        rows.append(f"| {book} | {'fail' if failures else 'pass'} | {'<br>'.join(failures)} |")
    rows += ["", f"Unit tests: {results.unit_passed} passed, {len(results.unit_failures)} failed, "
                 f"{results.skipped} skipped (and those marked `pinned`, which check the pins, not run)."]
    rows += [f"- {failure}" for failure in results.unit_failures]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/canary.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="the Python to make .venv-canary with")
    parser.add_argument("--no-install", action="store_true", help="use .venv-canary as it is")
    args = parser.parse_args(argv)
    python, note = (VENV / "bin" / "python", "") if args.no_install else install(args.python)
    found = versions(python)
    OUT.mkdir(parents=True, exist_ok=True)
    junit = OUT / "junit.xml"
    env = dict(os.environ, COURSE_SMOKE="1", COURSE_DATA_DIR=str(ROOT / "data"), OMP_NUM_THREADS="1")
    subprocess.run([str(python), "-m", "pytest", "-o", "addopts=", "--nbval-lax", "--nbval-current-env",
                    "--nbval-cell-timeout=180", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
                    "--no-loadscope-reorder", "-m", "not pinned", "-q", f"--junitxml={junit}", "tests", "notebooks"],
                   cwd=ROOT, env=env)
    results = read_junit(junit)
    date = subprocess.run(["date", "+%Y-%m-%d"], capture_output=True, text=True).stdout.strip()
    report = table(found, results, date, note)
    (OUT / "report.md").write_text(report, encoding="utf-8")
    print(report)
    failed = results.unit_failures or any(results.notebooks.values()) or not results.notebooks
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
