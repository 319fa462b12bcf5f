"""helpers.train: training on the smoke-mode stand-in learns; evaluate, fit, the device argument, bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.data import CifarTensors, GeneratedCIFAR10, fast_loader
from helpers.metrics import accuracy
from helpers.models import CifarNet
from helpers.train import evaluate, fit, synchronize, train_one_epoch


@pytest.fixture(scope="module")
def stand_in():
    train = CifarTensors.from_dataset(GeneratedCIFAR10(True, size=2000))
    test = CifarTensors.from_dataset(GeneratedCIFAR10(False, size=500))
    return train, test


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tests run side by side; one thread is fastest on a shared 2-core machine
    yield
    torch.set_num_threads(before)


def test_training_on_the_stand_in_learns(stand_in, one_thread):
    train, test = stand_in
    torch.manual_seed(0)
    model = CifarNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    history = fit(model, fast_loader(train, batch_size=32, shuffle=True, seed=0), fast_loader(test, batch_size=250),
                  nn.CrossEntropyLoss(), optimizer, "cpu", epochs=3, progress=False, verbose=False)
    assert history["test_accuracy"][-1] > 0.5, history  # chance is 0.1
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert len(history["batch_losses"]) == 3 * 63
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "epoch_seconds"):
        assert len(history[key]) == 3
    assert all(s > 0 for s in history["epoch_seconds"])


def test_evaluate_returns_predictions_for_every_image(stand_in):
    _, test = stand_in
    model = CifarNet()
    result = evaluate(model, fast_loader(test, batch_size=96), torch.device("cpu"), nn.CrossEntropyLoss())
    assert result["predictions"].shape == result["labels"].shape == (500,)
    assert torch.equal(result["labels"], test.labels)
    assert result["accuracy"] == pytest.approx(accuracy(result["predictions"], result["labels"]))
    assert result["loss"] == pytest.approx(2.3, abs=0.2)
    assert not model.training
    assert evaluate(model, fast_loader(test, batch_size=500), "cpu")["loss"] is None


class _Movable:
    """Stands in for a tensor and records the device it is moved to."""

    def __init__(self, tensor, log, name):
        self.tensor, self.log, self.name = tensor, log, name

    def to(self, device):
        self.log.append((self.name, torch.device(device)))
        return self.tensor


def test_inputs_and_labels_are_both_moved_to_the_device():
    log = []
    batches = [(_Movable(torch.randn(4, 3, 32, 32), log, "inputs"), _Movable(torch.tensor([0, 1, 2, 3]), log, "labels"))]
    model = CifarNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    result = train_one_epoch(model, batches, nn.CrossEntropyLoss(), optimizer, "cpu", progress=False)
    assert log == [("inputs", torch.device("cpu")), ("labels", torch.device("cpu"))]
    assert result["images"] == 4 and len(result["batch_losses"]) == 1
    log.clear()
    evaluate(model, batches, torch.device("cpu"))
    assert [name for name, _ in log] == ["inputs", "labels"]


def test_train_one_epoch_reports_each_batch_loss():
    seen = []
    batches = [(torch.randn(3, 3, 32, 32), torch.tensor([1, 2, 3]))] * 2
    model = CifarNet()
    result = train_one_epoch(model, batches, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.0),
                             "cpu", progress=True, on_batch=seen.append)
    assert seen == result["batch_losses"] and len(seen) == 2
    assert result["seconds"] > 0 and 0 <= result["accuracy"] <= 1


def test_fit_with_live_plot_records_outside_jupyter():
    batches = [(torch.randn(5, 3, 32, 32), torch.tensor([0, 1, 2, 3, 4]))]
    model = CifarNet()
    history = fit(model, batches, None, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01), "cpu",
                  epochs=2, progress=False, live_plot=True, verbose=False)
    assert history["test_accuracy"] == [] and len(history["train_loss"]) == 2


def test_synchronize_on_cpu_is_a_no_op():
    synchronize("cpu")
    synchronize(torch.device("cpu"))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m, b, o: train_one_epoch("net", b, nn.CrossEntropyLoss(), o, "cpu"), TypeError, "model must be a torch.nn.Module"),
        (lambda m, b, o: train_one_epoch(m, 3, nn.CrossEntropyLoss(), o, "cpu"), TypeError, "loader must be an iterable"),
        (lambda m, b, o: train_one_epoch(m, b, nn.CrossEntropyLoss(), o, 0), TypeError, "device must be a torch.device"),
        (lambda m, b, o: train_one_epoch(m, b, nn.CrossEntropyLoss(), "sgd", "cpu"), TypeError, "optimizer must be"),
        (lambda m, b, o: train_one_epoch(m, b, "ce", o, "cpu"), TypeError, "loss_fn must be callable"),
        (lambda m, b, o: train_one_epoch(m, [], nn.CrossEntropyLoss(), o, "cpu", progress=False), ValueError, "empty loader"),
        (lambda m, b, o: train_one_epoch(m, [torch.zeros(2)], nn.CrossEntropyLoss(), o, "cpu", progress=False), ValueError, r"\(inputs, labels\)"),
        (lambda m, b, o: evaluate(m, [], "cpu"), ValueError, "empty loader"),
        (lambda m, b, o: evaluate(m, b, "cpu", loss_fn=1), TypeError, "loss_fn must be callable"),
        (lambda m, b, o: fit(m, b, None, nn.CrossEntropyLoss(), o, "cpu", epochs=0), ValueError, "epochs must be a positive int"),
        (lambda m, b, o: synchronize(3), TypeError, "device must be a torch.device"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    model = CifarNet()
    batches = [(torch.randn(2, 3, 32, 32), torch.tensor([0, 1]))]
    with pytest.raises(error, match=match):
        call(model, batches, torch.optim.SGD(model.parameters(), lr=0.01))


# ---- notebook 07's ladder lines ------------------------------------------------------------------

LADDER = {
    "0 · CifarNet, b=64": {"images_per_s": 1000.0, "epoch_s": 50.0, "first_step_s": 0.25, "accuracy": 0.3},
    "7 · autocast": dict.fromkeys(["images_per_s", "epoch_s", "first_step_s", "accuracy"]),
    "9 · TTA": {"images_per_s": None, "epoch_s": None, "first_step_s": None, "accuracy": 0.5},
}


def test_ladder_lines_give_the_numbers_and_speak_the_course_language():
    import helpers
    from helpers.train import describe_rung, describe_skip, ladder_table

    line = describe_rung("0 · CifarNet, b=64", LADDER["0 · CifarNet, b=64"], 1)
    assert line == ("0 · CifarNet, b=64: 1,000 images/s (50.0 s per epoch, first step 0.25 s), "
                    "test accuracy 30.0% after 1 epoch(s)")
    assert describe_skip("7 · autocast", "mps") == "7 · autocast: skipped: mps"
    table = ladder_table(LADDER).splitlines()
    assert table[0].split() == ["rung", "images/s", "×", "rung", "0", "s/epoch", "first", "step", "accuracy"]
    assert table[1].split()[-6:] == ["1,000", "1.0×", "50.0", "0.25", "s", "30.0%"]
    assert table[2].split()[-5:] == ["-"] * 5 and table[3].split()[-2:] == ["-", "50.0%"]
    helpers.set_language("zh")
    try:
        assert "每秒 1,000 张图像" in describe_rung("0 · CifarNet, b=64", LADDER["0 · CifarNet, b=64"], 1)
        chinese = ladder_table(LADDER).splitlines()
        assert chinese[0].startswith("级") and "准确率" in chinese[0]
        widths = {helpers.i18n.display_width(row) for row in chinese[:2]}
        assert len(widths) == 1, chinese  # the columns line up in Chinese too
    finally:
        helpers.set_language("en")


def test_ddp_checks_are_printed_in_the_course_language(capsys):
    import helpers
    from helpers.train import print_ddp_checks

    print_ddp_checks(True, True, False)
    assert capsys.readouterr().out.splitlines() == [
        "every process ended with identical weights: True",
        "training changed them: True",
        "rank 0's checkpoint holds those weights: False",
    ]
    helpers.set_language("zh")
    try:
        print_ddp_checks(True, False, True)
    finally:
        helpers.set_language("en")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[1].endswith("：False") and all("weights" not in line for line in lines)
    with pytest.raises(TypeError, match="three bools"):
        print_ddp_checks(True, 1, True)


@pytest.mark.parametrize("bad", [{}, {"rung": {"accuracy": 0.5}}, {"rung": dict.fromkeys(
    ["images_per_s", "epoch_s", "first_step_s", "accuracy"])}])
def test_a_ladder_table_needs_a_measured_first_rung(bad):
    from helpers.train import ladder_table

    with pytest.raises(ValueError):
        ladder_table(bad)
