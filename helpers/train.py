"""Training and evaluation loops for classifiers, once notebook 06 has written them by hand.

The device is always an argument; inputs AND labels are moved to it. Every function returns
plain numbers and tensors (on the CPU) so notebooks can print and plot them.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from typing import Any, Callable, Iterable

import numpy as np
import torch
from torch import nn

from helpers.device import require_available
from helpers.i18n import _, display_width, pad
from helpers.metrics import accuracy


def _check_common(model: object, loader: object, device: object) -> torch.device:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(loader, Iterable):
        raise TypeError(f"loader must be an iterable of (inputs, labels) batches, e.g. a DataLoader, got {type(loader).__name__}")
    return require_available(device)


def _check_loss_fn(loss_fn: object, where: str, optional: bool = False) -> None:
    if isinstance(loss_fn, type):  # nn.CrossEntropyLoss without the brackets
        module = loss_fn.__module__
        name = f"nn.{loss_fn.__name__}" if module.startswith("torch.nn") else loss_fn.__name__
        raise TypeError(
            _("{where} expects loss_fn to be a loss function such as nn.CrossEntropyLoss(), got the class {name} "
              "itself; add the brackets: {name}()").format(where=where, name=name)
        )
    if optional and loss_fn is None:
        return
    if not callable(loss_fn):
        if optional:
            raise TypeError(f"loss_fn must be callable or None, got {type(loss_fn).__name__}")
        raise TypeError(f"loss_fn must be callable, e.g. nn.CrossEntropyLoss(), got {type(loss_fn).__name__}")


def _check_optimizer(model: nn.Module, optimizer: object, loss_fn: object, where: str) -> None:
    """An optimizer over none (or, after a replaced layer, not all) of the model's parameters trains nothing there."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    missing = [name for name, p in trainable if id(p) not in held]
    kind = type(optimizer).__name__
    build = f"optim.{kind}" if type(optimizer).__module__.startswith("torch.optim") else kind
    if trainable and len(missing) == len(trainable):
        raise ValueError(
            _("{where}: none of the model's parameters are in the optimizer, so training would never change the model; "
              "the optimizer was built for another model (for example before the model was replaced): build it from "
              "this model's parameters, {build}(model.parameters(), ...)").format(where=where, build=build)
        )
    own = {id(p) for p in model.parameters()}
    if isinstance(loss_fn, nn.Module):
        own |= {id(p) for p in loss_fn.parameters()}
    stale = held - own
    if missing and stale:  # a layer replaced after the optimizer was built: the new one never learns
        warnings.warn(
            _("{where}: the optimizer lacks {names} of this model and holds {count} tensor(s) the model no longer has, "
              "so those layers will not learn: a layer was replaced after the optimizer was built; build the optimizer "
              "again, {build}(model.parameters(), ...)").format(
                where=where, names=", ".join(missing), count=len(stale), build=build),
            UserWarning,
            stacklevel=3,
        )


def _modes(model: nn.Module) -> dict[nn.Module, bool]:
    """Each submodule's training flag, for ``_restore`` (``model.train(flag)`` would unfreeze a frozen layer)."""
    return {module: module.training for module in model.modules()}


def _restore(modes: dict[nn.Module, bool]) -> None:
    for module, training in modes.items():
        module.training = training


