"""Keras files without TensorFlow: `load_keras` reads a Keras 3 `.keras` file (a zip of
config.json, metadata.json and model.weights.h5) or a Keras `.h5` file of a Sequential or
functional model; `to_keras` writes a `.keras` file that Keras 3 loads. HDF5 is read and
written with h5py (optional extra `keras`); the functional graph is keras_graph.py's.

Files are untrusted, as numnet's own: only models of layers numnet has are accepted (custom
objects, Lambda layers and subclassed models are refused by name), nothing is imported or
evaluated, and each weight's shape is compared with what the config implies before any
weight is read.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile

from .. import layers as numnet_layers
from .._validation import fail
from ..files import atomic_write
from ..saving import FileFormatError
from ..symbolic import shapes_only
from . import keras_sequences
from .keras_graph import functional_config, walk, without_mask_ops

KERAS_VERSION = "3.15.1"  # the Keras version whose format to_keras writes (and reads best)
_MAX_MEMBER_BYTES = 1 << 31  # refuse zip members that would inflate beyond 2 GiB


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Keras files need h5py: pip install 'numnet[keras]'") from None
    return h5py


# ---- Keras config -> numnet layers ----------------------------------------------------------
# Keras's layers that map one to one, with the config keys they share with numnet's (Dense and
# InputLayer are translated apart).
_SIMPLE_LAYERS = {
    "Dropout": (numnet_layers.Dropout, ("rate", "noise_shape", "seed")),
    "Flatten": (numnet_layers.Flatten, ()),
    "Reshape": (numnet_layers.Reshape, ("target_shape",)),
    "RepeatVector": (numnet_layers.RepeatVector, ("n",)),
    "Masking": (numnet_layers.Masking, ("mask_value",)),
    "Rescaling": (numnet_layers.Rescaling, ("scale", "offset")),
    "Activation": (numnet_layers.Activation, ("activation",)),
    "ReLU": (numnet_layers.ReLU, ("max_value", "negative_slope", "threshold")),
    "LeakyReLU": (numnet_layers.LeakyReLU, ("negative_slope",)),
    "ELU": (numnet_layers.ELU, ("alpha",)),
    "Softmax": (numnet_layers.Softmax, ("axis",)),
    "GaussianNoise": (numnet_layers.GaussianNoise, ("stddev", "seed")),
    "MaxPooling2D": (numnet_layers.MaxPooling2D, ("pool_size", "strides", "padding")),
    "AveragePooling2D": (numnet_layers.AveragePooling2D, ("pool_size", "strides", "padding")),
    "GlobalAveragePooling2D": (numnet_layers.GlobalAveragePooling2D, ()),
    "GlobalMaxPooling2D": (numnet_layers.GlobalMaxPooling2D, ()),
    "GlobalAveragePooling1D": (numnet_layers.GlobalAveragePooling1D, ()),
    "GlobalMaxPooling1D": (numnet_layers.GlobalMaxPooling1D, ()),
    "SpatialDropout2D": (numnet_layers.SpatialDropout2D, ("rate", "seed")),
    **keras_sequences.SHAPE_LAYERS,
    **{cls.__name__: (cls, ()) for cls in (numnet_layers.Add, numnet_layers.Subtract,
                                           numnet_layers.Multiply, numnet_layers.Average,
                                           numnet_layers.Maximum, numnet_layers.Minimum)},
    "Concatenate": (numnet_layers.Concatenate, ("axis",)),
    "Dot": (numnet_layers.Dot, ("axes", "normalize")),
}
# Layers with Keras's data_format, which numnet takes as "channels_last" only (a channels-first
# Flatten orders its outputs differently; UpSampling1D and Cropping1D have none).
_IMAGE_LAYERS = {"Flatten", "Conv1D", "Conv2D", "Conv2DTranspose", "MaxPooling2D",
                 "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                 "SpatialDropout2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
                 *keras_sequences.SHAPE_LAYERS}
_IMAGE_LAYERS -= {"UpSampling1D", "Cropping1D"}
# Layers with weights (their own readers and writers); their penalties and constraints:
_WEIGHTED_LAYERS = {
    "Dense": ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
              "kernel_constraint", "bias_constraint"),
    **{name: ("kernel_regularizer", "bias_regularizer", "kernel_constraint",
              "bias_constraint") for name in ("Conv1D", "Conv2D", "Conv2DTranspose")},
    "BatchNormalization": ("gamma_regularizer", "beta_regularizer", "gamma_constraint",
                           "beta_constraint"),
}


def _pick(config: dict, keys: tuple[str, ...]) -> dict:
    return {key: config[key] for key in keys if key in config}


def _spec(value, path: str, what: str):
    """A Keras regularizer/constraint spec as numnet's, for the classes numnet has."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("registered_name") not in (None,):
        raise FileFormatError(f"{path}: {what} {value!r:.80} is a custom object; numnet loads "
                              "only Keras's own")
    return {"class_name": value.get("class_name"), "config": value.get("config", {})}


