"""Regenerate tests/golden/keras_files/: small Keras 3 models saved by Keras itself (.keras and
.h5), with Keras's predictions on fixed inputs, for numnet's Keras reader; and, when given a
.keras file numnet wrote, check that Keras loads it and predicts as numnet did.

Run in a throw-away environment, never numnet's:
    /tmp/kerasvenv/bin/python tests/golden/make_keras_files.py
    /tmp/kerasvenv/bin/python tests/golden/make_keras_files.py --graphs   (functional only)
    /tmp/kerasvenv/bin/python tests/golden/make_keras_files.py --check numnet_export.keras \\
        inputs_and_predictions.npz
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_files")


def models():
    keras.backend.clear_session()  # layer names start again at dense, dense_1, ...
    keras.utils.set_random_seed(0)
    return {
        "mlp": keras.Sequential([keras.Input((784,)), layers.Dense(64, activation="relu"),
                                 layers.Dropout(0.4), layers.Dense(32, activation="relu"),
                                 layers.Dropout(0.3), layers.Dense(10, activation="softmax")]),
        "activations": keras.Sequential(
            [keras.Input((6,)), layers.Rescaling(0.5, offset=0.1)]
            + [layers.Dense(5, activation=name) for name in (
                "sigmoid", "tanh", "elu", "selu", "gelu", "swish", "softplus", "leaky_relu",
                "linear")]
            + [layers.Dense(4), layers.ReLU(max_value=2.0, negative_slope=0.1),
               layers.LeakyReLU(0.2), layers.ELU(0.5), layers.Activation("tanh"),
               layers.Dense(3, use_bias=False, kernel_regularizer="l2"), layers.Softmax()]),
        "images": keras.Sequential([keras.Input((4, 6)), layers.Flatten(),
                                    layers.Reshape((3, 8)), layers.Flatten(),
                                    layers.GaussianNoise(0.1), layers.Dense(2)]),
        "convnet": keras.Sequential([
            keras.Input((12, 14, 2)),
            layers.Conv2D(4, 3, padding="same", activation="relu", kernel_regularizer="l2"),
            layers.BatchNormalization(momentum=0.9, epsilon=0.01), layers.MaxPooling2D(2),
            layers.Conv2D(3, (2, 3), strides=(1, 2), use_bias=False),
            layers.AveragePooling2D(2, strides=1, padding="same"), layers.SpatialDropout2D(0.2),
            layers.Conv2D(5, 2, dilation_rate=2, activation="tanh"),
            layers.GlobalMaxPooling2D(), layers.Dense(3, activation="softmax")]),
        "global_average": keras.Sequential([
            keras.Input((6, 5, 3)), layers.Conv2D(2, 1), layers.GlobalAveragePooling2D(),
            layers.BatchNormalization(center=False), layers.Dense(2)]),
    }


def graphs():
    """Functional models: two inputs with a shared layer, Concatenate and Add; two dict
    outputs from Subtract, Multiply, Maximum, Minimum, Average and Dot (normalize)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(2)
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(5, activation="relu", name="shared")
    h = layers.Concatenate(name="join")([shared(a), layers.Dense(5, name="lift")(b)])
    h = layers.Add(name="add")([layers.Dense(4, name="d1")(h), layers.Dense(4, name="d2")(h)])
    two_inputs = keras.Model([a, b], layers.Dense(2, activation="softmax", name="out")(h))
    x = keras.Input((6,), name="x")
    p, q = layers.Dense(3, name="p")(x), layers.Dense(3, activation="tanh", name="q")(x)
    mixed = layers.Concatenate(name="mixed")([
        layers.Subtract(name="sub")([p, q]), layers.Multiply(name="mul")([p, q]),
        layers.Maximum(name="max")([p, q]), layers.Minimum(name="min")([p, q]),
        layers.Average(name="avg")([p, q]), layers.Dot(axes=1, normalize=True, name="cos")([p, q])])
    two_outputs = keras.Model(x, {"cls": layers.Dense(3, activation="softmax", name="cls")(mixed),
                                  "reg": layers.Dense(1, name="reg")(mixed)})
    words = keras.Input((7,), dtype="int32", name="words")
    embedded = layers.Embedding(30, 4, name="embed")(words)
    steps = layers.LSTM(4, return_sequences=True, name="lstm")(embedded)
    summary = layers.Concatenate(name="summary")([
        layers.GlobalAveragePooling1D(name="mean")(steps),
        layers.GRU(3, go_backwards=True, name="gru")(steps),
        layers.GRU(2, reset_after=False, name="gru_before")(embedded),
        layers.SimpleRNN(2, name="rnn")(embedded)])
    sequences = keras.Model(words, layers.Dense(1, activation="sigmoid", name="out")(summary))
    code = keras.Input((3,), name="code")
    decoded = layers.LSTM(2, return_sequences=True, name="decoder")(
        layers.RepeatVector(4, name="repeat")(code))
    decoder = keras.Model(code, layers.Dense(2, activation="softmax", name="out")(decoded))
    series = keras.Input((5, 3), name="series")
    masked_words = keras.Input((6,), dtype="int32", name="words")
    masked = keras.Model([series, masked_words], layers.Dense(2, activation="softmax",
                                                              name="out")(
        layers.Concatenate(name="both")([
            layers.LSTM(3, name="lstm")(layers.Masking(0.0, name="padding")(series)),
            layers.GlobalAveragePooling1D(name="mean")(
                layers.Embedding(30, 4, mask_zero=True, name="embed")(masked_words))])))
    steps, images = keras.Input((9, 2), name="steps"), keras.Input((4, 4, 1), name="images")
    h = layers.ZeroPadding1D((1, 2), name="pad1")(steps)
    h = layers.Conv1D(3, 3, dilation_rate=2, padding="causal", activation="relu",
                      name="causal")(h)
    h = layers.MaxPooling1D(2, name="max1")(h)
    h = layers.UpSampling1D(3, name="up1")(h)
    h = layers.Cropping1D((2, 1), name="crop1")(h)
    h = layers.Conv1D(2, 2, strides=2, padding="same", name="strided")(h)
    h = layers.AveragePooling1D(2, padding="same", name="mean1")(h)
    g = layers.ZeroPadding2D(((1, 0), (0, 1)), name="pad2")(images)
    g = layers.Conv2D(2, 2, name="conv2")(g)
    g = layers.UpSampling2D((1, 2), name="up2")(g)
    g = layers.Cropping2D(((0, 1), (1, 1)), name="crop2")(g)
    convolutions = keras.Model([steps, images], layers.Dense(2, name="out")(
        layers.Concatenate(name="both")([layers.Flatten(name="flat1")(h),
                                         layers.Flatten(name="flat2")(g)])))
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    h = layers.Embedding(30, 3, mask_zero=True, name="embed")(tokens)
    h = layers.Bidirectional(layers.LSTM(2, return_sequences=True, name="lstm"),
                             name="both_ways")(h)
    h = layers.Bidirectional(layers.GRU(2, name="gru"), merge_mode="sum", name="summed")(h)
    bidirectional = keras.Model(tokens, layers.Dense(1, activation="sigmoid", name="out")(h))
    frames = keras.Input((3, 5, 5, 1), name="frames")
    h = layers.TimeDistributed(layers.Conv2D(2, 3, activation="relu", name="conv"),
                               name="conv_frames")(frames)
    h = layers.TimeDistributed(layers.Flatten(name="flat"), name="flat_frames")(h)
    h = layers.TimeDistributed(layers.Dense(3, name="dense"), name="dense_frames")(h)
    time_distributed = keras.Model(frames, layers.Dense(2, activation="softmax", name="out")(
        layers.LSTM(2, name="lstm")(h)))
    images = keras.Input((4, 4, 2), name="images")
    h = layers.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="encode")(images)
    h = layers.Conv2DTranspose(2, 3, strides=2, padding="same", name="up_same")(h)
    h = layers.Conv2DTranspose(1, (2, 3), padding="valid", activation="sigmoid",
                               name="up_valid")(h)
    transposed = keras.Model(images, h)
    return {"graph_two_inputs": two_inputs, "graph_two_outputs": two_outputs,
            "graph_sequences": sequences, "graph_decoder": decoder, "graph_masked": masked,
            "graph_convolutions_1d": convolutions, "graph_bidirectional": bidirectional,
            "graph_time_distributed": time_distributed, "graph_transposed": transposed}


