"""Keras 3's functional config, both ways: its layers in Keras's order of `model.layers`, each
with its calls (`inbound_nodes`: the tensors each call reads, as [layer, node, tensor]), and
the model's `input_layers` and `output_layers`. numnet/export/keras_format.py reads and writes
the layers themselves and the weights; this module reads and writes the graph.

A file's graph is walked twice when it is read: once with shapes only (to compare every
weight's shape with the file's before anything is allocated), then with symbolic tensors to
build the model.
"""

from __future__ import annotations

from ..saving import FileFormatError


def _reference(value, path: str) -> tuple[str, int, int]:
    """A Keras tensor in a config ({"class_name": "__keras_tensor__", "config": {...
    "keras_history": [layer, node, tensor]}}, or a bare triple) -> (layer, node, tensor)."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        value = (value.get("config") or {}).get("keras_history")
    if (isinstance(value, (list, tuple)) and len(value) >= 3 and isinstance(value[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                    for i in value[1:3])):
        return value[0], value[1], value[2]
    raise FileFormatError(f"{path}: a tensor in the graph is not [layer, node, tensor]: "
                          f"{value!r:.80}")


def _arguments(node: dict) -> dict:
    """A call's keyword arguments other than its mask (numnet derives masks by Keras's rules
    from the layers that make them, so the mask a Keras file records is not needed)."""
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    return {k: v for k, v in kwargs.items() if k != "mask"} if isinstance(kwargs, dict) else {}


def _calls(spec: dict, path: str) -> list[tuple[list, bool]]:
    """A layer's calls as (tensor references, called on a list)."""
    calls = []
    for node in spec.get("inbound_nodes") or []:
        if not isinstance(node, dict) or not isinstance(node.get("args"), list) or len(
                node["args"]) != 1 or any(v is not None for v in _arguments(node).values()
                                          if not isinstance(v, bool)):
            raise FileFormatError(f"{path}: layer {spec.get('name')!r} is called with "
                                  f"arguments numnet does not take: {node!r:.120}")
        argument = node["args"][0]
        listed = isinstance(argument, list) and not (argument and isinstance(argument[0], str))
        calls.append(([_reference(v, path) for v in argument] if listed
                      else [_reference(argument, path)], listed))
    return calls


_MASK_OPERATIONS = {"NotEqual", "Any", "All", "LogicalOr", "LogicalAnd", "LogicalNot",
                    "ExpandDims", "OnesLike", "ZerosLike", "Squeeze", "Cast"}


def without_mask_ops(specs: list, path: str) -> list:
    """The layer specs without the operations Keras records to compute masks (a functional
    model with Masking or mask_zero=True holds e.g. NotEqual and Any nodes from keras.src.ops,
    read only by other layers' `mask` arguments). An operation any layer reads as an input is
    refused: numnet has no operation layers."""
    def is_op(spec):  # .h5 files name no module: there, the operations masks are made of
        module = spec.get("module")
        return (str(module).startswith("keras.src.ops") if module is not None
                else spec.get("class_name") in _MASK_OPERATIONS)

    ops = {spec.get("name"): spec for spec in specs if is_op(spec)}
    for spec in specs:
        if is_op(spec):
            continue
        for refs, _ in _calls(spec, path):
            for name, _, _ in refs:
                if name in ops:
                    raise FileFormatError(
                        f"{path}: layer {spec.get('name')!r} reads the output of the operation "
                        f"{name!r} ({ops[name].get('class_name')}), which numnet does not have")
    return [spec for spec in specs if not is_op(spec)]


def _structure(value, path: str, what: str):
    """input_layers / output_layers: one triple, a list of them, or a dict of them ->
    (references, structure: None, "list" or the dict's keys)."""
    if isinstance(value, dict):
        return [_reference(v, path) for v in value.values()], list(value)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [_reference(value, path)], None
    if isinstance(value, list) and value:
        return [_reference(v, path) for v in value], "list"
    raise FileFormatError(f"{path}: the functional config's {what} are {value!r:.80}")


def walk(specs: list, layers: list, config: dict, path: str, call):
    """Call every node of the graph once its inputs exist: call(layer, values read, listed)
    -> the node's output value (a shape, or a symbolic tensor). InputLayers' values come
    from call(layer, [], False). -> (input values, output values, input and output
    structures)."""
    by_name = {layer.name: layer for layer in layers}
    if len(by_name) != len(layers):
        raise FileFormatError(f"{path}: two layers of the graph share a name")
    values: dict[str, list] = {}
    pending = []
    for spec, layer in zip(specs, layers):
        calls = _calls(spec, path)
        if spec.get("class_name") == "InputLayer":
            values[layer.name] = [call(layer, [], False)]
        pending += [(layer, refs, listed) for refs, listed in calls]
    while pending:
        ready = next((item for item in pending
                      if all(len(values.get(name, ())) > node for name, node, _ in item[1])),
                     None)
        if ready is None:
            raise FileFormatError(f"{path}: the graph's calls cannot be ordered (a call reads "
                                  f"a tensor no layer makes): {pending[0][1]!r:.120}")
        layer, refs, listed = ready
        pending.remove(ready)
        read = [values[name][node] for name, node, _ in refs]
        values.setdefault(layer.name, []).append(call(layer, read, listed))
    ends = []
    for key in ("input_layers", "output_layers"):
        refs, structure = _structure(config.get(key), path, key)
        try:
            ends.append(([values[name][node] for name, node, _ in refs], structure))
        except (KeyError, IndexError):
            raise FileFormatError(f"{path}: {key} name a tensor the graph does not make: "
                                  f"{refs!r:.120}") from None
    return ends[0][0], ends[1][0], ends[0][1], ends[1][1]


# ---- numnet -> Keras --------------------------------------------------------------------------
def _tensor(model, tensor) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": [tensor.layer.name, model.node_index(tensor.node),
                                         tensor.index]}}


def _ends(model, tensors: list, structure):
    refs = [[t.layer.name, model.node_index(t.node), t.index] for t in tensors]
    if structure is None:
        return refs[0]
    return dict(zip(structure, refs)) if isinstance(structure, list) else refs


def functional_config(model, layer_spec) -> dict:
    """Keras 3's config of a numnet Model: layer_spec(layer, input shape) gives a layer's
    spec; its calls and the model's ends are added here."""
    layers = []
    for layer in model.layers:
        nodes = [node for node in model.nodes if node.layer is layer]
        if not nodes[0].inputs:  # an InputLayer
            spec = {"module": "keras.layers", "class_name": "InputLayer",
                    "config": {"batch_shape": list(layer.batch_shape), "dtype": layer.dtype,
                               "sparse": False, "ragged": False, "name": layer.name,
                               "optional": False}, "registered_name": None}
        else:
            first = nodes[0]
            shape = ([t.shape for t in first.inputs] if first.list_input
                     else first.inputs[0].shape)
            spec = layer_spec(layer, shape)
        spec["name"] = layer.name
        spec["inbound_nodes"] = [
            {"args": [[_tensor(model, t) for t in node.inputs] if node.list_input
                      else _tensor(model, node.inputs[0])], "kwargs": {}}
            for node in nodes if node.inputs]
        layers.append(spec)
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "registered_name": "Functional",
            "config": {"name": model.name, "trainable": True, "layers": layers,
                       "input_layers": _ends(model, model.inputs, model._input_structure),
                       "output_layers": _ends(model, model.outputs, model._output_structure)}}
