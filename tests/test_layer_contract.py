"""One contract, every layer, on both backends: shapes, dtype, determinism at inference,
config round trip, backward before forward, and a full finite-difference gradient check in
float64."""

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.layers import LAYER_CLASSES
from numnet.ops import get_ops

from gradcheck import numerical_gradient, relative_error

# (factory, input shape without batch, or a list of them for a merge layer); every class in
# LAYER_CLASSES must appear here.
CASES = {
    "Dense": (lambda **kw: layers.Dense(4, **kw), (5,)),
    "Dense-relu": (lambda **kw: layers.Dense(4, activation="relu", **kw), (5,)),
    "Dense-softmax": (lambda **kw: layers.Dense(4, activation="softmax", **kw), (5,)),
    "Dense-nobias-tanh": (lambda **kw: layers.Dense(3, activation="tanh", use_bias=False, **kw), (5,)),
    "Dropout": (lambda **kw: layers.Dropout(0.5, seed=3, **kw), (6,)),
    "Flatten": (lambda **kw: layers.Flatten(**kw), (2, 3)),
    "InputLayer": (lambda **kw: layers.InputLayer(shape=(4,), **kw), (4,)),
    "ReLU": (lambda **kw: layers.ReLU(**kw), (5,)),
    "Softmax": (lambda **kw: layers.Softmax(**kw), (5,)),
    "Sigmoid": (lambda **kw: layers.Sigmoid(**kw), (5,)),
    "Tanh": (lambda **kw: layers.Tanh(**kw), (5,)),
    "Linear": (lambda **kw: layers.Linear(**kw), (5,)),
    "Activation": (lambda **kw: layers.Activation("sigmoid", **kw), (5,)),
    "Rescaling": (lambda **kw: layers.Rescaling(0.5, offset=-1.0, **kw), (2, 3)),
    "ReLU-options": (lambda **kw: layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2, **kw), (6,)),
    "LeakyReLU": (lambda **kw: layers.LeakyReLU(**kw), (5,)),
    "ELU": (lambda **kw: layers.ELU(alpha=0.7, **kw), (5,)),
    "SELU": (lambda **kw: layers.SELU(**kw), (5,)),
    "GELU": (lambda **kw: layers.GELU(**kw), (5,)),
    "Swish": (lambda **kw: layers.Swish(**kw), (5,)),
    "Softplus": (lambda **kw: layers.Softplus(**kw), (5,)),
    "Dense-gelu": (lambda **kw: layers.Dense(3, activation="gelu", **kw), (5,)),
    "Dense-leaky_relu": (lambda **kw: layers.Dense(3, activation="leaky_relu", **kw), (5,)),
    "Dropout-noise_shape": (lambda **kw: layers.Dropout(0.5, noise_shape=(None, 1, 3), seed=4, **kw), (2, 3)),
    "GaussianNoise": (lambda **kw: layers.GaussianNoise(0.3, seed=5, **kw), (6,)),
    "Reshape": (lambda **kw: layers.Reshape((3, -1), **kw), (2, 3)),
    "Conv2D": (lambda **kw: layers.Conv2D(3, 3, **kw), (5, 6, 2)),
    "Conv2D-same-strided-relu": (lambda **kw: layers.Conv2D(4, (3, 2), strides=2, padding="same", activation="relu", **kw), (5, 7, 3)),
    "Conv2D-dilated-nobias": (lambda **kw: layers.Conv2D(2, 2, dilation_rate=2, use_bias=False, **kw), (6, 5, 1)),
    "Conv2D-relu-nobias": (lambda **kw: layers.Conv2D(3, 2, activation="relu", use_bias=False, **kw), (4, 4, 2)),
    "Conv2D-softmax": (lambda **kw: layers.Conv2D(3, 1, activation="softmax", **kw), (3, 3, 2)),
    "MaxPooling2D": (lambda **kw: layers.MaxPooling2D(2, **kw), (5, 4, 3)),
    "MaxPooling2D-same-strided": (lambda **kw: layers.MaxPooling2D(3, strides=2, padding="same", **kw), (5, 6, 2)),
    "AveragePooling2D": (lambda **kw: layers.AveragePooling2D((2, 3), **kw), (4, 6, 2)),
    "AveragePooling2D-same": (lambda **kw: layers.AveragePooling2D(3, strides=2, padding="same", **kw), (5, 5, 2)),
    "GlobalAveragePooling2D": (lambda **kw: layers.GlobalAveragePooling2D(**kw), (3, 4, 2)),
    "GlobalMaxPooling2D": (lambda **kw: layers.GlobalMaxPooling2D(**kw), (3, 4, 2)),
    "SpatialDropout2D": (lambda **kw: layers.SpatialDropout2D(0.5, seed=6, **kw), (3, 4, 5)),
    "BatchNormalization": (lambda **kw: layers.BatchNormalization(**kw), (3, 4, 2)),
    "Normalization": (lambda **kw: layers.Normalization(mean=[1.0, -2.0], variance=[4.0, 0.5], **kw), (3, 2)),
    "Normalization-invert-axis": (lambda **kw: layers.Normalization(axis=(1, 2), mean=0.5, variance=2.0, invert=True, **kw), (3, 2)),
    "BatchNormalization-dense-noscale": (lambda **kw: layers.BatchNormalization(scale=False, momentum=0.5, **kw), (5,)),
    "BatchNormalization-nocenter": (lambda **kw: layers.BatchNormalization(center=False, epsilon=0.1, **kw), (2, 3, 4)),
    "Add": (lambda **kw: layers.Add(**kw), [(4,), (4,), (4,)]),
    "Add-broadcast": (lambda **kw: layers.Add(**kw), [(3, 4), (1, 4)]),
    "Subtract": (lambda **kw: layers.Subtract(**kw), [(2, 3), (2, 3)]),
    "Multiply": (lambda **kw: layers.Multiply(**kw), [(4,), (4,), (4,)]),
    "Multiply-broadcast": (lambda **kw: layers.Multiply(**kw), [(3, 1), (3, 4)]),
    "Average": (lambda **kw: layers.Average(**kw), [(5,), (5,)]),
    "Maximum": (lambda **kw: layers.Maximum(**kw), [(5,), (5,), (5,)]),
    "Minimum": (lambda **kw: layers.Minimum(**kw), [(2, 3), (2, 3)]),
    "Concatenate": (lambda **kw: layers.Concatenate(**kw), [(3,), (5,)]),
    "Concatenate-axis1": (lambda **kw: layers.Concatenate(axis=1, **kw), [(2, 3), (4, 3)]),
    "Dot": (lambda **kw: layers.Dot(axes=1, **kw), [(5,), (5,)]),
    "Dot-normalize": (lambda **kw: layers.Dot(axes=-1, normalize=True, **kw), [(3, 4), (2, 4)]),
    "Dot-axes-pair": (lambda **kw: layers.Dot(axes=(1, 2), **kw), [(3, 5), (2, 3)]),
    "GlobalAveragePooling1D": (lambda **kw: layers.GlobalAveragePooling1D(**kw), (4, 3)),
    "GlobalMaxPooling1D": (lambda **kw: layers.GlobalMaxPooling1D(**kw), (5, 2)),
    "SimpleRNN": (lambda **kw: layers.SimpleRNN(3, **kw), (4, 2)),
    "SimpleRNN-sequences-backwards-relu": (lambda **kw: layers.SimpleRNN(2, activation="relu", return_sequences=True, go_backwards=True, **kw), (3, 2)),
    "LSTM": (lambda **kw: layers.LSTM(3, **kw), (4, 2)),
    "LSTM-sequences-nobias": (lambda **kw: layers.LSTM(2, return_sequences=True, use_bias=False, unit_forget_bias=False, **kw), (3, 3)),
    "LSTM-backwards-l2": (lambda **kw: layers.LSTM(2, go_backwards=True, recurrent_regularizer="l2", **kw), (3, 2)),
    "GRU": (lambda **kw: layers.GRU(3, **kw), (4, 2)),
    "GRU-reset_before-sequences": (lambda **kw: layers.GRU(2, reset_after=False, return_sequences=True, **kw), (3, 2)),
    "GRU-nobias-backwards": (lambda **kw: layers.GRU(2, use_bias=False, go_backwards=True, **kw), (3, 2)),
    "RepeatVector": (lambda **kw: layers.RepeatVector(3, **kw), (4,)),
    "Masking": (lambda **kw: layers.Masking(**kw), (4, 3)),
    "Bidirectional": (lambda **kw: layers.Bidirectional(layers.LSTM(2, return_sequences=True), **kw), (4, 3)),
    "Bidirectional-gru-mul": (lambda **kw: layers.Bidirectional(layers.GRU(2), merge_mode="mul", **kw), (4, 3)),
    "TimeDistributed": (lambda **kw: layers.TimeDistributed(layers.Dense(3, activation="tanh", dtype=kw.get("dtype")), **kw), (4, 2)),
    "TimeDistributed-conv": (lambda **kw: layers.TimeDistributed(layers.Conv2D(2, 2, dtype=kw.get("dtype")), **kw), (2, 3, 3, 1)),
    "LSTM-dropout": (lambda **kw: layers.LSTM(3, dropout=0.3, recurrent_dropout=0.4, return_sequences=True, seed=3, **kw), (4, 2)),
    "GRU-dropout": (lambda **kw: layers.GRU(2, dropout=0.5, recurrent_dropout=0.3, seed=4, **kw), (4, 3)),
    "GRU-reset-before-dropout": (lambda **kw: layers.GRU(2, reset_after=False, dropout=0.2, recurrent_dropout=0.5, seed=5, **kw), (4, 3)),
    "SimpleRNN-dropout": (lambda **kw: layers.SimpleRNN(3, dropout=0.4, recurrent_dropout=0.4, seed=6, **kw), (4, 2)),
    "Conv2DTranspose": (lambda **kw: layers.Conv2DTranspose(2, 3, strides=2, padding="same", activation="relu", **kw), (3, 2, 2)),
    "Conv2DTranspose-valid-tanh": (lambda **kw: layers.Conv2DTranspose(3, (2, 3), strides=(2, 1), activation="tanh", **kw), (2, 3, 1)),
    "Conv1D": (lambda **kw: layers.Conv1D(3, 2, **kw), (5, 2)),
    "Conv1D-causal-dilated-tanh": (lambda **kw: layers.Conv1D(2, 2, padding="causal", dilation_rate=2, activation="tanh", **kw), (5, 2)),
    "Conv1D-same-strided-relu": (lambda **kw: layers.Conv1D(2, 3, strides=2, padding="same", activation="relu", **kw), (5, 2)),
    "MaxPooling1D": (lambda **kw: layers.MaxPooling1D(2, **kw), (5, 2)),
    "AveragePooling1D": (lambda **kw: layers.AveragePooling1D(3, strides=2, padding="same", **kw), (5, 2)),
    "UpSampling1D": (lambda **kw: layers.UpSampling1D(3, **kw), (3, 2)),
    "UpSampling2D": (lambda **kw: layers.UpSampling2D((2, 3), **kw), (2, 3, 2)),
    "ZeroPadding1D": (lambda **kw: layers.ZeroPadding1D((2, 1), **kw), (3, 2)),
    "ZeroPadding2D": (lambda **kw: layers.ZeroPadding2D(((1, 0), (2, 1)), **kw), (2, 3, 2)),
    "Cropping1D": (lambda **kw: layers.Cropping1D((1, 2), **kw), (5, 2)),
    "Cropping2D": (lambda **kw: layers.Cropping2D(((1, 0), (0, 2)), **kw), (3, 4, 2)),
    "Dense-3d": (lambda **kw: layers.Dense(3, activation="tanh", **kw), (4, 5)),
    "Embedding": (lambda **kw: layers.Embedding(7, 3, **kw), (5,)),
    "Embedding-2d-l2": (lambda **kw: layers.Embedding(4, 2, embeddings_regularizer="l2", **kw), (3, 2)),
}


