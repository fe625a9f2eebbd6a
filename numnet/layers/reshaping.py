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


# ---- the spatial axes of sequences (1-D: steps) and images (2-D: rows, cols) --------------
def _nonnegative(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        fail(name, "non-negative integers", value)
    return int(value)


def edges(name: str, value: object, axes: int) -> tuple[tuple[int, int], ...]:
    """Keras's padding/cropping argument -> (before, after) per spatial axis: an int (all
    sides), one int per axis (both sides), or a pair per axis; 1-D also takes one pair."""
    if axes == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and not any(
            isinstance(v, (tuple, list)) for v in value):
        value = [value]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = [(value, value)] * axes
    if not isinstance(value, (tuple, list)) or len(value) != axes:
        fail(name, f"an int, {axes} int(s) or {axes} pair(s) of ints", value)
    pairs = [(v, v) if not isinstance(v, (tuple, list)) else tuple(v) for v in value]
    if any(len(p) != 2 for p in pairs):
        fail(name, f"an int, {axes} int(s) or {axes} pair(s) of ints", value)
    return tuple((_nonnegative(name, a), _nonnegative(name, b)) for a, b in pairs)


class _Spatial(Layer):
    """A layer on the spatial axes of (batch, steps, channels) or (batch, rows, cols,
    channels): `axes` of them, channels last."""

    axes = 1
    cache_attributes = ("_shape_seen",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shape_seen: tuple | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._shape_seen = x.shape
        return self._forward(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._shape_seen)
        return self._backward(dy)

    def _check(self, input_shape: tuple) -> None:
        if len(input_shape) != self.axes + 2:
            what = "(batch, steps, channels)" if self.axes == 1 else \
                "(batch, rows, cols, channels)"
            fail("input_shape", f"{what} for {type(self).__name__}", tuple(input_shape))

    def _sizes(self, input_shape: tuple, change) -> tuple:
        self._check(input_shape)
        return (input_shape[0], *(None if d is None else change(i, d)
                                  for i, d in enumerate(input_shape[1:-1])), input_shape[-1])

    def _config_of(self, pairs) -> list:
        return list(pairs[0]) if self.axes == 1 else [list(p) for p in pairs]


class _ZeroPadding(_Spatial):
    """Zeros before and after each spatial axis; backward crops them off."""

    def __init__(self, padding=1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = edges("padding", padding, self.axes)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._sizes(input_shape, lambda i, d: d + sum(self.padding[i]))

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return np.pad(x, ((0, 0), *self.padding, (0, 0)))

    def _backward(self, dy: np.ndarray) -> np.ndarray:
        return dy[(slice(None), *(slice(a, n - b) for (a, b), n in
                                  zip(self.padding, dy.shape[1:-1])))]

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self._config_of(self.padding)}


class _Cropping(_Spatial):
    """Steps (rows, columns) cut off before and after; backward pads the gradient with zeros."""

    def __init__(self, cropping=1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = edges("cropping", cropping, self.axes)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = self._sizes(input_shape, lambda i, d: d - sum(self.cropping[i]))
        if any(d is not None and d < 1 for d in shape[1:-1]):
            fail("cropping", f"less than the input's size {tuple(input_shape[1:-1])}",
                 self.cropping)
        return shape

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return x[(slice(None), *(slice(a, n - b) for (a, b), n in
                                 zip(self.cropping, x.shape[1:-1])))]

    def _backward(self, dy: np.ndarray) -> np.ndarray:
        return np.pad(dy, ((0, 0), *self.cropping, (0, 0)))

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self._config_of(self.cropping)}


class _UpSampling(_Spatial):
    """Each step (row, column) repeated `size` times (nearest neighbour); backward sums the
    gradient of the repeats."""

    def __init__(self, size=2, interpolation: str = "nearest", **kwargs) -> None:
        super().__init__(**kwargs)
        sizes = [size] * self.axes if isinstance(size, (int, np.integer)) else size
        if not isinstance(sizes, (tuple, list)) or len(sizes) != self.axes:
            fail("size", f"a positive integer or {self.axes} of them", size)
        self.size = tuple(check_positive_int("size", s) for s in sizes)
        if interpolation != "nearest":
            fail("interpolation", "'nearest' (numnet has no other yet)", interpolation)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self._sizes(input_shape, lambda i, d: d * self.size[i])

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for axis, repeats in enumerate(self.size, start=1):
            x = np.repeat(x, repeats, axis=axis)
        return x

    def _backward(self, dy: np.ndarray) -> np.ndarray:
        shape = [len(dy)]
        for n, repeats in zip(dy.shape[1:-1], self.size):
            shape += [n // repeats, repeats]
        return dy.reshape(*shape, dy.shape[-1]).sum(axis=tuple(range(2, 2 * self.axes + 1, 2)))


class ZeroPadding1D(_ZeroPadding):
    """(batch, steps, c) -> (batch, before + steps + after, c). padding: an int or a pair."""


class ZeroPadding2D(_ZeroPadding):
    """(batch, rows, cols, c) with zero rows and columns around. padding: an int, a pair
    (rows, cols) for both sides, or ((top, bottom), (left, right))."""

    axes = 2


class Cropping1D(_Cropping):
    """(batch, steps, c) -> (batch, steps - before - after, c). cropping: an int or a pair
    (default (1, 1), as Keras)."""

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """(batch, rows, cols, c) with rows and columns cut off. cropping: an int, a pair (rows,
    cols), or ((top, bottom), (left, right)) (default none, as Keras)."""

    axes = 2

    def __init__(self, cropping=((0, 0), (0, 0)), **kwargs) -> None:
        super().__init__(cropping, **kwargs)


class UpSampling1D(_UpSampling):
    """(batch, steps, c) -> (batch, steps · size, c). size: an int (default 2)."""

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size[0]}


class UpSampling2D(_UpSampling):
    """(batch, rows, cols, c) -> (batch, rows · size[0], cols · size[1], c). size: an int or
    a pair (default (2, 2)); interpolation "nearest" only."""

    axes = 2

    def __init__(self, size=(2, 2), interpolation: str = "nearest", **kwargs) -> None:
        super().__init__(size, interpolation, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": list(self.size), "interpolation": "nearest"}
