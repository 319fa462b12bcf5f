"""Plots the notebooks share: image grids with un-normalization, training curves, confusion matrices, a speed ladder.

Every function draws on its own figure (or the ``ax`` given) and returns it; nothing changes
matplotlib's global settings. Notebooks end plotting cells with ``plt.show()``.

Every function also describes what it drew (``helpers.alt_text``), in the helpers' language: a function that
returns an Axes describes that Axes, one that returns a Figure describes the Figure.

Sizes are chosen for JupyterLab's default width: the inline backend draws at 100 dpi, and an image
wider than the output area (about 850 px with the file browser open) is scaled down, text included.
So no figure is wider than ``MAX_WIDTH`` inches, and no text is smaller than 9 pt (12 px on screen).
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.alt_text import describe, listing, number, sentences
from helpers.i18n import _

MAX_WIDTH = 8.4  # inches: 840 px at the inline backend's 100 dpi, shown unscaled in JupyterLab


def _channel_stats(values: Sequence[float] | None, channels: int, name: str) -> torch.Tensor | None:
    if values is None:
        return None
    stats = torch.as_tensor(values, dtype=torch.float32).flatten()
    if stats.numel() == 1:
        stats = stats.repeat(channels)
    if stats.numel() != channels:
        raise ValueError(f"{name} must have 1 or {channels} values (one per channel), got {stats.numel()}")
    if name == "std" and bool((stats <= 0).any()):
        raise ValueError(f"std must be positive, got {stats.tolist()}")
    return stats.view(channels, 1, 1)


def unnormalize(
    images: torch.Tensor, mean: Sequence[float] | None = None, std: Sequence[float] | None = None
) -> torch.Tensor:
    """Undo ``Normalize(mean, std)`` on a (C, H, W) or (N, C, H, W) tensor and clamp to [0, 1]."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a tensor, got {type(images).__name__}")
    if images.dim() not in (3, 4):
        raise ValueError(f"unnormalize expects a (C, H, W) or (N, C, H, W) tensor, got shape {tuple(images.shape)}")
    channels = images.shape[-3]
    out = images.detach().cpu().float()
    m, s = _channel_stats(mean, channels, "mean"), _channel_stats(std, channels, "std")
    if s is not None:
        out = out * s
    if m is not None:
        out = out + m
    return out.clamp(0, 1)


def _pixels(
    images: torch.Tensor, mean: Sequence[float] | None, std: Sequence[float] | None, who: str, stacklevel: int
) -> torch.Tensor:
    """Images as float32 on the CPU in the range imshow draws ([0, 1] before un-normalizing).

    uint8 images (pixel values 0–255) are divided by 255. A float image without mean/std whose values lie in
    [0, 255] but go above 1 is taken as 0–255 pixel values too, with a warning that says so.
    """
    out = images.detach().cpu()
    if out.dtype == torch.uint8:
        if mean is not None or std is not None:
            raise ValueError(_(
                "{who}: the image is uint8 (pixel values 0–255), which Normalize never makes, so mean and std do "
                "not apply: call {who} without mean= and std="
            ).format(who=who))
        return out.float() / 255
    out = out.float()
    if mean is None and std is None and out.numel():
        low, high = out.min().item(), out.max().item()
        if low >= 0 and high > 1:
            warnings.warn(_(
                "{who} shows float images with values from 0 to 1, but got values from {low:.3g} to {high:.3g}: "
                "they are shown as pixel values 0–255 (divided by 255). Pass images / 255 (or a uint8 tensor) to "
                "skip this guess."
            ).format(who=who, low=low, high=high), UserWarning, stacklevel=stacklevel)
            return out / 255
    return out


def _to_hwc(image: torch.Tensor) -> torch.Tensor:
    if image.dim() == 2:
        return image
    if image.dim() == 3 and image.shape[0] in (1, 3):
        return image[0] if image.shape[0] == 1 else image.permute(1, 2, 0)
    raise ValueError(f"imshow expects a (3, H, W), (1, H, W) or (H, W) tensor, got shape {tuple(image.shape)}")


