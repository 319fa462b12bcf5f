"""Loaders with worker processes started by `spawn`, as on Windows and macOS, still work with the course's data."""

from __future__ import annotations

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
