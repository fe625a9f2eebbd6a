"""The Numba fast path of the convolution and pooling ops (the reference is numpy_conv.py).

A convolution stays one BLAS matrix product; what Numba replaces is the data movement around
it, which NumPy does with kh·kw strided copies and a padded temporary per call:
- im2col: each output position's (kh, kw, c_in) window copied into one row of `cols`, padding
  written as zeros in the same pass (no padded copy of the input);
- col2im: the rows of dcols = dy Wᵀ added back into dx where they came from;
- max pooling: one pass that keeps each window's maximum and its offset in the window (the
  reference's argmax, first maximum, NaN first as NumPy), and one pass that routes dy back;
- average pooling: one pass each way, padding not counted (as TensorFlow).
The kernels loop over channels innermost: channels are contiguous (channels last).
"""

from __future__ import annotations

import numpy as np

from .numba_jit import kernel_ready, njit
from .numpy_conv import window_geometry


@njit
def _im2col_kernel(x, sh, sw, dh, dw, top, left, cols):
    """cols (n, oh, ow, kh, kw, c) = the windows of x (n, rows, width, c); zeros off the edge."""
    n, rows, width, c = x.shape
    _, oh, ow, kh, kw, _ = cols.shape
    zero = x.dtype.type(0)
    for b in range(n):
        for oy in range(oh):
            for ox in range(ow):
                for i in range(kh):
                    r = oy * sh + i * dh - top
                    for j in range(kw):
                        s = ox * sw + j * dw - left
                        if 0 <= r < rows and 0 <= s < width:
                            for k in range(c):
                                cols[b, oy, ox, i, j, k] = x[b, r, s, k]
                        else:
                            for k in range(c):
                                cols[b, oy, ox, i, j, k] = zero


@njit
def _col2im_kernel(dcols, sh, sw, dh, dw, top, left, dx):
    """dx (n, rows, width, c), zeroed by the caller, += each window of dcols where it came from."""
    n, rows, width, c = dx.shape
    _, oh, ow, kh, kw, _ = dcols.shape
    for b in range(n):
        for oy in range(oh):
            for ox in range(ow):
                for i in range(kh):
                    r = oy * sh + i * dh - top
                    if r < 0 or r >= rows:
                        continue
                    for j in range(kw):
                        s = ox * sw + j * dw - left
                        if 0 <= s < width:
                            for k in range(c):
                                dx[b, r, s, k] += dcols[b, oy, ox, i, j, k]


@njit
def _max_pool_kernel(x, ph, pw, sh, sw, top, left, y, index):
    """y (n, oh, ow, c) = each window's maximum (-inf off the edge); index = its offset
    i·pw + j in the window: the first maximum, or the first NaN (NumPy's argmax). x is read
    in memory order (row by row of each window row), y kept as the running maximum; the
    comparison is a select, so the channel loop vectorises (2.1 ms against 4.6 ms with a
    branch, 128x26x26x32 images)."""
    n, rows, width, c = x.shape
    _, oh, ow, _ = y.shape
    minus_inf = x.dtype.type(-np.inf)
    for b in range(n):
        for oy in range(oh):
            for i in range(ph):
                r = oy * sh + i - top
                row_inside = r >= 0 and r < rows
                for ox in range(ow):
                    for j in range(pw):
                        s = ox * sw + j - left
                        offset = i * pw + j
                        if not (row_inside and s >= 0 and s < width):  # padding: -inf
                            if offset == 0:
                                for k in range(c):
                                    y[b, oy, ox, k] = minus_inf
                                    index[b, oy, ox, k] = 0
                        elif offset == 0:
                            for k in range(c):
                                y[b, oy, ox, k] = x[b, r, s, k]
                                index[b, oy, ox, k] = 0
                        else:
                            for k in range(c):
                                v = x[b, r, s, k]
                                best = y[b, oy, ox, k]
                                take = (v > best) | ((v != v) & (best == best))
                                y[b, oy, ox, k] = v if take else best
                                index[b, oy, ox, k] = offset if take else index[b, oy, ox, k]


@njit
def _max_pool_backward_kernel(dy, index, ph, pw, sh, sw, top, left, dx):
    """dx (zeroed by the caller) += dy at each window's maximum, dx visited in memory order;
    maxima off the edge drop out."""
    n, rows, width, c = dx.shape
    _, oh, ow, _ = dy.shape
    zero = dy.dtype.type(0)
    for b in range(n):
        for oy in range(oh):
            for i in range(ph):
                r = oy * sh + i - top
                if r < 0 or r >= rows:
                    continue
                for ox in range(ow):
                    for j in range(pw):
                        s = ox * sw + j - left
                        if s < 0 or s >= width:
                            continue
                        offset = i * pw + j
                        for k in range(c):
                            dx[b, r, s, k] += (dy[b, oy, ox, k] if index[b, oy, ox, k] == offset
                                               else zero)


