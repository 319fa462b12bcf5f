"""Loaders with worker processes started by `spawn`, as on Windows and macOS, still work with the course's data."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader

from helpers.data import CifarTensors, GeneratedCIFAR10, fast_loader, tutorial_transform


def test_fast_loader_with_spawned_workers_gives_the_same_batches():
    tensors = CifarTensors.from_dataset(GeneratedCIFAR10(True, size=200))
    expected = list(fast_loader(tensors, batch_size=64))
    spawned = list(fast_loader(tensors, batch_size=64, num_workers=2, multiprocessing_context="spawn"))
    assert len(spawned) == len(expected) == 4
    for (x, y), (ex, ey) in zip(spawned, expected):
        assert torch.equal(x, ex) and torch.equal(y, ey)


def test_tutorial_loader_with_a_spawned_worker_yields_normalized_batches():
    dataset = GeneratedCIFAR10(False, size=16, transform=tutorial_transform())
    loader = DataLoader(dataset, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    batches = list(loader)
    assert len(batches) == 4
    images, labels = batches[0]
    assert images.shape == (4, 3, 32, 32) and labels.dtype == torch.int64
    assert torch.allclose(images[0], dataset[0][0])


# What notebook 06 says about num_workers with spawn (Windows, macOS; forkserver, Linux's default from Python 3.14,
# behaves the same): a dataset class from an importable module works (the tests above: helpers.data's classes); one
# defined in the notebook (in __main__) does not, because a fresh worker has no such class in its __main__.


def test_a_dataset_class_defined_in_main_kills_spawned_workers(monkeypatch, capfd):
    import sys

    from torch.utils.data import Dataset

    # a class as a notebook defines it: found by pickle as __main__.Squares in this process only
    squares = type("Squares", (Dataset,), {"__len__": lambda self: 8, "__getitem__": lambda self, i: float(i * i)})
    squares.__module__ = "__main__"
    monkeypatch.setattr(sys.modules["__main__"], "Squares", squares, raising=False)
    in_process = list(DataLoader(squares(), batch_size=4))  # without workers it works
    assert torch.equal(torch.cat(in_process), torch.tensor([0.0, 1, 4, 9, 16, 25, 36, 49], dtype=torch.float64))
    loader = DataLoader(squares(), batch_size=4, num_workers=1, multiprocessing_context="spawn")
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(loader)
    assert "Can't get attribute 'Squares' on <module '__main__'" in capfd.readouterr().err
