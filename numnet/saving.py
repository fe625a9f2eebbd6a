"""The model and weights file format: npz arrays + a JSON header, written atomically."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from .files import atomic_write

# ---- model files ---------------------------------------------------------------------------------
# One .npz (NumPy's zip of .npy arrays), written with atomic_write and read with
# allow_pickle=False. The array "__numnet__" holds UTF-8 JSON: format, version, the model's
# architecture, its compile settings, the optimizer's state keys, and the random generators'
# states (so training resumed from a file continues exactly as if it had never stopped).
# Weights are "weights/<layer>/<param>", optimizer slots "optimizer/<key>".
MODEL_FORMAT, WEIGHTS_FORMAT, VERSION = "numnet-model", "numnet-weights", 1
HEADER = "__numnet__"


class FileFormatError(ValueError):
    """The file is not a numnet model or weights file, or is damaged."""


def _header_array(header: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)


# Formats numnet does not write or read, by file name ending, and by their first bytes.
FOREIGN_SUFFIXES = {".h5": "a Keras HDF5 file", ".hdf5": "a Keras HDF5 file",
                    ".keras": "a Keras .keras file (numnet.export.to_keras writes one)",
                    ".onnx": "an ONNX file (numnet.export.to_onnx writes one)",
                    ".pt": "a PyTorch file", ".pth": "a PyTorch file", ".pkl": "a pickle"}
_MAGIC = [(b"\x89HDF\r\n\x1a\n", "an HDF5 file (a Keras .h5 model? numnet.load_keras reads those)"),
          (b"\x93NUMPY", "a single NumPy array (np.save), not a numnet model"),
          (b"\x80", "a Python pickle (torch.save or pickle.dump?), which numnet never loads")]


def _check_target(path) -> str:
    """`path` as a string, unless its ending names a format numnet does not write."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in FOREIGN_SUFFIXES:
        raise ValueError(
            f"filepath must name a numnet file, such as 'model.npz' (numnet's own format: the "
            f"arrays and a JSON header in one .npz); '{suffix}' is {FOREIGN_SUFFIXES[suffix]}, "
            f"which numnet does not write. Received: filepath={path!r}")
    return path


def _foreign_format(path: str) -> str | None:
    """What a file that is not numnet's is, from its first bytes (None when it may be ours)."""
    with open(path, "rb") as handle:
        start = handle.read(8)
    for magic, what in _MAGIC:
        if start.startswith(magic):
            return what
    if start.startswith(b"PK") and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        if "config.json" in names and any(n.endswith("model.weights.h5") for n in names):
            return "a Keras .keras file (numnet.load_keras reads those)"
        if any(n.endswith("data.pkl") for n in names):
            return "a PyTorch file (torch.save), which holds pickles numnet never loads"
    return None


