"""Keras files without TensorFlow: models Keras saved (.keras and .h5, in tests/golden/
keras_files, made by make_keras_files.py) load and predict as Keras did; numnet's .keras export
has Keras's layout and loads back; untrusted files are refused with a clear error."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.saving import FileFormatError

h5py = pytest.importorskip("h5py")  # in the test extra

FILES = os.path.join(os.path.dirname(__file__), "golden", "keras_files")
EXPECTED = json.load(open(os.path.join(FILES, "predictions.json")))
NAMES = ["mlp", "activations", "images", "convnet", "global_average"]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_models_keras_saved_predict_as_keras_did(name, ext, backend):
    numnet.config.set_backend(backend)
    model = numnet.load_keras(os.path.join(FILES, f"{name}.{ext}"))
    x = np.array(EXPECTED[name]["x"], np.float32)
    np.testing.assert_allclose(model.predict(x), EXPECTED[name]["predictions"],
                               rtol=1e-5, atol=1e-5)


def contents(path):
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        store = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        shapes = {}
        store.visititems(lambda key, item: shapes.setdefault(key, getattr(item, "shape", None)))
        return config, shapes


@pytest.mark.parametrize("name", NAMES)
def test_the_keras_export_has_keras_layout_and_loads_back(name, tmp_path):
    """Keras itself loads these exports and predicts as numnet (checked with
    make_keras_files.py --check in Keras's environment, recorded in benchmarks/README.md)."""
    original = numnet.load_keras(os.path.join(FILES, f"{name}.keras"))
    numnet.export.to_keras(original, tmp_path / "out.keras")
    ours, keras_config = contents(tmp_path / "out.keras"), contents(os.path.join(FILES, f"{name}.keras"))
    layer_specs = lambda config: [(s["class_name"], {k: v for k, v in s["config"].items()  # noqa: E731
                                                      if k in ("units", "activation", "use_bias", "rate", "target_shape", "scale", "offset",
                                                               "max_value", "negative_slope", "alpha", "axis", "stddev", "filters",
                                                               "kernel_size", "strides", "padding", "dilation_rate", "pool_size",
                                                               "momentum", "epsilon", "center", "data_format", "keepdims")})
                                  for s in config["config"]["layers"]]
    assert layer_specs(ours[0]) == layer_specs(keras_config[0])
    assert {k: v for k, v in ours[1].items() if k.startswith("layers/")} == {
        k: v for k, v in keras_config[1].items() if k.startswith("layers/")}
    x = np.array(EXPECTED[name]["x"], np.float32)
    np.testing.assert_array_equal(numnet.load_keras(tmp_path / "out.keras").predict(x),
                                  original.predict(x))


def test_a_trained_numnet_model_goes_to_keras_and_back(tmp_path, rng):
    model = numnet.Sequential([layers.Input(shape=(5,)), layers.Dense(4, activation="swish"),
                               layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    x = rng.standard_normal((20, 5)).astype(np.float32)
    model.fit(x, rng.integers(0, 3, 20), epochs=2, verbose=0)
    numnet.export.to_keras(model, tmp_path / "m.keras")
    np.testing.assert_array_equal(numnet.load_keras(tmp_path / "m.keras").predict(x),
                                  model.predict(x))
    with pytest.raises(ValueError, match=r"path must be a file name ending in '\.keras'"):
        numnet.export.to_keras(model, tmp_path / "m.h5")


def rewrite(tmp_path, change_config=None, change_weights=None, source="mlp.keras"):
    """A copy of a Keras fixture with its config or weights changed."""
    with zipfile.ZipFile(os.path.join(FILES, source)) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    if change_config:
        change_config(config)
    if change_weights:
        buffer = io.BytesIO(weights)
        with h5py.File(buffer, "a") as store:
            change_weights(store)
        weights = buffer.getvalue()
    path = tmp_path / "changed.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights)
    return path


def layer(config, index):
    return config["config"]["layers"][index]


def huge(config):
    layer(config, 1)["config"]["units"] = 10**9


def lambda_layer(config):
    config["config"]["layers"][2] = {"module": "keras.layers", "class_name": "Lambda",
                                     "config": {"name": "evil", "function": "os.system('x')"},
                                     "registered_name": None}


def custom_layer(config):
    layer(config, 1)["registered_name"] = "MyPackage>MyDense"


def subclassed(config):
    config["class_name"] = "MyModel"


def functional_without_graph(config):
    config["class_name"] = "Functional"


def wrong_shape(store):
    del store["layers/dense/vars/0"]
    store["layers/dense/vars"].create_dataset("0", data=np.zeros((784, 65), np.float32))


@pytest.mark.parametrize("change, weights, message", [
    (huge, None, r"weight dense/kernel must be a float array of shape \(784, 1000000000\)\. Received: float32 array of shape \(784, 64\)"),
    (lambda_layer, None, r"layer 'evil' is a Keras Lambda, which numnet does not have"),
    (custom_layer, None, r"layer 'Dense' is a custom object \(MyPackage>MyDense\)"),
    (subclassed, None, r"holds a Keras MyModel model; numnet loads Sequential and functional "
                       r"models \(subclassed models are refused\)"),
    (functional_without_graph, None, r"the functional config's input_layers are None"),
    (None, wrong_shape, r"weight dense/kernel must be a float array of shape \(784, 64\)\. Received: float32 array of shape \(784, 65\)"),
])
def test_untrusted_keras_files_are_refused_by_name(tmp_path, change, weights, message):
    with pytest.raises(FileFormatError, match=message):
        numnet.load_keras(rewrite(tmp_path, change, weights))


def test_truncated_or_corrupted_keras_files_are_refused(tmp_path):
    data = open(os.path.join(FILES, "mlp.keras"), "rb").read()
    (tmp_path / "short.keras").write_bytes(data[:len(data) // 2])
    with pytest.raises(FileFormatError):
        numnet.load_keras(tmp_path / "short.keras")
    h5 = bytearray(open(os.path.join(FILES, "mlp.h5"), "rb").read())
    h5[len(h5) // 3:len(h5) // 3 + 4096] = bytes(4096)
    (tmp_path / "bad.h5").write_bytes(bytes(h5[:len(h5) // 2]))
    with pytest.raises(FileFormatError, match=r"could not be read as a Keras \.h5 file"):
        numnet.load_keras(tmp_path / "bad.h5")
    with pytest.raises(FileNotFoundError, match=r"path must be an existing Keras file"):
        numnet.load_keras(tmp_path / "missing.keras")


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_a_keras_trained_mnist_model_predicts_the_test_set_as_keras_did(ext, mnist):
    _, (x_test, _) = mnist
    model = numnet.load_keras(os.path.join(FILES, f"mnist_mlp.{ext}"))
    expected = np.load(os.path.join(FILES, "mnist_mlp_predictions.npz"))["predictions"]
    np.testing.assert_allclose(model.predict(x_test), expected, rtol=1e-5, atol=1e-5)


def keras2_layout(source, target):
    """A Keras 2 .h5 layout of a Keras-written model: no InputLayer (the first layer holds
    batch_input_shape), plain activation names, weights named "<layer>/kernel:0"."""
    with h5py.File(source, "r") as old, h5py.File(target, "w") as new:
        config = json.loads(old.attrs["model_config"])
        layers_ = config["config"]["layers"]
        first_input = layers_.pop(0)["config"]["batch_shape"]
        layers_[0]["config"]["batch_input_shape"] = first_input
        new.attrs["model_config"] = json.dumps(config)
        new.attrs["keras_version"] = "2.15.0"
        weights = new.create_group("model_weights")
        for name, group in old["model_weights"].items():
            out = weights.create_group(name)
            names = []
            for weight in group.attrs.get("weight_names", []):
                weight = weight if isinstance(weight, str) else weight.decode()
                short = f"{name}/{weight.rsplit('/', 1)[1]}:0"
                out.create_dataset(short, data=group[weight][()])
                names.append(short.encode())
            out.attrs["weight_names"] = names


def test_a_keras_2_h5_layout_loads_too(tmp_path):
    keras2_layout(os.path.join(FILES, "mlp.h5"), tmp_path / "keras2.h5")
    x = np.array(EXPECTED["mlp"]["x"], np.float32)
    np.testing.assert_allclose(numnet.load_keras(tmp_path / "keras2.h5").predict(x),
                               EXPECTED["mlp"]["predictions"], rtol=1e-5, atol=1e-5)


def channels_first(config):
    layer(config, 1)["config"]["data_format"] = "channels_first"


def grouped(config):
    layer(config, 1)["config"]["groups"] = 2


def keepdims(config):
    layer(config, 8)["config"]["keepdims"] = True


@pytest.mark.parametrize("change, message", [
    (channels_first, r"layer 'conv2d' is channels first; numnet's images are channels last"),
    (grouped, r"layer 'conv2d' is a grouped convolution"),
    (keepdims, r"keeps the pooled axes \(keepdims=True\)"),
])
def test_image_layers_numnet_does_not_have_are_refused_by_name(tmp_path, change, message):
    with pytest.raises(FileFormatError, match=message):
        numnet.load_keras(rewrite(tmp_path, change, source="convnet.keras"))


GRAPHS = json.load(open(os.path.join(FILES, "graph_predictions.json")))


def graph_inputs(name):
    return [np.array(x, np.float32) for x in GRAPHS[name]["x"]]


def as_dict(model, predictions):
    if isinstance(predictions, dict):
        return predictions
    return dict(zip(model.output_names if model.outputs_as_dict else ["out"], [predictions]))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", ["graph_two_inputs", "graph_two_outputs", "graph_sequences",
                                  "graph_decoder", "graph_masked", "graph_convolutions_1d",
                                  "graph_bidirectional", "graph_time_distributed",
                                  "graph_transposed"])
@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_functional_models_keras_saved_predict_as_keras_did(name, ext, backend):
    """Shared layers, merges, dict outputs, integer inputs with Embedding, LSTM, GRU (both
    reset modes, backwards), SimpleRNN, masks (Masking, mask_zero), Conv1D (causal, dilated,
    strided) with the 1-D poolings and the padding, cropping and upsampling layers: the graph and the
    weights as Keras saved them
    (weights found by Keras's per-class group names in .keras, by layer name in .h5)."""
    numnet.config.set_backend(backend)
    model = numnet.load_keras(os.path.join(FILES, f"{name}.{ext}"))
    assert isinstance(model, numnet.Model) and not isinstance(model, numnet.Sequential)
    x = graph_inputs(name)
    predicted = as_dict(model, model.predict(x if len(x) > 1 else x[0]))
    for key, expected in GRAPHS[name]["predictions"].items():
        np.testing.assert_allclose(predicted[key], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["graph_two_inputs", "graph_two_outputs", "graph_sequences",
                                  "graph_decoder", "graph_masked", "graph_convolutions_1d",
                                  "graph_bidirectional", "graph_time_distributed",
                                  "graph_transposed"])
def test_the_functional_export_has_keras_layout_and_loads_back(name, tmp_path):
    """numnet's .keras for a graph: Keras's Functional config (layers with inbound_nodes,
    input_layers, output_layers) and weight groups; Keras 3.15 loads it and predicts as
    numnet does (checked with make_keras_files.py --check, see benchmarks/README.md)."""
    model = numnet.load_keras(os.path.join(FILES, f"{name}.keras"))
    numnet.export.to_keras(model, tmp_path / "mine.keras")
    config, shapes = contents(tmp_path / "mine.keras")
    original, original_shapes = contents(os.path.join(FILES, f"{name}.keras"))
    assert config["class_name"] == "Functional"
    mine = {spec["name"]: spec for spec in config["config"]["layers"]}
    for spec in original["config"]["layers"]:
        if spec["module"].startswith("keras.src.ops"):  # how Keras records masks: not needed
            assert spec["name"] not in mine
            continue
        assert mine[spec["name"]]["class_name"] == spec["class_name"]
        histories = [[t["config"]["keras_history"] for t in (a if isinstance(a, list) else [a])]
                     for node in spec["inbound_nodes"] for a in node["args"]]
        assert histories == [[t["config"]["keras_history"] for t in (a if isinstance(a, list)
                                                                      else [a])]
                             for node in mine[spec["name"]]["inbound_nodes"] for a in node["args"]]
    assert config["config"]["input_layers"] == original["config"]["input_layers"]
    assert config["config"]["output_layers"] == original["config"]["output_layers"]
    assert {k: v for k, v in shapes.items() if v} == {k: v for k, v in original_shapes.items()
                                                        if v}
    back = numnet.load_keras(tmp_path / "mine.keras")
    x = graph_inputs(name)
    for key, value in as_dict(model, model.predict(x if len(x) > 1 else x[0])).items():
        np.testing.assert_array_equal(as_dict(back, back.predict(x if len(x) > 1 else x[0]))[key],
                                      value)


def test_a_functional_file_with_a_layer_numnet_lacks_is_refused_by_name(tmp_path):
    source = os.path.join(FILES, "graph_two_inputs.keras")
    with zipfile.ZipFile(source) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    config["config"]["layers"][3]["class_name"] = "Lambda"
    forged = tmp_path / "forged.keras"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights)
    with pytest.raises(FileFormatError, match=r"is a Keras Lambda, which numnet does not have"):
        numnet.load_keras(forged)