def _layer(spec: dict, path: str, graph: bool = False):
    """The numnet layer for one Keras layer spec (None for a Sequential's InputLayer)."""
    if not isinstance(spec, dict):
        raise FileFormatError(f"{path}: a layer spec is not an object: {spec!r:.80}")
    name, config = spec.get("class_name"), spec.get("config")
    if spec.get("registered_name") not in (None, name) or spec.get("module", "keras.layers") \
            not in ("keras.layers", "keras"):
        raise FileFormatError(f"{path}: layer {name!r} is a custom object "
                              f"({spec.get('registered_name')}); numnet loads only Keras's "
                              "own layers")
    if not isinstance(config, dict):
        raise FileFormatError(f"{path}: layer {name!r} has no config")
    common = {"name": config.get("name"), "trainable": bool(config.get("trainable", True))}
    try:
        if name == "InputLayer":
            dtype = config.get("dtype")
            return None if not graph else numnet_layers.InputLayer(
                batch_shape=config["batch_shape"], name=config.get("name"),
                dtype=dtype if dtype in numnet_layers.InputLayer.DTYPES else None)
        if name in keras_sequences.WRAPPERS:
            return keras_sequences.read_wrapper(name, config, common, path,
                                                lambda spec: _layer(spec, path, graph))
        if keras_sequences.handles(name):
            return keras_sequences.read(name, config, {
                key: _spec(config.get(key), path, key.split("_")[1])
                for key in keras_sequences.PENALTIES[name]}, common)
        if name in _IMAGE_LAYERS and config.get("data_format") not in (None, "channels_last"):
            raise FileFormatError(f"{path}: layer {config.get('name')!r} is channels first; "
                                  "numnet's images are channels last")
        if config.get("keepdims"):
            raise FileFormatError(f"{path}: layer {config.get('name')!r} keeps the pooled axes "
                                  "(keepdims=True), which numnet's global poolings do not")
        if name in _WEIGHTED_LAYERS:
            penalties = {key: _spec(config.get(key), path, key.split("_")[1])
                         for key in _WEIGHTED_LAYERS[name]}
            if name == "Dense":
                return numnet_layers.Dense(
                    config["units"], activation=config.get("activation", "linear"),
                    use_bias=config.get("use_bias", True), **penalties, **common)
            if name in ("Conv1D", "Conv2D", "Conv2DTranspose"):
                if config.get("groups", 1) != 1 or config.get("activity_regularizer") or \
                        config.get("output_padding") is not None:
                    raise FileFormatError(f"{path}: layer {config.get('name')!r} is a grouped "
                                          "convolution or has an activity regularizer or an "
                                          f"output_padding, which numnet's {name} does not have")
                return getattr(numnet_layers, name)(
                    config["filters"], config["kernel_size"], strides=config.get("strides", 1),
                    padding=config.get("padding", "valid"),
                    dilation_rate=config.get("dilation_rate", 1),
                    activation=config.get("activation", "linear"),
                    use_bias=config.get("use_bias", True), **penalties, **common)
            return numnet_layers.BatchNormalization(
                **_pick(config, ("axis", "momentum", "epsilon", "center", "scale")),
                **penalties, **common)
        if name not in _SIMPLE_LAYERS:
            raise FileFormatError(
                f"{path}: layer {config.get('name')!r} is a Keras {name}, which numnet does not "
                f"have; numnet loads Sequential models of "
                f"{sorted(['InputLayer', *_WEIGHTED_LAYERS, *_SIMPLE_LAYERS])}")
        cls, keys = _SIMPLE_LAYERS[name]
        arguments = _pick(config, keys)
        if name == "Reshape":
            arguments["target_shape"] = tuple(arguments["target_shape"])
        return cls(**arguments, **common)
    except (TypeError, ValueError, KeyError) as error:
        if isinstance(error, FileFormatError):
            raise
        raise FileFormatError(f"{path}: layer {config.get('name')!r} ({name}) has a config "
                              f"numnet cannot use: {error}") from None


