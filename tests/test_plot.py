"""helpers.plot: un-normalizing, image grids, misclassified images, curves, confusion matrices, the live loss curve."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import warnings  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.plot import (  # noqa: E402
    plot_ladder,
    MAX_WIDTH,
    LiveLossPlot,
    imshow,
    plot_confusion_matrix,
    plot_curves,
    show_images,
    show_misclassified,
    unnormalize,
)

MEAN = STD = (0.5, 0.5, 0.5)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_unnormalize_undoes_normalize():
    original = torch.linspace(0, 1, 12).reshape(3, 2, 2)
    normalized = (original - 0.5) / 0.5
    assert torch.allclose(unnormalize(normalized, MEAN, STD), original)
    batch = torch.stack([normalized, normalized])
    assert torch.allclose(unnormalize(batch, MEAN, STD), torch.stack([original, original]))
    assert unnormalize(torch.full((3, 1, 1), 5.0)).max() == 1.0  # clamped


def test_imshow_accepts_colour_grey_and_grid_images():
    assert imshow(torch.zeros(3, 8, 8), MEAN, STD, title="x").get_title() == "x"
    imshow(torch.zeros(1, 8, 8))
    imshow(torch.zeros(8, 8))
    import torchvision

    ax = imshow(torchvision.utils.make_grid(torch.zeros(4, 3, 32, 32)), MEAN, STD)
    assert ax.figure.get_figwidth() > ax.figure.get_figheight()  # a row of images gets a wide figure


def _drawn(ax) -> torch.Tensor:
    """The pixels an axes shows, as (H, W, C) or (H, W) floats, read back from matplotlib."""
    return torch.as_tensor(ax.images[0].get_array().data).float()


def test_imshow_shows_uint8_images_as_pixel_values_0_to_255():
    image = torch.tensor([[[0, 64], [128, 255]]] * 3, dtype=torch.uint8)  # (3, 2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # uint8 is not a guess: no warning
        ax = imshow(image)
    assert torch.allclose(_drawn(ax), image.permute(1, 2, 0).float() / 255)
    assert torch.allclose(_drawn(imshow(image[0])), image[0].float() / 255)  # grey (H, W) too


def test_imshow_takes_float_images_above_1_as_0_to_255_and_says_so():
    image = torch.tensor([[[0.0, 64.0], [128.0, 255.0]]] * 3)
    with pytest.warns(UserWarning, match=r"values from 0 to 255: they are shown as pixel values 0–255") as caught:
        ax = imshow(image)
    assert caught[0].filename == __file__  # points at the learner's call, not at helpers/plot.py
    assert torch.allclose(_drawn(ax), image.permute(1, 2, 0) / 255)


def test_imshow_leaves_images_in_0_1_and_normalized_images_alone():
    image = torch.linspace(0, 1, 12).reshape(3, 2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.allclose(_drawn(imshow(image)), image.permute(1, 2, 0))
        normalized = (image - 0.5) / 0.5  # values from -1 to 1, un-normalized by mean and std
        assert torch.allclose(_drawn(imshow(normalized, MEAN, STD)), image.permute(1, 2, 0), atol=1e-6)
        imshow(torch.full((3, 2, 2), 3.0), MEAN, STD)  # with mean/std, values above 1 are no 0–255 guess


def test_show_images_reads_a_batch_of_pixel_values_once():
    images = torch.zeros(3, 3, 2, 2, dtype=torch.uint8)
    images[1] = 255
    fig = show_images(images)
    assert [_drawn(ax).max().item() for ax in fig.axes] == [0.0, 1.0, 0.0]
    with pytest.warns(UserWarning, match="show_images shows float images") as caught:
        fig = show_images(images.float())  # one guess for the batch: the black images stay black, one warning
    assert len(caught) == 1 and caught[0].filename == __file__
    assert [_drawn(ax).max().item() for ax in fig.axes] == [0.0, 1.0, 0.0]


def test_show_images_refuses_one_colour_image_but_takes_grey_batches():
    with pytest.raises(ValueError, match=r"got shape \(3, 8, 8\): one colour image.*images\[0:1\]"):
        show_images(torch.zeros(4, 3, 8, 8)[0])
    assert len(show_images(torch.zeros(3, 8, 8)[0:1].unsqueeze(0)).axes) == 1
    assert len(show_images(torch.zeros(5, 8, 8)).axes) == 5  # a batch of grey (N, H, W) images
    assert len(show_images(torch.zeros(1, 8, 8)).axes) == 1


def test_show_images_titles_predictions_in_colour():
    images = torch.zeros(3, 3, 8, 8)
    fig = show_images(images, [0, 1, 2], ["a", "b", "c"], [0, 2, 2], MEAN, STD, ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["a (a)", "c (b)", "c (c)"]
    colours = [ax.title.get_color() for ax in fig.axes[:3]]
    assert colours == ["tab:green", "tab:red", "tab:green"]
    assert len(fig.axes) == 4  # 2 columns, 2 rows


@pytest.mark.parametrize("ncols", [4, 8, 12])
def test_show_images_fits_jupyterlab_width_with_readable_titles(ncols):
    fig = show_images(torch.zeros(24, 3, 8, 8), list(range(24)), [f"class {i}" for i in range(24)], ncols=ncols)
    assert fig.get_figwidth() <= MAX_WIDTH  # not scaled down in a ~850 px output area at 100 dpi
    assert min(ax.title.get_fontsize() for ax in fig.axes if ax.get_title()) >= 9


def _legend_outside(ax) -> bool:
    ax.figure.canvas.draw()
    legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
    return legend.x0 >= frame.x1 and legend.y1 <= frame.y1 + 1


def test_plot_curves_can_put_the_legend_outside():
    curves = {"a": [3, 2, 1], "b": [3, 2.5, 2]}
    assert _legend_outside(plot_curves(curves, legend="outside"))
    assert not _legend_outside(plot_curves(curves))
    assert not _legend_outside(plot_curves(curves, legend="lower left"))


def test_show_misclassified_draws_only_the_mistakes():
    images = torch.zeros(5, 3, 8, 8)
    fig = show_misclassified(images, torch.tensor([0, 1, 2, 3, 4]), torch.tensor([0, 2, 2, 1, 4]), list("abcde"))
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["c (b)", "b (d)"]
    assert show_misclassified(images, torch.arange(5), torch.arange(5)) is None
    fig = show_misclassified(images, torch.zeros(5, dtype=torch.long), torch.ones(5, dtype=torch.long), max_images=3)
    assert len([ax for ax in fig.axes if ax.get_title()]) == 3


def test_plot_curves_and_confusion_matrix():
    ax = plot_curves({"train": [3, 2, 1], "test": [3, 2.5, 2]}, ylabel="loss", title="t")
    assert len(ax.lines) == 2 and ax.get_title() == "t"
    ax = plot_confusion_matrix(torch.tensor([[2, 1], [0, 3]]), ["a", "b"])
    assert [t.get_text() for t in ax.texts] == ["2", "1", "0", "3"]
    assert ax.get_xticklabels()[0].get_rotation() == 0  # short names stand upright
    ax = plot_confusion_matrix(torch.tensor([[2, 1], [0, 3]]), ["plane", "truck"])
    assert ax.get_xticklabels()[0].get_rotation() == 45
    ax = plot_confusion_matrix(torch.tensor([[2, 2], [0, 4]]), normalize=True)
    assert [t.get_text() for t in ax.texts] == ["0.50", "0.50", "0.00", "1.00"]


def test_plot_confusion_matrix_labels_proportions_with_decimals_and_whole_floats_as_counts():
    ax = plot_confusion_matrix(torch.tensor([[0.8, 0.2], [0.25, 0.75]]))  # normalized already
    assert [t.get_text() for t in ax.texts] == ["0.80", "0.20", "0.25", "0.75"]
    ax = plot_confusion_matrix(torch.tensor([[2.0, 1.0], [0.0, 3.0]]))  # counts held as floats
    assert [t.get_text() for t in ax.texts] == ["2", "1", "0", "3"]


def test_live_loss_plot_records_and_smooths():
    live = LiveLossPlot(interval=0, smooth=2)
    for value in [4.0, 2.0, 3.0, 1.0]:
        live.add(value)
    assert live.losses == [4.0, 2.0, 3.0, 1.0]
    assert live.running_mean() == [4.0, 3.0, 2.5, 2.0]
    fig = live.draw()
    assert len(fig.axes[0].lines) == 2
    assert _legend_outside(fig.axes[0])  # the batch losses fill the axes; a legend inside covers them
    live.close()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: unnormalize([1, 2]), TypeError, "images must be a tensor"),
        (lambda: unnormalize(torch.zeros(3, 3)), ValueError, r"\(C, H, W\)"),
        (lambda: unnormalize(torch.zeros(3, 2, 2), MEAN, (1, 1)), ValueError, "std must have 1 or 3 values"),
        (lambda: imshow(torch.zeros(4, 3, 32, 32)), ValueError, r"got shape \(4, 3, 32, 32\)"),
        (lambda: imshow("img"), TypeError, "image must be a tensor"),
        (lambda: imshow(torch.zeros(3, 4, 4, dtype=torch.uint8), MEAN, STD), ValueError, "uint8.*without mean= and std="),
        (lambda: show_images(torch.zeros(2, 3, 4, 4, dtype=torch.uint8), mean=MEAN), ValueError, "show_images: the image is uint8"),
        (lambda: show_images(torch.zeros(2, 3, 4, 4), [0]), ValueError, "one entry per image"),
        (lambda: show_images(torch.zeros(2, 3, 4, 4), None, None, [0, 1]), ValueError, "need labels"),
        (lambda: show_images(torch.zeros(2, 3, 4, 4), ncols=0), ValueError, "ncols"),
        (lambda: show_images(torch.zeros(1, 3, 4, 4), [5], ["a"]), ValueError, "outside class_names"),
        (lambda: show_misclassified(torch.zeros(3, 4, 4), [0], [0]), ValueError, r"\(N, C, H, W\)"),
        (lambda: show_misclassified(torch.zeros(2, 3, 4, 4), [0], [0, 1]), ValueError, "labels must be 1-D"),
        (lambda: show_misclassified(torch.zeros(2, 3, 4, 4), [0, 1], [0, 1], max_images=0), ValueError, "max_images"),
        (lambda: plot_curves({}), ValueError, "non-empty mapping"),
        (lambda: plot_curves({"a": []}), ValueError, "has no values"),
        (lambda: plot_curves({"a": [1], "b": [2]}, legend=None), ValueError, "legend must be a location string"),
        (lambda: plot_confusion_matrix(torch.zeros(2, 3)), ValueError, "square"),
        (lambda: plot_confusion_matrix(torch.zeros(2, 2), ["a"]), ValueError, "2 names"),
        (lambda: LiveLossPlot(interval=-1), ValueError, "interval"),
        (lambda: LiveLossPlot(smooth=0), ValueError, "smooth"),
        (lambda: LiveLossPlot().add(float("nan")), ValueError, "diverged"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_plot_ladder_draws_speed_ratios_and_accuracies_and_leaves_skipped_rungs_out():
    rungs = {
        "0. baseline": {"images_per_s": 1000.0, "accuracy": 0.5},
        "1. bigger batch": {"images_per_s": 4000.0, "accuracy": 0.55},
        "2. compile": {"images_per_s": None, "accuracy": None},
        "3. TTA": {"images_per_s": None, "accuracy": 0.6},
    }
    fig = plot_ladder(rungs)
    speed_ax, accuracy_ax = fig.axes
    assert [round(bar.get_width(), 6) for bar in speed_ax.patches] == [1.0, 4.0]
    assert [round(bar.get_width(), 6) for bar in accuracy_ax.patches] == [50.0, 55.0, 60.0]
    assert [t.get_text() for t in speed_ax.get_yticklabels()] == list(rungs)
    texts = [t.get_text() for t in speed_ax.texts]
    assert " 4.0x" in texts and texts.count("not measured") == 2
    assert " 60.0%" in [t.get_text() for t in accuracy_ax.texts]
    assert fig.get_size_inches()[0] <= MAX_WIDTH
    plt.close(fig)


def test_plot_ladder_takes_accuracies_from_0_to_1_as_any_number():
    import numpy as np

    rungs = {"a": {"images_per_s": 1.0, "accuracy": 0.0}, "b": {"images_per_s": 1.0, "accuracy": np.float32(1.0)},
             "c": {"images_per_s": 1.0, "accuracy": torch.tensor(0.25)}}
    accuracy_ax = plot_ladder(rungs).axes[1]
    assert [round(bar.get_width(), 6) for bar in accuracy_ax.patches] == [0.0, 100.0, 25.0]


@pytest.mark.parametrize(("rungs", "match"), [
    ({}, "non-empty mapping"),
    ({"a": {"images_per_s": 1.0}}, "needs the keys"),
    ({"a": {"images_per_s": None, "accuracy": 0.5}}, "first rung is the reference"),
    ({"a": {"images_per_s": 1.0, "accuracy": 50}}, r"'a': accuracy must be a fraction from 0 to 1 .*got 50; .*divide it by 100"),
    ({"a": {"images_per_s": 1.0, "accuracy": 0.5}, "b": {"images_per_s": 2.0, "accuracy": 1.5}}, "got 1.5"),
    ({"a": {"images_per_s": 1.0, "accuracy": -0.1}}, "got -0.1"),
    ({"a": {"images_per_s": 1.0, "accuracy": "0.5"}}, "got '0.5'"),
    ({"a": {"images_per_s": 1.0, "accuracy": True}}, "got True"),
])
def test_plot_ladder_explains_bad_input(rungs, match):
    with pytest.raises(ValueError, match=match):
        plot_ladder(rungs)


@pytest.fixture
def chinese():
    import helpers

    helpers.set_language("zh")
    yield
    helpers.set_language("en")


def _alt(drawn) -> str:
    """The alt text of the figure a helper drew, given what it returned (an Axes or a Figure)."""
    from matplotlib.figure import Figure

    from helpers.alt_text import alt_text

    return alt_text(drawn if isinstance(drawn, Figure) else drawn.figure)


def test_imshow_describes_the_image_its_size_colour_and_title():
    assert _alt(imshow(torch.zeros(3, 32, 48), title="a cat")) == "An image in colour, 32×48 pixels. Title: 'a cat'."
    assert _alt(imshow(torch.zeros(8, 8))) == "A greyscale image, 8×8 pixels."


def test_imshow_describes_in_chinese_in_the_chinese_edition(chinese):
    assert _alt(imshow(torch.zeros(1, 28, 28), title="7")) == "一张灰度图像，28×28 像素。标题是“7”。"


def test_show_images_describes_the_grid_its_labels_and_how_many_predictions_are_right():
    images = torch.zeros(5, 1, 8, 8)
    assert _alt(show_images(images, ncols=4)) == "A grid of 5 images, at most 4 to a row."
    text = _alt(show_images(images, [0, 1, 2, 1, 0], ["cat", "dog", "bird"]))
    assert text == "A grid of 5 images, at most 5 to a row, labelled row by row: cat, dog, bird, dog, cat."
    text = _alt(show_images(images, [0, 1, 2, 1, 0], ["cat", "dog", "bird"], [0, 2, 2, 1, 1]))
    assert "each titled 'prediction (true label)': 3 of 5 are right. Wrong: bird (dog), dog (cat)." in text
    text = _alt(show_images(torch.zeros(6, 1, 8, 8), [0] * 6, ["a class with a rather long name"]))
    assert text.endswith("long name, a class with a rather long name and 3 more."), "a long list of labels is cut"


def test_show_images_describes_in_chinese(chinese):
    text = _alt(show_images(torch.zeros(3, 1, 8, 8), [0, 1, 2], predictions=[0, 1, 1]))
    assert text == "3 张图像排成的网格，每行最多 3 张，标题是“预测（真实标签）”：3 张里预测对了 2 张。预测错的是：1 (2)。"


def test_show_misclassified_describes_how_many_mistakes_it_shows_of_how_many():
    images = torch.zeros(5, 3, 8, 8)
    fig = show_misclassified(images, torch.tensor([0, 1, 2, 3, 4]), torch.tensor([0, 2, 2, 1, 4]), list("abcde"),
                             max_images=1)
    assert _alt(fig) == "1 of the 2 misclassified images among 5, each titled 'prediction (true label)': c (b)."


def test_plot_curves_describes_axes_series_start_and_end_scale_and_title():
    ax = plot_curves({"train": [2.3026, 1.0, 0.41234], "test": [2.31, 0.52]}, title="LeNet", logy=True)
    assert _alt(ax) == ("A line chart of loss against epoch (1 to 3): train from 2.3 to 0.412; test from 2.31 to "
                        "0.52. The y axis is logarithmic. Title: 'LeNet'.")


def test_plot_curves_describes_in_chinese(chinese):
    ax = plot_curves({"SGD": [1, 0.5]}, xlabel="step")
    assert _alt(ax) == "折线图，纵轴是“loss”，横轴是“step”（1 到 2）：SGD 从 1 变到 0.5。"


def test_subplots_drawn_by_helpers_get_one_sentence_each():
    fig, (left, right) = plt.subplots(1, 2)
    plot_curves({"a": [1, 2]}, ax=left)
    plot_confusion_matrix(torch.tensor([[1, 0], [0, 1]]), ax=right)
    assert _alt(fig).startswith("A line chart of loss against epoch (1 to 2): a from 1 to 2. A 2×2 confusion matrix")


def test_plot_confusion_matrix_describes_size_diagonal_share_and_the_commonest_mistake():
    cm = torch.tensor([[50, 2, 0], [5, 40, 1], [0, 0, 30]])
    assert _alt(plot_confusion_matrix(cm, ["cat", "dog", "bird"])) == (
        "A 3×3 confusion matrix of 128 examples, rows the true class and columns the predicted one: 93.8% lie on "
        "the diagonal, that is, are right. The most common mistake is 'dog' predicted as 'cat' (5 times).")
    assert "Each row shows fractions of its true class." in _alt(plot_confusion_matrix(cm, normalize=True))
    assert _alt(plot_confusion_matrix(torch.tensor([[0.5, 0.0], [0.25, 0.25]]))) == (
        "A 2×2 confusion matrix, rows the true class and columns the predicted one: the diagonal holds 75% of the "
        "total.")


def test_plot_confusion_matrix_describes_in_chinese(chinese):
    text = _alt(plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]])))
    assert text == ("2×2 的混淆矩阵，共 8 个样本，行是真实类别，列是预测类别：87.5% 落在对角线上，也就是预测对了。"
                    "最常见的错误是把“0”预测成“1”，共 1 次。")


def test_plot_ladder_describes_each_rung_s_speed_and_accuracy():
    fig = plot_ladder({"base": {"images_per_s": 100.0, "accuracy": 0.5},
                       "amp": {"images_per_s": 250.0, "accuracy": None}})
    assert _alt(fig) == ("Two bar charts side by side, one row per rung: training speed as a multiple of 'base', and "
                         "test accuracy. base: speed 1.0×, accuracy 50.0%; amp: speed 2.5×, accuracy not measured.")


def test_plot_ladder_describes_in_chinese(chinese):
    fig = plot_ladder({"base": {"images_per_s": 100.0, "accuracy": 0.5}})
    assert _alt(fig).endswith("base：速度 1.0 倍，准确率 50.0%。")


def test_live_loss_plot_describes_its_batches_window_and_running_mean():
    live = LiveLossPlot(interval=60, smooth=2, title="LeNet")
    assert _alt(live.draw()) == "An empty line chart of the training loss: no batch yet. Title: 'LeNet'."
    for value in [4.0, 2.0, 3.0, 1.0]:
        live.add(value)
    assert _alt(live.draw()) == (
        "A line chart of the training loss over 4 batches: a pale line for each batch's loss and a dark one for their "
        "running mean over 2 batches, which goes from 4 to 2. Title: 'LeNet'.")


def test_live_loss_plot_describes_in_chinese(chinese):
    live = LiveLossPlot(smooth=3)
    live.add(2.0)
    assert _alt(live.draw()).startswith("训练损失的折线图，共 1 个批量：")
