"""Learner slips with plots, metrics, the learning-rate widget and data transforms (issue 23), run by tests/slips.py."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.metrics import confusion_matrix  # noqa: E402
from helpers.plot import imshow, plot_confusion_matrix, plot_ladder, show_images  # noqa: E402
from helpers.widgets.learning_rate import learning_rate_explorer  # noqa: E402
from tests.slips import Slip, slip_tests  # noqa: E402

PIXELS = torch.tensor([[[0, 64], [128, 255]]] * 3, dtype=torch.uint8)  # one (3, 2, 2) image, black to white
LABELS = torch.tensor([0, 0, 1, 2])
PREDICTIONS = torch.tensor([1, 0, 1, 2])  # one 0 read as 1: the count sits in row 0 (true), column 1 (predicted)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _drawn(ax) -> torch.Tensor:
    return torch.as_tensor(ax.images[0].get_array().data).float()


def _shows_pixel_values(ax) -> bool:
    """The axes show PIXELS as 0–255 values (0, 64/255, 128/255, 1), not clamped to white."""
    return torch.allclose(_drawn(ax), PIXELS.permute(1, 2, 0).float() / 255)


def _load_cifar10_with(transform):
    from helpers.data import load_cifar10

    return load_cifar10(transform=transform, download=False)  # without the check: a dataset, or a download error


def _to_tensor_class():
    from torchvision import transforms

    return transforms.ToTensor


def _compose_with_a_class():
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor, transforms.Normalize((0.5,) * 3, (0.5,) * 3)])


SLIPS = [
    # 1. imshow of a uint8 image (or 0–255 floats) used to clamp it to white
    Slip("imshow of a uint8 image shows it as pixel values 0-255",
         lambda: imshow(PIXELS), result=_shows_pixel_values),
    Slip("imshow of 0-255 floats shows them as pixel values and says so",
         lambda: imshow(PIXELS.float()), warns=UserWarning,
         says=("imshow shows float images with values from 0 to 1", "from 0 to 255", "images / 255"),
         result=_shows_pixel_values),
    Slip("imshow of a uint8 image with mean and std",
         lambda: imshow(PIXELS, mean=(0.5,) * 3, std=(0.5,) * 3), error=ValueError,
         says=("uint8", "0–255", "without mean= and std=")),
    # 2. show_images(x[0]): one colour image used to come out as three grey ones
    Slip("show_images of one colour image instead of a batch",
         lambda: show_images(torch.zeros(4, 3, 8, 8)[0]), error=ValueError,
         says=("(N, C, H, W)", "(3, 8, 8)", "one colour image", "imshow(image)", "images[0:1]", "unsqueeze(0)")),
    # 3. scikit-learn's order confusion_matrix(labels, preds, 10) used to return the transposed matrix
    Slip("confusion_matrix in scikit-learn's order (labels first)",
         lambda: confusion_matrix(LABELS, PREDICTIONS, 3), error=TypeError,
         says=("by name", "scikit-learn", "transpose", "confusion_matrix(predictions=..., labels=..., num_classes=...)")),
    Slip("confusion_matrix by name, in any order",
         lambda: confusion_matrix(labels=LABELS, num_classes=3, predictions=PREDICTIONS),
         result=lambda cm: cm[0, 1] == 1 and cm[1, 0] == 0 and cm.trace() == 3),
    # 4. a normalized matrix used to be labelled 0 in every cell
    Slip("plot_confusion_matrix of proportions labels them with decimals",
         lambda: plot_confusion_matrix(torch.tensor([[0.8, 0.2], [0.25, 0.75]])),
         result=lambda ax: [t.get_text() for t in ax.texts] == ["0.80", "0.20", "0.25", "0.75"]),
    # 5. lr=100 used to start the slider at 10 without a word: the slider's range now holds the lr asked for
    Slip("learning_rate_explorer with lr=100, above the slider's usual range",
         lambda: learning_rate_explorer(lr=100, steps=5).children[0].children,
         result=lambda row: row[0].value == 100 and row[0].max == 2 and row[1].value == "100"),
    # 6. accuracy 50 (percent) used to be drawn as 5000 %
    Slip("plot_ladder with an accuracy in percent",
         lambda: plot_ladder({"baseline": {"images_per_s": 1000.0, "accuracy": 50}}), error=ValueError,
         says=("'baseline'", "accuracy must be a fraction from 0 to 1", "got 50", "divide it by 100")),
    # 7. a transform class used to fail only at the first image, deep inside torchvision
    Slip("load_cifar10 with transforms.ToTensor without ()",
         lambda: _load_cifar10_with(_to_tensor_class()), error=TypeError,
         says=("transform", "the class ToTensor", "transforms.ToTensor()")),
    Slip("load_cifar10 with a class inside a Compose",
         lambda: _load_cifar10_with(_compose_with_a_class()), error=TypeError,
         says=("transform", "the class ToTensor", "transforms.ToTensor()")),
]

globals().update(slip_tests(SLIPS))
