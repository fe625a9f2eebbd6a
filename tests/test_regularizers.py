"""Regularizers and constraints: each penalty's gradient against finite differences, the
model's whole gradient with penalties on, the projections, and the names Keras accepts."""

import numpy as np
import pytest

import numnet
from numnet import constraints, layers, regularizers

from gradcheck import gradients, numerical_gradient, parameters, relative_error


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.3), regularizers.L2(0.2),
                                         regularizers.L1L2(0.1, 0.4)], ids=repr)
def test_penalty_gradients_match_finite_differences(regularizer, rng):
    x = rng.standard_normal((4, 3))
    x[np.abs(x) < 0.05] = 0.2  # away from |x|'s kink
    assert relative_error(regularizer.gradient(x),
                          numerical_gradient(lambda: regularizer.penalty(x), x)) < 1e-7


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_the_whole_gradient_with_penalties_matches_finite_differences(rng, backend):
    """float64: loss + kernel, bias and activity penalties; every parameter's gradient."""
    numnet.config.set_backend(backend)
    model = numnet.Sequential([
        layers.Dense(5, activation="tanh", input_shape=(4,), dtype="float64",
                     kernel_regularizer=regularizers.L2(0.05), bias_regularizer="l1",
                     activity_regularizer=regularizers.L1L2(0.01, 0.02)),
        layers.Dense(3, activation="softmax", dtype="float64", kernel_regularizer="l2")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    x = rng.standard_normal((6, 4))
    y = numnet.utils.to_categorical(rng.integers(0, 3, 6), 3).astype(np.float64)
    for layer in model.layers:
        layer.params["bias"][...] = rng.uniform(0.1, 0.5, layer.params["bias"].shape)

    def loss():
        return model.compute_gradients(x, y)[0]

    loss()
    analytic = [g.copy() for g in gradients(model)]
    for param, grad in zip(parameters(model), analytic):
        assert relative_error(grad, numerical_gradient(loss, param)) < 1e-6


def test_constraints_project_as_keras_defines_them():
    w = np.array([[3.0, -0.1], [4.0, 0.2]], np.float32)  # column norms 5 and ~0.224
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w)[:, 0], [1.2, 1.6], rtol=1e-6)
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w)[:, 1], w[:, 1], rtol=1e-5)
    np.testing.assert_array_equal(constraints.NonNeg()(w), np.array([[3, 0], [4, 0.2]], np.float32))
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(w), axis=0), 1, rtol=1e-5)


def test_names_specs_and_bad_values():
    assert isinstance(regularizers.get("l2"), regularizers.L2) and regularizers.get("l2").l2 == 0.01
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.0, "l2": 0.0}  # as Keras
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    dense = layers.Dense(3, kernel_regularizer="l1", kernel_constraint="non_neg")
    clone = layers.Dense.from_config(dense.get_config())
    assert clone.get_config() == dense.get_config()
    with pytest.raises(ValueError, match=r"kernel_regularizer must be one of \['l1', 'l1_l2', 'l2'\]"):
        layers.Dense(3, kernel_regularizer="l3")
    with pytest.raises(ValueError, match=r"l2 must be a non-negative float\. Received: l2=-1"):
        regularizers.L2(-1)
    with pytest.raises(ValueError, match=r"bias_constraint must be one of \['max_norm', 'non_neg', 'unit_norm'\]"):
        layers.Dense(3, bias_constraint="positive")
