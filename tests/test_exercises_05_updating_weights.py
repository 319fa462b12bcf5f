"""Notebook 05's exercises: each plausible mistake gets "not yet" with a hint that names it; right variants pass."""

from __future__ import annotations

from tests.exercise_harness import exercise_tests

STEP = "def sgd_step(params, lr):\n{}"

WRONG = {
    "05.1": [
        # rebinding a name changes nothing
        (STEP.format("    with torch.no_grad():\n        for p in params:\n            p = p - lr * p.grad"), "rebind"),
        # uphill
        (STEP.format("    with torch.no_grad():\n        for p in params:\n            p += lr * p.grad"), "uphill"),
        # no torch.no_grad(): PyTorch refuses the in-place change of a leaf
        (STEP.format("    for p in params:\n        p -= lr * p.grad"), "torch.no_grad()"),
        # the tutorial's old way, which section 1 says never to use
        (STEP.format("    for p in params:\n        p.data -= lr * p.grad"), ".data"),
        (STEP.format("    for p in params:\n        p.data.sub_(p.grad.data * lr)"), ".data"),
        # a learning rate written into the function instead of the argument
        (STEP.format("    with torch.no_grad():\n        for p in params:\n            p -= 0.1 * p.grad"),
         "use the argument lr"),
        (STEP.format("    with torch.no_grad():\n        for p in params:\n            p -= 0.01 * p.grad"),
         "use the argument lr"),
        # the `if` for `for` bug of section 1's old code (p is whatever the name held before)
        (STEP.format("    p = torch.zeros(1)\n    with torch.no_grad():\n        if p in list(params):\n"
                     "            p -= lr * p.grad"), "for p in params"),
        # only the first parameter
        (STEP.format("    with torch.no_grad():\n        p = next(iter(params))\n        p -= lr * p.grad"),
         "every parameter"),
        ("sgd_step = 0.1", "should be a function"),
    ],
    "05.2": [
        # no zero_grad: gradients pile up
        ("for i in range(20):\n    loss = w_loss(w)\n    loss.backward()\n    w_optimizer.step()\nw_final = w.item()",
         "piled up"),
        # zero_grad between backward and step: the step sees no gradient
        ("for i in range(20):\n    w_loss(w).backward()\n    w_optimizer.zero_grad()\n    w_optimizer.step()\n"
         "w_final = w.item()", "never moved"),
        # one step too few
        ("for i in range(19):\n    w_optimizer.zero_grad()\n    w_loss(w).backward()\n    w_optimizer.step()\n"
         "w_final = w.item()", "exactly 20 steps"),
        # the answer the loop converges to, not where it is after 20 steps
        ("w_final = 3.0", "exactly 20 steps"),
        ("w_final = 'w'", "should be an int or a float"),
    ],
    "05.3": [
        ("acc = (logits.argmax(dim=1) == labels).sum().item()", "number of correct predictions"),
        ("acc = 100 * (logits.argmax(dim=1) == labels).float().mean().item()", "percentage"),
        ("acc = (logits.argmax(dim=0)[:10] == labels[:10]).float().mean().item()", "argmax(dim=1)"),
        ("acc = (logits.argmin(dim=1) == labels).float().mean().item()", "argmax(dim=1)"),
        ("acc = (logits.argmax(dim=1) == labels)", "should be an int or a float"),
    ],
    "05.4": [
        ("lr = 10.0", "diverges"),
        ("lr = 1.0", "diverges"),
        ("lr = 0.001", "larger rate"),
        ("lr = -0.3", "positive"),
        ("lr = '0.3'", "should be a number"),
        ("lr = float('nan')", "positive"),
    ],
}

RIGHT = {
    "05.1": [
        STEP.format("    with torch.no_grad():\n        for p in params:\n            p.sub_(lr * p.grad)"),
        STEP.format("    with torch.no_grad():\n        for p in params:\n            p.add_(p.grad, alpha=-lr)"),
        STEP.format("    with torch.no_grad():\n        for p in list(params):\n            p.copy_(p - lr * p.grad)"),
    ],
    "05.2": [
        "for i in range(20):\n    w_optimizer.zero_grad()\n    w_loss(w).backward()\n    w_optimizer.step()\n"
        "w_final = float(w.detach())",
        "i = 0\nwhile i < 20:\n    w_optimizer.zero_grad()\n    loss_w = w_loss(w)\n    loss_w.backward()\n"
        "    w_optimizer.step()\n    i += 1\nw_final = w.tolist()[0]",
    ],
    "05.3": [
        "acc = (logits.argmax(1) == labels).sum().item() / len(labels)",
        "acc = float((logits.max(dim=1).indices == labels).float().mean())",
    ],
    "05.4": ["lr = 0.1", "lr = 0.5"],
}

ONLY_EXAMPLE = {  # right on the check's own example, wrong on the grader's inputs
    "05.1": [
        # the example's two learning rates written into the function
        STEP.format("    with torch.no_grad():\n        for p in params:\n"
                    "            p -= (0.1 if lr > 0.05 else 0.037) * p.grad"),
        # the rate rounded to the example's 3 decimals
        STEP.format("    with torch.no_grad():\n        for p in params:\n            p -= round(lr, 3) * p.grad"),
    ],
}

globals().update(exercise_tests("05_updating_weights.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))