def _input_shape(model_config: dict, specs: list, path: str) -> tuple:
    for key in ("batch_shape", "batch_input_shape"):
        for source in [model_config, *(s.get("config", {}) for s in specs[:1])]:
            if isinstance(source.get(key), list):
                return tuple(source[key][1:])
    shape = model_config.get("build_input_shape") or (specs[0].get("build_config") or {}).get(
        "input_shape") if specs else None
    if not isinstance(shape, list):
        raise FileFormatError(f"{path}: the model config gives no input shape")
    return tuple(shape[1:])


def _graph(config: dict, path: str):
    """As `_model`, for a functional config: the graph walked with shapes only."""
    from ..models import Model

    specs = config.get("layers")
    if not isinstance(specs, list) or not specs or not all(isinstance(s, dict) for s in specs):
        raise FileFormatError(f"{path}: the functional config has no layers")
    specs = without_mask_ops(specs, path)
    layers = [_layer(spec, path, graph=True) for spec in specs]
    implied: dict[str, dict] = {}

    def build(layer, read, listed):
        return layer(read if listed else read[0]) if read else layer.output

    try:
        walk(specs, layers, config, path, shapes_only(implied))
    except (TypeError, ValueError, IndexError) as error:
        if isinstance(error, FileFormatError):
            raise
        raise FileFormatError(f"{path}: the layers do not fit together: {error}") from None

    def make():
        inputs, outputs, input_structure, output_structure = walk(specs, layers, config, path,
                                                                  build)
        return Model(Model._structured(input_structure, inputs),
                     Model._structured(output_structure, outputs),
                     name=config.get("name") if isinstance(config.get("name"), str) else None)

    return layers, make, [implied.get(layer.name, {}) for layer in layers]


def _model(model_config: object, path: str):
    """(layers, a function that makes the model, the parameter shapes each layer implies):
    nothing allocated."""
    kind = model_config.get("class_name") if isinstance(model_config, dict) else None
    if kind in ("Functional", "Model") and isinstance(model_config.get("config"), dict):
        return _graph(model_config["config"], path)
    if kind != "Sequential":
        found = kind if isinstance(model_config, dict) else model_config
        raise FileFormatError(f"{path} holds a Keras {found!s:.40} model; numnet loads Sequential "
                              "and functional models (subclassed models are refused)")
    config = model_config.get("config")
    specs = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(specs, list) or not specs:
        raise FileFormatError(f"{path}: the Sequential config has no layers")
    layers = [layer for layer in (_layer(spec, path) for spec in specs) if layer is not None]
    shape = _input_shape(config, specs, path)
    if not all(isinstance(d, int) and d > 0 for d in shape):
        raise FileFormatError(f"{path}: the input shape {shape} is not one numnet can build")
    # compare the shapes the config implies with the file's before allocating anything
    implied, current = [], (None, *shape)
    try:
        for layer in layers:
            implied.append(layer.weight_shapes(current))
            current = layer.compute_output_shape(current)
    except (TypeError, ValueError) as error:
        raise FileFormatError(f"{path}: the layers do not fit together: {error}") from None
    from ..models import Sequential

    name = config.get("name") if isinstance(config.get("name"), str) else None
    return (layers, lambda: Sequential([numnet_layers.Input(shape=shape), *layers], name=name),
            implied)


