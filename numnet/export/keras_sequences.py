"""Keras configs of the sequence layers (Embedding, SimpleRNN, LSTM, GRU, the wrappers
Bidirectional and TimeDistributed, the 1-D and shape layers) both ways, for
numnet/export/keras_format.py. Keras keeps a recurrent layer's weights in its cell: the
.keras group layers/<name>/cell/vars, the .h5 names <layer>/<layer>_cell/kernel, ...
"""

from __future__ import annotations

from .. import layers as numnet_layers
from ..layers.base import snake_case
from ..layers.recurrent import RNN
from ..saving import FileFormatError

# Keras's recurrent classes; the config keys numnet's take as they are (all, and per class);
# each class's penalty arguments
RECURRENT = {"SimpleRNN": numnet_layers.SimpleRNN, "LSTM": numnet_layers.LSTM,
             "GRU": numnet_layers.GRU}
_RNN_KEYS = ("units", "activation", "use_bias", "return_sequences", "go_backwards",
             "dropout", "recurrent_dropout", "return_state", "stateful", "unroll",
             "zero_output_for_mask", "seed")
_EXTRA_KEYS = {"SimpleRNN": (), "LSTM": ("recurrent_activation", "unit_forget_bias"),
               "GRU": ("recurrent_activation", "reset_after")}
PENALTIES = {
    "Embedding": ("embeddings_regularizer", "embeddings_constraint"),
    **{name: ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint")
       for name in RECURRENT},
}
# the 1-D poolings and the padding, cropping and upsampling layers: one to one, as
# keras_format.py's other simple layers (class, the config keys numnet shares)
SHAPE_LAYERS = {
    "MaxPooling1D": (numnet_layers.MaxPooling1D, ("pool_size", "strides", "padding")),
    "AveragePooling1D": (numnet_layers.AveragePooling1D, ("pool_size", "strides", "padding")),
    "UpSampling1D": (numnet_layers.UpSampling1D, ("size",)),
    "UpSampling2D": (numnet_layers.UpSampling2D, ("size", "interpolation")),
    "ZeroPadding1D": (numnet_layers.ZeroPadding1D, ("padding",)),
    "ZeroPadding2D": (numnet_layers.ZeroPadding2D, ("padding",)),
    "Cropping1D": (numnet_layers.Cropping1D, ("cropping",)),
    "Cropping2D": (numnet_layers.Cropping2D, ("cropping",)),
}
_INITIALIZERS = {"RandomUniform": "random_uniform", "GlorotUniform": "glorot_uniform",
                 "Orthogonal": "orthogonal", "Zeros": "zeros", "Ones": "ones",
                 "GlorotNormal": "glorot_normal", "HeUniform": "he_uniform",
                 "HeNormal": "he_normal", "Identity": "identity"}
_CLASS_OF = {name: cls for cls, name in _INITIALIZERS.items()}


def handles(class_name: str) -> bool:
    return class_name in PENALTIES


def _initializer(spec) -> str:
    """An initializer spec as a numnet name; a custom or parameterised one becomes the
    default (the file's weights replace every initial value anyway)."""
    if isinstance(spec, str):
        return spec
    return _INITIALIZERS.get(spec.get("class_name") if isinstance(spec, dict) else None,
                             "zeros")


def read(class_name: str, config: dict, penalties: dict, common: dict):
    """The numnet layer for a Keras Embedding or recurrent layer config."""
    if config.get("activity_regularizer"):
        raise ValueError("an activity regularizer, which numnet's sequence layers do not have")
    if class_name == "Embedding":
        return numnet_layers.Embedding(
            config["input_dim"], config["output_dim"], mask_zero=config.get("mask_zero", False),
            embeddings_initializer=_initializer(config.get("embeddings_initializer",
                                                           "uniform")), **penalties, **common)
    keys = (*_RNN_KEYS, *_EXTRA_KEYS[class_name])
    arguments = {key: config[key] for key in keys if key in config}
    for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        if key in config:
            arguments[key] = _initializer(config[key])
    return RECURRENT[class_name](**arguments, **penalties, **common)


