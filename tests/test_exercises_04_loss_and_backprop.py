"""Notebook 04's exercises: each plausible mistake gets "not yet" with a hint that names it; right variants pass."""

from __future__ import annotations

from tests.exercise_harness import exercise_tests

MSE = "def mse(output, target):\n    return {}"
MSE_GRAD = "def mse_grad(output, target):\n    return {}"

WRONG = {
    "04.1": [
        (MSE.format("((output - target) ** 2).sum()"), "sum of the squared differences"),
        (MSE.format("(output - target).abs().mean()"), "L1"),
        (MSE.format("(output - target).mean() ** 2"), "squares the mean difference"),
        (MSE.format("(output - target) ** 2"), "one number"),
        (MSE.format("((output - target) ** 2).mean().sqrt()"), "RMSE"),
        # what the exercise says not to use: PyTorch's own MSE, under either name
        ("import torch.nn.functional as F\n" + MSE.format("F.mse_loss(output, target)"), "MseLossBackward0"),
        (MSE.format("nn.MSELoss()(output, target)"), "MseLossBackward0"),
        # a float cannot backward(); a detached tensor is cut off from the network
        (MSE.format("((output - target) ** 2).mean().item()"), "Python number"),
        (MSE.format("((output.detach() - target) ** 2).mean()"), "not connected to output"),
        ("mse = ((torch.randn(1, 10) - torch.randn(1, 10)) ** 2).mean()", "function mse(output, target)"),
        (MSE.format("output.shape + target.shape"), "should be a Tensor"),
    ],
    "04.2": [
        (MSE_GRAD.format("output - target"), "factor 2"),
        (MSE_GRAD.format("2 * (output - target)"), "divided by"),
        (MSE_GRAD.format("(output - target) / output.numel()"), "2·(o - t)"),
        (MSE_GRAD.format("2 * (target - output) / output.numel()"), "sign is flipped"),
        # N written as the 10 of the first example: wrong for any other shape
        (MSE_GRAD.format("2 * (output - target) / 10"), "output.numel()"),
        (MSE_GRAD.format("(2 * (output - target) / output.numel()).view(-1)"), "has shape"),
        # autograd instead of the formula: the check's tensors do not require a gradient
        (MSE_GRAD.format("torch.autograd.grad(((output - target) ** 2).mean(), output)[0]"), "raised RuntimeError"),
        ("mse_grad = 2 * (torch.ones(1, 10) - torch.zeros(1, 10)) / 10", "function mse_grad(output, target)"),
    ],
    "04.3": [
        ("names = ['SumBackward0', 'ReluBackward0', 'MulBackward0']", "one step short"),
        ("names = ['AccumulateGrad', 'MulBackward0', 'ReluBackward0', 'SumBackward0']", "reversed"),
        ("names = [str(toy_loss.grad_fn)]", "memory address"),
        ("names = [toy_loss.grad_fn, toy_loss.grad_fn.next_functions[0][0]]", "as strings"),
        ("names = 'SumBackward0'", "a list or a tuple"),
        # one node too many: walking on from the leaf's AccumulateGrad is impossible, so stopping at the wrong place
        ("names = ['SumBackward0', 'ReluBackward0', 'AccumulateGrad']", "follow fn.next_functions[0][0]"),
    ],
    "04.4": [
        # forgetting zero_grad: the gradients accumulate
        ("grads = []\nfor xb in batches:\n    batch_loss(xb).backward()\n    grads.append(model.weight.grad.clone())",
         "accumulated"),
        # forgetting zero_grad and clone: three references to one accumulated tensor
        ("grads = []\nfor xb in batches:\n    batch_loss(xb).backward()\n    grads.append(model.weight.grad)",
         "accumulated"),
        # zero_grad but no clone: zero_grad() sets .grad to None, so each entry survives; with set_to_none=False
        # the list holds one tensor three times, the last batch's gradient
        ("grads = []\nfor xb in batches:\n    model.zero_grad(set_to_none=False)\n    batch_loss(xb).backward()\n"
         "    grads.append(model.weight.grad)", ".clone()"),
        # one gradient for all batches together
        ("model.zero_grad()\nsum(batch_loss(xb) for xb in batches).backward()\ngrads = [model.weight.grad.clone()] * 3",
         "all the batches together"),
        ("model.zero_grad()\nsum(batch_loss(xb) for xb in batches).backward()\n"
         "grads = [model.weight.grad.clone() for xb in batches]", "all the batches together"),
        ("grads = [model.weight.detach().clone() for xb in batches]", "the weight itself"),
        ("grads = []", "3 gradients"),
    ],
    "04.5": [
        # right only when y is element-wise (a diagonal Jacobian): not here
        ("y.sum().backward()\ngrad = x.grad * u", "diagonal Jacobian"),
        ("y.sum().backward()\ngrad = x.grad", "u = (1, 1, 1)"),
        ("(y * u).mean().backward()\ngrad = x.grad", ".mean() divides by 3"),
        ("grad = u", "(y * u).sum()"),
        ("grad = 2 * x * u", "(y * u).sum()"),
        ("(y * u).sum().backward()\ngrad = x.grad.sum()", "has shape"),
        ("grad = x.grad", "None"),
    ],
}

