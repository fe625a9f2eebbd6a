"""ONNX export, checked by ONNX Runtime: the tutorial MLP on the MNIST test set and every
layer kind give numnet's predictions to 1e-5."""

import numpy as np
import pytest

import numnet
from numnet import layers

from builders import tutorial_model

onnx = pytest.importorskip("onnx")  # in the test extra
onnxruntime = pytest.importorskip("onnxruntime")


def run_onnx(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x.astype(np.float32)})[0]


def test_the_tutorial_mlp_predicts_the_mnist_test_set_as_numnet_does(tmp_path, mnist):
    (x_train, y_train), (x_test, _) = mnist
    model = tutorial_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
    model.fit(x_train[:2000], y_train[:2000], epochs=1, verbose=0)
    proto = numnet.export.to_onnx(model, tmp_path / "mlp.onnx")
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"  # any batch
    np.testing.assert_allclose(run_onnx(tmp_path / "mlp.onnx", x_test), model.predict(x_test),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run_onnx(tmp_path / "mlp.onnx", x_test[:1]),
                               model.predict(x_test[:1]), rtol=1e-5, atol=1e-6)


STACKS = {
    "every activation": [layers.Dense(6, activation=name) for name in (
        "relu", "sigmoid", "tanh", "elu", "selu", "gelu", "swish", "softplus", "leaky_relu",
        "linear")] + [layers.Dense(4, activation="softmax")],
    "activation layers": [layers.Dense(6), layers.ReLU(max_value=1.0, negative_slope=0.2,
                                                       threshold=0.1),
                          layers.LeakyReLU(), layers.ELU(0.5), layers.Activation("gelu"),
                          layers.Dense(3), layers.Softmax()],
    "shapes and inference-time identities": [
        layers.Rescaling(0.5, offset=-0.25), layers.Reshape((2, -1)), layers.Dropout(0.5),
        layers.GaussianNoise(0.3), layers.Flatten(), layers.Dense(5, activation="relu"),
        layers.Dense(2, activation="sigmoid")],
}


@pytest.mark.parametrize("name", STACKS)
def test_every_layer_kind_exports(name, tmp_path, rng):
    model = numnet.Sequential([layers.Input(shape=(8,)), *STACKS[name]])
    x = rng.standard_normal((50, 8)).astype(np.float32)
    numnet.export.to_onnx(model, tmp_path / "m.onnx")
    np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", x), model.predict(x),
                               rtol=1e-5, atol=1e-6)


def test_bad_export_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match=r"This model has not yet been built"):
        numnet.export.to_onnx(numnet.Sequential([layers.Dense(2)]), tmp_path / "m.onnx")
    model = numnet.Sequential([layers.Dense(2, input_shape=(3,), dtype="float64")])
    with pytest.raises(ValueError, match=r"model must be a float32 model"):
        numnet.export.to_onnx(model, tmp_path / "m.onnx")
    model = numnet.Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"opset must be an ONNX opset version of at least 13\. Received: opset=9"):
        numnet.export.to_onnx(model, tmp_path / "m.onnx", opset=9)


@pytest.mark.parametrize("opset", [17, 18])
def test_convolutional_layers_export(opset, tmp_path, rng):
    model = numnet.Sequential([
        layers.Input(shape=(9, 8, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(), layers.SpatialDropout2D(0.3),
        layers.MaxPooling2D(3, strides=2, padding="same"),
        layers.Conv2D(3, (2, 3), dilation_rate=(2, 1), activation="gelu"),
        layers.AveragePooling2D(2, padding="same"),
        layers.Conv2D(4, 1, strides=1, use_bias=False, activation="softmax"),
        layers.GlobalMaxPooling2D() if opset == 17 else layers.GlobalAveragePooling2D(),
        layers.BatchNormalization(center=False), layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")  # a step moves the moving statistics
    x = rng.standard_normal((6, 9, 8, 2)).astype(np.float32)
    model.fit(x, rng.standard_normal((6, 2)), verbose=0)
    numnet.export.to_onnx(model, tmp_path / "cnn.onnx", opset=opset)
    np.testing.assert_allclose(run_onnx(tmp_path / "cnn.onnx", x), model.predict(x),
                               rtol=1e-5, atol=1e-6)


def test_a_graph_with_two_inputs_and_two_outputs_runs_in_onnx_runtime(tmp_path):
    """Shared layers, every merge, dict outputs: ONNX Runtime gives numnet's outputs."""
    onnxruntime = pytest.importorskip("onnxruntime")
    numnet.set_random_seed(4)
    a, b = numnet.Input((4,), name="a"), numnet.Input((3,), name="b")
    shared = layers.Dense(5, activation="tanh", name="shared")
    p = shared(layers.Concatenate()([layers.Dense(2)(b), layers.Dense(2)(a)]))
    q = shared(layers.Concatenate()([layers.Dense(2)(a), layers.Dense(2)(b)]))
    mixed = layers.Concatenate()([layers.Add()([p, q]), layers.Subtract()([p, q]),
                                  layers.Multiply()([p, q, p]), layers.Average()([p, q]),
                                  layers.Maximum()([p, q]), layers.Minimum()([p, q]),
                                  layers.Dot(axes=1)([p, q]),
                                  layers.Dot(axes=1, normalize=True)([p, q])])
    model = numnet.Model({"a": a, "b": b},
                         {"cls": layers.Dense(3, activation="softmax", name="cls")(mixed),
                          "reg": layers.Dense(1, name="reg")(mixed)})
    proto = numnet.export.to_onnx(model, tmp_path / "graph.onnx")
    assert sum(i.name.startswith("shared_kernel") for i in proto.graph.initializer) == 1
    g = np.random.default_rng(0)
    x = {"a": g.standard_normal((6, 4)).astype("float32"),
         "b": g.standard_normal((6, 3)).astype("float32")}
    session = onnxruntime.InferenceSession(str(tmp_path / "graph.onnx"))
    cls, reg = session.run(["cls", "reg"], x)
    expected = model.predict(x)
    np.testing.assert_allclose(cls, expected["cls"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(reg, expected["reg"], rtol=1e-5, atol=1e-6)
