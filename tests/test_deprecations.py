"""The deprecation gate (tests/deprecations.py): a deprecated call of torch, torchvision, numpy or matplotlib fails a
unit test and a notebook cell alike (the cell: tests/test_rerun.py, with the plugin that applies the gate in every
kernel); the allow-list gives each entry its reason and upstream issue."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import torch

from tests import deprecations

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = re.compile(r"[\w.-]+/[\w.-]+#\d+|https?://\S+")  # owner/repo#123 or a link


def test_a_deprecated_torch_call_fails_a_unit_test():
    with pytest.raises(FutureWarning, match="torch.amp.autocast"):
        torch.cuda.amp.autocast(enabled=False)  # deprecated since torch 2.4: torch.amp.autocast("cuda", ...)


def test_a_deprecation_inside_a_gated_library_fails_and_others_only_warn():
    def warn_from(module: str, category: type[Warning]) -> None:
        exec(compile("import warnings\nwarnings.warn('old', category)", f"<{module}>", "exec"),
             {"__name__": module, "category": category})

    for module in ("numpy.linalg", "matplotlib.pyplot", "torchvision.io", "helpers.train", "__main__"):
        with pytest.raises(DeprecationWarning):
            warn_from(module, DeprecationWarning)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warn_from("some_other_library", DeprecationWarning)
    assert len(seen) == 1
    with pytest.raises(FutureWarning):
        warn_from("numpy", FutureWarning)


def test_every_allow_list_entry_gives_its_reason_and_upstream_issue():
    lines = deprecations.PYPROJECT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("filterwarnings = ["))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "]")
    for number in range(start + 1, end):
        entry = lines[number].strip()
        if not entry.startswith('"ignore'):
            continue
        comments = []
        for above in reversed(lines[start + 1:number]):
            if not above.strip().startswith("#"):
                break
            comments.insert(0, above.strip().lstrip("# "))
        why = " ".join(comments)
        assert len(why) > 20 and UPSTREAM.search(why), (
            f"pyproject.toml: the allow-list entry {entry} needs a comment above it with its reason and the upstream "
            f"issue (owner/repo#N or a link)")
    for line in deprecations.filters():  # every line parses, as the kernels read them
        deprecations.parse(line)
    assert any(line.startswith("error::DeprecationWarning:(torch|") for line in deprecations.filters())

