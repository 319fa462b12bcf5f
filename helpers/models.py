"""The seeds' networks, for notebooks that come after the one that teaches them.

``LeNet`` is taught in notebook 03 and ``CifarNet`` in notebook 06; later cells and notebooks
import them from here instead of repeating the definitions. ``SmallResNet`` is the modern network of
notebook 07's fast recipe, which its multi-process training script imports.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


class LeNet(nn.Module):
    """LeNet from the seeds: 1×32×32 input, conv 1→6→16 (5×5), fc 400→120→84→10."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        _positive_int(num_classes, "num_classes")
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a (N, 1, 32, 32) batch to (N, num_classes) scores."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, 32, 32):
            raise ValueError(
                f"LeNet expects a batch of shape (N, 1, 32, 32), got {tuple(x.shape)}; "
                "for one image of shape (1, 32, 32) use x.unsqueeze(0)"
            )
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CifarNet(nn.Module):
    """The seeds' CIFAR10 network; widen it with ``conv1_channels``/``conv2_channels`` (defaults 6 and 16)."""

    def __init__(self, conv1_channels: int = 6, conv2_channels: int = 16, num_classes: int = 10) -> None:
        super().__init__()
        _positive_int(conv1_channels, "conv1_channels")
        _positive_int(conv2_channels, "conv2_channels")
        _positive_int(num_classes, "num_classes")
        self.conv1 = nn.Conv2d(3, conv1_channels, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(conv1_channels, conv2_channels, 5)
        self.fc1 = nn.Linear(conv2_channels * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a (N, 3, 32, 32) batch to (N, num_classes) scores."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (3, 32, 32):
            raise ValueError(
                f"CifarNet expects a batch of shape (N, 3, 32, 32), got {tuple(x.shape)}; "
                "for one image of shape (3, 32, 32) use x.unsqueeze(0)"
            )
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def conv_bn(in_channels: int, out_channels: int) -> nn.Sequential:
    """A 3×3 convolution (no bias: BatchNorm has its own), BatchNorm and ReLU; keeps height and width."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class Residual(nn.Module):
    """Two ``conv_bn`` blocks whose output is added to their input: ``x + f(x)``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(conv_bn(channels, channels), conv_bn(channels, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SmallResNet(nn.Module):
    """A ResNet-9-style network for 32×32 colour images: conv-BN-ReLU blocks, two residual blocks, global pooling.

    ``width`` channels at the start, doubling three times (to 8 × width); 64 gives about 6.6 million parameters,
    32 about 1.6 million. The scores are scaled by 1/8, which keeps the first steps of training calm.
    """

    def __init__(self, width: int = 32, num_classes: int = 10) -> None:
        super().__init__()
        _positive_int(width, "width")
        _positive_int(num_classes, "num_classes")
        self.layers = nn.Sequential(
            conv_bn(3, width),
            conv_bn(width, 2 * width), nn.MaxPool2d(2), Residual(2 * width),
            conv_bn(2 * width, 4 * width), nn.MaxPool2d(2),
            conv_bn(4 * width, 8 * width), nn.MaxPool2d(2), Residual(8 * width),
            nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        )
        self.classifier = nn.Linear(8 * width, num_classes, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a (N, 3, H, W) batch to (N, num_classes) scores."""
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f"SmallResNet expects a batch of shape (N, 3, H, W), got {tuple(x.shape)}")
        return self.classifier(self.layers(x)) * 0.125