def pre_padded(x):
    """Row i with its first i % steps steps set to 0: padding, which masks skip."""
    x = x.copy()
    for i in range(len(x)):
        x[i, :i % x.shape[1]] = 0
    return x


def write_graphs():
    g = np.random.default_rng(3)
    expected = {"keras": keras.__version__}
    for name, model in graphs().items():
        x = [g.integers(0, 30, (8, *t.shape[1:])).astype(np.int32) if t.dtype == "int32"
             else g.standard_normal((8, *t.shape[1:])).astype(np.float32) for t in model.inputs]
        if name in ("graph_masked", "graph_bidirectional"):
            x = [pre_padded(v) for v in x]
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save(os.path.join(OUT, f"{name}.h5"))
        predictions = model.predict(x if len(x) > 1 else x[0], verbose=0)
        if not isinstance(predictions, dict):
            predictions = {"out": predictions}
        expected[name] = {"x": [v.tolist() for v in x],
                          "predictions": {k: v.tolist() for k, v in predictions.items()}}
    with open(os.path.join(OUT, "graph_predictions.json"), "w") as handle:
        json.dump(expected, handle)


def mnist_mlp():
    """The tutorial's MLP, narrower (784-64-32-10), trained by Keras for one epoch on the MNIST
    copy numnet ships, with Keras's predictions on the 10,000 test images."""
    data = np.load(os.path.join(os.path.dirname(OUT), "..", "..", "numnet", "datasets", "data",
                                "mnist.npz"))
    x_train = data["x_train"].reshape(-1, 784).astype("float32") / 255
    x_test = data["x_test"].reshape(-1, 784).astype("float32") / 255
    model = models()["mlp"]
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
    model.fit(x_train, data["y_train"], epochs=1, batch_size=128, verbose=0)
    model.save(os.path.join(OUT, "mnist_mlp.keras"))
    model.save(os.path.join(OUT, "mnist_mlp.h5"))
    np.savez_compressed(os.path.join(OUT, "mnist_mlp_predictions.npz"),
                        predictions=model.predict(x_test, verbose=0))


