"""The rewrite pass's fused blocks equal the layer-by-layer definition: same loss,
probabilities and gradients, and the same weights after training steps, on both backends'
block ops; in chains and in graphs."""

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.training.rewrite import DenseBlock
from numnet.training.runner import GraphRunner

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


def reset_dropout(model):
    for layer in model.layers:
        if isinstance(layer, layers.Dropout) and layer.seed is not None:
            layer.rng = np.random.default_rng(layer.seed)


def step(model, x, y, fuse):
    """One training forward and backward through the runner, rewritten or not (on the
    current backend's ops). -> (loss, probabilities, gradients, the runner)"""
    reset_dropout(model)
    compiled = model.compiled_outputs
    runner = GraphRunner(model, compiled.losses, compiled.loss_weights, fuse=fuse)
    loss, (p,), _ = runner.forward_loss([x], [y], [None])
    p = p.copy()
    runner.backward([y], [p], [None])
    return loss, p, [g.copy() for g in gradients(model)], runner


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
@pytest.mark.parametrize("head", HEADS)
def test_fused_blocks_equal_the_layers(backend, loss, head):
    model, x, y = model_and_data(loss, head)
    numnet.config.set_backend("numpy")
    ref_loss, ref_p, ref_grads, _ = step(model, x, y, fuse=False)
    numnet.config.set_backend(backend)
    fused_loss, fused_p, fused_grads, runner = step(model, x, y, fuse=True)
    assert [type(c.layer).__name__ for c in runner.calls if isinstance(c.layer, DenseBlock)] \
        == ["DenseBlock"] * 3
    assert fused_loss == pytest.approx(ref_loss, rel=1e-6)
    np.testing.assert_allclose(fused_p, ref_p, rtol=1e-5, atol=1e-7)
    for fused, ref in zip(fused_grads, ref_grads):
        np.testing.assert_allclose(fused, ref, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(runner.predict([x])[0], model.predict(x),
                               rtol=1e-5, atol=1e-7)


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
    numnet.config.set_backend("numpy")
    ref_loss, _, ref_grads, _ = step(model, x, y, fuse=False)
    numnet.config.set_backend("numba")
    loss, _, grads, _ = step(model, x, y, fuse=True)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for fused, ref in zip(grads, ref_grads):
        np.testing.assert_allclose(fused, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stack, loss, blocks", [
    ([layers.Dense(3, activation="sigmoid", input_shape=(4,)), layers.Dense(2, activation="softmax")], "categorical_crossentropy", 0),
    ([layers.Dense(3, input_shape=(4,)), layers.Dense(2)], "mse", 1),
    ([layers.Dense(3, input_shape=(4,), activity_regularizer="l2"), layers.Dropout(0.5), layers.Dense(2)], "mse", 0),
    ([layers.Dense(3, input_shape=(4,)), layers.ReLU(), layers.Dense(2, activation="softmax")], "categorical_crossentropy", 1),
    ([layers.Dense(2, activation="softmax", input_shape=(4,)), layers.Dropout(0.1)], "categorical_crossentropy", 0),
    ([layers.Dense(3, input_shape=(4,)), layers.Dropout(0.3, noise_shape=(None, 1)), layers.Dense(2)], "mse", 1),
])
def test_what_the_rewrite_leaves_to_the_layers(stack, loss, blocks):
    """Only plain ReLU/linear Dense layers become blocks (with the Dropout after them when it
    has no noise_shape); everything else, outputs included, runs as the layers."""
    model = numnet.Sequential(stack)
    model.compile(loss=loss)
    numnet.config.set_backend("numba")
    g = np.random.default_rng(0)
    x = g.standard_normal((8, 4)).astype("float32")
    y = numnet.utils.to_categorical(g.integers(0, 2, 8), 2)
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"][0])
    calls = model._step.runner().calls
    assert sum(isinstance(c.layer, DenseBlock) for c in calls) == blocks
    assert len(calls) == len(stack) - sum(
        isinstance(c.layer, DenseBlock) and c.layer.dropout is not None for c in calls)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_blocks_in_a_graph_equal_the_layers(backend):
    """A residual graph: the block whose output two nodes read, and a Dropout the rewrite
    folds in, give the layers' gradients (Add hands both branches one array; the blocks may
    overwrite the gradient they are given)."""
    numnet.set_random_seed(5)
    x = numnet.Input((6,))
    h = layers.Dense(8, activation="relu")(x)
    r = layers.Dropout(0.3, seed=4)(layers.Dense(8, activation="relu")(h))
    h = layers.Add()([h, r])
    model = numnet.Model(x, layers.Dense(3, activation="softmax")(layers.Dense(5)(h)))
    model.compile(loss="categorical_crossentropy")
    g = np.random.default_rng(1)
    data = g.standard_normal((10, 6)).astype("float32")
    y = numnet.utils.to_categorical(g.integers(0, 3, 10), 3)
    numnet.config.set_backend("numpy")
    ref = step(model, data, y, fuse=False)
    numnet.config.set_backend(backend)
    fused = step(model, data, y, fuse=True)
    assert sum(isinstance(c.layer, DenseBlock) for c in fused[3].calls) == 3
    assert fused[0] == pytest.approx(ref[0], rel=1e-6)
    for a, b in zip(fused[2], ref[2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_every_step_scans_the_gradients_before_applying_them(monkeypatch):
    """Fused blocks, layers and a subclass's compute_gradients alike: no update is applied
    before every gradient was seen to be finite."""
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
