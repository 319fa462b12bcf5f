"""notebooks/scripts/train_ddp.py: its arguments, its start-up message, and the real two-process run's guard.

The real run (two gloo processes on the CPU, smoke mode) happens in notebook 07 under strict nbval, twice in a row:
its launch cell runs ``torchrun --standalone --nproc_per_node=2 scripts/train_ddp.py`` and the next cell, whose
output nbval compares with the stored one, prints that every rank ended with identical weights (DDP averaged their
gradients at every step and synced BatchNorm's buffers), that training moved them, and that rank 0's checkpoint
loads and holds them. Running the script here as well would cost ~10 s of the 3-minute budget for the same check,
so the test below makes sure the notebook's check stays strict and says what it must.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "notebooks" / "scripts" / "train_ddp.py"
NOTEBOOK = ROOT / "notebooks" / "07_faster_and_better.ipynb"


def _code_cells() -> list[dict]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def test_notebook_07_runs_the_script_with_two_processes_and_checks_the_ranks_strictly():
    cells = _code_cells()
    sources = ["".join(c["source"]) for c in cells]
    launch = next(i for i, s in enumerate(sources) if '"torch.distributed.run"' in s)
    assert "--nproc_per_node=" in sources[launch] and "processes, options = 2," in sources[launch]
    assert "--dump-weights" in sources[launch] and "str(script)" in sources[launch]
    check = sources[launch + 1]
    assert "NBVAL_IGNORE_OUTPUT" not in check, "the rank check must stay a strictly compared cell"
    stored = "".join("".join(o.get("text", "")) for o in cells[launch + 1]["outputs"])
    assert stored.splitlines() == [
        "every process ended with identical weights: True",
        "training changed them: True",
        "rank 0's checkpoint holds those weights: True",
    ]


def _script():
    spec = importlib.util.spec_from_file_location("train_ddp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_torchrun_it_says_how_to_start_it(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(SystemExit, match=r"(?s)Start this script with torchrun.*--nproc_per_node=2"):
        _script().main([])


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--batch-size", "-4"], ["--lr", "0"], ["--width", "0"],
                                 ["--train-images", "0"]])
def test_bad_arguments_are_explained(bad, capsys):
    with pytest.raises(SystemExit):
        _script().parse_args(bad)
    assert "must be" in capsys.readouterr().err


def test_it_speaks_the_language_it_is_given(capsys):
    """Notebook 07 passes --language with its edition's language, so the Chinese notebook's run prints Chinese."""
    assert _script().parse_args(["--language", "zh"]).language == "zh"
    assert _script().parse_args([]).language == "en"
    with pytest.raises(SystemExit):
        _script().parse_args(["--language", "fr"])
    assert "invalid choice" in capsys.readouterr().err
    for edition in ("", "zh/"):
        notebook = json.loads((ROOT / "notebooks" / edition / "07_faster_and_better.ipynb").read_text(encoding="utf-8"))
        launch = ["".join(c["source"]) for c in notebook["cells"] if "torch.distributed.run" in "".join(c["source"])
                  and c["cell_type"] == "code"]
        assert len(launch) == 1 and '"--language", helpers.get_language()' in launch[0]


def test_notebook_07_quotes_the_script_as_it_is():
    """The lines of train_ddp.py that notebook 07 shows in its section 10 are really in the script."""
    import json

    notebook = json.loads((ROOT / "notebooks" / "07_faster_and_better.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    quoted = [c for c in cells if "The heart of the script" in c]
    assert len(quoted) == 1, "notebook 07 no longer quotes the script under 'The heart of the script'"
    block = quoted[0].split("```python\n", 1)[1].split("```", 1)[0]
    script = SCRIPT.read_text(encoding="utf-8")
    missing = [line.strip() for line in block.splitlines() if line.strip() and line.strip() not in script]
    assert not missing, f"notebook 07 quotes lines that train_ddp.py does not have: {missing}"
