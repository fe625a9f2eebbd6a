"""Data helpers for users: one-hot labels, the validation split, and the Sequence base class
(numnet.training.adapters turns every kind of data into batches)."""

from __future__ import annotations

import math

import numpy as np

from ._validation import check_array, check_positive_int, fail


def to_categorical(y: object, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer labels: (n,) -> (n, num_classes), float32 by default.

    Labels must be integers in [0, num_classes). num_classes defaults to max(y) + 1.
    """
    labels = check_array("y", y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        fail("y", "an array of integer class labels", labels)
    if labels.min() < 0:
        raise ValueError(f"y must hold non-negative class labels. Received: y with minimum "
                         f"{labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    num_classes = check_positive_int("num_classes", num_classes)
    if labels.max() >= num_classes:
        raise ValueError(f"y must hold class labels in [0, {num_classes - 1}] for "
                         f"num_classes={num_classes}. Received: y with maximum {labels.max()}")
    out = np.zeros((*labels.shape, num_classes), dtype=dtype)
    np.put_along_axis(out, labels.astype(np.intp)[..., None], 1, axis=-1)
    return out


def take(data, rows):
    """The rows `rows` of an array, or of each array of a list (None stays None)."""
    if data is None:
        return None
    if isinstance(data, list):
        return [take(part, rows) for part in data]
    return data[rows]


def row_count(data) -> int:
    """How many samples an array (or a list of arrays of equal length) holds."""
    return len(data[0]) if isinstance(data, list) else len(data)


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float):
    """Keras's validation_split: floor(n · (1 - fraction)) rows train, the LAST rows validate,
    taken before any shuffling (n=10, 0.25: 7 and 3).

    x and y may also be lists of arrays (a model's several inputs or outputs).
    Returns (x_train, y_train), (x_val, y_val); views, no copies.
    """
    n = row_count(x)
    cut = math.floor(n * (1.0 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(
            f"validation_split={fraction} leaves {cut} training and {n - cut} "
            f"validation rows out of {n}; both must be at least 1"
        )
    head, tail = slice(None, cut), slice(cut, None)
    return (take(x, head), take(y, head)), (take(x, tail), take(y, tail))


class Sequence:
    """An indexed dataset of batches, like Keras's PyDataset/Sequence: subclass it and define

        __len__()           -> number of batches per epoch
        __getitem__(index)  -> (x_batch, y_batch)
        on_epoch_end()      -> optional, called after every epoch (e.g. to reshuffle)

    fit visits the batches in a new random order each epoch when shuffle=True.
    """

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int):
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        pass
