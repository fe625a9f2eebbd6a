"""Model: a graph of layers from its input tensors to its output tensors (Keras's functional
API). Sequential (numnet.models.sequential) is the same graph made from a list.

    inputs = numnet.Input(shape=(784,))
    h = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10, activation="softmax")(layers.Add()([h, layers.Dense(64)(h)]))
    model = numnet.Model(inputs, outputs)

What the model is lives here (its graph, layers, summary, config, weights, files); how it is
trained is inherited from numnet.training.Trainer, which runs every model through one runner
(numnet.training.runner) in the order of `model.nodes`.
"""

from __future__ import annotations

import numpy as np

from .. import config, saving
from ..layers import Layer
from ..layers.base import unique_name
from ..symbolic import Node, SymbolicTensor, flatten_structure, topological_nodes
from ..training import Trainer
from .summary import print_summary


class Model(Trainer):
    """A model of the layers that compute `outputs` from `inputs`.

    Args:
        inputs: a tensor from numnet.Input, a list of them, or a dict name -> tensor.
        outputs: a tensor made by calling layers on the inputs, a list, or a dict name ->
            tensor (losses, metrics and targets may then be given by those names, and
            predict returns a dict).
        name: the model's name (default "functional", "functional_1", ...).

    A layer called at several places shares its weights; its gradients are summed.
    `rng` is the model's random generator (weights, dropout masks, shuffling).
    """

    def __init__(self, inputs, outputs, name: str | None = None) -> None:
        super().__init__()
        if name is not None and (not isinstance(name, str) or not name):
            raise TypeError(f"name must be a non-empty string. Received: name={name!r}")
        self.name = name or unique_name("functional")
        self.rng: np.random.Generator | None = config.random_generator()
        self._set_graph(inputs, outputs)

    # ---- the graph ---------------------------------------------------------------------------
    def _set_graph(self, inputs, outputs) -> None:
        """Walk the graph from `outputs` back to `inputs`: nodes in topological order, the
        layers they call (each once, in that order), the names of inputs and outputs."""
        self.inputs, self._input_structure = flatten_structure(inputs, "inputs")
        self.outputs, self._output_structure = flatten_structure(outputs, "outputs")
        for argument, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            ids = [t.id for t in tensors]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{argument} must not hold the same tensor twice. "
                                 f"Received: {[t.name for t in tensors]}")
        self.nodes: list[Node] = topological_nodes(self.inputs, self.outputs)
        layers: list[Layer] = []
        for node in self.nodes:
            if not any(layer is node.layer for layer in layers):
                layers.append(node.layer)
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"Layer names must be unique within a model. Received: "
                             f"{len(duplicates)} name(s) used twice: {duplicates}")
        self._graph_layers = layers
        # structural work at build time: the trainable parameters move into one flat buffer
        # now (the layers' arrays become views of it), not on the first training step
        self._step.parameters()

    @staticmethod
    def _names(structure, tensors: list[SymbolicTensor]) -> list[str]:
        return list(structure) if isinstance(structure, list) else [t.layer.name
                                                                    for t in tensors]

    @property
    def input_names(self) -> list[str]:
        """The inputs' names: the dict's keys, or the Input layers' names."""
        return self._names(self._input_structure, self.inputs)

    @property
    def output_names(self) -> list[str]:
        """The outputs' names: the dict's keys, or the names of the layers that make them
        (Keras's names in logs: `<output>_loss`, `<output>_accuracy`)."""
        return self._names(self._output_structure, self.outputs)

    @property
    def outputs_as_dict(self) -> bool:
        """Whether the outputs were given as a dict (predict then returns a dict)."""
        return isinstance(self._output_structure, list)

    @property
    def input(self):
        """The input tensor, or the list (or dict) of them, as given."""
        return self._structured(self._input_structure, self.inputs)

    @property
    def output(self):
        """The output tensor, or the list (or dict) of them, as given."""
        return self._structured(self._output_structure, self.outputs)

    @staticmethod
    def _structured(structure, values: list):
        if structure is None:
            return values[0]
        if structure == "list":
            return list(values)
        return dict(zip(structure, values))

    def node_index(self, node: Node) -> int:
        """The position of `node` among its layer's calls in this model (Keras's node index
        in "Connected to" and in configs)."""
        mine = {id(n) for n in self.nodes}
        return [n for n in node.layer.inbound_nodes if id(n) in mine].index(node)

    # ---- what the trainer and users read -------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph, each once, in Keras's order: depth first from the
        outputs (Input layers included)."""
        return list(self._graph_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called `name`, or at position `index` of `layers`."""
        layers = self.layers
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or not (
                    -len(layers) <= index < len(layers)):
                raise ValueError(f"index must be an integer in [-{len(layers)}, "
                                 f"{len(layers)}). Received: index={index!r}")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r} in model '{self.name}'. Layers: "
                         f"{[layer.name for layer in layers]}")

    @property
    def built(self) -> bool:
        return True  # a graph is built from its input shapes as it is made

    def build(self, input_shape=None) -> None:
        """Nothing to do: the layers were built when they were called on the inputs."""

    def require_built(self, what: str) -> None:
        """Raise a ValueError saying how to build the model, when it is not built."""

    @property
    def input_shape(self) -> tuple | list[tuple]:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> tuple | list[tuple]:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def dtype(self) -> str:
        """The model's float type: its first float input's (else its first output's). Each
        batch is cast to its Input's type as it enters."""
        return next((t.dtype for t in self.inputs if t.dtype.startswith("float")),
                    self.outputs[0].dtype)

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print) -> None:
        """Print a table of layers, output shapes, parameter counts and, for a graph, the
        tensors each layer is connected to (Keras's "Connected to": layer[node][tensor])."""
        self.require_built("summary")
        rows = []
        for layer in self.layers:
            sources = [f"{t.layer.name}[{self.node_index(t.node)}][{t.index}]"
                       for node in self.nodes if node.layer is layer for t in node.inputs]
            rows.append((f"{layer.name} ({type(layer).__name__})", str(layer.output_shape),
                         f"{layer.count_params():,}", ", ".join(sources) or "-"))
        print_summary(self, rows, print_fn, connected=self.connected_column)

    connected_column = True  # Sequential's summary has no "Connected to"

    # ---- weights -----------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.require_built("weights")
        expected = sum(len(layer.weights) for layer in self.layers)
        if not isinstance(weights, (list, tuple)) or len(weights) != expected:
            count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(f"weights must be a list of {expected} arrays. "
                             f"Received: {count} arrays")
        start = 0
        for layer in self.layers:
            layer.set_weights(weights[start:start + len(layer.weights)])
            start += len(layer.weights)

    def save(self, filepath) -> None:
        """Save architecture, weights, compile settings and optimizer state to one file
        (atomically). Load with numnet.load_model(filepath)."""
        saving.save_model(self, filepath)

    def save_weights(self, filepath) -> None:
        """Save the weights only (atomically)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Load weights saved by save_weights or save into this (built) model."""
        saving.load_weights(self, filepath)

    # ---- configuration -----------------------------------------------------------------------
    def get_config(self) -> dict:
        """The layers' configs and the graph: each node as its layer and the tensors it reads
        ([layer, node index, tensor index]), in topological order."""
        def ref(tensor: SymbolicTensor) -> list:
            return [tensor.layer.name, self.node_index(tensor.node), tensor.index]

        def structure(s):
            return s if s in (None, "list") else list(s)

        return {"name": self.name,
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self.layers],
                "nodes": [{"layer": node.layer.name, "inputs": [ref(t) for t in node.inputs],
                           "list_input": node.list_input}
                          for node in self.nodes if node.inputs],
                "inputs": [ref(t) for t in self.inputs],
                "outputs": [ref(t) for t in self.outputs],
                "input_structure": structure(self._input_structure),
                "output_structure": structure(self._output_structure)}

    @staticmethod
    def walk_config(config_: dict, layers: dict, call) -> tuple[list, list]:
        """Follow the graph of a `get_config()`, node by node in its saved order, with
        `layers` by name: call(layer, values read, listed) -> the node's value (an
        InputLayer's is call(layer, [], False)). Loading walks it twice: with shapes, to
        check the weights before anything is allocated, then with symbolic tensors.
        -> (the inputs' values, the outputs' values)"""
        values = {name: [call(layer, [], False)] for name, layer in layers.items()
                  if layer.inbound_nodes and not layer.inbound_nodes[0].inputs}
        for node in config_["nodes"]:
            read = [values[name][index] for name, index, _ in node["inputs"]]
            values.setdefault(node["layer"], []).append(
                call(layers[node["layer"]], read, node["list_input"]))
        return ([values[name][index] for name, index, _ in config_["inputs"]],
                [values[name][index] for name, index, _ in config_["outputs"]])

    @classmethod
    def from_config(cls, config_: dict, layer_classes: dict[str, type],
                    rng: np.random.Generator | None = None) -> Model:
        """Rebuild a graph from `get_config()`, with layers of `layer_classes` only: calling
        each node's layer on the tensors it names, in the saved order. `rng` initialises the
        weights (default: numnet's generator)."""
        rng = rng if rng is not None else config.random_generator()
        layers = {}
        for spec in config_["layers"]:
            layer = layer_classes[spec["class_name"]].from_config(dict(spec["config"]))
            layers[layer.name] = layer

        def call(layer, read, listed):
            if not read:
                return layer.output
            if not layer.built:  # built here, with `rng`
                layer.build([t.shape for t in read] if listed else read[0].shape, rng)
            return layer(read if listed else read[0])

        inputs, outputs = cls.walk_config(config_, layers, call)
        model = cls(cls._structured(config_["input_structure"], inputs),
                    cls._structured(config_["output_structure"], outputs),
                    name=config_.get("name"))
        model.rng = rng
        return model

    def __repr__(self) -> str:
        return (f"Model(name={self.name!r}, inputs={self.input_names}, "
                f"outputs={self.output_names}, layers={[layer.name for layer in self.layers]})")

