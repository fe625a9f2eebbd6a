"""Fused blocks equal the layer-by-layer definition: same loss, probabilities and gradients,
and the same weights after training steps, on both backends' block ops."""

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.fusion import FusedStack
from numnet.ops import NumpyOps
from numnet.ops.numba_ops import NumbaOps

from gradcheck import gradients

HEADS = {  # the layers before the first Dense, and the input's per-sample shape
    "none": ([], (30,)),
    "flatten": ([layers.Flatten], (6, 5)),
    "rescaling-flatten": ([lambda: layers.Rescaling(1 / 255, offset=-0.5), layers.Flatten], (6, 5)),
    "flatten-rescaling": ([layers.Flatten, lambda: layers.Rescaling(1 / 255)], (6, 5)),
}


def model_and_data(loss="categorical_crossentropy", head="none", dtype="float32", seed=3):
    """A model with two Dense+Dropout blocks; with a Rescaling head, x holds uint8 pixels."""
    numnet.set_random_seed(seed)
    g = np.random.default_rng(seed)
    makers, shape = HEADS[head]
    model = numnet.Sequential([layers.Input(shape=shape), *(make() for make in makers),
        layers.Dense(16, activation="relu", dtype=dtype), layers.Dropout(0.4, seed=1, dtype=dtype),
        layers.Dense(12, dtype=dtype), layers.Dropout(0.2, seed=2, dtype=dtype),
        layers.Dense(8, activation="relu", dtype=dtype),
        layers.Dense(4, activation="softmax", dtype=dtype)])
    model.compile(loss=loss, optimizer="rmsprop", metrics=["accuracy"])
    if "rescaling" in head:
        x = g.integers(0, 256, (40, *shape)).astype(np.uint8)
    else:
        x = g.standard_normal((40, *shape)).astype(dtype)
    labels = g.integers(0, 4, 40)
    y = labels if loss.startswith("sparse") else numnet.utils.to_categorical(labels, 4, dtype=dtype)
    return model, x, y


def layer_path(model, x, y):
    """The definition: forward through layers, loss, layer backward."""
    numnet.config.set_backend("numpy")
    loss, p = model.compute_gradients(x, y)
    return loss, p, [g.copy() for g in gradients(model)]


def fused_step(stack, ops, x, y):
    """The fused runner's training forward, loss and backward. -> (loss, p)"""
    loss, (p,), _ = stack.forward_loss(ops, [x], [y], [None])
    stack.backward(ops, [y], [p], [None])
    return loss, p


def reset_dropout(model):
    for layer in model.layers:
        if isinstance(layer, layers.Dropout):
            layer.rng = np.random.default_rng(layer.seed)


@pytest.mark.parametrize("ops", [NumpyOps(), NumbaOps()], ids=["numpy", "numba"])
@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
@pytest.mark.parametrize("head", HEADS)
def test_fused_step_equals_layer_by_layer(ops, loss, head):
    model, x, y = model_and_data(loss, head)
    reset_dropout(model)
    ref_loss, ref_p, ref_grads = layer_path(model, x, y)
    stack = FusedStack.build(model.layers, model.loss)
    reset_dropout(model)
    fused_loss, fused_p = fused_step(stack, ops, x, y)
    assert fused_loss == pytest.approx(ref_loss, rel=1e-6)
    np.testing.assert_allclose(fused_p, ref_p, rtol=1e-5, atol=1e-7)
    for fused, ref in zip(gradients(model), ref_grads):
        np.testing.assert_allclose(fused, ref, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stack.predict(ops, [x])[0], model.predict(x), rtol=1e-5, atol=1e-7)


def test_training_on_either_backend_gives_the_same_model():
    """Same seed, 3 epochs: the Numba backend (fused blocks) and the NumPy reference (layers)
    draw the same dropout masks and end with the same weights, up to float32 rounding."""
    results = {}
    for backend in ("numpy", "numba"):
        numnet.config.set_backend(backend)
        model, x, y = model_and_data()
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        results[backend] = (model.get_weights(), history.history["loss"])
    for a, b in zip(results["numpy"][0], results["numba"][0]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(results["numpy"][1], results["numba"][1], rtol=1e-4)


def test_float64_models_fuse_too():
    model, x, y = model_and_data(dtype="float64")
    reset_dropout(model)
    ref_loss, _, ref_grads = layer_path(model, x, y)
    reset_dropout(model)
    loss, _ = fused_step(FusedStack.build(model.layers, model.loss), NumbaOps(), x, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for fused, ref in zip(gradients(model), ref_grads):
        np.testing.assert_allclose(fused, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stack, loss", [
    ([layers.Dense(3, activation="sigmoid", input_shape=(4,)), layers.Dense(2, activation="softmax")], "categorical_crossentropy"),
    ([layers.Dense(3, input_shape=(4,)), layers.Dense(2)], "mse"),
    ([layers.Dense(2, activation="softmax", input_shape=(4,))], numnet.losses.CategoricalCrossentropy(from_logits=True)),
    ([layers.Dense(3, input_shape=(4,)), layers.ReLU(), layers.Dense(2, activation="softmax")], "categorical_crossentropy"),
    ([layers.Dense(2, activation="softmax", input_shape=(4,)), layers.Dropout(0.1)], "categorical_crossentropy"),
    ([layers.Rescaling(2, input_shape=(4,)), layers.Rescaling(0.5), layers.Dense(2, activation="softmax")],
     "categorical_crossentropy"),
])
def test_stacks_that_do_not_fit_use_the_layer_path(stack, loss):
    model = numnet.Sequential(stack)
    model.compile(loss=loss)
    assert FusedStack.build(model.layers, model.loss) is None
    numnet.config.set_backend("numba")
    g = np.random.default_rng(0)
    x = g.standard_normal((8, 4)).astype("float32")
    y = numnet.utils.to_categorical(g.integers(0, 2, 8), 2)
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"][0])


def test_every_step_scans_the_gradients_before_applying_them(monkeypatch):
    """The fused blocks, the graph runner and a subclass's compute_gradients alike: no
    update is applied before every gradient was seen to be finite."""
    numnet.config.set_backend("numba")
    ops = numnet.ops.get_ops()
    scans = []
    all_finite = ops.all_finite
    monkeypatch.setattr(ops, "all_finite", lambda a: scans.append(a.size) or all_finite(a))
    model, x, y = model_and_data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # 5 steps, after the data checks
    assert scans[:2] == [x.size, y.size] and len(scans) == 2 + 5

    class Custom(numnet.Sequential):
        def compute_gradients(self, x, y, sample_weight=None):
            return super().compute_gradients(x, y, sample_weight)

    custom = Custom(model.layers)
    custom.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    scans.clear()
    custom.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert len(scans) == 2 + 5
