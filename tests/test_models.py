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


def test_small_resnet_shapes_and_size():
    from helpers.models import SmallResNet

    net = SmallResNet(width=8).eval()
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert net(torch.randn(1, 3, 40, 40)).shape == (1, 10)  # global pooling: any size from 8×8 up
    assert sum(p.numel() for p in SmallResNet(width=32).parameters()) == 1_646_112


def test_small_resnet_residual_adds_its_input():
    from helpers.models import Residual

    block = Residual(4).eval()
    for p in block.body.parameters():
        torch.nn.init.zeros_(p)  # the body then outputs ReLU(0) = 0
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), x)


@pytest.mark.parametrize("bad, match", [
    (dict(width=0), "width must be a positive int"), (dict(num_classes=2.0), "num_classes must be a positive int"),
])
def test_small_resnet_bad_arguments(bad, match):
    from helpers.models import SmallResNet

    with pytest.raises(ValueError, match=match):
        SmallResNet(**bad)


def test_small_resnet_wrong_input_is_explained():
    from helpers.models import SmallResNet

    with pytest.raises(ValueError, match=r"SmallResNet expects a batch of shape \(N, 3, H, W\), got \(3, 32, 32\)"):
        SmallResNet(width=4)(torch.randn(3, 32, 32))
