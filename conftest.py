"""Shared pytest hooks: print how long each notebook took, so the course's time budget stays visible."""

from __future__ import annotations

from collections import defaultdict

# nbval runs every notebook cell twice in a row; the second run must match the stored outputs too.
pytest_plugins = ["tests.nbval_rerun"]

_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_collection_modifyitems(items) -> None:
    """Hand out the longest runs first, so that make test's two workers finish together (its 3-minute budget).

    Order: the browser test, the notebooks (later ones are heavier, so in reverse), then the unit tests. xdist
    gives each worker two files at the start, and the browser test's worker gets the 1st and the 3rd: the 3rd
    is the lightest unit-test file, not a notebook that would wait ~2 minutes behind the browser test.
    make test passes --no-loadscope-reorder, so xdist keeps this order; the sort is stable, so every file keeps
    its own order (a notebook's cells run top to bottom).
    """
    def file_of(item) -> str:
        return item.nodeid.split("::", 1)[0]

    files = list(dict.fromkeys(file_of(item) for item in items))
    browser = [f for f in files if f == "tests/test_browser.py"]
    # by lesson number, later (heavier) lessons first; an edition (notebooks/zh/) after the English twin
    notebooks = sorted((f for f in files if f.endswith(".ipynb")), key=lambda f: (f.rsplit("/", 1)[-1], -f.count("/")),
                       reverse=True)
    units = [f for f in files if f not in browser and f not in notebooks]
    if browser and notebooks and units:
        lightest = min(units, key=lambda f: sum(file_of(item) == f for item in items))
        units.remove(lightest)
        order = browser + notebooks[:1] + [lightest] + notebooks[1:] + units
    else:
        order = browser + notebooks + units
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
