"""Losses: hand-computed values, finite-difference gradients, and fused == unfused."""

import numpy as np
import pytest

import numnet
from numnet import layers, losses
from numnet.ops import NumpyOps

from gradcheck import gradients, numerical_gradient, relative_error


def test_categorical_crossentropy_hand_computed():
    t = np.array([[0, 1, 0], [1, 0, 0]], dtype=np.float32)
    p = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype=np.float32)
    expected = (-np.log(0.7) - np.log(0.5)) / 2  # 0.5249...
    assert losses.CategoricalCrossentropy()(t, p) == pytest.approx(expected, rel=1e-6)


def test_categorical_crossentropy_renormalises_and_clips_like_keras():
    t = np.array([[0, 1, 0]], dtype=np.float32)
    # unnormalised: p / Σp = [0.2, 0.7, 0.1]
    assert losses.CategoricalCrossentropy()(t, np.array([[0.4, 1.4, 0.2]], np.float32)) == \
        pytest.approx(-np.log(0.7), rel=1e-6)
    # a zero probability for the true class is clipped to 1e-7: loss = -log(1e-7) = 16.118
    assert losses.CategoricalCrossentropy()(t, np.array([[1.0, 0.0, 0.0]], np.float32)) == \
        pytest.approx(-np.log(1e-7), rel=1e-5)


def test_sparse_equals_categorical_on_the_same_labels(rng):
    p = numnet.ops.get_ops("numpy").softmax(rng.standard_normal((6, 4)))
    labels = np.array([0, 3, 1, 1, 2, 0])
    onehot = numnet.utils.to_categorical(labels, 4).astype(np.float64)
    sparse, dense = losses.SparseCategoricalCrossentropy(), losses.CategoricalCrossentropy()
    assert sparse(labels, p) == pytest.approx(dense(onehot, p))
    np.testing.assert_allclose(sparse.gradient(labels, p), dense.gradient(onehot, p))


def test_mean_squared_error_hand_computed():
    t = np.array([[1.0, 2.0], [0.0, 0.0]])
    p = np.array([[1.5, 2.0], [1.0, -1.0]])
    # per sample: (0.25 + 0)/2 = 0.125 and (1 + 1)/2 = 1.0; mean 0.5625
    assert losses.MeanSquaredError()(t, p) == pytest.approx(0.5625)


def test_binary_crossentropy_hand_computed():
    t = np.array([[1.0], [0.0]])
    p = np.array([[0.8], [0.4]])
    assert losses.BinaryCrossentropy()(t, p) == pytest.approx((-np.log(0.8) - np.log(0.6)) / 2)


def targets_and_predictions(name, rng):
    p = rng.uniform(0.05, 0.95, size=(4, 3))
    if name == "sparse_categorical_crossentropy":
        return np.array([0, 2, 1, 2]), p
    if name == "mean_squared_error":
        return rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    if name == "binary_crossentropy":
        return rng.integers(0, 2, size=(4, 3)).astype(float), p
    return numnet.utils.to_categorical([0, 2, 1, 2], 3).astype(float), p


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "mean_squared_error", "binary_crossentropy"])
def test_gradient_matches_finite_differences(name, rng):
    loss = losses.get(name)
    t, p = targets_and_predictions(name, rng)
    assert relative_error(loss.gradient(t, p), numerical_gradient(lambda: loss(t, p), p)) < 1e-6


def test_from_logits_gradient_matches_finite_differences(rng):
    loss = losses.CategoricalCrossentropy(from_logits=True)
    t = numnet.utils.to_categorical([0, 2, 1], 3).astype(float)
    z = rng.standard_normal((3, 3)) * 3
    assert relative_error(loss.gradient(t, z), numerical_gradient(lambda: loss(t, z), z)) < 1e-6
    p = NumpyOps().softmax(z)
    assert loss(t, z) == pytest.approx(losses.CategoricalCrossentropy()(t, p))


def test_fused_softmax_crossentropy_equals_softmax_backward_of_loss_gradient(rng):
    ops = NumpyOps()
    p = ops.softmax(rng.standard_normal((8, 10)))
    t = numnet.utils.to_categorical(rng.integers(0, 10, 8), 10).astype(float)
    unfused = ops.softmax_backward(ops.categorical_crossentropy_grad(t, p, 1e-7), p)
    fused = ops.softmax_crossentropy_grad(t, p)
    np.testing.assert_allclose(fused, unfused, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
def test_model_fused_path_equals_unfused_path(loss, rng, monkeypatch):
    x = rng.standard_normal((16, 5)).astype(np.float32)
    labels = rng.integers(0, 3, 16)
    y = labels if loss.startswith("sparse") else numnet.utils.to_categorical(labels, 3)
    model = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(5,)),
                               layers.Dense(3, activation="softmax")])
    model.compile(loss=loss, optimizer="sgd")
    softmax = model.layers[-1].output_activation()
    assert model.loss.logits_gradient(model.loss.prepare_targets(y, (None, 3), "float32"),
                                      softmax.forward(x[:, :3]), softmax) is not None
    model.compute_gradients(x, y)
    fused = [g.copy() for g in gradients(model)]
    monkeypatch.setattr(type(model.loss), "logits_gradient", lambda *args: None)
    model.compute_gradients(x, y)
    for a, b in zip(fused, gradients(model)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_unknown_loss_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"loss must be one of \[.*'categorical_crossentropy'.*\]"
                                         r" or a numnet\.losses\.Loss\. Received: loss='crossentropy'"):
        losses.get("crossentropy")
