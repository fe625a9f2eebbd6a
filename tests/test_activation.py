"""Activations: values, numerical safety, names."""

import numpy as np
import pytest

from numnet import layers
from numnet.ops import NumpyOps


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    y = NumpyOps().softmax(np.array([[1e4, 0, -1e4], [0, 0, 0]], dtype=np.float32))
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(y[1], 1 / 3, rtol=1e-6)
    assert y.dtype == np.float32


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        y = NumpyOps().sigmoid(np.array([-1e4, 0, 1e4], dtype=np.float32))
    np.testing.assert_allclose(y, [0, 0.5, 1])


def test_relu_values():
    np.testing.assert_array_equal(layers.ReLU().forward(np.array([[-1.0, 0.0, 2.0]])),
                                  [[0, 0, 2]])


@pytest.mark.parametrize("name", ["relu", "softmax", "sigmoid", "tanh", "linear"])
def test_activation_by_name(name):
    layer = layers.Activation(name)
    x = np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3)
    assert layer.forward(x).shape == (2, 3)
    assert layer.get_config()["activation"] == name


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"activation must be one of \['elu', 'gelu', "
                                         r"'leaky_relu', 'linear', 'relu', 'selu', 'sigmoid', "
                                         r"'silu', 'softmax', 'softplus', 'swish', 'tanh'\], "
                                         r"None or an activation layer\. Received: "
                                         r"activation='mish'"):
        layers.Dense(4, activation="mish")
