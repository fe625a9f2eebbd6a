"""Convolutional networks: a small convnet learns MNIST in one short run on either backend,
shapes and errors follow Keras, and the convolution equals a direct sum over the kernel."""

import re

import numpy as np
import pytest

import numnet
from numnet import layers


def test_the_convolution_is_the_direct_sum_over_its_kernel(rng):
    """y[n, r, c, o] = Σ_{i,j,k} x[n, r·s + i·d, c·s + j·d, k] · W[i, j, k, o] + b[o]."""
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float64)
    layer = layers.Conv2D(4, (3, 2), strides=2, dilation_rate=1, dtype="float64")
    layer.build((None, 7, 6, 3), rng)
    y = layer.forward(x)
    w, b = layer.params["kernel"], layer.params["bias"]
    direct = np.zeros_like(y)
    for r in range(y.shape[1]):
        for c in range(y.shape[2]):
            window = x[:, 2 * r:2 * r + 3, 2 * c:2 * c + 2, :]
            direct[:, r, c, :] = np.einsum("nijk,ijko->no", window, w) + b
    np.testing.assert_allclose(y, direct, rtol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_small_convnet_learns_mnist_in_two_short_epochs(mnist, backend):
    """3,000 training images, 2 epochs (~1 s): at least 0.8 on 1,000 test images. A model at
    chance scores 0.1, and this one measured 0.87 (seed 0)."""
    numnet.config.set_backend(backend)
    numnet.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist
    model = numnet.Sequential([
        layers.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    model.fit(x_train[:3000].reshape(-1, 28, 28, 1), y_train[:3000], epochs=2, batch_size=64,
              verbose=0)
    _, accuracy = model.evaluate(x_test[:1000].reshape(-1, 28, 28, 1), y_test[:1000], verbose=0)
    assert accuracy >= 0.8
    conv, pool = (layer.name for layer in model.layers[:2])  # Keras's names
    assert re.fullmatch(r"conv2d(_\d+)?", conv) and re.fullmatch(r"max_pooling2d(_\d+)?", pool)


@pytest.mark.parametrize("make, shape, message", [
    (lambda: layers.Conv2D(4, 3), (None, 28, 28), r"input_shape must be \(batch, rows, cols, channels\) for Conv2D, channels last \(for MNIST-like \(n, 28, 28\) images: x\.reshape\(-1, 28, 28, 1\)\)"),
    (lambda: layers.Conv2D(4, 5), (None, 3, 3, 1), r"kernel_size must be at most the \(padded\) input \(3, 3\)"),
    (lambda: layers.MaxPooling2D(4), (None, 3, 3, 1), r"pool_size must be at most the \(padded\) input \(3, 3\)"),
])
def test_bad_image_shapes_are_named(make, shape, message, rng):
    with pytest.raises(ValueError, match=message):
        make().build(shape, rng)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Conv2D(0, 3), r"filters must be a positive integer\. Received: filters=0"),
    (lambda: layers.Conv2D(2, (3, 0)), r"kernel_size must be a positive integer\. Received: kernel_size=0"),
    (lambda: layers.Conv2D(2, 3, strides=-1), r"strides must be a positive integer\. Received: strides=-1"),
    (lambda: layers.Conv2D(2, 3, padding="full"), r"padding must be 'valid' or 'same'\. Received: padding='full'"),
    (lambda: layers.MaxPooling2D((2, 2, 2)), r"pool_size must be a positive integer or a pair of them"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_batch_normalization_keeps_moving_statistics_saved_and_counted(rng, tmp_path):
    """gamma and beta train; moving_mean and moving_variance follow the batches, are saved
    with the model and counted as Keras counts them (non-trainable)."""
    model = numnet.Sequential([layers.Input(shape=(4, 4, 3)), layers.BatchNormalization(),
                               layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    x = (3 + 2 * rng.standard_normal((32, 4, 4, 3))).astype(np.float32)
    model.fit(x, rng.integers(0, 2, 32), batch_size=32, epochs=1, verbose=0)
    bn = model.layers[0]
    np.testing.assert_allclose(bn.state["moving_mean"], 0.01 * x.mean(axis=(0, 1, 2)), rtol=1e-5)
    assert [w.shape for w in bn.get_weights()] == [(3,)] * 4
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 110" in lines and "Non-trainable params: 6" in lines
    model.save(tmp_path / "bn.numnet")
    loaded = numnet.load_model(tmp_path / "bn.numnet")
    np.testing.assert_array_equal(loaded.layers[0].state["moving_variance"],
                                  bn.state["moving_variance"])
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_frozen_batch_normalization_uses_its_moving_statistics_in_fit(rng):
    layer = layers.BatchNormalization(trainable=False, dtype="float64")
    layer.build((None, 5), rng)
    x = rng.standard_normal((8, 5)) * 3 + 1
    np.testing.assert_array_equal(layer.forward(x, training=True), layer.forward(x))
    assert not layer.state["moving_mean"].any()  # unchanged by a training forward
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), 1 / np.sqrt(1 + 1e-3))


def test_spatial_dropout_drops_whole_feature_maps(rng):
    layer = layers.SpatialDropout2D(0.5, seed=1)
    layer.build((None, 6, 5, 8), rng)
    y = layer.forward(np.ones((4, 6, 5, 8), np.float32), training=True)
    per_map = y.reshape(4, 30, 8)
    assert (per_map == per_map[:, :1, :]).all()  # one value per (image, channel) map
    assert set(np.unique(per_map)) == {0.0, 2.0}


@pytest.mark.parametrize("make, shape, message", [
    (lambda: layers.BatchNormalization(axis=1), (None, 4, 4, 2), r"axis must be -1 \(the last axis"),
    (lambda: layers.SpatialDropout2D(0.2), (None, 8), r"input_shape must be \(batch, rows, cols, channels\) for SpatialDropout2D"),
])
def test_normalization_and_spatial_dropout_name_bad_shapes(make, shape, message, rng):
    with pytest.raises(ValueError, match=message):
        make().build(shape, rng)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_an_inference_call_between_forward_and_backward_leaves_the_gradients_alone(backend, rng):
    """Conv2D reuses its im2col buffers from call to call: a prediction made between a
    training forward and its backward (a callback, say) must not change the gradients."""
    numnet.config.set_backend(backend)
    layer = layers.Conv2D(8, 3, padding="same", activation="relu")
    layer.build((None, 7, 6, 9), rng)
    x, other = rng.standard_normal((2, 4, 7, 6, 9)).astype(np.float32)
    dy = rng.standard_normal((4, 7, 6, 8)).astype(np.float32)
    layer.forward(x, training=True)
    dx = layer.backward(dy)
    expected = {key: g.copy() for key, g in layer.grads.items()}
    layer.forward(x, training=True)
    layer.forward(other)  # inference, in between
    np.testing.assert_array_equal(layer.backward(dy), dx)
    for key, grad in expected.items():
        np.testing.assert_array_equal(layer.grads[key], grad)
