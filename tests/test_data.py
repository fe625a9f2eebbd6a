"""to_categorical, validation splits and array batching."""

import numpy as np
import pytest

import numnet
from numnet.data import ArrayBatches, split_validation


def test_to_categorical_is_float32_one_hot():
    out = numnet.utils.to_categorical([2, 0, 1], 3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_to_categorical_infers_classes_and_accepts_column_vectors():
    assert numnet.utils.to_categorical(np.array([[0], [4]])).shape == (2, 5)


@pytest.mark.parametrize("labels, message", [
    ([0, 3], r"y must hold class labels in \[0, 2\] for num_classes=3\. Received: y with maximum 3"),
    ([-1, 0], r"y must hold non-negative class labels\. Received: y with minimum -1"),
    ([0.5, 1], r"y must be an array of integer class labels\. Received: y=array of shape \(2,\)"),
])
def test_to_categorical_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        numnet.utils.to_categorical(labels, 3)


def test_split_validation_takes_the_last_fraction():
    x, y = np.arange(10)[:, None], np.arange(10)
    (xt, yt), (xv, yv) = split_validation(x, y, 0.2)
    np.testing.assert_array_equal(yv, [8, 9])
    np.testing.assert_array_equal(yt, np.arange(8))


def test_array_batches_cover_every_row_once_per_epoch_and_reshuffle():
    x = np.arange(10)[:, None]
    batches = ArrayBatches(x, x[:, 0], batch_size=4, shuffle=True, rng=np.random.default_rng(0))
    assert len(batches) == 3
    epochs = [np.concatenate([yb for _, yb in batches.epoch(e)]) for e in range(2)]
    for rows in epochs:
        np.testing.assert_array_equal(np.sort(rows), np.arange(10))
    assert [len(xb) for xb, _ in batches.epoch(2)] == [4, 4, 2]
    assert not np.array_equal(epochs[0], epochs[1])
