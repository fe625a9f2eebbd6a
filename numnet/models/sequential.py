"""Sequential: a chain of layers, the simplest graph.

It builds the same graph as numnet.Model (an InputLayer, then each layer called on the
previous layer's output) whenever its input shape is known, so one runner trains both.
"""

from __future__ import annotations

import numpy as np

from .. import config
from .._validation import fail
from ..layers import InputLayer, Layer
from ..layers.base import unique_name
from ..symbolic import SymbolicTensor
from ..training import Trainer
from .model import Model


class Sequential(Model):
    """A linear stack of layers.

    >>> model = Sequential([layers.Dense(10, activation="softmax", input_shape=(784,))])

    The first element may also be `numnet.Input(shape=...)`. `rng` is the model's random
    generator: it initialises the weights, draws the dropout masks and shuffles the batches
    (numnet.set_random_seed sets the one it starts from).
    """

    connected_column = False

    def __init__(self, layers: list[Layer] | None = None, name: str | None = None) -> None:
        Trainer.__init__(self)
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None
        self._input_layer: InputLayer | None = None
        self.rng: np.random.Generator | None = None
        self.inputs, self.outputs, self.nodes = [], [], []
        self._input_structure = self._output_structure = None
        self._graph_layers: list[Layer] = []
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                fail("layers", "a list of layers", layers, TypeError)
            for layer in layers:
                self.add(layer)

    # ---- construction ------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer (as Keras's Sequential lists them)."""
        return list(self._layers)

    @property
    def built(self) -> bool:
        """Whether the chain's graph is made (which builds every layer)."""
        return bool(self.nodes)

    @property
    def input_shape(self) -> tuple | None:
        return self._input_shape

    @property
    def input_names(self) -> list[str]:
        return [self._input_layer.name] if self._input_layer is not None else ["input"]

    @property
    def output_names(self) -> list[str]:
        return [self._layers[-1].name] if self._layers else ["output"]

    @property
    def outputs_as_dict(self) -> bool:
        return False

    @property
    def dtype(self) -> str:
        """The model's float type: its first layer's. Each batch is cast to it as it enters."""
        return self._layers[0].dtype if self._layers else config.floatx()

    def add(self, layer: Layer | SymbolicTensor) -> None:
        """Append `layer`; build it at once if the model's input shape is known. An Input
        (numnet.Input(...) or an InputLayer) may come first and fixes the input shape."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            layer = layer.layer
        if not isinstance(layer, Layer):
            fail("layer", "a numnet.layers.Layer instance", layer, TypeError)
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise ValueError("An Input layer must be the first layer of a Sequential model. "
                                 f"Received: Input at position {len(self._layers)}")
            self._input_layer = layer
            self._input_shape = (None, *layer.declared_input_shape)
            return
        if layer.takes_list_input:
            raise ValueError(f"A Sequential model chains layers of one input each; "
                             f"'{layer.name}' ({type(layer).__name__}) merges several: build a "
                             "numnet.Model(inputs, outputs) instead")
        if not self._layers and self._input_shape is None and layer.declared_input_shape:
            self._input_shape = (None, *layer.declared_input_shape)
        elif not self._layers and self._input_shape is None and layer.built:
            self._input_shape = (None, *layer.input_shape[1:])  # another model's layers
        elif self._layers and layer.declared_input_shape:
            raise ValueError(f"input_shape may only be given to the first layer. Received: "
                             f"input_shape={layer.declared_input_shape} on '{layer.name}'")
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"Layer '{layer.name}' is already in the model")
        self._layers.append(layer)
        if self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self) -> Layer:
        """Remove the last layer and return it (the graph is rebuilt without it)."""
        if not self._layers:
            raise ValueError("There are no layers to pop from this Sequential model")
        layer = self._layers.pop()
        self._discard_graph()
        if self._layers and self._input_shape is not None:
            self.build(self._input_shape)
        return layer

    def _discard_graph(self) -> None:
        """Forget the nodes the last build recorded on the layers."""
        for node in self.nodes:
            if node.inputs and node in node.layer.inbound_nodes:
                node.layer.inbound_nodes.remove(node)
        self.inputs, self.outputs, self.nodes, self._graph_layers = [], [], [], []

    def build(self, input_shape: tuple | None = None) -> None:
        """Build every unbuilt layer for inputs of `input_shape` (batch axis first), and the
        graph: an InputLayer, then each layer called on the previous layer's output."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError("The model's input shape is unknown: give input_shape=(...) to the "
                             "first layer, start with layers.Input(shape=...), or call fit/predict")
        self._input_shape = tuple(input_shape)
        if self.rng is None:
            self.rng = config.random_generator()
        if not self._layers:
            return
        self._discard_graph()
        given = self._input_layer  # an integer Input keeps its type; a float one the model's
        input_dtype = (given.dtype if given is not None and given.dtype.startswith("int")
                       else self._layers[0].input_dtype or self.dtype)
        if given is None or given.batch_shape[1:] != self._input_shape[1:] or \
                given.dtype != input_dtype:
            self._input_layer = InputLayer(batch_shape=self._input_shape, dtype=input_dtype,
                                           name=unique_name("input_layer"))
        x = self._input_layer.output
        for layer in self._layers:
            if not layer.built:  # built here, with the model's generator
                layer.build(x.shape, self.rng)
            x = layer(x)
        self._set_graph(self._input_layer.output, x)

    def require_built(self, what: str) -> None:
        """Raise a ValueError saying how to build the model, when it is not built."""
        if not self.built:
            raise ValueError(
                f"This model has not yet been built, so it has no {what}. Give input_shape=(...)"
                " to the first layer, start with layers.Input(shape=...), or call fit/predict"
            )

    def get_config(self) -> dict:
        return {"name": self.name,
                "input_shape": None if self._input_shape is None else list(self._input_shape[1:]),
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._layers]}

    def __repr__(self) -> str:
        return f"Sequential(name={self.name!r}, layers={self._layers!r})"

