"""tools/canary.py's own logic: what it unpins, how it reads pytest's results and what its table says."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import canary  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="notebooks.zh.01_tensors.ipynb" name="Cell 3" />
<testcase classname="notebooks.02_autograd.ipynb" name="Cell 7"><failure message="Notebook cell execution failed">
Traceback (most recent call last):
FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', args...)`
</failure></testcase>
<testcase classname="notebooks.02_autograd.ipynb" name="Cell 8" />
<testcase classname="tests.test_train" name="test_fit"><failure message="DeprecationWarning: old">E   DeprecationWarning: old
</failure></testcase>
<testcase classname="tests.test_seed" name="test_seed" />
<testcase classname="tests.test_device" name="test_cuda"><skipped message="needs a CUDA GPU" /></testcase>
</testsuite></testsuites>"""


def test_only_the_newest_six_lose_their_pins():
    text = "torch==2.14.1\ntorchvision==0.29.1\nnumpy==2.4.6\n# a comment\nnbval==0.11.0\nJupyterLab==4.6.6\n"
    assert canary.requirements(text) == "torch\ntorchvision\nnumpy\n# a comment\nnbval==0.11.0\nJupyterLab\n"


def test_the_table_gives_each_notebook_and_each_failure_with_its_warning(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    results = canary.read_junit(path)
    assert results.notebooks == {
        "notebooks/zh/01_tensors.ipynb": [],
        "notebooks/02_autograd.ipynb": ["Cell 7: FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated. "
                                        "Please use `torch.amp.autocast('cuda', args...)`"]}
    assert (results.unit_passed, results.skipped) == (1, 1)
    assert results.unit_failures == ["tests.test_train::test_fit: DeprecationWarning: old"]
    text = canary.table({"python": "3.13.0", "torch": "2.14.1"}, results, "2026-12-06", "a note")
    assert "| torch | 2.14.1 |" in text and "| numpy | ? |" in text and "a note" in text
    assert "| notebooks/02_autograd.ipynb | fail | Cell 7: FutureWarning" in text
    assert "| notebooks/zh/01_tensors.ipynb | pass |  |" in text
    assert "Unit tests: 1 passed, 1 failed, 1 skipped" in text
