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
    assert model.training, "evaluate puts the mode back as it was"
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


def _bn_net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _batches(n: int = 2) -> list:
    generator = torch.Generator().manual_seed(0)
    return [(torch.randn(8, 3, 2, 2, generator=generator), torch.randint(0, 3, (8,), generator=generator))
            for _ in range(n)]


@pytest.mark.parametrize("helper", ["train_one_epoch", "evaluate", "fit"])
@pytest.mark.parametrize("frozen_batchnorm", [False, True])
@pytest.mark.parametrize("training", [False, True])
def test_each_helper_puts_every_layers_mode_back(helper, frozen_batchnorm, training):
    model = _bn_net().train(training)
    if frozen_batchnorm:
        model[2].eval()  # fine-tuning with frozen BatchNorm: model.train(True) at the end would unfreeze it
    before = [m.training for m in model.modules()]
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(module.training))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    if helper == "train_one_epoch":
        train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), optimizer, "cpu", progress=False)
    elif helper == "evaluate":
        evaluate(model, _batches(), "cpu")
    else:
        fit(model, _batches(), _batches(), nn.CrossEntropyLoss(), optimizer, "cpu", epochs=2, progress=False,
            verbose=False)
    expected = {"train_one_epoch": [True] * 2, "evaluate": [False] * 2, "fit": [True, True, False, False] * 2}
    assert seen == expected[helper], "each helper runs the model in its own mode"
    assert [m.training for m in model.modules()] == before


def test_the_mode_comes_back_when_training_fails():
    model = _bn_net().eval()
    bad = [(torch.randn(8, 3, 2, 2), torch.full((8,), 7))]  # label 7 of 3 classes: torch raises inside the loss
    with pytest.raises(IndexError):
        train_one_epoch(model, bad, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01), "cpu",
                        progress=False)
    assert not any(m.training for m in model.modules())


def test_an_optimizer_for_another_model_changes_neither_model():
    model, other = _bn_net(), _bn_net()
    before = {name: t.clone() for name, t in [*model.state_dict().items(), *other.state_dict().items()]}
    with pytest.raises(ValueError, match="none of the model's parameters are in the optimizer"):
        train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), torch.optim.SGD(other.parameters(), lr=0.1), "cpu",
                        progress=False)
    after = {name: t for name, t in [*model.state_dict().items(), *other.state_dict().items()]}
    assert all(torch.equal(before[name], after[name]) for name in before)


@pytest.mark.parametrize("case", ["last layer only", "lr 0", "a loss with parameters", "frozen and left out"])
def test_optimizers_that_leave_parameters_out_on_purpose_get_no_warning(case, recwarn):
    model = _bn_net()
    loss_fn = nn.CrossEntropyLoss()
    if case == "last layer only":  # fine-tuning the head
        optimizer = torch.optim.SGD(model[4].parameters(), lr=0.1)
    elif case == "lr 0":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    elif case == "a loss with parameters":
        class ScaledLoss(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(()))

            def forward(self, outputs, labels):
                return nn.functional.cross_entropy(outputs * self.scale, labels)

        loss_fn = ScaledLoss()
        optimizer = torch.optim.SGD([*model[4].parameters(), *loss_fn.parameters()], lr=0.1)
    else:
        model[1].requires_grad_(False)
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    train_one_epoch(model, _batches(), loss_fn, optimizer, "cpu", progress=False)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)], [str(w.message) for w in recwarn]


def test_a_nan_loss_stops_before_the_step_that_would_spoil_the_weights():
    model = _bn_net()
    batches = _batches(3)
    batches[1][0][0, 0, 0, 0] = float("nan")
    seen = []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(FloatingPointError, match="at batch 2 because the inputs"):
        train_one_epoch(model, batches, nn.CrossEntropyLoss(), optimizer, "cpu", progress=False, on_batch=seen.append)
    assert len(seen) == 1, "the first batch trained, the NaN batch reached neither on_batch nor the optimizer"
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_a_model_that_is_already_nan_is_named_as_the_cause():
    model = _bn_net()
    with torch.no_grad():
        model[4].bias.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="at batch 1 because the model's parameters already hold NaN"):
        train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), "cpu",
                        progress=False)


def test_a_model_on_another_device_keeps_torchs_error_as_the_cause():
    model = _bn_net().to("meta")
    with pytest.raises(RuntimeError, match="the model is on meta, but the batches are on cpu") as raised:
        evaluate(model, _batches(), "cpu")
    assert isinstance(raised.value.__cause__, RuntimeError) and "meta" in str(raised.value.__cause__)


def test_other_runtime_errors_pass_through_unchanged():
    model = _bn_net()
    wrong_shape = [(torch.randn(8, 5), torch.zeros(8, dtype=torch.long))]
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        evaluate(model, wrong_shape, "cpu")


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
