"""CIFAR10 for notebook 06: the real torchvision download, a smoke-mode stand-in, and a fast tensor pipeline.

Nothing here runs at import time. ``load_cifar10`` returns the real dataset (downloaded into
``data_dir()/cifar10``) or, in smoke mode only, a generated stand-in that says so in its name.
``CifarTensors`` + ``fast_loader`` are the notebook's default pipeline: decode once into a uint8
tensor, normalize each batch with tensor ops.
"""

from __future__ import annotations

import socket
import urllib.error
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from helpers.config import SMOKE_ENV, SMOKE_FOLDER, announce_smoke, data_dir, display_path, smoke_mode
from helpers.i18n import _

CLASSES: tuple[str, ...] = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
MEAN: tuple[float, float, float] = (0.5, 0.5, 0.5)
STD: tuple[float, float, float] = (0.5, 0.5, 0.5)
FOLDER = "cifar10"
SMOKE_TRAIN_SIZE = 500
SMOKE_TEST_SIZE = 200

# torchvision's own names for the classes (its ``dataset.classes``), which the stand-in copies.
_TORCHVISION_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]


class CIFAR10DownloadError(RuntimeError):
    """The real CIFAR10 could not be downloaded or read; the message says what to do.

    In a notebook it shows as its message alone: IPython asks an exception for ``_render_traceback_()`` and prints
    those lines instead of a traceback, so a learner reads the advice, not the lines of this module that raised it.
    (A script still gets Python's full traceback.)
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self.args[0] if self.args else ''}"]


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _check_transform(transform: object) -> None:
    """Refuse what cannot transform an image: a transform class instead of an instance (also inside a Compose)."""
    if transform is None:
        return
    if isinstance(transform, type):
        raise TypeError(_(
            "transform must be a transform object, but got the class {name} itself: add the parentheses, "
            "e.g. transforms.{name}() instead of transforms.{name}"
        ).format(name=transform.__name__))
    if not callable(transform):
        raise TypeError(_(
            "transform must be callable or None (e.g. tutorial_transform()), got {kind}"
        ).format(kind=type(transform).__name__))
    inner = getattr(transform, "transforms", None)  # Compose, RandomApply, RandomOrder, RandomChoice
    if isinstance(inner, (list, tuple)):
        for step in inner:
            _check_transform(step)


def tutorial_transform() -> Callable[[Any], torch.Tensor]:
    """Return the seeds' transform: ``Compose([ToTensor(), Normalize((0.5,)*3, (0.5,)*3)])``."""
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


# ---- the generated stand-in (smoke mode) --------------------------------------------------------