def imshow(
    image: torch.Tensor,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Show one image tensor ((3, H, W), (1, H, W) or (H, W)), un-normalizing it first when mean/std are given.

    Floats are drawn in [0, 1]; uint8 images as pixel values 0–255. A float image with values above 1 (and none
    below 0) is taken as 0–255 too, with a warning.
    """
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a tensor, got {type(image).__name__}")
    hwc = _to_hwc(_pixels(image, mean, std, "imshow", stacklevel=3))
    if hwc.dim() == 3:
        hwc = unnormalize(hwc.permute(2, 0, 1), mean, std).permute(1, 2, 0)
    elif mean is not None or std is not None:
        hwc = unnormalize(hwc.unsqueeze(0), mean, std)[0]
    if ax is None:
        aspect = hwc.shape[1] / hwc.shape[0]  # a make_grid row of images gets a wider figure
        _fig, ax = plt.subplots(figsize=(3 * min(max(aspect, 1.0), 2.0), 3))
    ax.imshow(hwc.numpy(), cmap="gray" if hwc.dim() == 2 else None, vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    kind = _("An image in colour, {height}×{width} pixels.") if hwc.dim() == 3 else _(
        "A greyscale image, {height}×{width} pixels.")
    describe(ax, sentences(kind.format(height=hwc.shape[0], width=hwc.shape[1]), _title_sentence(title)))
    return ax


def _title_sentence(title: str | None) -> str:
    """The sentence of a description that quotes a figure's title ('' without one)."""
    return _("Title: '{title}'.").format(title=title) if title else ""


def _class_name(index: int | torch.Tensor, class_names: Sequence[str] | None) -> str:
    """The name of class ``index`` (its number without class_names); an index outside class_names is an error."""
    index = int(index)
    if class_names is None:
        return str(index)
    if not 0 <= index < len(class_names):
        raise ValueError(f"class index {index} is outside class_names (length {len(class_names)})")
    return str(class_names[index])


def show_images(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    class_names: Sequence[str] | None = None,
    predictions: Sequence[int] | torch.Tensor | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    ncols: int = 8,
) -> Figure:
    """Draw a labelled grid of images (N, C, H, W); with predictions, titles read 'pred (true)', red when wrong.

    The grid is at most ``MAX_WIDTH`` inches wide: more columns make smaller images, not a wider figure. Pixel
    values are read as in :func:`imshow` (uint8: 0–255), once for the whole batch.
    """
    if not isinstance(images, torch.Tensor) or images.dim() not in (3, 4):
        got = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"show_images expects a (N, C, H, W) or (N, H, W) tensor, got {got}")
    if images.dim() == 3 and images.shape[0] == 3:  # one colour image, which would be drawn as three grey ones
        raise ValueError(_(
            "show_images expects a batch of images (N, C, H, W), but got shape {shape}: one colour image. To show "
            "it, use imshow(image), or make it a batch of one: images[0:1] instead of images[0], or "
            "image.unsqueeze(0). (Three grey images go in as shape (3, 1, H, W).)"
        ).format(shape=tuple(images.shape)))
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    n = images.shape[0]
    if n == 0:
        raise ValueError("show_images needs at least one image, got an empty batch")
    for name, seq in (("labels", labels), ("predictions", predictions)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{name} must have one entry per image ({n}), got {len(seq)}")
    if predictions is not None and labels is None:
        raise ValueError("predictions need labels to compare against; pass labels too")

    def name_of(index: int) -> str:
        return _class_name(index, class_names)

    images = _pixels(images, mean, std, "show_images", stacklevel=3)
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    side = min(1.6, MAX_WIDTH / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(side * cols, (side + 0.25) * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_axis_off()
            continue
        imshow(images[i] if images.dim() == 4 else images[i], mean, std, ax=ax)
        if labels is not None and predictions is not None:
            right = int(predictions[i]) == int(labels[i])
            ax.set_title(
                f"{name_of(predictions[i])} ({name_of(labels[i])})",
                fontsize=9,
                color="tab:green" if right else "tab:red",
            )
        elif labels is not None:
            ax.set_title(name_of(labels[i]), fontsize=9)
    fig.tight_layout()
    grid = _("A grid of {count} images, at most {cols} to a row.").format(count=n, cols=cols)
    if predictions is not None:
        wrong = [f"{name_of(p)} ({name_of(t)})" for p, t in zip(predictions, labels) if int(p) != int(t)]
        grid = _(
            "A grid of {count} images, at most {cols} to a row, each titled 'prediction (true label)': {right} of "
            "{count} are right."
        ).format(count=n, cols=cols, right=n - len(wrong))
        if wrong:
            grid = sentences(grid, _("Wrong: {wrong}.").format(wrong=listing(wrong)))
    elif labels is not None:
        grid = _("A grid of {count} images, at most {cols} to a row, labelled row by row: {labels}.").format(
            count=n, cols=cols, labels=listing([name_of(label) for label in labels]))
    describe(fig, grid)
    return fig


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    xlabel: str = "epoch",
    ylabel: str = "loss",
    ax: Axes | None = None,
    title: str | None = None,
    logy: bool = False,
    legend: str = "best",
) -> Axes:
    """Plot one line per named series (e.g. {'train': [...], 'test': [...]}) against its index.

    Args:
        legend: a matplotlib legend location ("best", "upper right", ...), or "outside" to put the
            legend to the right of the axes, where it cannot cover a curve.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(f"curves must be a non-empty mapping of name -> sequence of numbers, got {curves!r}")
    if not isinstance(legend, str):
        raise ValueError(f"legend must be a location string such as 'best' or 'outside', got {legend!r}")
    if ax is None:
        _fig, ax = plt.subplots(figsize=(5, 3.2))
    series = []
    for name, values in curves.items():
        values = [float(v) for v in values]
        if not values:
            raise ValueError(f"curve {name!r} has no values")
        series.append((str(name), values))
        xs = range(1, len(values) + 1)
        ax.plot(xs, values, marker="o" if len(values) <= 30 else None, markersize=3, label=str(name))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        _legend(ax, legend)
    ax.grid(alpha=0.3)
    ends = [_("{name} from {first} to {last}").format(name=name, first=number(values[0]), last=number(values[-1]))
            for name, values in series]
    chart = _("A line chart of {ylabel} against {xlabel} (1 to {count}): {series}.").format(
        ylabel=ylabel, xlabel=xlabel, count=max(len(values) for _name, values in series),
        series=listing(ends, limit=200, separator=_("; ")))
    describe(ax, sentences(chart, _("The y axis is logarithmic.") if logy else "", _title_sentence(title)))
    return ax


def _legend(ax: Axes, loc: str) -> None:
    if loc == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    else:
        ax.legend(loc=loc)


def _is_fraction(value: object) -> bool:
    """True for a number from 0 to 1 (a Python or NumPy number, or a one-element tensor); False for a bool or text."""
    if isinstance(value, (bool, str, bytes)):
        return False
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return False
    return 0 <= number <= 1


def plot_ladder(rungs: Mapping[str, Mapping[str, float | None]]) -> Figure:
    """Draw notebook 07's ladder: each rung's training speed relative to the first rung, and its test accuracy.

    Args:
        rungs: rung name -> {"images_per_s": ..., "accuracy": ...} in ladder order (the first rung is the
            reference); accuracy is a fraction from 0 to 1 (0.5, not 50); a value of None (a skipped rung, or a
            rung that does not train) leaves its bar out.
    """
    if not isinstance(rungs, Mapping) or not rungs:
        raise ValueError(f"rungs must be a non-empty mapping of rung name -> measurements, got {rungs!r}")
    for name, values in rungs.items():
        if not isinstance(values, Mapping) or not {"images_per_s", "accuracy"} <= set(values):
            raise ValueError(f"rung {name!r} needs the keys 'images_per_s' and 'accuracy', got {values!r}")
        accuracy = values["accuracy"]
        if accuracy is not None and not _is_fraction(accuracy):
            raise ValueError(_(
                "rung {name!r}: accuracy must be a fraction from 0 to 1 (0.5 for 50%), got {value!r}; "
                "for a percentage, divide it by 100"
            ).format(name=name, value=accuracy))
    first = next(iter(rungs.values()))["images_per_s"]
    if first is None or not first > 0:
        raise ValueError(f"the first rung is the reference and needs a positive images_per_s, got {first!r}")
    names = list(rungs)
    fig, (speed_ax, accuracy_ax) = plt.subplots(
        1, 2, figsize=(MAX_WIDTH, 0.42 * len(names) + 1.3), sharey=True, layout="constrained"
    )
    ys = range(len(names))
    for y, name in zip(ys, names):
        speed, accuracy = rungs[name]["images_per_s"], rungs[name]["accuracy"]
        if speed is None:
            speed_ax.text(0.02, y, "not measured", va="center", fontsize=9, color="gray",
                          transform=speed_ax.get_yaxis_transform())
        else:
            ratio = speed / first
            speed_ax.barh(y, ratio, color="tab:blue")
            speed_ax.text(ratio, y, f" {ratio:.1f}x", va="center", fontsize=9)
        if accuracy is None:
            accuracy_ax.text(0.02, y, "not measured", va="center", fontsize=9, color="gray",
                             transform=accuracy_ax.get_yaxis_transform())
        else:
            accuracy = float(accuracy)  # a NumPy number or a one-element tensor draws as a plain float
            accuracy_ax.barh(y, 100 * accuracy, color="tab:green")
            accuracy_ax.text(100 * accuracy, y, f" {100 * accuracy:.1f}%", va="center", fontsize=9)
    speed_ax.set_yticks(list(ys), names, fontsize=9)
    speed_ax.invert_yaxis()
    speed_ax.set_xlabel(f"training speed, x {names[0]!r}")
    speed_ax.margins(x=0.25)
    accuracy_ax.set_xlim(0, 112)
    accuracy_ax.set_xlabel("test accuracy (%)")
    for ax in (speed_ax, accuracy_ax):
        ax.grid(axis="x", alpha=0.3)
    describe(fig, _describe_ladder(rungs))
    return fig


def _describe_ladder(rungs: Mapping[str, Mapping[str, float | None]]) -> str:
    """Each rung's speed (as a multiple of the first rung's) and accuracy, as the two bar charts show them."""
    names = list(rungs)
    first = rungs[names[0]]["images_per_s"]
    parts = []
    for name in names:
        speed, accuracy = rungs[name]["images_per_s"], rungs[name]["accuracy"]
        speed_text = _("speed {ratio}×").format(ratio=f"{speed / first:.1f}") if speed is not None else _(
            "speed not measured")
        accuracy_text = _("accuracy {accuracy}%").format(accuracy=f"{100 * float(accuracy):.1f}") if (
            accuracy is not None) else _("accuracy not measured")
        parts.append(_("{name}: {speed}, {accuracy}").format(name=name, speed=speed_text, accuracy=accuracy_text))
    return _(
        "Two bar charts side by side, one row per rung: training speed as a multiple of '{first}', and test "
        "accuracy. {rungs}."
    ).format(first=names[0], rungs=listing(parts, limit=180, separator=_("; ")))


def plot_confusion_matrix(
    confusion: torch.Tensor,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    normalize: bool = False,
) -> Axes:
    """Draw a confusion matrix (rows: true class, columns: predicted) with counts or row fractions.

    Whole numbers are labelled as counts; a matrix of other values (e.g. already normalized) gets two decimals.
    """
    if not isinstance(confusion, torch.Tensor) or confusion.dim() != 2 or confusion.shape[0] != confusion.shape[1]:
        got = tuple(confusion.shape) if isinstance(confusion, torch.Tensor) else type(confusion).__name__
        raise ValueError(f"confusion must be a square 2-D tensor, got {got}")
    k = confusion.shape[0]
    if class_names is not None and len(class_names) != k:
        raise ValueError(f"class_names must have {k} names, got {len(class_names)}")
    values = confusion.detach().cpu().double()
    counts = bool(torch.equal(values, values.round()))
    if normalize:
        values = values / values.sum(dim=1, keepdim=True).clamp(min=1)
    if ax is None:
        _fig, ax = plt.subplots(figsize=(0.5 * k + 2.5, 0.5 * k + 2), layout="constrained")
    image = ax.imshow(values.numpy(), cmap="Blues")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(k)]
    slanted = max((len(name) for name in names), default=0) > 2  # long names would overlap side by side
    ax.set_xticks(range(k), names, rotation=45 if slanted else 0, ha="right" if slanted else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = values.max().item() / 2 if values.numel() else 0
    for i in range(k):
        for j in range(k):
            v = values[i, j].item()
            text = f"{int(v)}" if counts and not normalize else f"{v:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if v > threshold else "black")
    describe(ax, _describe_confusion(confusion.detach().cpu().double(), names, counts, normalize))
    return ax


def _describe_confusion(raw: torch.Tensor, names: list[str], counts: bool, normalize: bool) -> str:
    """The size, the diagonal's share of the total and, for counts, the most common mistake."""
    k = raw.shape[0]
    total = raw.sum().item()
    share = number(100 * raw.trace().item() / total) if total else "0"
    if counts:
        text = _(
            "A {k}×{k} confusion matrix of {total} examples, rows the true class and columns the predicted one: "
            "{share}% lie on the diagonal, that is, are right."
        ).format(k=k, total=int(total), share=share)
    else:
        text = _(
            "A {k}×{k} confusion matrix, rows the true class and columns the predicted one: the diagonal holds "
            "{share}% of the total."
        ).format(k=k, share=share)
    extra = [_("Each row shows fractions of its true class.") if normalize else ""]
    off_diagonal = raw - torch.diag(torch.diagonal(raw))
    if counts and k > 1 and off_diagonal.max().item() > 0:
        true, predicted = divmod(int(off_diagonal.argmax().item()), k)
        extra.append(_("The most common mistake is '{true}' predicted as '{predicted}' ({count} times).").format(
            true=names[true], predicted=names[predicted], count=int(off_diagonal[true, predicted].item())))
    return sentences(text, *extra)


def show_misclassified(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor,
    predictions: Sequence[int] | torch.Tensor,
    class_names: Sequence[str] | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    max_images: int = 16,
    ncols: int = 8,
) -> Figure | None:
    """Draw up to ``max_images`` images whose prediction is wrong, titled 'pred (true)'; None if all are right."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        got = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"show_misclassified expects images as a (N, C, H, W) tensor, got {got}")
    if isinstance(max_images, bool) or not isinstance(max_images, int) or max_images < 1:
        raise ValueError(f"max_images must be a positive int, got {max_images!r}")
    labels_t = torch.as_tensor(labels)
    preds_t = torch.as_tensor(predictions)
    for name, values in (("labels", labels_t), ("predictions", preds_t)):
        if values.dim() != 1 or values.shape[0] != images.shape[0]:
            raise ValueError(f"{name} must be 1-D with one entry per image ({images.shape[0]}), got shape {tuple(values.shape)}")
    all_wrong = (preds_t != labels_t).nonzero().flatten()
    wrong = all_wrong[:max_images]
    if wrong.numel() == 0:
        return None
    fig = show_images(images[wrong], labels_t[wrong], class_names, preds_t[wrong], mean=mean, std=std, ncols=ncols)

    pairs = [f"{_class_name(preds_t[i], class_names)} ({_class_name(labels_t[i], class_names)})" for i in wrong]
    return describe(fig, _(
        "{shown} of the {wrong} misclassified images among {total}, each titled 'prediction (true label)': {pairs}."
    ).format(shown=len(pairs), wrong=all_wrong.numel(), total=images.shape[0], pairs=listing(pairs)))


class LiveLossPlot:
    """A loss curve that redraws itself in Jupyter while training; elsewhere it only records.

    Pass ``live.add`` as ``on_batch`` to ``helpers.train.train_one_epoch`` (or use ``fit(live_plot=True)``).
    """

    def __init__(self, interval: float = 2.0, smooth: int = 50, title: str = "training loss") -> None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval < 0:
            raise ValueError(f"interval must be a number of seconds >= 0, got {interval!r}")
        if isinstance(smooth, bool) or not isinstance(smooth, int) or smooth < 1:
            raise ValueError(f"smooth must be a positive int, got {smooth!r}")
        self.interval, self.smooth, self.title = float(interval), smooth, title
        self._last = time.perf_counter()
        self.losses: list[float] = []
        self.figure: Figure | None = None
        self._handle = None
        try:
            from IPython import get_ipython

            self._live = get_ipython() is not None and hasattr(get_ipython(), "kernel")
        except ImportError:  # pragma: no cover - IPython is part of jupyter
            self._live = False

    def add(self, loss: float) -> None:
        """Record one batch's loss; redraw when ``interval`` seconds have passed since the last drawing."""
        value = float(loss)
        if value != value:  # NaN
            raise ValueError(_("loss is NaN: training diverged (try a smaller learning rate)"))
        self.losses.append(value)
        if time.perf_counter() - self._last >= self.interval:
            self.draw()

    def running_mean(self) -> list[float]:
        """The losses averaged over a sliding window of ``smooth`` batches."""
        out, total = [], 0.0
        for i, value in enumerate(self.losses):
            total += value
            if i >= self.smooth:
                total -= self.losses[i - self.smooth]
            out.append(total / min(i + 1, self.smooth))
        return out

    def draw(self) -> Figure:
        """Draw the curve now (in Jupyter: update it in place) and return the figure."""
        if self.figure is None:
            self.figure, _axes = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
            plt.close(self.figure)  # shown through the display handle only, not again at the cell's end
        ax = self.figure.axes[0]
        ax.clear()
        step = max(1, len(self.losses) // 2000)  # at most ~2000 points per line keeps redrawing cheap
        xs = list(range(1, len(self.losses) + 1))[::step]
        ax.plot(xs, self.losses[::step], color="tab:blue", alpha=0.25, linewidth=0.8, label="batch loss")
        ax.plot(xs, self.running_mean()[::step], color="tab:blue", linewidth=2, label=f"running mean ({self.smooth})")
        ax.set_xlabel("batch")
        ax.set_ylabel("loss")
        ax.set_title(self.title)
        ax.grid(alpha=0.3)
        _legend(ax, "outside")  # the pale batch losses fill the axes: a legend inside would cover them
        if self.losses:
            curve = _(
                "A line chart of the training loss over {count} batches: a pale line for each batch's loss and a "
                "dark one for their running mean over {smooth} batches, which goes from {first} to {last}."
            ).format(count=len(self.losses), smooth=self.smooth, first=number(self.losses[0]),
                     last=number(self.running_mean()[-1]))
        else:
            curve = _("An empty line chart of the training loss: no batch yet.")
        describe(ax, sentences(curve, _title_sentence(self.title)))
        self._last = time.perf_counter()
        if self._live:
            from IPython.display import display

            if self._handle is None:
                self._handle = display(self.figure, display_id=True)
            else:
                self._handle.update(self.figure)
        return self.figure

    def close(self) -> None:
        """Draw the final curve once more."""
        if self.losses:
            self.draw()
