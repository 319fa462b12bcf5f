"""notebooks/scripts/train_ddp.py really trains with two processes (gloo on the CPU), in smoke mode.

Both ranks must end with identical weights (DDP averaged their gradients at every step and synced BatchNorm's
buffers), and the checkpoint that rank 0 saved must load into a fresh network.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers.models import SmallResNet

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "notebooks" / "scripts" / "train_ddp.py"


def test_two_processes_end_with_identical_weights_and_a_loadable_checkpoint(tmp_path):
    env = dict(os.environ, COURSE_SMOKE="1", COURSE_DATA_DIR=str(tmp_path / "data"), OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(SCRIPT),
         "--dump-weights", str(tmp_path / "weights"), "--checkpoint", str(tmp_path / "ckpt.pt")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "2 processes (gloo, CPUs); batch 64 = 2 × 32" in run.stdout and "SMOKE MODE" in run.stdout
    rank0 = torch.load(tmp_path / "weights" / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "weights" / "rank1.pt", weights_only=True)
    assert rank0.keys() == rank1.keys()
    different = [name for name in rank0 if not torch.equal(rank0[name], rank1[name])]
    assert not different, f"the two ranks disagree on {different}"
    assert not torch.equal(rank0["classifier.weight"], _initial()["classifier.weight"]), "the weights never moved"

    net = SmallResNet(width=8)
    net.load_state_dict(torch.load(tmp_path / "ckpt.pt", weights_only=True))
    assert all(torch.equal(value, rank0[name]) for name, value in net.state_dict().items())


def _initial() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return SmallResNet(width=8).state_dict()


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