def _write_npz(path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    with atomic_write(_check_target(path)) as handle:
        np.savez(handle, **{HEADER: _header_array(header)}, **arrays)


def _read_npz(path, expected_format: str) -> tuple[dict, dict[str, np.ndarray]]:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError("filepath must be an existing numnet file. "
                                f"Received: filepath={path!r}")
    foreign = _foreign_format(path)
    if foreign is not None:
        raise FileFormatError(f"{path} is {foreign}; numnet cannot load it. numnet loads the "
                              "files numnet writes (model.save, model.save_weights).")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise FileFormatError(f"{path} could not be read as a numnet file (truncated, corrupted, "
                              "or holding pickled objects, which numnet never loads): "
                              f"{error}") from None
    if HEADER not in arrays or arrays[HEADER].dtype != np.uint8 or arrays[HEADER].ndim != 1:
        raise FileFormatError(f"{path} is not a numnet file: it has no {HEADER!r} header")
    try:
        header = json.loads(arrays.pop(HEADER).tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FileFormatError(f"{path} has a damaged header: {error}") from None
    if not isinstance(header, dict) or header.get("format") != expected_format:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise FileFormatError(f"{path} must be a {expected_format!r} file. "
                              f"Received: format={found!r}")
    if header.get("version") != VERSION:
        raise FileFormatError(f"{path} has format version {header.get('version')!r}; this numnet "
                              f"reads version {VERSION}")
    for key, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise FileFormatError(f"{path}: array {key!r} has dtype {array.dtype}; numnet files "
                                  "hold numbers only")
    return header, arrays


def _weight_arrays(model) -> tuple[list[list], dict[str, np.ndarray]]:
    names, arrays = [], {}
    for layer in model.layers:
        for key, value in layer.weights.items():
            names.append([layer.name, key, list(value.shape)])
            arrays[f"weights/{layer.name}/{key}"] = value
    return names, arrays


def _assign_weights(model, names: list, arrays: dict, path: str) -> None:
    """Copy arrays into the model's parameters, matched by position (layer names may differ,
    as for a freshly built identical model), after checking parameter names and shapes."""
    expected = [(layer, key, param)
                for layer in model.layers for key, param in layer.weights.items()]
    if not isinstance(names, list) or len(names) != len(expected) or any(
            not isinstance(n, list) or len(n) != 3 or n[1] != key
            for n, (_, key, _) in zip(names, expected)):
        saved = [tuple(n[:2]) for n in names] if isinstance(names, list) else names
        raise FileFormatError(f"{path} holds weights {saved}, which do not fit the model's "
                              f"{[(layer.name, key) for layer, key, _ in expected]}")
    for (saved_layer, key, _), (layer, _, param) in zip(names, expected):
        array = arrays.get(f"weights/{saved_layer}/{key}")
        if array is None or array.shape != param.shape:
            raise FileFormatError(
                f"{path}: weight {saved_layer}/{key} must have shape {param.shape} to fit layer "
                f"'{layer.name}'. Received: {None if array is None else array.shape}")
        param[...] = array


def save_weights(model, filepath) -> None:
    """Write the model's weights (only) to `filepath`, atomically."""
    model.require_built("weights")
    names, arrays = _weight_arrays(model)
    _write_npz(filepath, {"format": WEIGHTS_FORMAT, "version": VERSION, "weights": names}, arrays)


def load_weights(model, filepath) -> None:
    """Load weights written by save_weights (or model.save) into a model of the same layers."""
    model.require_built("weights")
    path = os.fspath(filepath)
    try:
        header, arrays = _read_npz(path, WEIGHTS_FORMAT)
    except FileFormatError as error:
        if "must be a 'numnet-weights' file" not in str(error):
            raise
        header, arrays = _read_npz(path, MODEL_FORMAT)
    _assign_weights(model, header.get("weights", []), arrays, path)


def _rng_state(rng) -> dict | None:
    if rng is None:
        return None
    state = rng.bit_generator.state
    return state if state.get("bit_generator") == "PCG64" else None


def _restore_rng(state: dict | None, path: str):
    if state is None:
        return None
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise FileFormatError(f"{path}: unsupported random generator state {state!r:.80}")
    rng = np.random.Generator(np.random.PCG64())
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as error:
        raise FileFormatError(f"{path}: damaged random generator state ({error})") from None
    return rng


def save_model(model, filepath) -> None:
    """Write architecture, weights, compile settings, optimizer state and random generator
    states to one file, atomically: a crash mid-save leaves the previous file intact."""
    from . import losses, optimizers

    model.require_built("weights")
    names, arrays = _weight_arrays(model)
    header = {"format": MODEL_FORMAT, "version": VERSION, "config": model.get_config(),
              "weights": names, "rng": _rng_state(model.rng),
              "layer_rngs": {layer.name: _rng_state(layer.rng) for layer in model.layers
                             if layer.rng is not None and layer.rng is not model.rng}}
    if model.compiled:
        state = model.get_optimizer_state()
        compiled = model.compiled_outputs
        several = len(compiled.losses) > 1
        header["compile"] = {"loss": ([losses.serialize(loss) for loss in compiled.losses]
                                      if several else losses.serialize(compiled.losses[0])),
                             "optimizer": optimizers.serialize(model.optimizer),
                             "metrics": (compiled.metric_specs if several
                                         else [name for _, _, name, _ in compiled.metrics]),
                             "optimizer_state": sorted(state)}
        if compiled.loss_weights != [1.0] * len(compiled.losses):
            header["compile"]["loss_weights"] = compiled.loss_weights
        arrays.update({f"optimizer/{key}": value for key, value in state.items()})
    _write_npz(filepath, header, arrays)


def _check_shapes_before_building(layers, input_shape, names, path: str) -> None:
    """Compare the parameter shapes the config implies with the arrays the file holds, before
    anything is allocated: a forged config (say units=10**9) fails here, not in an OOM."""
    if not isinstance(input_shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in input_shape):
        raise FileFormatError(f"{path}: the header's input_shape must be a list of positive "
                              f"integers. Received: {input_shape!r:.80}")
    implied = []
    shape = (None, *input_shape)
    try:
        for layer in layers:
            implied += [[key, list(s)] for key, s in layer.weight_shapes(shape).items()]
            shape = layer.compute_output_shape(shape)
    except (TypeError, ValueError, IndexError) as error:
        raise FileFormatError(f"{path}: the layers do not fit together: {error}") from None
    stored = [n[1:] for n in names] if isinstance(names, list) and all(
        isinstance(n, list) and len(n) == 3 for n in names) else None
    if stored != implied:
        raise FileFormatError(f"{path}: the config implies parameters {implied!r:.200} but the "
                              f"file lists {stored!r:.200}")


def _config_layers(config: dict, path: str) -> list:
    """The layers of a model's config, made from numnet's own classes only."""
    from .layers import LAYER_CLASSES

    layers = []
    for index, spec in enumerate(config["layers"]):
        class_name = spec.get("class_name") if isinstance(spec, dict) else None
        if class_name not in LAYER_CLASSES:
            raise FileFormatError(f"{path}: layer {index} names class {class_name!r}, which is not "
                                  f"a numnet layer; allowed: {sorted(LAYER_CLASSES)}")
        layer_config = spec.get("config", {})
        if not isinstance(layer_config, dict):
            raise FileFormatError(f"{path}: layer {index} has a config that is not an object")
        try:
            layers.append(LAYER_CLASSES[class_name].from_config(dict(layer_config)))
        except (TypeError, ValueError) as error:
            raise FileFormatError(
                f"{path}: layer {index} ({class_name}) has a bad config: {error}") from None
    return layers


def _check_graph_before_building(config: dict, names, path: str, walk) -> None:
    """As `_check_shapes_before_building`, for a graph: `walk` (Model.walk_config) follows
    it with shapes only, each layer's weights implied by its first call, nothing built."""
    from .symbolic import shapes_only

    layers = {layer.name: layer for layer in _config_layers(config, path)}
    implied_by_layer: dict[str, dict] = {}
    try:
        walk(config, layers, shapes_only(implied_by_layer))
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as error:
        raise FileFormatError(f"{path}: the graph's layers do not fit together: "
                              f"{error!r}") from None
    implied = [[key, list(s)] for name in layers
               for key, s in implied_by_layer.get(name, {}).items()]
    stored = [n[1:] for n in names] if isinstance(names, list) and all(
        isinstance(n, list) and len(n) == 3 for n in names) else None
    if stored != implied:
        raise FileFormatError(f"{path}: the config implies parameters {implied!r:.200} but the "
                              f"file lists {stored!r:.200}")


def _build_model(config: dict, model_types: dict, names, path: str):
    """The model a header's config describes, built (weights initialised, then replaced)."""
    if "nodes" in config:  # a functional graph
        from .layers import LAYER_CLASSES

        _check_graph_before_building(config, names, path, model_types["Model"].walk_config)
        try:
            return model_types["Model"].from_config(config, LAYER_CLASSES,
                                                    rng=np.random.default_rng())
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise FileFormatError(f"{path}: the graph cannot be rebuilt: {error}") from None
    layers = _config_layers(config, path)
    _check_shapes_before_building(layers, config.get("input_shape"), names, path)
    model = model_types["Sequential"](name=config.get("name"))
    model.rng = np.random.default_rng()  # consumed by the initializers while rebuilding
    for layer in layers:
        model.add(layer)
    input_shape = config.get("input_shape")
    if not model.built:
        if not isinstance(input_shape, list):
            raise FileFormatError(f"{path}: the header has no input shape")
        model.build((None, *input_shape))
    return model


def load_model(filepath, model_types: dict, compile: bool = True):
    """Rebuild a model written by `model.save` as one of `model_types` ({"Sequential": ...,
    "Model": ...}; use numnet.load_model): predictions equal the original's bit for bit, and
    fit(initial_epoch=...) continues where it stopped. Only numnet's own layer classes are
    accepted; nothing in the file is imported, evaluated or unpickled."""
    from . import losses, optimizers

    path = os.fspath(filepath)
    header, arrays = _read_npz(path, MODEL_FORMAT)
    config = header.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise FileFormatError(f"{path}: the header has no model config")
    saved_rng = _restore_rng(header.get("rng"), path)
    model = _build_model(config, model_types, header.get("weights"), path)
    _assign_weights(model, header.get("weights", []), arrays, path)
    if saved_rng is not None:  # in place: Dropout layers share this generator object
        model.rng.bit_generator.state = saved_rng.bit_generator.state
    for layer in model.layers:
        state = header.get("layer_rngs", {}).get(layer.name)
        if state is not None:
            layer.rng = _restore_rng(state, path)
    spec = header.get("compile")
    if compile and spec:
        try:
            loss = spec["loss"]
            loss = ([losses.deserialize(s) for s in loss] if isinstance(loss, list)
                    else losses.deserialize(loss))
            model.compile(optimizer=optimizers.deserialize(spec["optimizer"]), loss=loss,
                          metrics=list(spec["metrics"]),
                          loss_weights=spec.get("loss_weights"))
        except (TypeError, ValueError, KeyError) as error:
            raise FileFormatError(f"{path}: bad compile settings: {error}") from None
        state = {key.removeprefix("optimizer/"): value for key, value in arrays.items()
                 if key.startswith("optimizer/")}
        if state:
            try:
                model.set_optimizer_state(state)
            except (ValueError, TypeError, KeyError) as error:
                raise FileFormatError(f"{path}: bad optimizer state: {error}") from None
    return model