def _built(parsed: tuple, arrays_of, path: str):
    """The model, its weights from the file: arrays_of(layer index, layer, count) gives a
    layer's datasets in order (h5py datasets), whose shapes are all checked against the
    config before the model is built or any value read."""
    layers, make, implied = parsed
    found = []
    for index, (layer, shapes) in enumerate(zip(layers, implied)):
        datasets = arrays_of(index, layer, len(shapes)) if shapes else []
        for (key, expected), dataset in zip(shapes.items(), datasets):
            if tuple(dataset.shape) != tuple(expected) or dataset.dtype.kind != "f":
                raise FileFormatError(
                    f"{path}: weight {layer.name}/{key} must be a float array of shape "
                    f"{tuple(expected)}. Received: {dataset.dtype} array of shape "
                    f"{dataset.shape}")
        found.append(datasets)
    model = make()
    for layer, datasets in zip(layers, found):
        for key, dataset in zip(layer.weights, datasets):
            layer.weights[key][...] = dataset[()]
    return model


def load_keras(path: str | os.PathLike):
    """A numnet Sequential (or Model, for a functional graph) from a Keras `.keras` or `.h5`
    file: the same layers and weights, predicting as Keras did (not compiled: compile it to
    train it)."""
    h5py = _h5py()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"path must be an existing Keras file. Received: path={path!r}")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                sizes = {info.filename: info.file_size for info in archive.infolist()}
                for member in ("config.json", "model.weights.h5"):
                    if member not in sizes:
                        raise FileFormatError(f"{path} is a zip without {member}: not a Keras "
                                              ".keras file")
                    if sizes[member] > _MAX_MEMBER_BYTES:
                        raise FileFormatError(f"{path}: {member} would inflate to "
                                              f"{sizes[member]:,} bytes; refused")
                model_config = json.loads(archive.read("config.json"))
                weights = archive.read("model.weights.h5")
        except (zipfile.BadZipFile, OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FileFormatError(f"{path} could not be read as a .keras file: {error}") from None
        parsed = _model(model_config, path)
        try:
            with h5py.File(io.BytesIO(weights), "r") as store:
                groups = keras_sequences.storage_names(parsed[0])

                def arrays_of(index, layer, count):
                    arrays = []
                    for name, size in keras_sequences.weights_groups(layer, groups[index], count):
                        group = store.get(name)
                        if group is None:
                            raise FileFormatError(f"{path}: no weights for layer "
                                                  f"{layer.name!r}")
                        arrays += [group[str(i)] for i in range(size)]
                    return arrays
                return _built(parsed, arrays_of, path)
        except (OSError, KeyError, ValueError) as error:
            if isinstance(error, FileFormatError):
                raise
            raise FileFormatError(f"{path}: damaged weights: {error}") from None
    try:
        with h5py.File(path, "r") as store:
            if "model_config" not in store.attrs:
                raise FileFormatError(f"{path} is an HDF5 file without a model config: not a "
                                      "Keras model file (a weights-only file?)")
            raw = store.attrs["model_config"]
            parsed = _model(json.loads(raw if isinstance(raw, str) else raw.decode()), path)
            weights = store["model_weights"] if "model_weights" in store else store

            def arrays_of(index, layer, count):
                group = weights.get(layer.name)
                names = [n if isinstance(n, str) else n.decode()
                         for n in group.attrs.get("weight_names", [])] if group else []
                if len(names) != count:
                    raise FileFormatError(f"{path}: layer {layer.name!r} must have {count} "
                                          f"weights. Received: {names}")
                return [group[name] for name in names]
            return _built(parsed, arrays_of, path)
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as error:
        if isinstance(error, FileFormatError):
            raise
        raise FileFormatError(f"{path} could not be read as a Keras .h5 file: {error}") from None


# ---- numnet -> Keras 3 -----------------------------------------------------------------------
def _dtype_policy() -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}


def _keras_spec(spec: dict | None) -> dict | None:
    if spec is None:
        return None
    module = "keras.regularizers" if spec["class_name"].startswith("L") else "keras.constraints"
    return {"module": module, "class_name": spec["class_name"], "config": spec["config"],
            "registered_name": None}


