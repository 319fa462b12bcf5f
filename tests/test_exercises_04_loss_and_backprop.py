"""Typical wrong answers to the exercises of notebook 04 are not accepted."""

from __future__ import annotations


from tests.exercise_harness import exercise_tests

WRONG = {
    "04.1": [
        "mse = ((output - target) ** 2).sum()",
        "mse = (output - target).abs().mean()",
        "mse = (output - target).mean() ** 2",
        "mse = (output - target) ** 2",
        "mse = ((output - target) ** 2).mean().sqrt()",
    ],
    "04.2": [
        "grad = output - target",
        "grad = 2 * (output - target)",
        "grad = (output - target) / output.numel()",
        "grad = 2 * (target - output) / output.numel()",
        "grad = (2 * (output - target) / output.numel()).view(-1)",
    ],
    "04.3": [
        "names = ['SumBackward0', 'ReluBackward0', 'MulBackward0']",
        "names = ['AccumulateGrad', 'MulBackward0', 'ReluBackward0', 'SumBackward0']",
        "names = [str(loss.grad_fn)]",
        "names = [loss.grad_fn, loss.grad_fn.next_functions[0][0]]",
        "names = 'SumBackward0'",
    ],
    "04.4": [
        # forgetting zero_grad: the gradients accumulate
        "grads = []\nfor xb in batches:\n    batch_loss(xb).backward()\n    grads.append(model.weight.grad.clone())",
        # forgetting zero_grad and clone: three references to one accumulated tensor
        "grads = []\nfor xb in batches:\n    batch_loss(xb).backward()\n    grads.append(model.weight.grad)",
        # one gradient for all batches together
        "model.zero_grad()\nsum(batch_loss(xb) for xb in batches).backward()\ngrads = [model.weight.grad.clone()] * 3",
        "grads = [model.weight.detach().clone() for _ in batches]",
        "grads = []",
    ],
    "04.5": [
        "y.sum().backward()\ngrad = x.grad",
        "grad = v",
        "grad = 2 * x",
        "(y * v).sum().backward()\ngrad = x.grad.sum()",
    ],
}


globals().update(exercise_tests("04_loss_and_backprop.ipynb", WRONG))
