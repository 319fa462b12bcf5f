import random

import numpy as np
import pytest
import torch

import helpers


def draw():
    return random.random(), np.random.rand(), torch.rand(3).tolist()


def test_same_seed_same_numbers_everywhere():
    helpers.seed_everything(123)
    first = draw()
    helpers.seed_everything(123)
    assert draw() == first


def test_different_seed_different_numbers():
    helpers.seed_everything(1)
    first = draw()
    helpers.seed_everything(2)
    second = draw()
    assert all(a != b for a, b in zip(first, second))


def test_returns_the_seed_and_accepts_numpy_ints():
    assert helpers.seed_everything(np.int64(7)) == 7


@pytest.fixture
def restore_deterministic():
    """Put torch's deterministic settings back as they were after the test."""
    saved = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    saved_cudnn = torch.backends.cudnn.deterministic
    yield
    torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
    torch.backends.cudnn.deterministic = saved_cudnn


def test_deterministic_flag_toggles_torch(restore_deterministic):
    helpers.seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.deterministic
    helpers.seed_everything(0, deterministic=False)
    assert not torch.are_deterministic_algorithms_enabled()
    assert not torch.backends.cudnn.deterministic


@pytest.mark.parametrize("warn_only", [False, True])
def test_by_default_a_learners_own_deterministic_setting_is_kept(restore_deterministic, warn_only):
    torch.use_deterministic_algorithms(True, warn_only=warn_only)
    torch.backends.cudnn.deterministic = True
    helpers.seed_everything(0)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.is_deterministic_algorithms_warn_only_enabled() is warn_only
    assert torch.backends.cudnn.deterministic


def test_by_default_deterministic_mode_is_not_switched_on(restore_deterministic):
    torch.use_deterministic_algorithms(False)
    helpers.seed_everything(0)
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_out_of_range_seed(bad):
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 4294967295\], got"):
        helpers.seed_everything(bad)


@pytest.mark.parametrize("bad", [1.5, "0", None, True])
def test_wrong_type_seed(bad):
    with pytest.raises(TypeError, match="seed must be an int"):
        helpers.seed_everything(bad)


def test_wrong_type_deterministic():
    with pytest.raises(TypeError, match="deterministic must be True, False or None, got 'yes'"):
        helpers.seed_everything(0, deterministic="yes")