def generate_cifar_like(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` learnable CIFAR-shaped images (uint8, (n, 32, 32, 3)) and labels (int64, 0–9).

    Each class has its own colour and stripe orientation; random phase, brightness and noise
    make the images differ, so a small CNN needs a few hundred steps to tell them apart.
    """
    n = _positive_int(n, "n")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    labels = rng.integers(0, 10, size=n)
    images = np.empty((n, 32, 32, 3), dtype=np.uint8)
    yy, xx = np.meshgrid(np.arange(32, dtype=np.float32), np.arange(32, dtype=np.float32), indexing="ij")
    hues = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    colour = np.stack([np.cos(hues), np.cos(hues - 2.1), np.cos(hues + 2.1)], axis=1).astype(np.float32)
    for start in range(0, n, 4096):  # in chunks, so 50 000 images need little extra memory
        lab = labels[start : start + 4096]
        k = lab.shape[0]
        angle = lab * (np.pi / 10) + rng.normal(0, 0.08, size=k)
        freq = 0.35 + 0.05 * (lab % 3) + rng.normal(0, 0.02, size=k)
        phase = rng.uniform(0, 2 * np.pi, size=k)
        along = np.cos(angle)[:, None, None] * xx + np.sin(angle)[:, None, None] * yy
        stripes = np.sin(freq[:, None, None] * along + phase[:, None, None]).astype(np.float32)
        base = 0.5 + 0.18 * colour[lab] + rng.normal(0, 0.05, size=(k, 3)).astype(np.float32)
        chunk = base[:, None, None, :] + 0.22 * stripes[..., None]
        chunk += rng.normal(0, 0.12, size=chunk.shape).astype(np.float32)
        images[start : start + k] = np.clip(chunk * 255, 0, 255).astype(np.uint8)
    return images, labels.astype(np.int64)


class GeneratedCIFAR10(Dataset):
    """A GENERATED stand-in for CIFAR10 (smoke mode): torchvision's interface, made-up images.

    Like ``torchvision.datasets.CIFAR10`` it has ``data`` (uint8 (N, 32, 32, 3)), ``targets``,
    ``classes`` and ``transform``, and yields ``(transform(PIL image), label)``. It lives only in
    memory: nothing is written to disk, so it can never be mistaken for the real archive.
    """

    def __init__(self, train: bool = True, size: int | None = None, transform: Callable | None = None) -> None:
        _check_bool(train, "train")
        if size is None:
            size = SMOKE_TRAIN_SIZE if train else SMOKE_TEST_SIZE
        size = _positive_int(size, "size")
        _check_transform(transform)
        self.train = train
        self.transform = transform
        self.classes = list(_TORCHVISION_CLASSES)
        self.data, labels = generate_cifar_like(size, seed=0 if train else 1)
        self.targets = labels.tolist()

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        from PIL import Image

        image = Image.fromarray(self.data[index])
        if self.transform is not None:
            image = self.transform(image)
        return image, self.targets[index]

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        # The lines under the banner copy torchvision's own CIFAR10 repr, which stays in English.
        return (
            _("GeneratedCIFAR10 — a generated stand-in, NOT the real CIFAR10 (smoke mode)")
            + f"\n    Number of datapoints: {len(self)}\n    Split: {split}\n    Transform: {self.transform}"
        )


# ---- the real data ---------------------------------------------------------------------------------


def cifar10_root() -> Path:
    """Return the folder torchvision downloads CIFAR10 into: ``data_dir()/cifar10``."""
    return data_dir() / FOLDER


def _download_help(root: Path, url: str, filename: str, md5: str) -> str:
    smoke_folder = display_path(data_dir(create=False) / SMOKE_FOLDER)
    return _(
        "What to do:\n"
        "  1. Check your internet connection (or proxy) and run the cell again; or\n"
        "  2. download {url} by hand (about 170 MB, MD5 {md5}) in a browser and put it at\n"
        "       {archive}\n"
        "     then run the cell again: torchvision finds it, checks its MD5 and unpacks it; or\n"
        "  3. no network for CIFAR10? Put  %env {variable}=1  in a new cell at the very top of the notebook, then\n"
        "     Kernel → Restart Kernel and Run All Cells. Everything then runs on a generated stand-in (not real\n"
        "     results; a ⚠️ SMOKE MODE banner says so wherever it changes something) and writes only under\n"
        "     {smoke_folder}/, never over your real checkpoints. To go back, delete that cell and restart the kernel."
    ).format(url=url, md5=md5, archive=root / filename, variable=SMOKE_ENV, smoke_folder=smoke_folder)


def load_cifar10(
    train: bool = True,
    transform: Callable | None = None,
    download: bool = True,
    timeout: float = 10.0,
) -> Dataset:
    """Return CIFAR10's train or test split; in smoke mode (only) a generated stand-in, announced.

    Args:
        train: the 50 000 training images (True) or the 10 000 test images (False).
        transform: applied to each PIL image, e.g. ``tutorial_transform()``; None keeps PIL images.
        download: fetch the archive into ``cifar10_root()`` when it is missing.
        timeout: seconds a stalled network read may take before the download gives up.

    Raises:
        CIFAR10DownloadError: the data is missing and could not be downloaded; says what to do.
    """
    _check_bool(train, "train")
    _check_bool(download, "download")
    _check_transform(transform)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if smoke_mode():
        dataset = GeneratedCIFAR10(train=train, transform=transform)
        if train:
            what = _(
                "CIFAR10 train split replaced by a generated stand-in "
                "of {count} images (coloured stripes, one pattern per class)"
            )
        else:
            what = _(
                "CIFAR10 test split replaced by a generated stand-in "
                "of {count} images (coloured stripes, one pattern per class)"
            )
        announce_smoke(what.format(count=len(dataset)))
        return dataset

    from torchvision.datasets import CIFAR10

    root = cifar10_root()
    help_text = _download_help(root, CIFAR10.url, CIFAR10.filename, CIFAR10.tgz_md5)
    try:
        return CIFAR10(str(root), train=train, transform=transform, download=False)
    except RuntimeError:
        if not download:
            raise CIFAR10DownloadError(
                _("CIFAR10 is not in {folder} and download=False.").format(folder=root / CIFAR10.base_folder)
                + "\n"
                + help_text
            ) from None
    archive = root / CIFAR10.filename
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(float(timeout))
    try:
        return CIFAR10(str(root), train=train, transform=transform, download=True)
    except (urllib.error.URLError, OSError, RuntimeError) as error:
        reason = f"{type(error).__name__}: {getattr(error, 'reason', None) or error}"
        lines = [_("Could not download CIFAR10 from {url} ({reason}).").format(url=CIFAR10.url, reason=reason)]
        if archive.is_file():
            lines.append(
                _(
                    "A file is already at {archive}, but its MD5 does not match {md5} "
                    "(an interrupted download?); delete it and try again."
                ).format(archive=archive, md5=CIFAR10.tgz_md5)
            )
        lines.append(help_text)
        raise CIFAR10DownloadError("\n".join(lines)) from None
    finally:
        socket.setdefaulttimeout(previous)


# ---- the fast pipeline -------------------------------------------------------------------------------


class CifarTensors(Dataset):
    """Images decoded once into a uint8 (N, 3, 32, 32) tensor; batches are normalized with tensor ops.

    ``dataset[i]`` gives one normalized image and its label; ``fast_loader`` asks for a whole
    batch of indices at once (``__getitems__``), which is what makes it fast.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        mean: Sequence[float] = MEAN,
        std: Sequence[float] = STD,
        classes: Sequence[str] = CLASSES,
    ) -> None:
        if not isinstance(images, torch.Tensor) or images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
            got = f"{images.dtype} tensor of shape {tuple(images.shape)}" if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"images must be a uint8 tensor of shape (N, 3, H, W), got {got}")
        if not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.dtype != torch.int64:
            got = f"{labels.dtype} tensor of shape {tuple(labels.shape)}" if isinstance(labels, torch.Tensor) else type(labels).__name__
            raise ValueError(f"labels must be a 1-D int64 tensor, got {got}")
        if labels.shape[0] != images.shape[0]:
            raise ValueError(f"images and labels must have the same length, got {images.shape[0]} and {labels.shape[0]}")
        self.images = images
        self.labels = labels
        self.mean = torch.as_tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.as_tensor(std, dtype=torch.float32).view(1, 3, 1, 1)
        if self.mean.numel() != 3 or self.std.numel() != 3 or bool((self.std <= 0).any()):
            raise ValueError(f"mean and std must have 3 values each (std positive), got {mean!r} and {std!r}")
        self.classes = tuple(classes)

    @classmethod
    def from_dataset(cls, dataset: Any, **kwargs: Any) -> "CifarTensors":
        """Decode a torchvision-style CIFAR10 (with ``.data`` (N, 32, 32, 3) uint8 and ``.targets``) once."""
        data = getattr(dataset, "data", None)
        targets = getattr(dataset, "targets", None)
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 4 or data.shape[-1] != 3 or targets is None:
            raise ValueError(
                "from_dataset expects a CIFAR10-style dataset with .data (uint8 array (N, H, W, 3)) and .targets, "
                f"got {type(dataset).__name__}"
            )
        images = torch.from_numpy(data).permute(0, 3, 1, 2).contiguous()
        return cls(images, torch.as_tensor(targets, dtype=torch.int64), **kwargs)

    def __len__(self) -> int:
        return self.labels.shape[0]

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Turn uint8 images into normalized float32: ``(x / 255 - mean) / std``."""
        return images.float().div_(255).sub_(self.mean).div_(self.std)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an int, got {type(index).__name__}")
        return self.normalize(self.images[index].unsqueeze(0))[0], int(self.labels[index])

    def __getitems__(self, indices: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(indices, dtype=torch.int64)
        return self.normalize(self.images[index]), self.labels[index]

    def __repr__(self) -> str:
        return f"CifarTensors({len(self)} images, uint8 {tuple(self.images.shape[1:])}, {self.images.numel() / 2**20:.0f} MiB)"


def _whole_batch(batch: Any) -> Any:
    """Collate function for batches that ``__getitems__`` already built (kept at module level for spawn)."""
    return batch


def fast_loader(
    dataset: CifarTensors,
    batch_size: int = 128,
    shuffle: bool = False,
    num_workers: int = 0,
    seed: int | None = None,
    **kwargs: Any,
) -> DataLoader:
    """Return a DataLoader that slices whole batches out of a ``CifarTensors`` (no per-image work).

    ``num_workers=0`` is the safe default in notebooks on every OS; ``seed`` fixes the shuffle order.
    Extra keyword arguments (e.g. ``multiprocessing_context="spawn"``) go to ``DataLoader``.
    """
    if not isinstance(dataset, CifarTensors):
        raise TypeError(f"dataset must be a CifarTensors (use CifarTensors.from_dataset), got {type(dataset).__name__}")
    batch_size = _positive_int(batch_size, "batch_size")
    _check_bool(shuffle, "shuffle")
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"num_workers must be an int >= 0, got {num_workers!r}")
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(int(seed))
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        collate_fn=_whole_batch,
        generator=generator,
        **kwargs,
    )
