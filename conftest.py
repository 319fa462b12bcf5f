"""Shared pytest hooks: print how long each notebook took, so the course's time budget stays visible."""

from __future__ import annotations

from collections import defaultdict

# nbval runs every notebook cell twice in a row; the second run must match the stored outputs too.
pytest_plugins = ["tests.nbval_rerun"]

_notebook_seconds: dict[str, float] = defaultdict(float)


# Unit-test files that take longest (a grading run, nbval in a subprocess, a second virtual environment): handed out
# with the notebooks, so that neither worker is left with one of them at the end.
HEAVY_UNIT_FILES = ["tests/test_classroom_grade.py", "tests/test_rerun.py", "tests/test_without_install.py"]


def pytest_collection_modifyitems(items) -> None:
    """Hand out the longest runs first, so that make test's two workers finish together (its 3-minute budget).

    Order: the notebooks (later ones are heavier, so in reverse), with the heaviest unit-test files after the two
    heaviest notebooks, then the other unit tests. make test passes --no-loadscope-reorder, so xdist keeps this
    order; the sort is stable, so every file keeps its own order (a notebook's cells run top to bottom).
    """
    def file_of(item) -> str:
        return item.nodeid.split("::", 1)[0]

    files = list(dict.fromkeys(file_of(item) for item in items))
    # by lesson number, later (heavier) lessons first; an edition (notebooks/zh/) after the English twin
    notebooks = sorted((f for f in files if f.endswith(".ipynb")), key=lambda f: (f.rsplit("/", 1)[-1], -f.count("/")),
                       reverse=True)
    heavy = [f for f in HEAVY_UNIT_FILES if f in files]
    units = [f for f in files if f not in notebooks and f not in heavy]
    order = notebooks[:2] + heavy + notebooks[2:] + units
    rank = {f: i for i, f in enumerate(order)}
    items.sort(key=lambda item: rank[file_of(item)])


def pytest_runtest_logreport(report) -> None:
    """Add up the time of every nbval cell per notebook (also works under xdist)."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    """After the run, list each notebook's total cell time."""
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times (all cells, kernel start included)")
    for path in sorted(_notebook_seconds):
        terminalreporter.write_line(f"{_notebook_seconds[path]:6.1f} s  {path}")
