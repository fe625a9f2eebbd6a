"""to_categorical and validation splits."""

import numpy as np
import pytest

import numnet
from numnet.data import split_validation


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