def write():
    os.makedirs(OUT, exist_ok=True)
    write_graphs()
    mnist_mlp()
    g = np.random.default_rng(1)
    expected = {"keras": keras.__version__}
    for name, model in models().items():
        if any(isinstance(layer, layers.BatchNormalization) for layer in model.layers):
            # statistics and scales other than BatchNormalization's initial 0, 1, 1, 0
            model.set_weights([np.abs(w) + 0.5 if "moving_variance" in v.path else
                               w + 0.3 * g.standard_normal(w.shape).astype(np.float32)
                               for w, v in zip(model.get_weights(), model.weights)])
        shape = model.input_shape[1:]
        x = g.standard_normal((16 if np.prod(shape) < 100 else 4, *shape)).astype(np.float32)
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save(os.path.join(OUT, f"{name}.h5"))
        expected[name] = {"x": x.tolist(), "predictions": model.predict(x, verbose=0).tolist()}
    with open(os.path.join(OUT, "predictions.json"), "w") as handle:
        json.dump(expected, handle)
    print(f"wrote {OUT} with Keras {keras.__version__}")


def check(path, arrays):
    """Keras loads a numnet export and predicts as numnet did (arrays: an npz of x, or of
    x_0, x_1, ... for several inputs, and numnet's predictions)."""
    data = np.load(arrays)
    model = keras.saving.load_model(path)
    # one input "x", or several "x_0", "x_1", ... (a functional model's, in its order)
    x = data["x"] if "x" in data else [data[f"x_{i}"] for i in range(len(model.inputs))]
    difference = float(np.max(np.abs(model.predict(x, verbose=0) - data["predictions"])))
    print(f"Keras {keras.__version__} loaded {path}: max |prediction difference| {difference:.2e}")
    return difference


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(0 if check(sys.argv[2], sys.argv[3]) <= 1e-5 else 1)
    if sys.argv[1:2] == ["--graphs"]:  # the functional models only
        write_graphs()
        sys.exit(0)
    write()
