"""Shape-only layers: Input (declares the input shape) and Flatten."""

from __future__ import annotations

import numpy as np

from .base import Layer, check_input_shape


class Input(Layer):
    """Declares the model's input shape (without the batch axis): Input(shape=(784,)).

    As the first element of a Sequential it fixes the input shape, like `input_shape=`.
    It passes data through unchanged.
    """

    def __init__(self, shape: tuple, **kwargs) -> None:
        kwargs.pop("input_shape", None)
        super().__init__(input_shape=check_input_shape("shape", shape), **kwargs)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_["shape"] = config_.pop("input_shape")
        return config_


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1·d2·...)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._input_shape_seen: tuple | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        width = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], width)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._input_shape_seen = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._input_shape_seen)
        return dy.reshape(self._input_shape_seen)
