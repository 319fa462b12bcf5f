"""Seeding every random number generator the course uses, for repeatable notebooks."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

_MAX_SEED = 2**32 - 1


def seed_everything(seed: int = 0, deterministic: bool | None = None) -> int:
    """Seed Python, NumPy and torch (CPU and all GPUs); return the seed.

    Args:
        seed: an integer in [0, 2**32 - 1].
        deterministic: True makes torch use deterministic algorithms (slower on GPU; operations with no
            deterministic version then raise), False switches them off, None (the default) leaves
            whatever you set yourself with ``torch.use_deterministic_algorithms`` alone.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int in [0, {_MAX_SEED}], got {type(seed).__name__} {seed!r}")
    if not 0 <= seed <= _MAX_SEED:
        raise ValueError(f"seed must be an int in [0, {_MAX_SEED}], got {seed}")
    if deterministic is not None and not isinstance(deterministic, bool):
        raise TypeError(f"deterministic must be True, False or None, got {deterministic!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.backends.cudnn.benchmark = False  # benchmarking picks kernels by timing, which varies run to run
    if deterministic is not None:
        torch.use_deterministic_algorithms(deterministic)
        torch.backends.cudnn.deterministic = deterministic
    if deterministic:
        # Needed by cuBLAS for deterministic matrix products on CUDA >= 10.2.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return seed
