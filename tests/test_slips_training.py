"""Learner slips with training and devices (issue 23): helpers.train, helpers.device, helpers.environment.

There is no GPU on the test machine, and there may be one elsewhere: rows about a missing accelerator pretend it is
missing (``_without``), so they mean the same everywhere. A model on the ``meta`` device stands in for a model on
another device than the data: torch refuses it with the same kind of error as cuda against cpu.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import torch
from torch import nn

from helpers.device import describe_device
from helpers.environment import environment_report
from helpers.train import evaluate, fit, synchronize, train_one_epoch
from tests.slips import Slip, slip_tests


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _batches(n: int = 2) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(0)
    return [(torch.randn(8, 3, 2, 2, generator=generator), torch.randint(0, 3, (8,), generator=generator))
            for _ in range(n)]


def _sgd(model: nn.Module, lr: float = 0.1) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def _without(kind: str, call):
    """Run ``call`` on a machine that has no ``kind`` ("cuda" or "mps") device, whatever this one has."""
    def run():
        target = torch.cuda if kind == "cuda" else torch.backends.mps
        with mock.patch.object(target, "is_available", lambda: False):
            return call()
    return run


def _modes_after(call) -> tuple[bool, bool]:
    """The model's and its BatchNorm's training flags after ``call(model)`` on a model in training mode."""
    model = _net().train()
    call(model)
    return model.training, model[2].training


def _trained_by_hand_after_evaluate() -> bool:
    """07.2's hazard: evaluate() with the helper, then a hand-written training step: does BatchNorm still learn?"""
    model = _net()
    evaluate(model, _batches(), "cpu")
    before = model[2].num_batches_tracked.item()
    inputs, labels = _batches(1)[0]
    nn.functional.cross_entropy(model(inputs), labels).backward()
    return model[2].num_batches_tracked.item() == before + 1


def _stale_optimizer_leaves_both_models_alone() -> None:
    model, other = _net(), _net()
    optimizer = _sgd(other)  # built for another model
    train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), optimizer, "cpu", progress=False)


def _replaced_layer() -> dict:
    model = _net()
    optimizer = _sgd(model)
    model[4] = nn.Linear(8, 3)  # a new last layer after the optimizer was built: it would never learn
    return train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), optimizer, "cpu", progress=False)


def _diverging() -> dict:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    return train_one_epoch(model, _batches(50), nn.CrossEntropyLoss(), _sgd(model, lr=100.0), "cpu", progress=False)


def _nan_inputs() -> dict:
    model = _net()
    batches = _batches()
    batches[1][0][0, 0, 0, 0] = float("nan")
    return fit(model, batches, None, nn.CrossEntropyLoss(), _sgd(model), "cpu", epochs=1, progress=False,
               verbose=False)


def _evaluate_a_diverged_model() -> dict:
    model = _net()
    with torch.no_grad():
        model[1].weight[0, 0] = float("inf")
    return evaluate(model, _batches(), "cpu", nn.CrossEntropyLoss())


def _model_on_another_device(helper: str):
    def run():
        model = _net().to("meta")  # stands in for a model on cuda while the batches go to the cpu
        if helper == "evaluate":
            return evaluate(model, _batches(), "cpu")
        return train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), _sgd(model), "cpu", progress=False)
    return run


def _numpy_batches(part: str):
    def run():
        model = _net()
        inputs, labels = _batches(1)[0]
        batch = (inputs.numpy(), labels) if part == "inputs" else (inputs, labels.numpy())
        return train_one_epoch(model, [batch], nn.CrossEntropyLoss(), _sgd(model), "cpu", progress=False)
    return run


