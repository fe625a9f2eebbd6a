"""Dropout: inverted scaling, identity at inference, the mask reused by backward, seeding."""

import numpy as np
import pytest

from numnet import layers
from numnet.ops import NumpyOps
from numnet.ops.numba_ops import NumbaOps


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


def test_noise_shape_drops_whole_slices_and_needs_a_shape_that_broadcasts():
    layer = layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=0)
    layer.build((None, 3, 4), np.random.default_rng(0))
    y = layer.forward(np.ones((50, 3, 4), np.float32), training=True)
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert (y == y[:, :1, :]).all()  # the same mask along the axis of size 1
    assert 0.35 < (y == 0).mean() < 0.65
    with pytest.raises(ValueError, match=r"noise_shape must be a shape that broadcasts to the inputs \(None, 3, 4\)"):
        layers.Dropout(0.5, noise_shape=(None, 2, 4)).build((None, 3, 4), np.random.default_rng(0))


def test_gaussian_noise_adds_zero_mean_noise_when_training_only():
    layer = layers.GaussianNoise(0.5, seed=1)
    x = np.zeros((200, 50), np.float32)
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32 and abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01
    assert layer.forward(x) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_a_model_with_channel_dropout_and_reshape_trains_on_either_backend():
    import numnet

    g = np.random.default_rng(0)
    x = g.standard_normal((32, 12)).astype(np.float32)
    y = numnet.utils.to_categorical((x[:, 0] > 0).astype(int), 2)
    for backend in ("numpy", "numba"):
        numnet.config.set_backend(backend)
        model = numnet.Sequential([layers.Input(shape=(12,)), layers.Reshape((3, 4)),
                                   layers.Dropout(0.3, noise_shape=(None, 1, 4)),
                                   layers.GaussianNoise(0.1), layers.Flatten(),
                                   layers.Dense(2, activation="softmax")])
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        assert np.isfinite(history.history["loss"]).all()
        assert model.output_shape == (None, 2)
    with pytest.raises(ValueError, match=r"target_shape must be a shape of 12 values to fit inputs \(None, 12\)"):
        numnet.Sequential([layers.Input(shape=(12,)), layers.Reshape((5, 2))])


def lowbias32(x: int) -> int:
    """The hash as published (Wellons, "lowbias32"), on Python ints."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


@pytest.mark.parametrize("ops", [NumpyOps(), NumbaOps()], ids=["numpy", "numba"])
def test_mask_bits_are_the_documented_hash_of_key_and_index(ops):
    key = 0x0123456789ABCDEF
    k0, k1 = key & 0xFFFFFFFF, key >> 32
    expected = [lowbias32(lowbias32((i + k0) & 0xFFFFFFFF) ^ k1) for i in range(1000)]
    np.testing.assert_array_equal(NumpyOps().dropout_bits(key, 1000), expected)
    threshold = NumpyOps.dropout_threshold(0.3)
    mask = ops.dropout_forward(np.ones(1000, np.float32), key, 0.3)[1]
    np.testing.assert_array_equal(mask != 0, np.array(expected) >= threshold)


def test_masks_are_balanced_and_unrelated_across_keys_and_neighbours():
    bits = NumpyOps().dropout_bits(7, 1 << 20)
    keep = bits >= NumpyOps.dropout_threshold(0.4)
    assert keep.mean() == pytest.approx(0.6, abs=0.002)
    # a neighbour's fate says nothing about a unit's: P(both kept) = 0.36
    assert (keep[1:] & keep[:-1]).mean() == pytest.approx(0.36, abs=0.003)
    other = NumpyOps().dropout_bits(8, 1 << 20) >= NumpyOps.dropout_threshold(0.4)
    assert (keep & other).mean() == pytest.approx(0.36, abs=0.003)
    for bit in range(32):  # every bit is a fair coin
        assert ((bits >> np.uint32(bit)) & 1).mean() == pytest.approx(0.5, abs=0.003)
