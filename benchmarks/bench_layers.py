"""Dense(256, relu) and Dropout(0.4): forward + backward at batch 128 x 784, per backend."""

import numpy as np
import pytest

import numnet
from numnet import layers

from harness import measure


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def bench_dense_forward_backward(benchmark, backend):
    benchmark.group = "layer: Dense(256, relu) 128x784"
    numnet.config.set_backend(backend)
    layer = layers.Dense(256, activation="relu")
    layer.build((None, 784), np.random.default_rng(0))
    g = np.random.default_rng(1)
    x = g.random((128, 784), dtype=np.float32)
    dy = g.standard_normal((128, 256)).astype(np.float32)

    def step():
        layer.forward(x, training=True)
        return layer.backward(dy)

    dx = measure(benchmark, step, rounds=200)
    assert dx.shape == (128, 784) and dx.dtype == np.float32
    z = x @ layer.kernel + layer.bias
    np.testing.assert_allclose(layer.grads["bias"], (dy * (z > 0)).sum(axis=0),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def bench_dropout_forward_backward(benchmark, backend):
    benchmark.group = "layer: Dropout(0.4) 128x256"
    numnet.config.set_backend(backend)
    layer = layers.Dropout(0.4, seed=0)
    layer.build((None, 256), np.random.default_rng(0))
    x = np.ones((128, 256), np.float32)

    def step():
        y = layer.forward(x, training=True)
        return y, layer.backward(x)

    y, dx = measure(benchmark, step, rounds=200)
    np.testing.assert_array_equal(y, dx)  # backward applies the forward's mask
    assert abs((y != 0).mean() - 0.6) < 0.02