SLIPS = [
    # harmful: the helpers used to leave the model in evaluation mode
    Slip("evaluate() leaves a model in training mode as it was",
         lambda: _modes_after(lambda m: evaluate(m, _batches(), "cpu")), result=lambda modes: modes == (True, True)),
    Slip("fit() leaves a model in training mode as it was",
         lambda: _modes_after(lambda m: fit(m, _batches(), _batches(), nn.CrossEntropyLoss(), _sgd(m), "cpu",
                                            epochs=1, progress=False, verbose=False)),
         result=lambda modes: modes == (True, True)),
    Slip("a hand-written loop after evaluate() trains BatchNorm", _trained_by_hand_after_evaluate,
         result=lambda learned: learned is True),
    # silent
    Slip("optimizer built for another model", _stale_optimizer_leaves_both_models_alone, error=ValueError,
         says=("none of the model's parameters are in the optimizer", "built for another model",
               "optim.SGD(model.parameters()")),
    Slip("optimizer built before a layer was replaced", _replaced_layer, warns=UserWarning,
         says=("4.weight, 4.bias", "replaced after the optimizer was built", "optim.SGD(model.parameters()")),
    Slip("learning rate so high the loss becomes NaN", _diverging, error=FloatingPointError,
         says=("the loss became nan", "learning rate is probably too high", "10× smaller")),
    Slip("NaN in the inputs", _nan_inputs, error=FloatingPointError,
         says=("fit stopped", "at batch 2", "inputs of that batch hold NaN", "torch.isnan")),
    Slip("evaluate a diverged model", _evaluate_a_diverged_model, warns=UserWarning,
         says=("the loss is nan", "smaller learning rate")),
    Slip("describe_device('mps') on Linux", _without("mps", lambda: describe_device("mps")), error=RuntimeError,
         says=("device asks for 'mps'", "only on Apple-silicon Macs", "use 'cpu'", "helpers.pick_device()")),
    # unclear
    Slip("loss class without () in train_one_epoch",
         lambda: train_one_epoch(_net(), _batches(), nn.CrossEntropyLoss, _sgd(_net()), "cpu", progress=False),
         error=TypeError, says=("loss_fn", "got the class nn.CrossEntropyLoss", "nn.CrossEntropyLoss()")),
    Slip("loss class without () in fit",
         lambda: fit(_net(), _batches(), None, nn.CrossEntropyLoss, _sgd(_net()), "cpu", progress=False),
         error=TypeError, says=("fit expects loss_fn", "nn.CrossEntropyLoss()")),
    Slip("loss class without () in evaluate", lambda: evaluate(_net(), _batches(), "cpu", nn.MSELoss),
         error=TypeError, says=("evaluate expects loss_fn", "got the class nn.MSELoss", "nn.MSELoss()")),
    Slip("'cuda' without CUDA in describe_device", _without("cuda", lambda: describe_device("cuda")),
         error=RuntimeError, says=("device asks for 'cuda'", "no usable CUDA device", "use 'cpu'")),
    Slip("'cuda' without CUDA in train_one_epoch",
         _without("cuda", lambda: train_one_epoch(_net(), _batches(), nn.CrossEntropyLoss(), _sgd(_net()), "cuda")),
         error=RuntimeError, says=("device asks for 'cuda'", "no usable CUDA device", "helpers.pick_device()")),
    Slip("'cuda' without CUDA in synchronize", _without("cuda", lambda: synchronize("cuda")),
         error=RuntimeError, says=("device asks for 'cuda'", "no usable CUDA device")),
    Slip("'cuda' without CUDA in environment_report",
         _without("cuda", lambda: environment_report(torch.device("cuda"))),
         error=RuntimeError, says=("device asks for 'cuda'", "no usable CUDA device")),
    Slip("model on another device than the data in train_one_epoch", _model_on_another_device("train"),
         error=RuntimeError, says=("the model is on meta", "the batches are on cpu", "call .to(device) on the model",
                                   "inputs.to(device), labels.to(device)")),
    Slip("model on another device than the data in evaluate", _model_on_another_device("evaluate"),
         error=RuntimeError, says=("evaluate: the model is on meta", "the batches are on cpu", ".to(device)")),
    Slip("NumPy inputs", _numpy_batches("inputs"), error=TypeError,
         says=("inputs are a NumPy array", "torch.from_numpy(inputs)", "torch.as_tensor(inputs, dtype=torch.float32)")),
    Slip("NumPy labels", _numpy_batches("labels"), error=TypeError,
         says=("labels are a NumPy array", "torch.as_tensor(labels, dtype=torch.long)")),
]

globals().update(slip_tests(SLIPS))


def test_the_stand_ins_make_the_slips_they_stand_for():
    """The rows above are real slips: the stale optimizer changes nothing, the meta model fails inside torch."""
    model, other = _net(), _net()
    before = [p.clone() for p in model.parameters()]
    with mock.patch("helpers.train._check_optimizer"):  # without the check: a loss, and an unchanged model
        result = train_one_epoch(model, _batches(), nn.CrossEntropyLoss(), _sgd(other), "cpu", progress=False)
    assert result["loss"] > 0 and all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    meta = _net().to("meta")
    try:
        meta(_batches(1)[0][0])
    except RuntimeError as error:
        assert "meta" in str(error) and "cpu" in str(error)
    else:
        raise AssertionError("a model on meta ran on cpu inputs")
    assert isinstance(_batches(1)[0][0].numpy(), np.ndarray)
