"""The deprecation gate, one source for pytest and for every notebook's kernel.

pyproject.toml's ``[tool.pytest.ini_options] filterwarnings`` turns a DeprecationWarning or FutureWarning raised in
torch, torchvision, numpy or matplotlib, or in the course's own code, into an error in every test. Notebook cells run
in kernels, where pytest's filters do not reach: :func:`kernel_code` applies the same filters there, and
``tests/nbval_rerun.py`` runs it in each notebook's kernel before its first cell (``make test``, strict nbval) and
``tools/canary.py`` before each notebook it runs. So a notebook cell that calls a deprecated API fails as a unit test
would.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
CATEGORIES = {"DeprecationWarning", "FutureWarning", "PendingDeprecationWarning", "UserWarning", "Warning"}


def filters() -> list[str]:
    """pytest's ``filterwarnings`` lines, in order (a later line takes precedence)."""
    options = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    return list(options.get("filterwarnings", []))


def parse(line: str) -> tuple[str, str, str, str]:
    """(action, message regex, category name, module regex) of one ``action:message:category:module`` line."""
    action, message, category, module = (line.split(":", 3) + ["", "", ""])[:4]
    if category not in CATEGORIES:
        raise ValueError(f"{line!r}: category must be one of {sorted(CATEGORIES)}")
    re.compile(message)
    re.compile(module)
    return action, message, category, module


def kernel_code() -> str:
    """Python that applies :func:`filters` in a kernel as pytest applies them in a test (and defines no name)."""
    calls = [f"__import__('warnings').filterwarnings({a!r}, message={m!r}, category={c}, module={mod!r})"
             for a, m, c, mod in map(parse, filters())]
    return "\n".join(calls) + "\n"
