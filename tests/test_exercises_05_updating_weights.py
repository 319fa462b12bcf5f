"""Typical wrong answers to the exercises of notebook 05 are not accepted."""

from __future__ import annotations


from tests.exercise_harness import exercise_tests

WRONG = {
    "05.1": [
        # rebinding a name changes nothing
        "def sgd_step(params, lr):\n    with torch.no_grad():\n        for p in params:\n            p = p - lr * p.grad",
        # uphill
        "def sgd_step(params, lr):\n    with torch.no_grad():\n        for p in params:\n            p += lr * p.grad",
        # no torch.no_grad(): PyTorch refuses the in-place change of a leaf
        "def sgd_step(params, lr):\n    for p in params:\n        p -= lr * p.grad",
        # the seed-004 bug: `if` instead of `for` (p is whatever the name held before)
        "def sgd_step(params, lr):\n    p = torch.zeros(1)\n    with torch.no_grad():\n        if p in list(params):\n            p -= lr * p.grad",
        # only the first parameter
        "def sgd_step(params, lr):\n    with torch.no_grad():\n        p = next(iter(params))\n        p -= lr * p.grad",
        "sgd_step = 0.1",
    ],
    "05.2": [
        # no zero_grad: gradients pile up
        "for step in range(20):\n    loss = loss_fn(w)\n    loss.backward()\n    optimizer.step()\nw_final = w.item()",
        # zero_grad between backward and step: the step sees no gradient
        "for step in range(20):\n    loss = loss_fn(w)\n    loss.backward()\n    optimizer.zero_grad()\n    optimizer.step()\nw_final = w.item()",
        # one step too few
        "for step in range(19):\n    optimizer.zero_grad()\n    loss_fn(w).backward()\n    optimizer.step()\nw_final = w.item()",
        # the answer the loop converges to, not where it is after 20 steps
        "w_final = 3.0",
        "w_final = 'w'",
    ],
    "05.3": [
        "acc = (logits.argmax(dim=1) == labels).sum().item()",
        "acc = 100 * (logits.argmax(dim=1) == labels).float().mean().item()",
        "acc = (logits.argmax(dim=0)[:10] == labels[:10]).float().mean().item()",
        "acc = (logits.argmin(dim=1) == labels).float().mean().item()",
        "acc = (logits.argmax(dim=1) == labels)",
    ],
    "05.4": ["lr = 10.0", "lr = 1.0", "lr = 0.001", "lr = -0.3", "lr = '0.3'", "lr = float('nan')"],
}


globals().update(exercise_tests("05_updating_weights.ipynb", WRONG))
