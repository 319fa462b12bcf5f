"""Classification metrics computed from predicted and true class indices, for any batch size."""

from __future__ import annotations

import torch

from helpers.i18n import _


def _as_class_indices(values: object, name: str) -> torch.Tensor:
    if not isinstance(values, torch.Tensor):
        raise TypeError(f"{name} must be a 1-D tensor of class indices, got {type(values).__name__}")
    if values.dim() != 1:
        raise ValueError(
            f"{name} must be a 1-D tensor of class indices, got shape {tuple(values.shape)}"
            + ("; for logits of shape (N, C) pass logits.argmax(dim=1)" if values.dim() == 2 else "")
        )
    if values.dtype.is_floating_point or values.dtype.is_complex or values.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {values.dtype}")
    return values.detach().cpu().long()


def _pair(predictions: object, labels: object) -> tuple[torch.Tensor, torch.Tensor]:
    preds = _as_class_indices(predictions, "predictions")
    truth = _as_class_indices(labels, "labels")
    if preds.shape != truth.shape:
        raise ValueError(
            f"predictions and labels must have the same length, got {preds.numel()} and {truth.numel()}"
        )
    return preds, truth


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Return the fraction of predictions equal to labels (both 1-D class-index tensors)."""
    preds, truth = _pair(predictions, labels)
    if truth.numel() == 0:
        raise ValueError("accuracy needs at least one prediction, got empty tensors")
    return (preds == truth).double().mean().item()


def confusion_matrix(
    *args: object,
    predictions: torch.Tensor | None = None,
    labels: torch.Tensor | None = None,
    num_classes: int | None = None,
) -> torch.Tensor:
    """Return the (num_classes, num_classes) count matrix: row = true class, column = predicted class.

    Every argument goes by name (``confusion_matrix(predictions=..., labels=..., num_classes=10)``): scikit-learn's
    ``confusion_matrix(y_true, y_pred)`` takes the labels first, and swapped tensors would give the transposed
    matrix without a word.
    """
    if args:
        raise TypeError(_(
            "confusion_matrix takes its arguments by name, so that predictions and labels cannot be swapped "
            "(scikit-learn's confusion_matrix takes the labels first; here that would transpose the matrix): "
            "write confusion_matrix(predictions=..., labels=..., num_classes=...)"
        ))
    missing = [name for name, value in (("predictions", predictions), ("labels", labels), ("num_classes", num_classes))
               if value is None]
    if missing:
        raise TypeError(_(
            "confusion_matrix needs predictions=, labels= and num_classes=; missing: {names}"
        ).format(names=", ".join(missing)))
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    preds, truth = _pair(predictions, labels)
    for name, values in (("predictions", preds), ("labels", truth)):
        if values.numel() and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f"{name} must lie in [0, {num_classes - 1}] for num_classes={num_classes}, "
                f"got values from {values.min().item()} to {values.max().item()}"
            )
    flat = truth * num_classes + preds
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: torch.Tensor) -> torch.Tensor:
    """Return each class's accuracy (recall) from a confusion matrix; NaN for a class with no samples."""
    if not isinstance(confusion, torch.Tensor):
        raise TypeError(f"confusion must be a square 2-D tensor, got {type(confusion).__name__}")
    if confusion.dim() != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion must be a square 2-D tensor, got shape {tuple(confusion.shape)}")
    counts = confusion.double()
    totals = counts.sum(dim=1)
    return torch.where(totals > 0, counts.diagonal() / totals.clamp(min=1), torch.full_like(totals, float("nan")))


def misclassified_indices(predictions: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Return the positions (1-D int64 tensor) where the prediction differs from the label."""
    preds, truth = _pair(predictions, labels)
    return (preds != truth).nonzero().flatten()
