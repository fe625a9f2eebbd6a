"""Convolution and pooling in plain NumPy, channels last (n, rows, cols, channels): the
reference half of NumpyOps for Conv2D and the pooling layers, each forward beside its backward.

A convolution is one matrix product over patches ("im2col"): every output position's
(kh, kw, c_in) window of the padded input becomes a row of `cols`, and
    y = cols @ W  (W reshaped to (kh·kw·c_in, c_out)),
    dW = colsᵀ dy,   dcols = dy Wᵀ,   dx = the windows of dcols added back where they came
from ("col2im"). Padding follows Keras/TensorFlow: "valid" none, "same" enough for
ceil(size / stride) outputs, split with the smaller half before.
"""

from __future__ import annotations

import math

import numpy as np


def output_size(size: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Rows (or columns) of the output of one spatial axis."""
    span = (kernel - 1) * dilation + 1
    if padding == "same":
        return math.ceil(size / stride)
    return (size - span) // stride + 1


def paddings(size: int, kernel: int, stride: int, padding: str,
             dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding of one spatial axis: none for "valid"; for "same" enough for
    ceil(size / stride) outputs, the smaller half before (TensorFlow's rule)."""
    if padding != "same":
        return 0, 0
    span = (kernel - 1) * dilation + 1
    total = max((output_size(size, kernel, stride, padding) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def window_geometry(shape: tuple, kernel: tuple, strides: tuple, padding: str,
                    dilation: tuple = (1, 1)) -> tuple[int, int, int, int]:
    """(out_rows, out_cols, top, left) of a window op over images of `shape` (n, rows, cols, c):
    the output size and the padding before each axis."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
    return (output_size(shape[1], kh, sh, padding, dh), output_size(shape[2], kw, sw, padding, dw),
            paddings(shape[1], kh, sh, padding, dh)[0], paddings(shape[2], kw, sw, padding, dw)[0])


class NumpyConv:
    """Conv2D and pooling ops; geometry = (kernel (kh, kw), strides, padding, dilation)."""

    def _padded(self, x, kernel, strides, padding, dilation, value=0.0):
        (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
        top, bottom = paddings(x.shape[1], kh, sh, padding, dh)
        left, right = paddings(x.shape[2], kw, sw, padding, dw)
        pads = ((0, 0), (top, bottom), (left, right), (0, 0))
        return np.pad(x, pads, constant_values=value), (top, left)

    def windows(self, x, kernel, strides, padding, dilation=(1, 1), value=0.0) -> np.ndarray:
        """Every output position's window: (n, oh, ow, kh, kw, c), a new array."""
        (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
        n, rows, cols_, c = x.shape
        oh = output_size(rows, kh, sh, padding, dh)
        ow = output_size(cols_, kw, sw, padding, dw)
        xp, _ = self._padded(x, kernel, strides, padding, dilation, value)
        out = np.empty((n, oh, ow, kh, kw, c), x.dtype)
        for i in range(kh):
            for j in range(kw):
                out[:, :, :, i, j, :] = xp[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                                           j * dw:j * dw + sw * (ow - 1) + 1:sw, :]
        return out

    def add_windows(self, d_windows, x_shape, kernel, strides, padding, dilation=(1, 1)):
        """The adjoint of `windows`: each window's gradient added back where it came from,
        the padding cropped. -> (n, rows, cols, c)"""
        (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
        n, rows, cols_, c = x_shape
        top, bottom = paddings(rows, kh, sh, padding, dh)
        left, right = paddings(cols_, kw, sw, padding, dw)
        dxp = np.zeros((n, rows + top + bottom, cols_ + left + right, c), d_windows.dtype)
        oh, ow = d_windows.shape[1:3]
        for i in range(kh):
            for j in range(kw):
                dxp[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                    j * dw:j * dw + sw * (ow - 1) + 1:sw, :] += d_windows[:, :, :, i, j, :]
        return dxp[:, top:top + rows, left:left + cols_, :]

    # ---- Conv2D: y = im2col(x) · W + b ----------------------------------------------------------
    def im2col(self, x, kernel, strides, padding, dilation=(1, 1), out=None) -> np.ndarray:
        """The windows of x (n, h, w, c) as rows: (n·oh·ow, kh·kw·c), written into `out`
        (a reusable buffer of that shape) when given."""
        patches = self.windows(x, kernel, strides, padding, dilation)
        rows = patches.reshape(-1, math.prod(patches.shape[3:]))
        if out is None:
            return rows
        out[...] = rows
        return out

    def col2im(self, dcols, x_shape, kernel, strides, padding, dilation=(1, 1)) -> np.ndarray:
        """The adjoint of im2col: dcols (n·oh·ow, kh·kw·c) -> dx (n, h, w, c)."""
        oh, ow, _, _ = window_geometry(x_shape, kernel, strides, padding, dilation)
        return self.add_windows(dcols.reshape(x_shape[0], oh, ow, *kernel, x_shape[3]), x_shape,
                                kernel, strides, padding, dilation)

    def conv2d_forward(self, x, kernel, bias, strides, padding, dilation, cols=None):
        """x (n, h, w, c_in), kernel (kh, kw, c_in, c_out) -> (y (n, oh, ow, c_out), cols);
        cols (n·oh·ow, kh·kw·c_in) is what backward needs (written into `cols` when given)."""
        kh, kw, c_in, c_out = kernel.shape
        oh, ow, _, _ = window_geometry(x.shape, (kh, kw), strides, padding, dilation)
        cols = self.im2col(x, (kh, kw), strides, padding, dilation, cols)
        y = cols @ kernel.reshape(-1, c_out)
        if bias is not None:
            y += bias
        return y.reshape(len(x), oh, ow, c_out), cols

    def conv2d_backward(self, dy, cols, x_shape, kernel, strides, padding, dilation,
                        grad_kernel, grad_bias, need_dx=True, dcols=None):
        """dW = colsᵀ dy, db = Σ dy, dx = col2im(dy Wᵀ) (dy Wᵀ written into `dcols` when
        given). Writes the grads; returns dx or None."""
        kh, kw, c_in, c_out = kernel.shape
        dy2 = dy.reshape(-1, c_out)
        np.matmul(cols.T, dy2, out=grad_kernel.reshape(-1, c_out))
        if grad_bias is not None:
            np.sum(dy2, axis=0, out=grad_bias)
        if not need_dx:
            return None
        dcols = np.matmul(dy2, kernel.reshape(-1, c_out).T, out=dcols)
        return self.col2im(dcols, x_shape, (kh, kw), strides, padding, dilation)

    # ---- pooling --------------------------------------------------------------------------------
    def max_pool2d(self, x, pool, strides, padding):
        """Max over each window ("same" pads with -inf). -> (y, argmax per window)."""
        patches = self.windows(x, pool, strides, padding, value=-np.inf)
        n, oh, ow, ph, pw, c = patches.shape
        flat = patches.reshape(n, oh, ow, ph * pw, c)
        index = flat.argmax(axis=3)
        return np.take_along_axis(flat, index[:, :, :, None, :], axis=3)[:, :, :, 0, :], index

    def max_pool2d_backward(self, dy, index, x_shape, pool, strides, padding):
        """dx: each window's gradient to its (first) maximum."""
        n, oh, ow, c = dy.shape
        d_windows = np.zeros((n, oh, ow, pool[0] * pool[1], c), dy.dtype)
        np.put_along_axis(d_windows, index[:, :, :, None, :], dy[:, :, :, None, :], axis=3)
        return self.add_windows(d_windows.reshape(n, oh, ow, *pool, c), x_shape, pool, strides,
                                padding)

    def _window_counts(self, x_shape, pool, strides, padding, dtype):
        """How many real (unpadded) elements each window holds: (1, oh, ow, 1, 1, 1)."""
        ones = np.ones((1, *x_shape[1:3], 1), dtype)
        return self.windows(ones, pool, strides, padding).sum(axis=(3, 4), keepdims=True)

    def average_pool2d(self, x, pool, strides, padding):
        """Mean over each window's real elements (padding not counted, as TensorFlow)."""
        patches = self.windows(x, pool, strides, padding)
        counts = self._window_counts(x.shape, pool, strides, padding, x.dtype)
        return (patches.sum(axis=(3, 4), keepdims=True) / counts)[:, :, :, 0, 0, :]

    def average_pool2d_backward(self, dy, x_shape, pool, strides, padding):
        counts = self._window_counts(x_shape, pool, strides, padding, dy.dtype)
        d_windows = np.broadcast_to(dy[:, :, :, None, None, :] / counts,
                                    (*dy.shape[:3], *pool, dy.shape[3]))
        return self.add_windows(np.ascontiguousarray(d_windows), x_shape, pool, strides, padding)