RIGHT = {
    "04.1": [
        MSE.format("(output - target).pow(2).mean()"),
        "mse = lambda o, t: ((o - t) ** 2).sum() / o.numel()",
        MSE.format("torch.mean(torch.square(output - target))"),
    ],
    "04.2": [
        "mse_grad = lambda o, t: 2 / o.numel() * (o - t)",
        MSE_GRAD.format("(output - target).mul(2).div(output.numel())"),
    ],
    "04.3": [
        "names = []\nfn = toy_loss.grad_fn\nwhile fn is not None:\n    names.append(type(fn).__name__)\n"
        "    fn = fn.next_functions[0][0] if len(fn.next_functions) > 0 else None",
        "names = []\nfn = toy_loss.grad_fn\nwhile True:\n    names.append(fn.name())\n    if not fn.next_functions:\n"
        "        break\n    fn = fn.next_functions[0][0]",
    ],
    "04.4": [
        "grads = [torch.autograd.grad(batch_loss(xb), model.weight)[0] for xb in batches]",
        "grads = []\nfor xb in batches:\n    model.weight.grad = None\n    batch_loss(xb).backward()\n"
        "    grads.append(model.weight.grad)",
    ],
    "04.5": [
        "torch.dot(y, u).backward()\ngrad = x.grad",
        "(y @ u).backward()\ngrad = x.grad.clone()",
    ],
}

# right on the check's own pairs, of shapes (1, 10) and (4, 3), and wrong on the grader's other shapes and numbers
ONLY_EXAMPLE = {
    "04.1": [
        # N hard-coded from the example's two shapes
        MSE.format("((output - target) ** 2).sum() / (10 if len(output) == 1 else 12)"),
        # the example's two losses remembered, kept connected to output
        "def mse(output, target):\n    g = torch.Generator().manual_seed(4)\n"
        "    pairs = [(torch.randn(1, 10, generator=g), torch.randn(1, 10, generator=g)),\n"
        "             (torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g))]\n"
        "    known = {o.shape: ((o - t) ** 2).mean() for o, t in pairs}\n"
        "    return output.sum() * 0 + known[output.shape]",
    ],
    "04.2": [
        MSE_GRAD.format("2 * (output - target) / (10 if len(output) == 1 else 12)"),
        # the example's gradients remembered
        "def mse_grad(output, target):\n    g = torch.Generator().manual_seed(4)\n"
        "    pairs = [(torch.randn(1, 10, generator=g), torch.randn(1, 10, generator=g)),\n"
        "             (torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g))]\n"
        "    return {o.shape: 2 * (o - t) / o.numel() for o, t in pairs}.get(output.shape, output * 0)",
    ],
}

globals().update(exercise_tests("04_loss_and_backprop.ipynb", WRONG, right=RIGHT, only_example=ONLY_EXAMPLE))

