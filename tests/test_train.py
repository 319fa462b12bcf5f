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
