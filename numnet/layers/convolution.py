"""Conv2D: the 2-D convolution, channels last, Keras's arguments (NumPy reference maths in
numnet/ops/numpy_conv.py)."""

from __future__ import annotations

import math

import numpy as np

from .._validation import channels_first_fix, check_positive_int, fail
from ..ops import get_ops
from ..ops.numpy_conv import output_size
from .activation import ReLU
from .base import Layer
from .dense import kernel_options_config, set_kernel_options


def pair(name: str, value: object) -> tuple[int, int]:
    """An int or a pair of positive ints, as Keras's kernel_size, strides, pool_size."""
    values = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(values, (tuple, list)) or len(values) != 2:
        fail(name, "a positive integer or a pair of them", value)
    return tuple(check_positive_int(name, v) for v in values)


def channels_first_hint(input_shape: tuple) -> str:
    """A hint for an error about images that look channels first, (n, 1 or 3, rows, cols)."""
    if len(input_shape) == 4 and input_shape[1] in (1, 3, 4) and (input_shape[3] or 0) > 4:
        return f"; {channels_first_fix()}"
    return ""


class Scratch:
    """A buffer reused from call to call: `get(shape, dtype)` is a view of one array that grows
    to the largest request. Conv2D keeps its im2col rows in one, so a training step does not
    allocate (and page-fault) tens of megabytes anew."""

    def __init__(self) -> None:
        self._buffer: np.ndarray | None = None

    def get(self, shape: tuple, dtype) -> np.ndarray:
        size = math.prod(shape)
        if self._buffer is None or self._buffer.dtype != dtype or self._buffer.size < size:
            self._buffer = np.empty(size, dtype)
        return self._buffer[:size].reshape(shape)


def check_padding(padding: object) -> str:
    if padding not in ("valid", "same"):
        fail("padding", "'valid' or 'same'", padding)
    return padding


def check_images(layer: Layer, input_shape: tuple) -> None:
    """Inputs of shape (batch, rows, cols, channels), or a clear error saying how."""
    if len(input_shape) != 4 or any(d is None for d in input_shape[1:]):
        hint = (" (for MNIST-like (n, 28, 28) images: x.reshape(-1, 28, 28, 1))"
                if len(input_shape) == 3 else "")
        fail("input_shape", f"(batch, rows, cols, channels) for {type(layer).__name__}, "
                            f"channels last{hint}", tuple(input_shape))


class _Convolution(Layer):
    """What Conv2D and Conv2DTranspose share: Keras's arguments, the kernel and bias."""

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 dilation_rate=1, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", bias_initializer: str = "zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.kernel_size = pair("kernel_size", kernel_size)
        self.strides = pair("strides", strides)
        self.padding = check_padding(padding)
        self.dilation_rate = pair("dilation_rate", dilation_rate)
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer)
        self.set_weight_penalties(kernel_regularizer=kernel_regularizer,
                                  bias_regularizer=bias_regularizer,
                                  kernel_constraint=kernel_constraint,
                                  bias_constraint=bias_constraint)
        self._cache: tuple | None = None

    def kernel_shape(self, channels: int) -> tuple:
        raise NotImplementedError

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        shapes = {"kernel": self.kernel_shape(input_shape[-1])}
        if self.use_bias:
            shapes["bias"] = (self.filters,)
        return shapes

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self.compute_output_shape(input_shape)
        for key, shape in self.param_shapes(input_shape).items():
            init = self.kernel_initializer if key == "kernel" else self.bias_initializer
            self.add_param(key, init(shape, rng, self.dtype))
        super().build(input_shape, rng)

    def output_activation(self) -> Layer:
        return self.activation

    def save_cache(self) -> tuple:
        return super().save_cache(), self.activation.save_cache()

    def restore_cache(self, cache: tuple) -> None:
        super().restore_cache(cache[0])
        self.activation.restore_cache(cache[1])


