"""helpers.metrics against hand-computed values, for any batch size (1, a non-divisor, the whole set)."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.metrics import accuracy, confusion_matrix, misclassified_indices, per_class_accuracy

# Ten images, three classes, worked out by hand:
LABELS = torch.tensor([0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
PREDS = torch.tensor([0, 1, 0, 1, 1, 2, 1, 2, 0, 2])
CONFUSION = torch.tensor([[2, 1, 0], [0, 3, 1], [1, 0, 2]])  # row = true, column = predicted
PER_CLASS = torch.tensor([2 / 3, 3 / 4, 2 / 3], dtype=torch.float64)


def test_accuracy_by_hand():
    assert accuracy(PREDS, LABELS) == pytest.approx(0.7)
    assert accuracy(torch.tensor([3]), torch.tensor([3])) == 1.0
    assert accuracy(torch.tensor([3]), torch.tensor([2])) == 0.0


def test_confusion_matrix_by_hand():
    assert torch.equal(confusion_matrix(predictions=PREDS, labels=LABELS, num_classes=3), CONFUSION)
    assert torch.equal(confusion_matrix(labels=LABELS, num_classes=3, predictions=PREDS), CONFUSION)  # any order
    assert confusion_matrix(predictions=PREDS, labels=LABELS, num_classes=3).sum() == 10
    one = confusion_matrix(predictions=torch.tensor([1]), labels=torch.tensor([0]), num_classes=2)
    assert torch.equal(one, torch.tensor([[0, 1], [0, 0]]))


def test_confusion_matrix_matches_scikit_learn():
    """scikit-learn's confusion_matrix(y_true, y_pred) is the reference: rows are true classes there too."""
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    g = torch.Generator().manual_seed(0)
    labels, predictions = torch.randint(0, 5, (200,), generator=g), torch.randint(0, 5, (200,), generator=g)
    ours = confusion_matrix(predictions=predictions, labels=labels, num_classes=5)
    theirs = sklearn_metrics.confusion_matrix(labels.numpy(), predictions.numpy(), labels=list(range(5)))
    assert ours.tolist() == theirs.tolist() and not torch.equal(ours, ours.T)


@pytest.mark.parametrize("call", [
    lambda: confusion_matrix(LABELS, PREDS, 3),  # scikit-learn's order: would be the transposed matrix
    lambda: confusion_matrix(PREDS, LABELS, 3),
    lambda: confusion_matrix(PREDS, LABELS, num_classes=3),
    lambda: confusion_matrix(PREDS, labels=LABELS, num_classes=3),
])
def test_confusion_matrix_refuses_tensors_by_position(call):
    with pytest.raises(TypeError, match=r"by name.*scikit-learn.*predictions=\.\.\., labels=\.\.\., num_classes="):
        call()


@pytest.mark.parametrize(("kwargs", "missing"), [
    ({"predictions": PREDS, "labels": LABELS}, "num_classes"),
    ({"predictions": PREDS, "num_classes": 3}, "labels"),
    ({}, "predictions, labels, num_classes"),
])
def test_confusion_matrix_names_a_missing_argument(kwargs, missing):
    with pytest.raises(TypeError, match=f"missing: {missing}$"):
        confusion_matrix(**kwargs)


def test_per_class_accuracy_by_hand():
    assert torch.allclose(per_class_accuracy(CONFUSION), PER_CLASS)
    with_empty = per_class_accuracy(torch.tensor([[1, 1], [0, 0]]))
    assert with_empty[0] == 0.5 and math.isnan(with_empty[1])


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10])
def test_counts_added_over_batches_match_the_whole_set(batch_size):
    correct, total = torch.zeros(3, dtype=torch.long), torch.zeros(3, dtype=torch.long)
    confusion = torch.zeros(3, 3, dtype=torch.long)
    hits, seen = 0.0, 0
    for start in range(0, 10, batch_size):
        p, t = PREDS[start : start + batch_size], LABELS[start : start + batch_size]
        batch_confusion = confusion_matrix(predictions=p, labels=t, num_classes=3)
        correct += batch_confusion.diagonal()
        total += batch_confusion.sum(dim=1)
        confusion += batch_confusion
        hits += accuracy(p, t) * len(t)
        seen += len(t)
    assert correct.tolist() == [2, 3, 2] and total.tolist() == [3, 4, 3]
    assert torch.equal(confusion, CONFUSION)
    assert hits / seen == pytest.approx(0.7)
    assert torch.allclose(correct.double() / total.double(), PER_CLASS)
    assert torch.allclose(per_class_accuracy(confusion), PER_CLASS)


def test_misclassified_indices_by_hand():
    assert misclassified_indices(PREDS, LABELS).tolist() == [1, 5, 8]
    assert misclassified_indices(LABELS, LABELS).tolist() == []


def test_metrics_accept_tensors_on_any_device_and_dtype():
    assert accuracy(PREDS.int(), LABELS) == pytest.approx(0.7)
    assert misclassified_indices(PREDS.to(torch.int32), LABELS).dtype == torch.int64


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: accuracy([0, 1], LABELS), TypeError, "predictions must be a 1-D tensor"),
        (lambda: accuracy(PREDS.float(), LABELS), TypeError, "integer class indices"),
        (lambda: accuracy(torch.zeros(10, 3), LABELS), ValueError, "argmax"),
        (lambda: accuracy(PREDS[:4], LABELS), ValueError, "same length"),
        (lambda: accuracy(torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long)), ValueError, "at least one"),
        (lambda: confusion_matrix(predictions=PREDS, labels=LABELS, num_classes=0), ValueError,
         "num_classes must be a positive int"),
        (lambda: confusion_matrix(predictions=PREDS, labels=LABELS, num_classes=2), ValueError, r"must lie in \[0, 1\]"),
        (lambda: per_class_accuracy(torch.zeros(2, 3)), ValueError, "square"),
        (lambda: per_class_accuracy([[1]]), TypeError, "square 2-D tensor"),
        (lambda: confusion_matrix(predictions=PREDS, labels=LABELS, num_classes=True), ValueError, "num_classes"),
        (lambda: misclassified_indices(PREDS, LABELS[:3]), ValueError, "same length"),
        (lambda: misclassified_indices(PREDS, "labels"), TypeError, "labels must be a 1-D tensor"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
