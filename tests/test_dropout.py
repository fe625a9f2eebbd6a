"""Dropout: inverted scaling, identity at inference, the mask reused by backward, seeding."""

import numpy as np
import pytest

from numnet import layers


def built(rate, seed=0):
    layer = layers.Dropout(rate, seed=seed)
    layer.build((None, 1000), np.random.default_rng(0))
    return layer


def test_identity_at_inference():
    x = np.random.default_rng(0).random((4, 1000), dtype=np.float32)
    assert built(0.5).forward(x, training=False) is x


def test_inverted_scaling_keeps_the_expectation():
    layer = built(0.4)
    y = layer.forward(np.ones((200, 1000), np.float32), training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.6, abs=0.01)
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=0.02)


def test_backward_uses_the_forward_mask():
    layer = built(0.5)
    y = layer.forward(np.ones((8, 1000), np.float32), training=True)
    dx = layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(dx, y)  # same units dropped, same scale


def test_same_seed_same_masks_and_new_mask_each_step():
    a, b = built(0.5, seed=5), built(0.5, seed=5)
    x = np.ones((2, 1000), np.float32)
    first = a.forward(x, training=True)
    np.testing.assert_array_equal(first, b.forward(x, training=True))
    assert not np.array_equal(first, a.forward(x, training=True))


def test_rate_zero_is_identity_in_training_too():
    layer = built(0.0)
    x = np.ones((2, 1000), np.float32)
    np.testing.assert_array_equal(layer.forward(x, training=True), x)
    np.testing.assert_array_equal(layer.backward(x), x)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_rate_outside_zero_one_is_rejected(rate):
    with pytest.raises(ValueError, match=rf"rate must be a float in \[0, 1\)\. Received: rate={rate}"):
        layers.Dropout(rate)
