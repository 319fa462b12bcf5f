"""helpers.augment.random_crop_flip: every result is a crop of the padded image, flipped or not; bad input explained."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from helpers.augment import random_crop_flip


def _all_crops(image: torch.Tensor, padding: int) -> list[torch.Tensor]:
    padded = F.pad(image.unsqueeze(0), (padding,) * 4, mode="reflect")[0]
    h, w = image.shape[1:]
    crops = [padded[:, i:i + h, j:j + w] for i in range(2 * padding + 1) for j in range(2 * padding + 1)]
    return crops + [crop.flip(2) for crop in crops]


def test_each_image_becomes_one_of_its_crops_or_their_mirror_images():
    g = torch.Generator().manual_seed(0)
    images = torch.randn(16, 3, 8, 8, generator=g)
    out = random_crop_flip(images, padding=2, generator=g)
    assert out.shape == images.shape and out.dtype == images.dtype
    for image, result in zip(images, out):
        assert any(torch.equal(result, crop) for crop in _all_crops(image, 2))


def test_the_draws_vary_and_repeat_with_the_same_generator():
    images = torch.randn(64, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    a = random_crop_flip(images, generator=torch.Generator().manual_seed(5), padding=3)
    b = random_crop_flip(images, generator=torch.Generator().manual_seed(5), padding=3)
    assert torch.equal(a, b)
    unchanged = sum(torch.equal(x, y) for x, y in zip(a, images))
    assert unchanged < 16, "most images should be shifted or flipped"


def test_no_padding_only_flips():
    images = torch.randn(32, 1, 4, 4, generator=torch.Generator().manual_seed(2))
    out = random_crop_flip(images, padding=0, generator=torch.Generator().manual_seed(3))
    flipped = [not torch.equal(x, y) for x, y in zip(out, images)]
    assert all(torch.equal(o, i) or torch.equal(o, i.flip(2)) for o, i in zip(out, images))
    assert 0 < sum(flipped) < 32


@pytest.mark.parametrize("bad, match", [
    (torch.zeros(3, 8, 8), r"expects a float batch of shape \(N, C, H, W\), got torch.float32 tensor of shape \(3, 8, 8\)"),
    (torch.zeros(2, 3, 8, 8, dtype=torch.uint8), "got torch.uint8 tensor"),
    ([1, 2], "got list"),
])
def test_bad_images_are_explained(bad, match):
    with pytest.raises(ValueError, match=match):
        random_crop_flip(bad)


@pytest.mark.parametrize("padding", [-1, 2.0, True, 8])
def test_bad_padding_is_explained(padding):
    with pytest.raises(ValueError, match="padding must be"):
        random_crop_flip(torch.zeros(2, 3, 8, 8), padding=padding)
