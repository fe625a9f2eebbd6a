"""Dense: the fully connected layer, with an optional built-in activation."""

from __future__ import annotations

import numpy as np

from .. import initializers, regularizers
from .._validation import check_bool, check_positive_int, fail
from ..ops import get_ops
from . import activation as activations
from .base import Layer


def set_kernel_options(layer: Layer, activation, use_bias, kernel_initializer,
                       bias_initializer) -> None:
    """The options Dense and Conv2D share with Keras: activation, use_bias, initializers."""
    layer.activation = activations.get(activation)
    layer.use_bias = check_bool("use_bias", use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer, "kernel_initializer")
    layer.bias_initializer = initializers.get(bias_initializer, "bias_initializer")


def kernel_options_config(layer: Layer) -> dict:
    """Those options, and the weight penalties and constraints, as config entries."""
    return {"activation": activations.name_of(layer.activation), "use_bias": layer.use_bias,
            "kernel_initializer": initializers.name_of(layer.kernel_initializer),
            "bias_initializer": initializers.name_of(layer.bias_initializer),
            **layer.weight_penalty_config()}


class Dense(Layer):
    """y = activation(x W + b).

    Args:
        units: output width.
        activation: "relu", "softmax", "sigmoid", "tanh", "linear" or None (linear).
        use_bias: whether to add the bias b.
        kernel_initializer, bias_initializer: initializer names (see numnet.initializers).
        kernel_regularizer, bias_regularizer, activity_regularizer: numnet.regularizers
            ("l1", "l2", L2(0.001), ...), their penalties added to the loss.
        kernel_constraint, bias_constraint: numnet.constraints, applied after every update.
        input_shape: (in,) when this is the model's first layer.

    Input shape: (batch, in), or (batch, ..., in): applied to the last axis, as Keras does
    (each time step of a sequence).  Output shape: (batch, ..., units).
    Parameters: kernel (in, units), bias (units,).
    """

    supports_masking = True

    cache_attributes = ("_x", "_y", "_activity_penalty")

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", bias_initializer: str = "zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_weight_penalties(kernel_regularizer=kernel_regularizer,
                                  bias_regularizer=bias_regularizer,
                                  kernel_constraint=kernel_constraint,
                                  bias_constraint=bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer, "activity_regularizer")
        self.has_activity_penalty = self.activity_regularizer is not None
        self.has_penalties = self.has_penalties or self.has_activity_penalty
        self._activity_penalty = 0.0
        self._y: np.ndarray | None = None
        self.units = check_positive_int("units", units)
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer)
        self._x: np.ndarray | None = None

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            fail("input_shape", "(batch, ..., features) with a known feature width",
                 tuple(input_shape))
        width = input_shape[-1]
        self.add_param("kernel", self.kernel_initializer((width, self.units), rng, self.dtype))
        if self.use_bias:
            self.add_param("bias", self.bias_initializer((self.units,), rng, self.dtype))
        super().build(input_shape, rng)

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        shapes = {"kernel": (input_shape[-1], self.units)}
        if self.use_bias:
            shapes["bias"] = (self.units,)
        return shapes

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    @property
    def kernel(self) -> np.ndarray:
        return self.params["kernel"]

    @property
    def bias(self) -> np.ndarray | None:
        return self.params.get("bias")

    # z = x W + b,  y = activation(z)
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward_with_logits(x, training)[0]

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        self._check_width(x)
        z = get_ops().dense_forward(x, self.kernel, self.bias)
        if training:
            self._x = x
        y = self.activation.forward(z, training=training)
        if self.activity_regularizer is not None:  # penalty / batch size, as Keras 3
            self._activity_penalty = self.activity_regularizer.penalty(y) / len(y)
            self._y = y
        return y, z

    # dz = activation'(dy);  dW = xᵀ dz, db = Σ_batch dz, dx = dz Wᵀ
    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Returns dL/dx (None when `need_dx` is False: a model's first layer skips dz Wᵀ)."""
        self._require_cache(self._x)
        if self.activity_regularizer is not None:
            dy = dy + self.activity_regularizer.gradient(self._y) / dy.dtype.type(len(dy))
        return self.backward_from_logits(self.activation.backward(dy), need_dx)

    def output_activation(self) -> Layer:
        return self.activation

    has_logits_forward = True

    def forward_logits(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """z = x W + b (the activation left to a loss that takes logits)."""
        self._check_width(x)
        if training:
            self._x = x
        return get_ops().dense_forward(x, self.kernel, self.bias)

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Backward through z = x W + b only, given dL/dz. Returns dL/dx, or None when
        `need_dx` is False."""
        self._require_cache(self._x)
        x = self._x
        if x.ndim > 2:  # N-D: the products over every position's rows at once
            dx = get_ops().dense_backward(x.reshape(-1, x.shape[-1]), self.kernel,
                                          dz.reshape(-1, self.units), self.grads["kernel"],
                                          self.grads.get("bias"), need_dx)
            return None if dx is None else dx.reshape(x.shape)
        return get_ops().dense_backward(x, self.kernel, dz, self.grads["kernel"],
                                        self.grads.get("bias"), need_dx)

    def save_cache(self) -> tuple:
        return super().save_cache(), self.activation.save_cache()

    def restore_cache(self, cache: tuple) -> None:
        super().restore_cache(cache[0])
        self.activation.restore_cache(cache[1])

    # penalty = Σ reg(param) + reg(y) / n  ->  as the base class, and dy += reg'(y) / n
    def regularization_loss(self) -> float:
        return self._activity_penalty + super().regularization_loss()

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, **kernel_options_config(self),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
