"""Pooling layers, channels last: MaxPooling2D, AveragePooling2D (window maximum or mean) and
their global forms (over all rows and columns)."""

from __future__ import annotations

import numpy as np

from .._validation import fail
from ..ops import get_ops
from ..ops.numpy_conv import output_size
from .base import Layer
from .convolution import channels_first_hint, check_images, check_padding, pair, single


class _Pooling2D(Layer):
    """A window op over (rows, cols) of each channel: pool_size, strides (default: the pool
    size), padding as Conv2D's."""

    cache_attributes = ("_cache",)

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", **kwargs) -> None:
        super().__init__(**kwargs)
        self.pool_size = pair("pool_size", pool_size)
        self.strides = self.pool_size if strides is None else pair("strides", strides)
        self.padding = check_padding(padding)
        self._cache: tuple | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_images(self, input_shape)
        rows, cols = (output_size(size, p, s, self.padding) for size, p, s in zip(
            input_shape[1:3], self.pool_size, self.strides))
        if rows < 1 or cols < 1:
            fail("pool_size", f"at most the (padded) input {tuple(input_shape[1:3])}"
                              f"{channels_first_hint(input_shape)}", self.pool_size)
        return (input_shape[0], rows, cols, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """y = the maximum of each pool_size window (its gradient goes to that maximum)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y, index = get_ops().max_pool2d(x, self.pool_size, self.strides, self.padding)
        if training:
            self._cache = (index, x.shape)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._cache)
        index, x_shape = self._cache
        return get_ops().max_pool2d_backward(dy, index, x_shape, self.pool_size, self.strides,
                                             self.padding)


class AveragePooling2D(_Pooling2D):
    """y = the mean of each window's real elements (padding not counted)."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._cache = (x.shape,)
        return get_ops().average_pool2d(x, self.pool_size, self.strides, self.padding)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._cache)
        return get_ops().average_pool2d_backward(dy, self._cache[0], self.pool_size,
                                                 self.strides, self.padding)


def check_sequences(layer: Layer, input_shape: tuple) -> None:
    """Inputs of shape (batch, steps, features), or a clear error."""
    if len(input_shape) != 3 or input_shape[-1] is None:
        fail("input_shape", f"(batch, steps, features) for {type(layer).__name__}",
             tuple(input_shape))


class _Pooling1D(Layer):
    """A 2-D pooling over the steps as one row of an image: pool_size, strides (default: the
    pool size) and padding ("valid" or "same") as ints, as Keras's 1-D poolings.
    Input shape: (batch, steps, channels). Output shape: (batch, out_steps, channels)."""

    pooling2d: type = _Pooling2D

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", **kwargs) -> None:
        super().__init__(**kwargs)
        size = single("pool_size", pool_size)
        self.pool = self.pooling2d((1, size), (1, single("strides", strides or size)), padding,
                                   name=f"{self.name}_2d", dtype=self.dtype)

    cache_attributes = ()

    def save_cache(self) -> tuple:
        return self.pool.save_cache()

    def restore_cache(self, cache: tuple) -> None:
        self.pool.restore_cache(cache)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_sequences(self, input_shape)
        n, _, steps, channels = self.pool.compute_output_shape(
            (input_shape[0], 1, input_shape[1], input_shape[2]))
        return (n, steps, channels)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.pool.forward(x[:, None], training)[:, 0]

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self.pool._cache)
        return self.pool.backward(dy[:, None])[:, 0]

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool.pool_size[1],
                "strides": self.pool.strides[1], "padding": self.pool.padding}


class MaxPooling1D(_Pooling1D):
    """y = the maximum of each window of pool_size steps."""

    pooling2d = MaxPooling2D


class AveragePooling1D(_Pooling1D):
    """y = the mean of each window's real steps (padding not counted)."""

    pooling2d = AveragePooling2D


class GlobalAveragePooling2D(Layer):
    """(batch, rows, cols, c) -> (batch, c): the mean over rows and columns."""

    cache_attributes = ("_shape", "_index")
    spatial_axes = (1, 2)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shape: tuple | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_images(self, input_shape)
        return (input_shape[0], input_shape[3])

    # y = mean over the spatial axes  ->  dx = dy / (their size) everywhere
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._shape = x.shape
        return x.mean(axis=self.spatial_axes)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._shape)
        count = int(np.prod([self._shape[a] for a in self.spatial_axes]))
        spread = (dy / dy.dtype.type(count)).reshape(len(dy), *[1] * len(self.spatial_axes),
                                                      dy.shape[-1])
        return np.broadcast_to(spread, self._shape).copy()


class GlobalMaxPooling2D(GlobalAveragePooling2D):
    """(batch, rows, cols, c) -> (batch, c): the maximum over rows and columns."""

    # y = max over the spatial axes  ->  dx = dy at the (first) maximum of each channel
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        flat = x.reshape(len(x), -1, x.shape[-1])
        index = flat.argmax(axis=1)
        if training:
            self._shape, self._index = x.shape, index
        return np.take_along_axis(flat, index[:, None, :], axis=1)[:, 0, :]

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._shape)
        n, c = self._shape[0], self._shape[-1]
        dx = np.zeros((n, int(np.prod(self._shape[1:-1])), c), dy.dtype)
        np.put_along_axis(dx, self._index[:, None, :], dy[:, None, :], axis=1)
        return dx.reshape(self._shape)


class GlobalAveragePooling1D(GlobalAveragePooling2D):
    """(batch, steps, features) -> (batch, features): the mean over the steps; with a mask
    (batch, steps), over the real steps only (the output has no mask, as Keras's)."""

    spatial_axes = (1,)
    supports_masking = uses_mask = True
    cache_attributes = ("_shape", "_index", "_weights")
    _weights: np.ndarray | None = None  # each step's share of the mean, with a mask

    def makes_mask(self, masked) -> bool:
        return False

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_sequences(self, input_shape)
        return (input_shape[0], input_shape[2])

    # y = Σ_t m_t x_t / Σ_t m_t  ->  dx_t = dy m_t / Σ_t m_t
    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        if mask is None:
            self._weights = None
            return super().forward(x, training)
        weights = mask.astype(x.dtype)
        weights /= weights.sum(axis=1, keepdims=True)  # a row of no real step: NaN, as Keras
        if training:
            self._shape, self._weights = x.shape, weights
        return np.einsum("nsf,ns->nf", x, weights)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self._weights is None:
            return super().backward(dy)
        return dy[:, None, :] * self._weights[:, :, None]


class GlobalMaxPooling1D(GlobalMaxPooling2D):
    """(batch, steps, features) -> (batch, features): the maximum over the steps."""

    spatial_axes = (1,)
    compute_output_shape = GlobalAveragePooling1D.compute_output_shape
