"""notebooks/scripts/train_ddp.py: its arguments, its backend and batch split, --sync-bn, and the real run's guard.

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
import os
import re
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
    assert "--nproc_per_node=" in sources[launch] and "processes = 2" in sources[launch]
    assert "--dump-weights" in sources[launch] and "str(script)" in sources[launch]
    assert '"OMP_NUM_THREADS"' in sources[launch] and '"USE_LIBUV"' in sources[launch] and "env=env" in sources[launch]
    check = sources[launch + 1]
    assert "NBVAL_IGNORE_OUTPUT" not in check, "the rank check must stay a strictly compared cell"
    stored = "".join("".join(o.get("text", "")) for o in cells[launch + 1]["outputs"])
    assert stored.splitlines() == [
        "every process ended with identical weights: True",
        "training changed them: True",
        "rank 0's checkpoint holds those weights: True",
    ]


def test_the_chinese_notebook_prints_its_rank_checks_in_chinese():
    notebook = json.loads((ROOT / "notebooks" / "zh" / "07_faster_and_better.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    launch = next(i for i, c in enumerate(cells) if '"torch.distributed.run"' in "".join(c["source"]))
    lines = "".join("".join(o.get("text", "")) for o in cells[launch + 1]["outputs"]).splitlines()
    assert len(lines) == 3 and all(line.endswith("True") and re.search(r"[\u4e00-\u9fff]", line) for line in lines)


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


def test_the_global_batch_is_split_over_any_number_of_processes():
    split = _script().split_batch
    assert split(512, 2) == (256, 512) and split(512, 8) == (64, 512)
    assert split(512, 3) == (170, 510) and split(512, 6) == (85, 510) and split(512, 7) == (73, 511)
    with pytest.raises(SystemExit, match="at least 4"):
        split(3, 4)


def test_gloo_carries_the_gpus_where_pytorch_has_no_nccl(monkeypatch):
    """Windows builds have CUDA but no NCCL: the script must not ask for NCCL there."""
    import torch
    import torch.distributed as dist

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: None)
    monkeypatch.setattr(dist, "is_nccl_available", lambda: False)
    device, backend = _script().pick_backend(1)
    assert (str(device), backend) == ("cuda:1", "gloo")
    monkeypatch.setattr(dist, "is_nccl_available", lambda: True)
    assert _script().pick_backend(0)[1] == "nccl"


def test_sync_bn_is_refused_on_the_cpu_with_the_reason(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    with pytest.raises(SystemExit, match="--sync-bn needs CUDA GPUs"):
        _script().main(["--sync-bn"])


def test_pytorch_syncbatchnorm_really_needs_a_gpu(monkeypatch):
    """What the refusal above and notebook 07 say: SyncBatchNorm stops on CPU tensors (a 1-process gloo group)."""
    import torch
    import torch.distributed as dist
    from torch import nn

    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", str(29500 + os.getpid() % 1000))
    dist.init_process_group("gloo", rank=0, world_size=1)
    try:
        layer = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(2)))
        with pytest.raises(ValueError, match="SyncBatchNorm expected input tensor to be on GPU"):
            layer(torch.randn(4, 2, 3, 3))
    finally:
        dist.destroy_process_group()
