"""Shape-only layers: Flatten and Reshape."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, fail
from .base import Layer


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1·d2·...)."""

    cache_attributes = ("_input_shape_seen",)

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


class Reshape(Layer):
    """(batch, ...) -> (batch, *target_shape); one size of target_shape may be -1, inferred.

    Args:
        target_shape: the shape of each sample, e.g. (28, 28, 1) for 784 pixels.
    """

    cache_attributes = ("_input_shape_seen",)

    def __init__(self, target_shape: tuple, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not target_shape or not all(
                isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
                for d in target_shape) or list(target_shape).count(-1) > 1:
            fail("target_shape", "a tuple of positive integers with at most one -1",
                 target_shape)
        self.target_shape = tuple(target_shape)
        self._input_shape_seen: tuple | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        size, known = int(np.prod(rest, dtype=np.int64)), int(np.prod(
            [d for d in self.target_shape if d != -1], dtype=np.int64))
        if (-1 in self.target_shape and size % known) or (
                -1 not in self.target_shape and size != known):
            fail("target_shape", f"a shape of {size} values to fit inputs {tuple(input_shape)}",
                 self.target_shape)
        return (input_shape[0], *(size // known if d == -1 else d for d in self.target_shape))

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self.compute_output_shape(input_shape)  # checks that the sizes fit
        super().build(input_shape, rng)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._input_shape_seen = x.shape
        return x.reshape(len(x), *self.target_shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._input_shape_seen)
        return dy.reshape(self._input_shape_seen)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features): the input repeated n times (e.g. an encoded
    sequence handed to every step of a decoder)."""

    def __init__(self, n: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.n = check_positive_int("n", n)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 2:
            fail("input_shape", "(batch, features) for RepeatVector", tuple(input_shape))
        return (input_shape[0], self.n, input_shape[1])

    # y[:, k] = x for every k  ->  dx = Σ_k dy[:, k]
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return np.repeat(x[:, None, :], self.n, axis=1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.sum(axis=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