@njit
def _average_pool_kernel(x, ph, pw, sh, sw, top, left, y, backward):
    """Forward (backward False): y = the mean of each window's real elements of x.
    Backward: x is dy's destination dx (zeroed) and y is dy: dx += dy / count over the window."""
    n, rows, width, c = x.shape
    _, oh, ow, _ = y.shape
    for oy in range(oh):
        r0, r1 = max(oy * sh - top, 0), min(oy * sh - top + ph, rows)
        for ox in range(ow):
            s0, s1 = max(ox * sw - left, 0), min(ox * sw - left + pw, width)
            scale = y.dtype.type(1) / y.dtype.type((r1 - r0) * (s1 - s0))
            for b in range(n):
                if backward:
                    for r in range(r0, r1):
                        for s in range(s0, s1):
                            for k in range(c):
                                x[b, r, s, k] += y[b, oy, ox, k] * scale
                    continue
                for k in range(c):
                    y[b, oy, ox, k] = 0
                for r in range(r0, r1):
                    for s in range(s0, s1):
                        for k in range(c):
                            y[b, oy, ox, k] += x[b, r, s, k]
                for k in range(c):
                    y[b, oy, ox, k] *= scale


class NumbaConv:
    """Numba overrides of NumpyConv's ops (mixed into NumbaOps before NumpyOps); inputs the
    kernels do not take (other dtypes, non-contiguous arrays) go to the reference."""

    # Below this many channels the reference's kh·kw strided slab copies beat a per-window
    # loop (measured, 128 MNIST images, 3x3 "valid": 0.73 ms against 3.1 ms at one channel;
    # at 32 channels the kernel takes 1.4 ms against the reference's 6.2 ms). Tests set it to 1.
    min_kernel_channels = 8

    def warm_up_conv(self, dtype) -> None:
        """Call each kernel once on a tiny batch of `dtype` (see NumbaOps.warm_up)."""
        x = np.ones((1, 3, 3, self.min_kernel_channels), dtype)
        geometry = ((2, 2), (1, 1), "valid")
        self.col2im(self.im2col(x, *geometry, (1, 1)), x.shape, *geometry, (1, 1))
        y, index = self.max_pool2d(x, *geometry)
        self.max_pool2d_backward(y, index, x.shape, *geometry)
        self.average_pool2d_backward(self.average_pool2d(x, *geometry), x.shape, *geometry)

    def im2col(self, x, kernel, strides, padding, dilation, out=None):
        if (x.shape[3] < self.min_kernel_channels or not kernel_ready(x)
                or (out is not None and not kernel_ready(out))):
            return super().im2col(x, kernel, strides, padding, dilation, out)
        oh, ow, top, left = window_geometry(x.shape, kernel, strides, padding, dilation)
        n, c = len(x), x.shape[3]
        if out is None:
            out = np.empty((n * oh * ow, kernel[0] * kernel[1] * c), x.dtype)
        _im2col_kernel(x, *strides, *dilation, top, left, out.reshape(n, oh, ow, *kernel, c))
        return out

    def col2im(self, dcols, x_shape, kernel, strides, padding, dilation):
        if x_shape[3] < self.min_kernel_channels or not kernel_ready(dcols):
            return super().col2im(dcols, x_shape, kernel, strides, padding, dilation)
        oh, ow, top, left = window_geometry(x_shape, kernel, strides, padding, dilation)
        dx = np.zeros(x_shape, dcols.dtype)
        _col2im_kernel(dcols.reshape(x_shape[0], oh, ow, *kernel, x_shape[3]), *strides,
                       *dilation, top, left, dx)
        return dx

    def max_pool2d(self, x, pool, strides, padding):
        if not kernel_ready(x):
            return super().max_pool2d(x, pool, strides, padding)
        oh, ow, top, left = window_geometry(x.shape, pool, strides, padding)
        y = np.empty((len(x), oh, ow, x.shape[3]), x.dtype)
        index = np.empty(y.shape, np.int64)
        _max_pool_kernel(x, *pool, *strides, top, left, y, index)
        return y, index

    def max_pool2d_backward(self, dy, index, x_shape, pool, strides, padding):
        if not kernel_ready(dy) or index.dtype != np.int64 or not index.flags.c_contiguous:
            return super().max_pool2d_backward(dy, index, x_shape, pool, strides, padding)
        _, _, top, left = window_geometry(x_shape, pool, strides, padding)
        dx = np.zeros(x_shape, dy.dtype)
        _max_pool_backward_kernel(dy, index, *pool, *strides, top, left, dx)
        return dx

    def average_pool2d(self, x, pool, strides, padding):
        if not kernel_ready(x):
            return super().average_pool2d(x, pool, strides, padding)
        oh, ow, top, left = window_geometry(x.shape, pool, strides, padding)
        y = np.empty((len(x), oh, ow, x.shape[3]), x.dtype)
        _average_pool_kernel(x, *pool, *strides, top, left, y, False)
        return y

    def average_pool2d_backward(self, dy, x_shape, pool, strides, padding):
        if not kernel_ready(dy):
            return super().average_pool2d_backward(dy, x_shape, pool, strides, padding)
        _, _, top, left = window_geometry(x_shape, pool, strides, padding)
        dx = np.zeros(x_shape, dy.dtype)
        _average_pool_kernel(dx, *pool, *strides, top, left, dy, True)
        return dx