def _keras_layer(layer, input_shape: tuple) -> dict:
    """A Keras 3 layer spec for a numnet layer."""
    name = type(layer).__name__
    base = {"name": layer.name, "trainable": layer.trainable, "dtype": _dtype_policy()}
    config = layer.get_config()
    penalties = {key: _keras_spec(config[key]) for key in _WEIGHTED_LAYERS.get(
        name, keras_sequences.PENALTIES.get(name, ())) if key in config}
    if name in keras_sequences.WRAPPERS:
        keras_config = keras_sequences.write_wrapper(layer, base, input_shape, _keras_layer)
    elif keras_sequences.handles(name):
        keras_config = keras_sequences.write(layer, base, penalties)
    elif name in ("Dense", "Conv1D", "Conv2D", "Conv2DTranspose"):
        from ..layers.activation import name_of

        activation = name_of(layer.activation)
        keras_config = {**base, "activation": {"swish": "silu"}.get(activation, activation),
                        "use_bias": layer.use_bias, **penalties}
        if name == "Dense":
            keras_config["units"] = layer.units
        else:
            keras_config.update({key: config[key] for key in (
                "filters", "kernel_size", "strides", "padding")})
            if name == "Conv2DTranspose":  # not dilated, and no output_padding
                keras_config.update(dilation_rate=[1, 1], output_padding=None)
            else:
                keras_config.update(dilation_rate=config["dilation_rate"], groups=1)
    elif name == "BatchNormalization":
        keras_config = {**base, **penalties, **{key: config[key] for key in (
            "axis", "momentum", "epsilon", "center", "scale")}}
    else:
        if name not in _SIMPLE_LAYERS:
            raise ValueError(f"to_keras cannot write a {name} layer ({layer.name}) as Keras's")
        keras_config = {**base, **{key: config[key] for key in _SIMPLE_LAYERS[name][1]}}
    if name in _IMAGE_LAYERS:
        keras_config["data_format"] = "channels_last"
    if name == "SpatialDropout2D":  # Keras's takes no `trainable`
        del keras_config["trainable"]
    if name.startswith("Global"):
        keras_config["keepdims"] = False
    return {"module": "keras.layers", "class_name": name, "config": keras_config,
            "registered_name": None, "build_config": {"input_shape": (
                [[None, *s[1:]] for s in input_shape] if isinstance(input_shape, list)
                else [None, *input_shape[1:]])}}


def to_keras(model, path: str | os.PathLike) -> None:
    """Write `model` as a Keras 3 `.keras` file (architecture and weights; not the optimizer),
    atomically, that keras.saving.load_model reads and that predicts as numnet does."""
    h5py = _h5py()
    path = os.fspath(path)
    if not path.endswith(".keras"):
        fail("path", "a file name ending in '.keras'", path)
    from ..models import Sequential

    model.require_built("Keras file")
    if not isinstance(model, Sequential):
        config = functional_config(model, _keras_layer)
        return _write_keras(h5py, path, model, config)
    shape, specs = model.input_shape, []
    for layer in model.layers:
        specs.append(_keras_layer(layer, shape))
        shape = layer.compute_output_shape(shape)
    input_spec = {"module": "keras.layers", "class_name": "InputLayer",
                  "config": {"batch_shape": [None, *model.input_shape[1:]],
                             "dtype": model.inputs[0].dtype,
                             "sparse": False, "ragged": False, "name": "input_layer",
                             "optional": False}, "registered_name": None}
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": model.name, "trainable": True, "dtype": _dtype_policy(),
                         "layers": [input_spec, *specs],
                         "build_input_shape": [None, *model.input_shape[1:]]},
              "build_config": {"input_shape": [None, *model.input_shape[1:]]}}
    _write_keras(h5py, path, model, config)


def _write_keras(h5py, path: str, model, config: dict) -> None:
    """The .keras zip: metadata, `config` and the weights of model.layers (every layer has a
    group, named as Keras names them), atomically."""
    weights = io.BytesIO()
    with h5py.File(weights, "w") as store:
        for layer, name in zip(model.layers, keras_sequences.storage_names(model.layers)):
            values = iter(layer.weights.values())
            for group_name, size in keras_sequences.weights_groups(layer, name,
                                                                     len(layer.weights)):
                group = store.create_group(group_name)
                group.attrs["name"] = layer.name
                for index in range(size):
                    group.create_dataset(str(index), data=next(values))
        store.create_group("vars").attrs["name"] = model.name
    metadata = {"keras_version": KERAS_VERSION, "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S")}
    with atomic_write(path) as handle, zipfile.ZipFile(handle, "w") as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights.getvalue())