@pytest.fixture(autouse=True, params=["numpy", "numba"])
def backend(request, monkeypatch):
    numnet.config.set_backend(request.param)  # conftest restores the default afterwards
    if request.param == "numba":  # the small cases here go through every kernel too
        monkeypatch.setattr(get_ops("numba"), "min_kernel_channels", 1)
    return request.param


def test_every_layer_class_has_a_contract_case():
    covered = {key.split("-")[0] for key in CASES}
    assert covered == {cls.__name__ for cls in LAYER_CLASSES.values()}


def make(case, dtype="float32", seed=0):
    """(layer built for the case's shapes, x: a batch of 3, or a list of them)."""
    factory, shape = CASES[case]
    layer = factory(dtype=dtype)
    shapes = shape if isinstance(shape, list) else [shape]
    layer.build([(None, *s) for s in shapes] if layer.takes_list_input else (None, *shape),
                np.random.default_rng(seed))
    xs = []
    for offset, each in enumerate(shapes):
        if (layer.input_dtype or "").startswith("int"):  # indices, repeated ones among them
            xs.append(np.random.default_rng(seed + 1).integers(0, layer.input_dim, (3, *each)))
            continue
        x = np.random.default_rng(seed + 1 + offset).uniform(-2, 2, size=(3, *each)).astype(dtype)
        x[np.abs(x) < 0.05] = 0.3  # keep ReLU away from its kink for finite differences
        for kink in (0.2, 1.5):  # and ReLU-options away from its threshold and its cap
            x[np.abs(x - kink) < 0.05] = kink + 0.1
        xs.append(x)
    return layer, (xs if layer.takes_list_input else xs[0])