def write(layer, base: dict, penalties: dict) -> dict:
    """The Keras config of a numnet Embedding or recurrent layer."""
    config = layer.get_config()
    if isinstance(layer, numnet_layers.Embedding):
        return {**base, "input_dim": layer.input_dim, "output_dim": layer.output_dim,
                "embeddings_initializer": _keras_initializer(config["embeddings_initializer"]),
                "mask_zero": layer.mask_zero, **penalties}
    name = type(layer).__name__
    keys = (*_RNN_KEYS, *_EXTRA_KEYS[name])
    keras_config = {**base, **{key: config[key] for key in keys if key in config}, **penalties}
    keras_config.update(return_state=False, stateful=False, unroll=False, seed=layer.seed,
                        zero_output_for_mask=layer.zero_output_for_mask)
    for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        keras_config[key] = _keras_initializer(config[key])
    return keras_config


def _keras_initializer(name: str) -> dict:
    return {"module": "keras.initializers", "class_name": _CLASS_OF.get(name, "Zeros"),
            "config": {"seed": None} if name not in ("zeros", "ones") else {},
            "registered_name": None}


def storage_names(layers: list) -> list[str]:
    """The group of each layer in a .keras weights file: Keras names them by class within the
    model, not by layer name (dense, dense_1, ..., re_lu, ...)."""
    used: dict[str, int] = {}
    names = []
    for layer in layers:
        name = snake_case(type(layer).__name__)
        used[name] = used.get(name, -1) + 1
        names.append(name if not used[name] else f"{name}_{used[name]}")
    return names


def weights_groups(layer, name: str, count: int) -> list[tuple[str, int]]:
    """Where a .keras file keeps the `count` variables of a layer: (group, how many) in
    order (a Bidirectional's half in its forward layer's cell, half in its backward's)."""
    if isinstance(layer, numnet_layers.TimeDistributed):
        return [(f"layers/{name}/layer/vars", count)]
    if isinstance(layer, numnet_layers.Bidirectional):
        return [(f"layers/{name}/{side}_layer/cell/vars", count // 2)
                for side in ("forward", "backward")]
    return [(f"layers/{name}/cell/vars" if isinstance(layer, RNN) else f"layers/{name}/vars",
             count)]


# ---- the wrappers: a layer spec inside the spec ---------------------------------------------
WRAPPERS = ("Bidirectional", "TimeDistributed")


def read_wrapper(class_name: str, config: dict, common: dict, path: str, read_inner):
    """The numnet Bidirectional or TimeDistributed for a Keras config; read_inner(spec)
    reads the wrapped layer's spec."""
    if class_name == "TimeDistributed":
        return numnet_layers.TimeDistributed(read_inner(config.get("layer")), **common)
    inner, backward = config.get("layer"), config.get("backward_layer")
    if isinstance(backward, dict) and (
            backward.get("class_name") != (inner or {}).get("class_name")
            or not (backward.get("config") or {}).get("go_backwards")):
        raise FileFormatError(f"{path}: layer {config.get('name')!r} has a backward layer of "
                              "its own, which numnet's Bidirectional does not take")
    return numnet_layers.Bidirectional(read_inner(inner),
                                       merge_mode=config.get("merge_mode", "concat"), **common)


def write_wrapper(layer, base: dict, input_shape: tuple, write_inner) -> dict:
    """The Keras config of a numnet Bidirectional or TimeDistributed; write_inner(layer,
    input_shape) writes a wrapped layer's spec."""
    if isinstance(layer, numnet_layers.TimeDistributed):
        return {**base, "layer": write_inner(layer.layer, (None, *input_shape[2:]))}
    return {**base, "merge_mode": layer.merge_mode,
            "layer": write_inner(layer.forward_layer, input_shape),
            "backward_layer": write_inner(layer.backward_layer, input_shape)}
