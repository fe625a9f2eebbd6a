"""Metrics: per-sample scores averaged over an epoch, and the running mean that averages them."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import fail
from .losses import BinaryCrossentropy, Loss, SparseCategoricalCrossentropy, masked_rows

Metric = Callable[[np.ndarray, np.ndarray], np.ndarray]


def categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """1.0 where argmax t == argmax p, else 0.0. Shapes (n, classes) -> (n,)."""
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """1.0 where label == argmax p. Shapes (n,), (n, classes) -> (n,); over steps (n, steps),
    (n, steps, classes) -> (n, steps)."""
    predicted = y_pred.argmax(axis=-1)
    return (y_true.reshape(predicted.shape) == predicted).astype(np.float32)


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """1.0 per element where t == (p > threshold), else 0.0, as Keras 3 (soft targets never
    match). Shape of y_pred; fit and evaluate average over all elements."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    return (y_true == (y_pred > threshold)).astype(np.float32)


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return np.abs(y_pred - y_true).reshape(len(y_pred), -1).mean(axis=-1)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return ((y_pred - y_true) ** 2).reshape(len(y_pred), -1).mean(axis=-1)


_BY_NAME: dict[str, Metric] = {
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}
_ACCURACY_ALIASES = ("accuracy", "acc")
_MINIMISED = {mean_absolute_error, mean_squared_error}


def direction(name: str) -> str | None:
    """"max" or "min": which way a metric of this name improves (None for an unknown name)."""
    if name in _ACCURACY_ALIASES:
        return "max"
    metric = _BY_NAME.get(name)
    if metric is None:
        return None
    return "min" if metric in _MINIMISED else "max"


def get(identifier: str, loss: Loss) -> Metric:
    """A metric by Keras name; "accuracy"/"acc" picks the variant that fits `loss`, as Keras."""
    if identifier in _ACCURACY_ALIASES:
        if isinstance(loss, SparseCategoricalCrossentropy):
            return sparse_categorical_accuracy
        if isinstance(loss, BinaryCrossentropy):
            return binary_accuracy
        return categorical_accuracy
    if not isinstance(identifier, str) or identifier not in _BY_NAME:
        fail("metrics", f"a list of names from {sorted([*_ACCURACY_ALIASES, *_BY_NAME])}",
             identifier)
    return _BY_NAME[identifier]


def masked_mean(metric: Metric, y_true: np.ndarray, y_pred: np.ndarray,
                mask: np.ndarray) -> tuple[float, int]:
    """A metric of an output with a mask (batch, steps), as Keras reduces it: the mean of its
    per-step values over the real steps -> (that mean, 0.0 when no step is real; the number
    of real steps, the batch's weight in the epoch's mean)."""
    targets, rows, weights = masked_rows(y_true, y_pred, mask, None)
    values = np.asarray(metric(targets, rows)).reshape(len(rows), -1).mean(axis=1)
    real = int(np.count_nonzero(weights))
    return (float(np.dot(values, weights > 0)) / real if real else 0.0), real


class Mean:
    """Weighted running mean: update(value, weight); result() = Σ w·v / Σ w."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update(self, value: float, weight: float = 1.0) -> None:
        self.total += float(value) * weight
        self.count += weight

    def result(self) -> float:
        return self.total / self.count if self.count else float("nan")
