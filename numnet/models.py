"""Sequential: a model that holds a stack of layers.

What the model is lives here (layers, building, summary, config, weights, files); how it is
trained is inherited from numnet.training.Trainer (compile, fit, evaluate, predict).
"""

from __future__ import annotations

import numpy as np

from . import config, saving
from ._validation import fail
from .layers import Input, Layer
from .layers.base import unique_name
from .training import Trainer


class Sequential(Trainer):
    """A linear stack of layers.

    >>> model = Sequential([layers.Dense(10, activation="softmax", input_shape=(784,))])

    `rng` is the model's random generator: it initialises the weights, draws the dropout
    masks and shuffles the batches (numnet.set_random_seed sets the one it starts from).
    """

    def __init__(self, layers: list[Layer] | None = None, name: str | None = None) -> None:
        super().__init__()
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None
        self.rng: np.random.Generator | None = None
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                fail("layers", "a list of layers", layers, TypeError)
            for layer in layers:
                self.add(layer)

    # ---- construction ------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return bool(self._layers) and all(layer.built for layer in self._layers)

    @property
    def input_shape(self) -> tuple | None:
        return self._input_shape

    @property
    def output_shape(self) -> tuple:
        self.require_built("output_shape")
        return self._layers[-1].output_shape

    @property
    def dtype(self) -> str:
        """The model's float type: its first layer's. Each batch is cast to it as it enters."""
        return self._layers[0].dtype if self._layers else config.floatx()

    def add(self, layer: Layer) -> None:
        """Append `layer`; build it at once if the model's input shape is known."""
        if not isinstance(layer, Layer):
            fail("layer", "a numnet.layers.Layer instance", layer, TypeError)
        if isinstance(layer, Input):
            if self._layers or self._input_shape is not None:
                raise ValueError("An Input layer must be the first layer of a Sequential model. "
                                 f"Received: Input at position {len(self._layers)}")
            self._input_shape = (None, *layer.declared_input_shape)
            return
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

    def build(self, input_shape: tuple | None = None) -> None:
        """Build every unbuilt layer for inputs of `input_shape` (batch axis first)."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError("The model's input shape is unknown: give input_shape=(...) to the "
                             "first layer, start with layers.Input(shape=...), or call fit/predict")
        self._input_shape = tuple(input_shape)
        if self.rng is None:
            self.rng = config.random_generator()
        shape = self._input_shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape, self.rng)
            elif tuple(layer.input_shape[1:]) != tuple(shape[1:]):
                raise ValueError(f"Layer '{layer.name}' was built for inputs {layer.input_shape}, "
                                 f"but receives {shape}")
            shape = layer.compute_output_shape(shape)

    def require_built(self, what: str) -> None:
        """Raise a ValueError saying how to build the model, when it is not built."""
        if not self.built:
            raise ValueError(
                f"This model has not yet been built, so it has no {what}. Give input_shape=(...)"
                " to the first layer, start with layers.Input(shape=...), or call fit/predict"
            )

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    def summary(self, print_fn=print) -> None:
        """Print a table of layers, output shapes and parameter counts."""
        self.require_built("summary")
        rows = [(f"{layer.name} ({type(layer).__name__})", str(layer.output_shape),
                 f"{layer.count_params():,}") for layer in self._layers]
        widths = [max(len(h), *(len(r[i]) for r in rows)) + 2
                  for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))]
        line_length = sum(widths)

        def row(a, b, c):
            return f"{a:<{widths[0]}}{b:<{widths[1]}}{c:>{widths[2] - 2}}"

        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        print_fn(row("Layer (type)", "Output Shape", "Param #"))
        print_fn("=" * line_length)
        for i, r in enumerate(rows):
            print_fn(row(*r))
            print_fn(("_" if i < len(rows) - 1 else "=") * line_length)
        trainable = sum(p.size for layer in self._layers if layer.trainable
                        for p in layer.params.values())
        print_fn(f"Total params: {self.count_params():,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {self.count_params() - trainable:,}")

    # ---- weights -----------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.require_built("weights")
        expected = sum(len(layer.weights) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(f"weights must be a list of {expected} arrays. "
                             f"Received: {len(weights)} arrays")
        start = 0
        for layer in self._layers:
            layer.set_weights(weights[start:start + len(layer.weights)])
            start += len(layer.weights)

    def save(self, filepath) -> None:
        """Save architecture, weights, compile settings and optimizer state to one file
        (atomically). Load with numnet.models.load_model(filepath)."""
        saving.save_model(self, filepath)

    def save_weights(self, filepath) -> None:
        """Save the weights only (atomically)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Load weights saved by save_weights or save into this (built) model."""
        saving.load_weights(self, filepath)

    def get_config(self) -> dict:
        return {"name": self.name,
                "input_shape": None if self._input_shape is None else list(self._input_shape[1:]),
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._layers]}

    def __repr__(self) -> str:
        return f"Sequential(name={self.name!r}, layers={self._layers!r})"


def load_model(filepath, compile: bool = True) -> Sequential:
    """Load a model saved with model.save: architecture, weights, compile settings, optimizer
    state and random generators, so that fit(initial_epoch=...) continues exactly."""
    return saving.load_model(filepath, Sequential, compile=compile)