def synchronize(device: torch.device | str) -> None:
    """Wait until the GPU has finished its queued work (no-op on the CPU), so timings are honest."""
    device = require_available(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _batch(batch: Any, where: str, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"{where} expects each batch to be (inputs, labels), got {type(batch).__name__}")
    fixes = {"inputs": "torch.as_tensor(inputs, dtype=torch.float32)",
             "labels": "torch.as_tensor(labels, dtype=torch.long)"}
    for part, value in zip(fixes, batch):
        if isinstance(value, np.ndarray):
            raise TypeError(
                _("{where}: the batch's {part} are a NumPy array, but a model takes tensors; convert them with "
                  "torch.from_numpy({part}) or {fix}").format(where=where, part=part, fix=fixes[part])
            )
    return batch[0].to(device), batch[1].to(device)


def _same_device(a: torch.device, b: torch.device) -> bool:
    return a.type == b.type and (a.index is None or b.index is None or a.index == b.index)


def _forward(
    model: nn.Module, loss_fn: Callable | None, inputs: torch.Tensor, labels: torch.Tensor, device: torch.device,
    where: str,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The outputs and the loss; when torch fails because the model is on another device, say so and how to fix it."""
    try:
        outputs = model(inputs)
        return outputs, None if loss_fn is None else loss_fn(outputs, labels)
    except RuntimeError as error:
        for what, module in (("model", model), ("loss_fn", loss_fn)):
            if not isinstance(module, nn.Module):
                continue
            found = {str(t.device) for t in itertools.chain(module.parameters(), module.buffers())
                     if not _same_device(t.device, device)}
            if found:
                raise RuntimeError(
                    _("{where}: the {what} is on {found}, but the batches are on {device} (the device argument); "
                      "put them on one device: call .to(device) on the {what} and on each batch "
                      "(inputs.to(device), labels.to(device))").format(
                        where=where, what=what, found=", ".join(sorted(found)), device=device)
                ) from error
        raise


def _not_finite(
    where: str, value: float, batch: int, last: float | None, inputs: torch.Tensor, model: nn.Module
) -> str:
    """Why the loss became NaN or inf, and what to do, in the learner's language."""
    if isinstance(inputs, torch.Tensor) and inputs.is_floating_point() and not torch.isfinite(inputs).all():
        return _("{where} stopped: the loss is {value} at batch {batch} because the inputs of that batch hold "
                 "NaN or inf values; clean the data first (find them with torch.isnan(inputs).any())").format(
            where=where, value=value, batch=batch)
    if batch == 1 and not all(torch.isfinite(p).all() for p in model.parameters() if p.is_floating_point()):
        return _("{where} stopped: the loss is {value} at batch {batch} because the model's parameters already "
                 "hold NaN or inf (an earlier run diverged); build the model and the optimizer again, with a smaller "
                 "learning rate").format(where=where, value=value, batch=batch)
    return _("{where} stopped at batch {batch}: the loss became {value} (the last finite loss was {last}), so "
             "training diverged; the learning rate is probably too high: make it about 10× smaller, then build the "
             "model and the optimizer again").format(
        where=where, value=value, batch=batch, last="-" if last is None else f"{last:.4g}")


def _progress(loader: Any, enabled: bool, desc: str) -> Any:
    if not enabled:
        return loader
    from tqdm.auto import tqdm

    return tqdm(loader, desc=desc, leave=False, unit="batch")


def train_one_epoch(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    device: torch.device | str,
    progress: bool = True,
    on_batch: Callable[[float], None] | None = None,
    desc: str | None = None,
) -> dict[str, Any]:
    """Train ``model`` for one pass over ``loader``; return loss, accuracy, images, seconds and batch losses.

    Args:
        progress: show a ``tqdm.auto`` progress bar.
        on_batch: called with each batch's loss (e.g. ``LiveLossPlot.add``).
        desc: the progress bar's label; None shows "train" (in the helpers' language).
    """
    device = _check_common(model, loader, device)
    _check_loss_fn(loss_fn, "train_one_epoch")
    _check_optimizer(model, optimizer, loss_fn, "train_one_epoch")
    return _train_epoch(model, loader, loss_fn, optimizer, device, progress, on_batch, desc, "train_one_epoch")


def _train_epoch(
    model: nn.Module, loader: Iterable, loss_fn: Callable, optimizer: torch.optim.Optimizer, device: torch.device,
    progress: bool, on_batch: Callable[[float], None] | None, desc: str | None, where: str,
) -> dict[str, Any]:
    """``train_one_epoch`` once its arguments are checked; the model's modes come back as they were."""
    modes = _modes(model)
    model.train()
    batch_losses: list[float] = []
    total_loss, correct, seen = 0.0, 0, 0
    try:
        synchronize(device)
        start = time.perf_counter()
        bar = _progress(loader, progress, _("train") if desc is None else desc)
        for batch in bar:
            inputs, labels = _batch(batch, where, device)
            optimizer.zero_grad()
            outputs, loss = _forward(model, loss_fn, inputs, labels, device, where)
            value = loss.item()
            if not math.isfinite(value):  # stop before the step: a NaN gradient would make every weight NaN
                raise FloatingPointError(_not_finite(where, value, len(batch_losses) + 1,
                                                     batch_losses[-1] if batch_losses else None, inputs, model))
            loss.backward()
            optimizer.step()
            batch_losses.append(value)
            n = labels.shape[0]
            total_loss += value * n
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            seen += n
            if on_batch is not None:
                on_batch(value)
            if progress and len(batch_losses) % 20 == 0:
                bar.set_postfix(loss=f"{sum(batch_losses[-20:]) / 20:.3f}")
        synchronize(device)
    finally:
        _restore(modes)
    seconds = time.perf_counter() - start
    if seen == 0:
        raise ValueError(f"{where} got an empty loader: no batches to train on")
    return {
        "loss": total_loss / seen,
        "accuracy": correct / seen,
        "images": seen,
        "seconds": seconds,
        "batch_losses": batch_losses,
    }


def evaluate(
    model: nn.Module,
    loader: Iterable,
    device: torch.device | str,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Evaluate under ``torch.inference_mode()``; return accuracy, loss (if ``loss_fn``), predictions and labels.

    Predictions and labels come back as 1-D CPU tensors, so a confusion matrix needs no second pass.
    """
    device = _check_common(model, loader, device)
    _check_loss_fn(loss_fn, "evaluate", optional=True)
    modes = _modes(model)
    model.eval()
    predictions, truths = [], []
    total_loss, seen = 0.0, 0
    try:
        synchronize(device)
        start = time.perf_counter()
        with torch.inference_mode():
            for batch in _progress(loader, progress, _("evaluate")):
                inputs, labels = _batch(batch, "evaluate", device)
                outputs, loss = _forward(model, loss_fn, inputs, labels, device, "evaluate")
                if loss is not None:
                    total_loss += loss.item() * labels.shape[0]
                predictions.append(outputs.argmax(dim=1).cpu())
                truths.append(labels.cpu())
                seen += labels.shape[0]
        synchronize(device)
    finally:
        _restore(modes)
    if seen == 0:
        raise ValueError("evaluate got an empty loader: no batches to evaluate")
    if loss_fn is not None and not math.isfinite(total_loss):
        warnings.warn(
            _("evaluate: the loss is {value}: the model's parameters (or the data) hold NaN or inf, so its predictions "
              "mean nothing; training probably diverged: train again from a new model with a smaller learning "
              "rate").format(value=total_loss / seen),
            UserWarning,
            stacklevel=2,
        )
    preds, labels_all = torch.cat(predictions), torch.cat(truths)
    return {
        "loss": total_loss / seen if loss_fn is not None else None,
        "accuracy": accuracy(preds, labels_all),
        "predictions": preds,
        "labels": labels_all,
        "seconds": time.perf_counter() - start,
    }


def fit(
    model: nn.Module,
    train_loader: Iterable,
    test_loader: Iterable | None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    device: torch.device | str,
    epochs: int = 2,
    progress: bool = True,
    live_plot: bool = False,
    verbose: bool = True,
) -> dict[str, list]:
    """Train for ``epochs`` and evaluate after each; return the history of losses, accuracies and seconds.

    Args:
        live_plot: redraw a loss curve while training (in Jupyter; see ``helpers.plot.LiveLossPlot``).
        verbose: print one line per epoch.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    device = _check_common(model, train_loader, device)
    _check_loss_fn(loss_fn, "fit")
    _check_optimizer(model, optimizer, loss_fn, "fit")
    history: dict[str, list] = {
        "train_loss": [], "train_accuracy": [], "test_loss": [], "test_accuracy": [],
        "epoch_seconds": [], "batch_losses": [],
    }
    plot = None
    if live_plot:
        from helpers.plot import LiveLossPlot

        plot = LiveLossPlot()
    try:
        _fit_epochs(model, train_loader, test_loader, loss_fn, optimizer, device, epochs, progress, plot, verbose,
                    history)
    finally:
        if plot is not None:
            plot.close()  # the curve so far, also when training stopped (a NaN loss)
    return history


def _fit_epochs(
    model: nn.Module, train_loader: Iterable, test_loader: Iterable | None, loss_fn: Callable,
    optimizer: torch.optim.Optimizer, device: torch.device, epochs: int, progress: bool, plot: Any, verbose: bool,
    history: dict[str, list],
) -> None:
    """``fit``'s epochs, once its arguments are checked: each appends to ``history``."""
    for epoch in range(1, epochs + 1):
        result = _train_epoch(
            model, train_loader, loss_fn, optimizer, device, progress, plot.add if plot else None,
            _("epoch {epoch}/{epochs}").format(epoch=epoch, epochs=epochs), "fit",
        )
        history["train_loss"].append(result["loss"])
        history["train_accuracy"].append(result["accuracy"])
        history["epoch_seconds"].append(result["seconds"])
        history["batch_losses"].extend(result["batch_losses"])
        numbers = dict(
            epoch=epoch,
            loss=f"{result['loss']:.3f}",
            accuracy=f"{result['accuracy']:.1%}",
            seconds=f"{result['seconds']:.1f}",
            speed=f"{result['images'] / result['seconds']:,.0f}",
        )
        if test_loader is not None:
            test = evaluate(model, test_loader, device, loss_fn)
            history["test_loss"].append(test["loss"])
            history["test_accuracy"].append(test["accuracy"])
            line = _(
                "epoch {epoch}: train loss {loss}, train accuracy {accuracy}, test accuracy {test_accuracy} "
                "({seconds} s, {speed} images/s)"
            ).format(test_accuracy=f"{test['accuracy']:.1%}", **numbers)
        else:
            line = _("epoch {epoch}: train loss {loss}, train accuracy {accuracy} ({seconds} s, {speed} images/s)").format(
                **numbers
            )
        if verbose:
            print(line)


# ---- notebook 07's ladder: the lines it prints ----------------------------------------------------

RUNG_NUMBERS = ("images_per_s", "epoch_s", "first_step_s", "accuracy")


def _rung_numbers(name: object, numbers: object) -> dict:
    if not isinstance(name, str) or not isinstance(numbers, dict) or not set(RUNG_NUMBERS) <= set(numbers):
        raise ValueError(f"a rung needs a name (str) and a dict with the keys {RUNG_NUMBERS}, got {name!r}: {numbers!r}")
    return numbers


def describe_rung(name: str, numbers: dict, epochs: int) -> str:
    """One line for a rung of notebook 07's ladder: its speed, epoch time, first step and test accuracy."""
    r = _rung_numbers(name, numbers)
    if r["images_per_s"] is None:
        return _("{name}: skipped").format(name=name)
    return _(
        "{name}: {speed:,.0f} images/s ({epoch:.1f} s per epoch, first step {first:.2f} s), "
        "test accuracy {accuracy:.1%} after {epochs} epoch(s)"
    ).format(name=name, speed=r["images_per_s"], epoch=r["epoch_s"], first=r["first_step_s"],
             accuracy=r["accuracy"], epochs=epochs)


def describe_skip(name: str, reason: str) -> str:
    """The line for a rung that cannot run on this machine, with the reason."""
    return _("{name}: skipped: {reason}").format(name=name, reason=reason)


def ladder_table(ladder: dict) -> str:
    """Notebook 07's ladder as a text table: speed (and × the first rung), epoch time, first step, accuracy."""
    if not isinstance(ladder, dict) or not ladder:
        raise ValueError(f"ladder must be a non-empty dict of rung name -> numbers, got {ladder!r}")
    rows = [(name, _rung_numbers(name, numbers)) for name, numbers in ladder.items()]
    base = rows[0][1]["images_per_s"]
    if base is None or not base > 0:
        raise ValueError(f"the first rung is the reference and needs a positive images_per_s, got {base!r}")
    headers = [_("rung"), _("images/s"), _("× rung 0"), _("s/epoch"), _("first step"), _("accuracy")]
    table = []
    for name, r in rows:
        if r["images_per_s"] is None:
            cells = ["-"] * 4
        else:
            cells = [f"{r['images_per_s']:,.0f}", f"{r['images_per_s'] / base:.1f}×", f"{r['epoch_s']:.1f}",
                     f"{r['first_step_s']:.2f} s"]
        accuracy = "-" if r["accuracy"] is None else f"{r['accuracy']:.1%}"
        table.append([name, *cells, accuracy])
    widths = [max(display_width(row[i]) for row in [headers, *table]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = pad(row[0], widths[0])
        rest = [" " * (widths[i] - display_width(cell)) + cell for i, cell in enumerate(row) if i]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join(line(row) for row in [headers, *table])


def print_ddp_checks(identical: bool, moved: bool, in_checkpoint: bool) -> None:
    """Print notebook 07's three checks of a DDP run, in the course's language."""
    for line, value in (
        (_("every process ended with identical weights: {value}"), identical),
        (_("training changed them: {value}"), moved),
        (_("rank 0's checkpoint holds those weights: {value}"), in_checkpoint),
    ):
        if not isinstance(value, bool):
            raise TypeError(f"print_ddp_checks expects three bools, got {value!r}")
        print(line.format(value=value))
