"""Data augmentation done on the device, a whole batch at a time: random crops with padding and flips.

torchvision's ``RandomCrop(32, padding=4)`` and ``RandomHorizontalFlip()`` work on one PIL image at a time, on
the CPU. The same two augmentations on a batch that already sits on the GPU take a few tensor operations.

One difference: torchvision's ``RandomCrop`` pads with zeros by default (``padding_mode="constant"``, black pixels);
``random_crop_flip`` pads by reflecting the border (``F.pad(..., mode="reflect")``), as David Page's fast CIFAR10
recipe does, so a shifted image gets no black frame.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop_flip(images: torch.Tensor, padding: int = 4, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return a random crop of each image padded by ``padding`` reflected pixels, flipped left-right half the time.

    Args:
        images: a float batch (N, C, H, W) on any device; the result has the same shape, device and dtype.
        padding: how far a crop may shift the image, in pixels (4 for CIFAR10, as in most fast recipes).
        generator: a ``torch.Generator`` on the images' device for repeatable draws; None uses the global one.
    """
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or not images.is_floating_point():
        got = f"{images.dtype} tensor of shape {tuple(images.shape)}" if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"random_crop_flip expects a float batch of shape (N, C, H, W), got {got}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    n, c, height, width = images.shape
    if padding >= min(height, width):
        raise ValueError(f"padding must be smaller than the images ({height}x{width}), got {padding}")
    device = images.device
    padded = F.pad(images, (padding, padding, padding, padding), mode="reflect") if padding else images
    top = torch.randint(0, 2 * padding + 1, (n, 1, 1, 1), device=device, generator=generator)
    left = torch.randint(0, 2 * padding + 1, (n, 1, 1, 1), device=device, generator=generator)
    rows = top + torch.arange(height, device=device).view(1, 1, -1, 1)
    cols = left + torch.arange(width, device=device).view(1, 1, 1, -1)
    batch = torch.arange(n, device=device).view(-1, 1, 1, 1)
    channels = torch.arange(c, device=device).view(1, -1, 1, 1)
    crops = padded[batch, channels, rows, cols]
    flip = torch.rand(n, 1, 1, 1, device=device, generator=generator) < 0.5
    return torch.where(flip, crops.flip(3), crops)
