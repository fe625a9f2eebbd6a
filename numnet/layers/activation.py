"""Activation layers. Each keeps its output y from the training forward, because every
backward here is written in terms of y:  relu' = [y > 0],  σ' = y(1-y),  tanh' = 1-y²,
softmax: dx = y (dy - Σ dy y)."""

from __future__ import annotations

import numpy as np

from .._validation import fail
from ..ops import get_ops
from .base import Layer


class ActivationLayer(Layer):
    """A layer that is itself an activation: a loss's logits gradient passes straight through."""

    def output_activation(self) -> Layer | None:
        return self

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        return self.forward(x, training=training), x

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray:
        return dz


class _Elementwise(ActivationLayer):
    """An activation whose forward is `ops.<op>` and backward `ops.<op>_backward(dy, y)`."""

    op = ""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = getattr(get_ops(), self.op)(x)
        if training:
            self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._y)
        return getattr(get_ops(), self.op + "_backward")(dy, self._y)


class ReLU(_Elementwise):
    """y = max(x, 0). Input and output shape: any."""

    op = "relu"


class Sigmoid(_Elementwise):
    """y = 1 / (1 + e^-x). Input and output shape: any."""

    op = "sigmoid"


class Tanh(_Elementwise):
    """y = tanh(x). Input and output shape: any."""

    op = "tanh"


class Linear(ActivationLayer):
    """y = x (the identity; Keras's "linear" activation)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


class Softmax(ActivationLayer):
    """y = e^x / Σ e^x along `axis` (default the last). Input and output shape: any."""

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            fail("axis", "an integer", axis, TypeError)
        self.axis = axis
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = get_ops().softmax(x, axis=self.axis)
        if training:
            self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        # Jacobian-vector product of softmax; cross-entropy's shortcut (p - t)/n into the
        # logits (losses.CategoricalCrossentropy.logits_gradient) is tested against it.
        self._require_cache(self._y)
        return get_ops().softmax_backward(dy, self._y, axis=self.axis)

    def output_activation(self) -> Layer | None:
        return self if self.axis in (-1, 1) else None  # a loss's shortcut is over the last axis

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "softmax": Softmax,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "linear": Linear,
}


def get(identifier: str | Layer | None, argument: str = "activation") -> Layer:
    """A new activation layer for a Keras name ("relu", ...), None (linear) or a layer."""
    if identifier is None:
        return Linear(name="linear")
    if isinstance(identifier, Layer):
        return identifier
    if not isinstance(identifier, str) or identifier not in ACTIVATIONS:
        fail(argument, f"one of {sorted(ACTIVATIONS)}, None or an activation layer", identifier)
    return ACTIVATIONS[identifier](name=identifier)


def name_of(activation: Layer) -> str:
    """The Keras name of an activation layer made by `get` ("relu", "linear", ...)."""
    for key, cls in ACTIVATIONS.items():
        if type(activation) is cls:
            return key
    return type(activation).__name__


class Activation(ActivationLayer):
    """Applies a named activation: Activation("relu"). Input and output shape: any."""

    def __init__(self, activation: str, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(activation, str):
            fail("activation", f"one of {sorted(ACTIVATIONS)}", activation, TypeError)
        self.activation = get(activation)
        self.activation_name = activation
        self._trained: bool | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._trained = True
        return self.activation.forward(x, training=training)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._trained)
        return self.activation.backward(dy)

    def output_activation(self) -> Layer | None:
        return self.activation.output_activation()

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation_name}
