"""One manual SGD step under torch.no_grad() and one optim.SGD step, from the same start, give identical weights.

optim.SGD computes ``p.add_(grad, alpha=-lr)`` in one fused operation; the manual step
``p.sub_(p.grad, alpha=lr)`` is the same operation, so the weights are bit-for-bit equal. The
two-operation ``p -= lr * p.grad`` rounds ``lr * grad`` first and may differ in the last bit.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from helpers.models import LeNet

LR = 0.01


def _net_and_batch() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    net = LeNet()
    g = torch.Generator().manual_seed(1)
    return net, torch.randn(4, 1, 32, 32, generator=g), torch.randn(4, 10, generator=g)


def _backward(net: nn.Module, x: torch.Tensor, target: torch.Tensor) -> None:
    net.zero_grad()
    nn.MSELoss()(net(x), target).backward()


def test_manual_step_equals_optim_sgd_step():
    manual, x, target = _net_and_batch()
    library = copy.deepcopy(manual)
    start = {k: v.clone() for k, v in manual.state_dict().items()}

    _backward(manual, x, target)
    with torch.no_grad():
        for p in manual.parameters():
            p.sub_(p.grad, alpha=LR)

    optimizer = torch.optim.SGD(library.parameters(), lr=LR)
    optimizer.zero_grad()
    nn.MSELoss()(library(x), target).backward()
    optimizer.step()

    for (name, a), b in zip(manual.named_parameters(), library.parameters()):
        assert torch.equal(a, b), f"{name} differs by {(a - b).abs().max().item():.3g}"
        assert not torch.equal(a, start[name]), f"{name} did not move"
        assert a.requires_grad


def test_the_two_operation_rule_agrees_up_to_rounding():
    manual, x, target = _net_and_batch()
    library = copy.deepcopy(manual)
    _backward(manual, x, target)
    with torch.no_grad():
        for p in manual.parameters():
            p -= LR * p.grad
    optimizer = torch.optim.SGD(library.parameters(), lr=LR)
    _backward(library, x, target)
    optimizer.step()
    for a, b in zip(manual.parameters(), library.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)


def test_it_holds_for_several_steps():
    manual, x, target = _net_and_batch()
    library = copy.deepcopy(manual)
    optimizer = torch.optim.SGD(library.parameters(), lr=LR)
    for _ in range(3):
        _backward(manual, x, target)
        with torch.no_grad():
            for p in manual.parameters():
                p.sub_(p.grad, alpha=LR)
        optimizer.zero_grad()
        nn.MSELoss()(library(x), target).backward()
        optimizer.step()
    for a, b in zip(manual.parameters(), library.parameters()):
        assert torch.equal(a, b)


def test_the_seeds_if_bug_updates_nothing():
    """`if f in net.parameters():` (seed 004) is a membership test, not a loop: no weight changes."""
    net, x, target = _net_and_batch()
    _backward(net, x, target)
    before = [p.clone() for p in net.parameters()]
    f = torch.zeros(1)  # whatever `f` happened to be; it is not one of the parameters
    with torch.no_grad():
        if any(f is p for p in net.parameters()):
            f.sub_(f.grad * LR)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
