"""Activation layers. Those whose backward is written in terms of their output y keep y from
the training forward (relu' = [y > 0], σ' = y(1-y), tanh' = 1-y², softmax: dx = y (dy - Σ dy y));
the others (ELU, GELU, swish, softplus, SELU, ReLU with options) keep their input x."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_float, check_positive_float, fail
from ..ops import get_ops
from .base import Layer


class ActivationLayer(Layer):
    """A layer that is itself an activation: a loss's logits gradient passes straight through."""

    supports_masking = True

    def output_activation(self) -> Layer | None:
        return self

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        return self.forward(x, training=training), x

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray:
        return dz


class _Elementwise(ActivationLayer):
    """An activation whose backward needs only its output y: subclasses name their two ops
    in `activate(ops, x)` and `derivative(ops, dy, y)`."""

    cache_attributes = ("_y",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y = self.activate(get_ops(), x)
        if training:
            self._y = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._y)
        return self.derivative(get_ops(), dy, self._y)


class _FromInput(ActivationLayer):
    """An activation whose backward needs its input x: subclasses name their two ops in
    `activate(ops, x)` and `derivative(ops, dy, x)`."""

    cache_attributes = ("_x", "_y")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._x = x
        return self.activate(get_ops(), x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._x)
        return self.derivative(get_ops(), dy, self._x)


class ReLU(_FromInput):
    """y = max(x, 0); Keras's options: x above `threshold`, capped at `max_value`, and
    negative_slope · (x - threshold) below the threshold. Input and output shape: any."""


    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else check_positive_float("max_value",
                                                                              max_value)
        self.negative_slope = check_positive_float("negative_slope", negative_slope,
                                                   allow_zero=True)
        self.threshold = check_finite_float("threshold", threshold)
        self._y: np.ndarray | None = None

    @property
    def plain(self) -> bool:
        """max(x, 0) itself: the fast op, and what fused blocks run."""
        return self.max_value is None and not self.negative_slope and not self.threshold

    def activate(self, ops, x):
        return ops.relu_general(x, self.negative_slope, self.max_value, self.threshold)

    def derivative(self, ops, dy, x):
        return ops.relu_general_backward(dy, x, self.negative_slope, self.max_value,
                                         self.threshold)

    def forward(self, x, training=False):
        if not self.plain:
            return super().forward(x, training)
        y = get_ops().relu(x)
        if training:
            self._y = y
        return y

    def backward(self, dy):
        if not self.plain:
            return super().backward(dy)
        self._require_cache(self._y)
        return get_ops().relu_backward(dy, self._y)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(ReLU):
    """y = x for x >= 0, negative_slope · x otherwise (Keras's default slope 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs) -> None:
        super().__init__(negative_slope=negative_slope, **kwargs)

    def get_config(self):
        config = super().get_config()
        return {k: v for k, v in config.items() if k not in ("max_value", "threshold")}


class ELU(_FromInput):
    """y = x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alpha = check_finite_float("alpha", alpha)

    def activate(self, ops, x):
        return ops.elu(x, self.alpha)

    def derivative(self, ops, dy, x):
        return ops.elu_backward(dy, x, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class SELU(_FromInput):
    """y = 1.0507 · elu(x, 1.6733) (Keras's "selu")."""

    def activate(self, ops, x):
        return ops.selu(x)

    def derivative(self, ops, dy, x):
        return ops.selu_backward(dy, x)


class GELU(_FromInput):
    """y = ½ x (1 + erf(x / √2)) (Keras's "gelu", exact)."""

    def activate(self, ops, x):
        return ops.gelu(x)

    def derivative(self, ops, dy, x):
        return ops.gelu_backward(dy, x)


class Swish(_FromInput):
    """y = x σ(x) (Keras's "swish", also "silu")."""

    def activate(self, ops, x):
        return ops.silu(x)

    def derivative(self, ops, dy, x):
        return ops.silu_backward(dy, x)


class Softplus(_FromInput):
    """y = log(1 + e^x) (Keras's "softplus")."""

    def activate(self, ops, x):
        return ops.softplus(x)

    def derivative(self, ops, dy, x):
        return ops.softplus_backward(dy, x)


class Sigmoid(_Elementwise):
    """y = 1 / (1 + e^-x). Input and output shape: any."""

    function = "sigmoid"  # a loss may start backward at its logits (losses._CrossEntropy)

    def activate(self, ops, x):
        return ops.sigmoid(x)

    def derivative(self, ops, dy, y):
        return ops.sigmoid_backward(dy, y)


class Tanh(_Elementwise):
    """y = tanh(x). Input and output shape: any."""

    def activate(self, ops, x):
        return ops.tanh(x)

    def derivative(self, ops, dy, y):
        return ops.tanh_backward(dy, y)


class Linear(ActivationLayer):
    """y = x (the identity; Keras's "linear" activation)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


class Softmax(ActivationLayer):
    """y = e^x / Σ e^x along `axis` (default the last). Input and output shape: any."""

    cache_attributes = ("_y",)
    function = "softmax"  # a loss may start backward at its logits (losses._CrossEntropy)

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


# Keras's activation names -> (layer class, its arguments for that name)
ACTIVATIONS: dict[str, tuple[type[Layer], dict]] = {
    "relu": (ReLU, {}),
    "softmax": (Softmax, {}),
    "sigmoid": (Sigmoid, {}),
    "tanh": (Tanh, {}),
    "linear": (Linear, {}),
    "leaky_relu": (LeakyReLU, {"negative_slope": 0.2}),
    "elu": (ELU, {}),
    "selu": (SELU, {}),
    "gelu": (GELU, {}),
    "swish": (Swish, {}),
    "silu": (Swish, {}),
    "softplus": (Softplus, {}),
}


def get(identifier: str | Layer | None, argument: str = "activation") -> Layer:
    """A new activation layer for a Keras name ("relu", ...), None (linear) or a layer."""
    if identifier is None:
        return Linear(name="linear")
    if isinstance(identifier, Layer):
        return identifier
    if not isinstance(identifier, str) or identifier not in ACTIVATIONS:
        fail(argument, f"one of {sorted(ACTIVATIONS)}, None or an activation layer", identifier)
    cls, arguments = ACTIVATIONS[identifier]
    return cls(name=identifier, **arguments)


def name_of(activation: Layer) -> str:
    """The Keras name of an activation layer made by `get` ("relu", "linear", ...)."""
    config = {k: v for k, v in activation.get_config().items() if k != "name"}
    for key, (cls, arguments) in ACTIVATIONS.items():
        if type(activation) is cls:
            made = cls(name=key, dtype=activation.dtype, **arguments).get_config()
            if {k: v for k, v in made.items() if k != "name"} == config:
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

    def save_cache(self) -> tuple:
        return self._trained, self.activation.save_cache()

    def restore_cache(self, cache: tuple) -> None:
        self._trained = cache[0]
        self.activation.restore_cache(cache[1])

    def output_activation(self) -> Layer | None:
        return self.activation.output_activation()

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation_name}
