"""Shared pytest hooks: print how long each notebook took, so the course's time budget stays visible."""

from __future__ import annotations

from collections import defaultdict

# nbval runs every notebook cell twice in a row; the second run must match the stored outputs too.
pytest_plugins = ["tests.nbval_rerun"]

_notebook_seconds: dict[str, float] = defaultdict(float)


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
