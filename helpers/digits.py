"""scikit-learn's bundled handwritten digits (no download) as LeNet-sized tensors with a stratified split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

CLASS_NAMES = tuple(str(d) for d in range(10))
RAW_SIZE = 8
RAW_MAX = 16.0


@dataclass(frozen=True)
class DigitsSplit:
    """Train and test images (N, 1, size, size) in [0, 1] with their labels (N,) as int64."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor


def _check_args(size: object, test_fraction: object, seed: object) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < RAW_SIZE:
        raise ValueError(f"size must be an int >= {RAW_SIZE} (the images are 8×8; LeNet needs 32), got {size!r}")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1, such as 0.2, got {test_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32 - 1], got {seed!r}")


def stratified_split(labels: torch.Tensor, test_fraction: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return sorted (train_indices, test_indices) holding about ``test_fraction`` of every class in test."""
    if not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.dtype.is_floating_point:
        got = f"shape {tuple(labels.shape)}, dtype {labels.dtype}" if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"labels must be a 1-D integer tensor of class indices, got {got}")
    _check_args(RAW_SIZE, test_fraction, seed)
    rng = np.random.default_rng(int(seed))
    train, test = [], []
    for cls in torch.unique(labels).tolist():
        members = torch.nonzero(labels == cls).flatten().numpy()
        members = rng.permutation(members)
        n_test = int(round(len(members) * test_fraction))
        if len(members) >= 2:
            n_test = min(max(n_test, 1), len(members) - 1)
        test.extend(members[:n_test].tolist())
        train.extend(members[n_test:].tolist())
    return torch.tensor(sorted(train), dtype=torch.long), torch.tensor(sorted(test), dtype=torch.long)


def load_digits_split(size: int = 32, test_fraction: float = 0.2, seed: int = 0) -> DigitsSplit:
    """Load the 1,797 8×8 digits, scale them to [0, 1], upsample to size×size (bilinear) and split them.

    Args:
        size: height and width of the returned images (32 for LeNet; 8 keeps the originals).
        test_fraction: share of each class held out for testing.
        seed: seed of the split; the same seed always gives the same split.
    """
    _check_args(size, test_fraction, seed)
    from sklearn.datasets import load_digits  # imported here: scikit-learn is only needed by this loader

    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / RAW_MAX
    labels = torch.tensor(bunch.target, dtype=torch.long)
    if size != RAW_SIZE:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    images = images.clamp(0.0, 1.0).contiguous()
    train_idx, test_idx = stratified_split(labels, test_fraction, seed)
    return DigitsSplit(images[train_idx], labels[train_idx], images[test_idx], labels[test_idx])