def shapes_of(x):
    return [a.shape for a in x] if isinstance(x, list) else x.shape


def listed(x):
    return x if isinstance(x, list) else [x]


def takes_indices(layer) -> bool:
    """Integer inputs (Embedding): no input gradient, backward returns None."""
    return (layer.input_dtype or "").startswith("int")


@pytest.mark.parametrize("case", CASES)
def test_output_shape_and_dtype(case):
    layer, x = make(case)
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    assert y.shape[1:] == tuple(layer.compute_output_shape(shapes_of(x)))[1:]
    dx = layer.backward(np.ones_like(y))
    if takes_indices(layer):
        assert dx is None
        return
    assert [d.dtype for d in listed(dx)] == [np.float32] * len(listed(x))
    assert [d.shape for d in listed(dx)] == [a.shape for a in listed(x)]


@pytest.mark.parametrize("case", CASES)
def test_inference_is_deterministic(case):
    layer, x = make(case)
    np.testing.assert_array_equal(layer.forward(x), layer.forward(x))


@pytest.mark.parametrize("case", CASES)
def test_config_round_trip(case):
    layer, _ = make(case)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert type(layer).__name__ in repr(layer)


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("InputLayer", "Linear", "Rescaling", "RepeatVector", "Normalization",
                                        "Normalization-invert-axis")])  # affine: no cache
