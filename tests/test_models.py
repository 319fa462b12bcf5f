import pytest
import torch

from helpers.models import CifarNet, LeNet


def test_lenet_matches_the_seeds():
    net = LeNet()
    params = list(net.parameters())
    assert len(params) == 10
    assert params[0].shape == (6, 1, 5, 5)
    assert net.fc1.in_features == 16 * 5 * 5
    assert net(torch.randn(3, 1, 32, 32)).shape == (3, 10)


def test_cifarnet_default_and_wide():
    assert CifarNet()(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    wide = CifarNet(conv1_channels=32, conv2_channels=64)
    assert wide.fc1.in_features == 64 * 5 * 5
    assert wide(torch.randn(1, 3, 32, 32)).shape == (1, 10)


@pytest.mark.parametrize("net, bad, expected", [
    (LeNet(), torch.randn(1, 32, 32), r"LeNet expects a batch of shape \(N, 1, 32, 32\), got \(1, 32, 32\); .*unsqueeze\(0\)"),
    (LeNet(), torch.randn(1, 1, 28, 28), r"got \(1, 1, 28, 28\)"),
    (CifarNet(), torch.randn(3, 32, 32), r"CifarNet expects a batch of shape \(N, 3, 32, 32\), got \(3, 32, 32\)"),
])
def test_wrong_input_shape_is_a_clear_error(net, bad, expected):
    with pytest.raises(ValueError, match=expected):
        net(bad)


@pytest.mark.parametrize("kwargs", [dict(conv1_channels=0), dict(conv2_channels=2.5), dict(num_classes=True)])
def test_bad_widths(kwargs):
    with pytest.raises(ValueError, match="must be a positive int"):
        CifarNet(**kwargs)
