"""helpers.digits: scikit-learn's bundled digits as LeNet-sized tensors with a stratified split."""

from __future__ import annotations

import pytest
import torch

from helpers.digits import CLASS_NAMES, load_digits_split, stratified_split


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


def test_shapes_and_dtypes(split):
    assert split.train_images.shape == (1438, 1, 32, 32)
    assert split.test_images.shape == (359, 1, 32, 32)
    assert split.train_images.dtype == split.test_images.dtype == torch.float32
    assert split.train_labels.dtype == split.test_labels.dtype == torch.int64
    assert split.train_labels.shape == (1438,) and split.test_labels.shape == (359,)
    assert CLASS_NAMES == tuple("0123456789")


def test_values_lie_in_zero_one_and_use_the_range(split):
    for images in (split.train_images, split.test_images):
        assert images.min().item() == 0.0
        assert images.max().item() == pytest.approx(1.0)
        assert torch.isfinite(images).all()


def test_every_image_is_used_exactly_once():
    from sklearn.datasets import load_digits

    labels = torch.tensor(load_digits().target)
    train, test = stratified_split(labels, 0.2, 0)
    assert len(train) + len(test) == 1797
    assert torch.equal(torch.sort(torch.cat([train, test])).values, torch.arange(1797))


def test_size_8_keeps_the_original_pixels():
    from sklearn.datasets import load_digits

    raw = load_digits_split(size=8)
    originals = torch.tensor(load_digits().images, dtype=torch.float32) / 16
    labels = torch.tensor(load_digits().target)
    train_idx, _ = stratified_split(labels, 0.2, 0)
    assert torch.equal(raw.train_images[:, 0], originals[train_idx])


def test_split_is_stratified(split):
    train_counts = torch.bincount(split.train_labels, minlength=10)
    test_counts = torch.bincount(split.test_labels, minlength=10)
    fractions = test_counts.double() / (train_counts + test_counts).double()
    assert ((fractions - 0.2).abs() < 0.01).all(), fractions


def test_split_is_deterministic_and_depends_on_the_seed(split):
    again = load_digits_split()
    assert torch.equal(split.test_images, again.test_images)
    assert torch.equal(split.train_labels, again.train_labels)
    other = load_digits_split(seed=1)
    assert not torch.equal(split.test_images, other.test_images)


def test_test_fraction_and_size_are_honoured():
    half = load_digits_split(size=16, test_fraction=0.5)
    assert half.train_images.shape[1:] == (1, 16, 16)
    assert abs(len(half.test_labels) - 1797 / 2) <= 10


def test_stratified_split_keeps_a_small_class_on_both_sides():
    labels = torch.tensor([0] * 10 + [1] * 2)
    train, test = stratified_split(labels, 0.2, 0)
    assert sorted(labels[test].tolist()) == [0, 0, 1]
    assert set(train.tolist()) | set(test.tolist()) == set(range(12))
    assert not set(train.tolist()) & set(test.tolist())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"size": 4}, r"size must be an int >= 8.*got 4"),
        ({"size": 32.0}, r"size must be an int >= 8.*got 32.0"),
        ({"size": True}, r"size must be an int"),
        ({"test_fraction": 0}, r"test_fraction must be a number strictly between 0 and 1.*got 0"),
        ({"test_fraction": 1.5}, r"test_fraction.*got 1.5"),
        ({"test_fraction": "0.2"}, r"test_fraction.*got '0.2'"),
        ({"seed": -1}, r"seed must be an int in \[0, 2\*\*32 - 1\], got -1"),
        ({"seed": 0.5}, r"seed must be an int.*got 0.5"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_digits_split(**kwargs)


def test_stratified_split_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"labels must be a 1-D integer tensor.*shape \(2, 2\)"):
        stratified_split(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"labels must be a 1-D integer tensor.*dtype torch.float32"):
        stratified_split(torch.zeros(4))
    with pytest.raises(ValueError, match=r"labels must be a 1-D integer tensor.*got list"):
        stratified_split([0, 1, 2])
    with pytest.raises(ValueError, match="test_fraction"):
        stratified_split(torch.tensor([0, 1]), test_fraction=2)