def test_backward_before_training_forward_raises(case):
    layer, x = make(case)
    layer.forward(x, training=False)
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=rf"{name}.backward\(\) called before forward\(x, training=True\)"):
        layer.backward(np.ones(layer.compute_output_shape(shapes_of(x))))


@pytest.mark.parametrize("case", CASES)
def test_gradients_match_finite_differences(case):
    """L = Σ y·r for a fixed random r: backward(r) must equal dL/dx, and grads dL/dparam."""
    layer, x = make(case, dtype="float64")
    r = np.random.default_rng(7).standard_normal(layer.forward(x).shape)
    seed = getattr(layer, "seed", None)

    def loss():
        if seed is not None:  # the same dropout mask at every evaluation
            layer.rng = np.random.default_rng(seed)
        return float((layer.forward(x, training=True) * r).sum())

    loss()
    dx = layer.backward(r)
    for analytic, x_part in zip([] if takes_indices(layer) else listed(dx), listed(x)):
        assert relative_error(analytic, numerical_gradient(loss, x_part)) < 1e-6
    for key, param in layer.params.items():
        analytic = layer.grads[key].copy()
        assert relative_error(analytic, numerical_gradient(loss, param)) < 1e-6, key


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][0]().__class__ is layers.Dense])
def test_gradients_are_overwritten_not_accumulated(case):
    layer, x = make(case)
    dy = np.ones(layer.compute_output_shape(x.shape), dtype=np.float32)
    layer.forward(x, training=True)
    layer.backward(dy)
    first = {k: g.copy() for k, g in layer.grads.items()}
    layer.forward(x, training=True)
    layer.backward(dy)
    for key in first:
        np.testing.assert_array_equal(layer.grads[key], first[key])


WITH_PARAMETERS = [case for case in CASES if make(case)[0].params]
WITH_ACTIVATION = [case for case in CASES if make(case)[0].output_activation() is not None]


@pytest.mark.parametrize("case", WITH_PARAMETERS)
def test_layers_with_parameters_can_skip_the_input_gradient(case):
    """A model's first trainable layer is called with need_dx=False: same grads, no dx."""
    layer, x = make(case, dtype="float64")
    dy = np.random.default_rng(7).standard_normal(layer.forward(x).shape)
    seed = getattr(layer, "seed", None)
    for need_dx in (True, False):
        if seed is not None:  # recurrent dropout: the same masks both times
            layer.rng = np.random.default_rng(seed)
        layer.forward(x, training=True)
        dx = layer.backward(dy, need_dx=need_dx)
        if need_dx:
            grads = {key: g.copy() for key, g in layer.grads.items()}
    assert dx is None
    for key, grad in grads.items():
        np.testing.assert_array_equal(layer.grads[key], grad)


@pytest.mark.parametrize("case", WITH_ACTIVATION)
def test_backward_from_logits_skips_exactly_the_output_activation(case):
    """For y = activation(z): backward_from_logits(dL/dz) after forward_with_logits ==
    backward(dL/dy) after forward (which may fuse the activation, as Conv2D's ReLU)."""
    layer, x = make(case, dtype="float64")
    activation = layer.output_activation()
    dy = np.random.default_rng(7).standard_normal(layer.forward(x).shape)
    layer.forward(x, training=True)
    expected = layer.backward(dy)
    grads = {key: g.copy() for key, g in layer.grads.items()}
    layer.forward_with_logits(x, training=True)  # the activation's own cache, same z
    dz = activation.backward(dy)
    np.testing.assert_allclose(layer.backward_from_logits(dz), expected, rtol=1e-12, atol=1e-14)
    for key, grad in grads.items():
        np.testing.assert_allclose(layer.grads[key], grad, rtol=1e-12, atol=1e-14)