class Conv2D(_Convolution):
    """y = activation(conv(x, kernel) + bias), channels last.

    Args:
        filters: output channels.
        kernel_size, strides, dilation_rate: an int or a pair (rows, cols).
        padding: "valid" (no padding) or "same" (outputs ceil(size / stride)).
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as Dense's.

    Input shape: (batch, rows, cols, channels). Output shape: (batch, out_rows, out_cols,
    filters). Parameters: kernel (kh, kw, channels, filters), bias (filters,).
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 dilation_rate=1, **kwargs) -> None:
        super().__init__(filters, kernel_size, strides, padding, dilation_rate, **kwargs)
        if self.strides != (1, 1) and self.dilation_rate != (1, 1):
            fail("dilation_rate", "1 when strides are not 1 (as Keras)", dilation_rate)
        # im2col rows of the last training forward (kept for backward), and a second buffer
        # for what lives within one call: the rows' gradient in backward, or the rows of an
        # inference forward (so that validating never overwrites the training step's rows)
        self._cols, self._scratch = Scratch(), Scratch()

    def kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, channels, self.filters)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_images(self, input_shape)
        rows, cols = (output_size(size, k, s, self.padding, d) for size, k, s, d in zip(
            input_shape[1:3], self.kernel_size, self.strides, self.dilation_rate))
        if rows < 1 or cols < 1:
            fail("kernel_size", f"at most the (padded) input {tuple(input_shape[1:3])} "
                                f"(with dilation {self.dilation_rate})"
                                f"{channels_first_hint(input_shape)}", self.kernel_size)
        return (input_shape[0], rows, cols, self.filters)

    @property
    def kernel(self) -> np.ndarray:
        """The kernel as (kh, kw, channels, filters)."""
        return self.params["kernel"]

    def kernel_gradient(self) -> np.ndarray:
        """Where backward writes dL/dkernel, shaped as `kernel`."""
        return self.grads["kernel"]

    # the shapes the 2-D convolution sees (Conv1D: steps as one row of an image)
    @property
    def image_shape(self) -> tuple:
        return self.input_shape

    @property
    def image_output_shape(self) -> tuple:
        return self.output_shape

    # z = conv(x, W) + b = windows(x) W + b  ->  dW = colsᵀ dz, db = Σ dz, dx = col2im(dz Wᵀ)
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not self._relu_epilogue():
            return self._activated(x, training)[0]
        # activation="relu": y = max(z + b, 0) in one pass over z, in place; backward needs y
        y, cols = self._convolve(x, training, with_bias=False)
        y = get_ops().bias_relu(y, self.params.get("bias"))
        if training:
            self._cache = (*self._cache, y)
        return y

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        return self._activated(x, training)

    def _activated(self, x: np.ndarray, training: bool):
        """(y, z): the activation of z = conv(x, W) + b, and z."""
        z, _ = self._convolve(x, training, with_bias=True)
        return self.activation.forward(z, training=training), z

    def _relu_epilogue(self) -> bool:
        return type(self.activation) is ReLU and self.activation.plain

    def _convolve(self, x: np.ndarray, training: bool, with_bias: bool):
        """z = conv(x, W) (+ b); when training, cache (cols, x.shape). -> (z, cols)"""
        if x.ndim != 4 or x.shape[1:] != tuple(self.image_shape[1:]):
            fail("x", f"an array of shape (n, {', '.join(map(str, self.input_shape[1:]))}) "
                      f"for layer '{self.name}'", x)
        n, rows, cols_ = self.image_output_shape[:3]
        cols = (self._cols if training else self._scratch).get(
            (len(x) * rows * cols_, self.kernel[..., 0].size), x.dtype)
        z, cols = get_ops().conv2d_forward(x, self.kernel,
                                           self.params.get("bias") if with_bias else None,
                                           self.strides, self.padding, self.dilation_rate, cols)
        if training:
            self._cache = (cols, x.shape)
        return z, cols

    def save_cache(self) -> tuple:
        # the im2col rows live in a buffer the next call reuses: a saved cache copies them
        cache = self._cache
        if cache is not None:
            cache = (cache[0].copy(), *cache[1:])
        return cache, self.activation.save_cache()

    def restore_cache(self, cache: tuple) -> None:
        self._cache = cache[0]
        self.activation.restore_cache(cache[1])

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        if len(self._cache) == 2:
            return self._backward_kernel(self.activation.backward(dy), need_dx, with_bias=True)
        # the ReLU epilogue's backward, and the bias gradient in the same pass
        dz = get_ops().relu_backward_bias(dy, self._cache[2], self.grads.get("bias"))
        return self._backward_kernel(dz, need_dx, with_bias=False)

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        return self._backward_kernel(dz, need_dx, with_bias=True)

    def _backward_kernel(self, dz: np.ndarray, need_dx: bool, with_bias: bool):
        cols, x_shape = self._cache[:2]
        dcols = self._scratch.get(cols.shape, cols.dtype) if need_dx else None
        return get_ops().conv2d_backward(dz, cols, x_shape, self.kernel, self.strides,
                                         self.padding, self.dilation_rate,
                                         self.kernel_gradient(),
                                         self.grads.get("bias") if with_bias else None, need_dx,
                                         dcols)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "dilation_rate": list(self.dilation_rate),
                **kernel_options_config(self)}


class Conv1D(Conv2D):
    """y = activation(conv(x, kernel) + bias) over the steps, channels last: the 2-D
    convolution's machinery on the steps as one row of an image.

    Args:
        filters: output channels.
        kernel_size, strides, dilation_rate: an int (or a 1-tuple).
        padding: "valid", "same" or "causal" (zeros before the first step, so that output t
            sees the inputs up to t only: dilated temporal convolutions, WaveNet).
        activation, use_bias, initializers, regularizers, constraints: as Dense's.

    Input shape: (batch, steps, channels). Output shape: (batch, out_steps, filters).
    Parameters: kernel (kernel_size, channels, filters), bias (filters,).
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 dilation_rate=1, **kwargs) -> None:
        if padding not in ("valid", "same", "causal"):
            fail("padding", "'valid', 'same' or 'causal'", padding)
        self.causal = padding == "causal"
        super().__init__(filters, (1, single("kernel_size", kernel_size)),
                         (1, single("strides", strides)), "valid" if self.causal else padding,
                         (1, single("dilation_rate", dilation_rate)), **kwargs)

    def _causal_pad(self) -> int:
        return (self.kernel_size[1] - 1) * self.dilation_rate[1] if self.causal else 0

    def kernel_shape(self, channels: int) -> tuple:
        return super().kernel_shape(channels)[1:]  # (kernel_size, channels, filters)

    def _as_image_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 3 or input_shape[-1] is None:
            fail("input_shape", "(batch, steps, channels) for Conv1D", tuple(input_shape))
        steps = input_shape[1]
        return (input_shape[0], 1, None if steps is None else steps + self._causal_pad(),
                input_shape[2])

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        n, _, steps, filters = super().compute_output_shape(self._as_image_shape(input_shape))
        return (n, steps, filters)

    @property
    def kernel(self) -> np.ndarray:
        return self.params["kernel"][None]

    def kernel_gradient(self) -> np.ndarray:
        return self.grads["kernel"][None]

    @property
    def image_shape(self) -> tuple:
        return self._as_image_shape(self.input_shape)

    @property
    def image_output_shape(self) -> tuple:
        n, steps, filters = self.output_shape
        return (n, 1, steps, filters)

    # the sequences as images of one row (padded before the first step when causal), and back
    def _image(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 3:
            fail("x", f"an array of shape (n, steps, {self.input_shape[-1]}) for layer "
                      f"'{self.name}'", x)
        pad = self._causal_pad()
        if pad:
            x = np.pad(x, ((0, 0), (pad, 0), (0, 0)))
        return x[:, None]

    def _sequence_gradient(self, dx: np.ndarray | None) -> np.ndarray | None:
        return None if dx is None else dx[:, 0, self._causal_pad():]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return super().forward(self._image(x), training)[:, 0]

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        y, z = super().forward_with_logits(self._image(x), training)
        return y[:, 0], z[:, 0]

    def _activated(self, x: np.ndarray, training: bool):
        z, _ = self._convolve(x, training, with_bias=True)
        z = z[:, 0]  # the activation sees (and caches) the sequences, as the layer gives them
        return self.activation.forward(z, training=training)[:, None], z[:, None]

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        if len(self._cache) == 2:
            return self.backward_from_logits(self.activation.backward(dy), need_dx)
        return self._sequence_gradient(super().backward(dy[:, None], need_dx))  # fused ReLU

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        return self._sequence_gradient(super().backward_from_logits(dz[:, None], need_dx))

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update(kernel_size=[self.kernel_size[1]], strides=[self.strides[1]],
                       dilation_rate=[self.dilation_rate[1]],
                       padding="causal" if self.causal else self.padding)
        return config_


def single(name: str, value: object) -> int:
    """An int or a 1-tuple of one positive int, as Keras's 1-D kernel_size and strides."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return check_positive_int(name, value)


class Conv2DTranspose(_Convolution):
    """y = activation(conv_transpose(x, kernel) + bias), channels last (Keras's
    Conv2DTranspose, the upsampling convolution of decoders): the adjoint of Conv2D with the
    same kernel_size, strides and padding, so that a Conv2D of the output gives back the
    input's shape.

        rows of x -> rows · Wᵀ (one window each) -> the windows added into y (col2im)

    Args:
        filters: output channels.
        kernel_size, strides: an int or a pair. padding: "valid" (out = (in - 1)·stride +
            kernel) or "same" (out = in · stride).
        activation, use_bias, initializers, regularizers, constraints: as Dense's.

    Input shape: (batch, rows, cols, channels). Output shape: (batch, out_rows, out_cols,
    filters). Parameters: kernel (kh, kw, filters, channels), Keras's layout; bias (filters,).
    """

    cache_attributes = ("_cache",)

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 dilation_rate=1, **kwargs) -> None:
        super().__init__(filters, kernel_size, strides, padding, dilation_rate, **kwargs)
        if self.dilation_rate != (1, 1):
            fail("dilation_rate", "1 (numnet's Conv2DTranspose is not dilated)", dilation_rate)

    def kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, self.filters, channels)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_images(self, input_shape)
        sizes = [size * s if self.padding == "same" else (size - 1) * s + k
                 for size, k, s in zip(input_shape[1:3], self.kernel_size, self.strides)]
        return (input_shape[0], *sizes, self.filters)

    def _matrix(self) -> np.ndarray:
        """The kernel as (kh·kw·filters, channels): one window of y per row of x."""
        return self.params["kernel"].reshape(-1, self.params["kernel"].shape[-1])

    # z = col2im(rows(x) Wᵀ) + b  ->  dcols = im2col(dz);  dW = dcolsᵀ rows(x), dx = dcols W
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward_with_logits(x, training)[0]

    def forward_with_logits(self, x: np.ndarray, training: bool = False):
        if x.ndim != 4 or x.shape[1:] != tuple(self.input_shape[1:]):
            fail("x", f"an array of shape (n, {', '.join(map(str, self.input_shape[1:]))}) "
                      f"for layer '{self.name}'", x)
        rows = x.reshape(-1, x.shape[-1])
        shape = (len(x), *self.output_shape[1:])
        z = get_ops().col2im(rows @ self._matrix().T, shape, self.kernel_size, self.strides,
                             self.padding, (1, 1))
        if self.use_bias:
            z += self.params["bias"]
        if training:
            self._cache = (rows, x.shape)
        return self.activation.forward(z, training=training), z

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        return self.backward_from_logits(self.activation.backward(dy), need_dx)

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        rows, x_shape = self._cache
        dcols = get_ops().im2col(np.ascontiguousarray(dz), self.kernel_size, self.strides,
                                 self.padding, (1, 1))
        self.grads["kernel"][...] = (dcols.T @ rows).reshape(self.params["kernel"].shape)
        if self.use_bias:
            self.grads["bias"][...] = dz.sum(axis=(0, 1, 2))
        return (dcols @ self._matrix()).reshape(x_shape) if need_dx else None

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, **kernel_options_config(self)}
