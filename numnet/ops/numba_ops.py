"""The Numba fast path: `NumbaOps(NumpyOps)` overrides the measured hot spots only.

Each override is a thin wrapper that checks dtype and contiguity, allocates the output and
calls a private `@njit` kernel; anything a kernel does not support falls back to the NumPy
reference (`super()`). Kernels take their float constants in the arrays' dtype, so float32
arithmetic stays float32 and LLVM can vectorise it. JIT flags come from
`numnet.config.NJIT_OPTIONS` (one place, applied in numba_jit). The convolution kernels live
in numba_conv.

Measured on the tutorial MLP (batch 128): the optimizer update over all 235k parameters, the
dropout mask (counter-based hash instead of NumPy's Generator), ReLU's backward and the
per-step "are all gradients finite" check were the non-GEMM costs worth a kernel; the rest is
BLAS or already one NumPy pass. Rescaling has a kernel so that a uint8 batch is cast and scaled
in one pass (NumPy needs a cast, a multiply and an add).
"""

from __future__ import annotations

import math

import numpy as np

from . import numba_recurrent
from .numba_conv import NumbaConv
from .numba_jit import (
    KERNEL_DTYPES,
    abs_bits,
    flat_views,
    float_of_bits,
    kernel_ready,
    nan_as_inf,
    njit,
)
from .numpy_ops import NumpyOps

# Inputs a Rescaling kernel takes: 8-bit images and the float types.
_RESCALE_INPUT_DTYPES = (np.dtype(np.uint8), *KERNEL_DTYPES)
# each kernel dtype's smallest normal number: optimizer slots below it are flushed to 0
_TINY = {dtype.type: dtype.type(np.finfo(dtype).tiny) for dtype in KERNEL_DTYPES}


# ---- kernels (private; 1-D views of contiguous arrays) -----------------------------------------
@njit
def _relu_backward_kernel(dy, y, dx):
    zero = dy.dtype.type(0)
    for i in range(dy.size):
        dx[i] = dy[i] if y[i] > 0 else zero


@njit
def _rescale_kernel(x, scale, offset, out):
    """out = float(x) · scale + offset; x of any real dtype (the store casts it first)."""
    for i in range(x.size):
        out[i] = x[i]
        out[i] = out[i] * scale + offset


@njit
def _flushed(value, tiny):
    """value, or 0 of its sign when |value| < tiny (numpy_updates.flush_subnormal for one
    element)."""
    return value * (tiny - tiny) if abs(value) < tiny else value  # (an int 0 would widen)


@njit
def _rmsprop_kernel(param, grad, velocity, lr, rho, one_minus_rho, epsilon, tiny):
    for i in range(param.size):
        g = grad[i]
        v = _flushed(rho * velocity[i] + one_minus_rho * g * g, tiny)
        velocity[i] = v
        param[i] -= lr * g / np.sqrt(v + epsilon)


@njit
def _sgd_momentum_kernel(param, grad, velocity, lr, momentum, nesterov, tiny):
    for i in range(param.size):
        g = grad[i]
        v = _flushed(momentum * velocity[i] - lr * g, tiny)
        velocity[i] = v
        param[i] += (momentum * v - lr * g) if nesterov else v


@njit
def _adam_kernel(param, grad, m, v, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, tiny):
    for i in range(param.size):
        g = grad[i]
        mi = _flushed(m[i] + (g - m[i]) * one_minus_beta_1, tiny)
        vi = _flushed(v[i] + (g * g - v[i]) * one_minus_beta_2, tiny)
        m[i] = mi
        v[i] = vi
        param[i] -= alpha * mi / (np.sqrt(vi) + epsilon)


@njit
def _adadelta_kernel(param, grad, acc_grad, acc_delta, lr, rho, one_minus_rho, epsilon, tiny):
    for i in range(param.size):
        g = grad[i]
        a = _flushed(rho * acc_grad[i] + one_minus_rho * g * g, tiny)
        acc_grad[i] = a
        delta = -np.sqrt(acc_delta[i] + epsilon) * g / np.sqrt(a + epsilon)
        acc_delta[i] = _flushed(rho * acc_delta[i] + one_minus_rho * delta * delta, tiny)
        param[i] += lr * delta


@njit
def _bias_relu_kernel(y, bias, has_bias):
    """y (rows, units) <- max(y + bias, 0), in place."""
    zero = y.dtype.type(0)
    rows, units = y.shape
    for r in range(rows):
        for u in range(units):
            v = y[r, u] + bias[u] if has_bias else y[r, u]
            y[r, u] = zero if v < zero else v  # NaN stays NaN, as np.maximum


@njit
def _relu_backward_bias_kernel(dy, y, dz, grad_bias, has_bias):
    """dz = dy where y > 0, else 0; grad_bias = Σ_rows dz (when has_bias)."""
    zero = dy.dtype.type(0)
    rows, units = dy.shape
    if has_bias:
        grad_bias[:] = zero
    for r in range(rows):
        for u in range(units):
            d = dy[r, u] if y[r, u] > zero else zero
            dz[r, u] = d
            if has_bias:
                grad_bias[u] += d


@njit
def _mix32(x):
    """NumpyOps.mix32 on one uint32 (each step cast back: Numba widens scalar integers)."""
    x = np.uint32(x ^ (x >> np.uint32(16)))
    x = np.uint32(x * np.uint32(0x7FEB352D))
    x = np.uint32(x ^ (x >> np.uint32(15)))
    x = np.uint32(x * np.uint32(0x846CA68B))
    return np.uint32(x ^ (x >> np.uint32(16)))


@njit
def _dropout_bits(k0, k1, index):
    """NumpyOps.dropout_bits for one element index (uint32)."""
    return _mix32(np.uint32(_mix32(np.uint32(index + k0)) ^ k1))


@njit
def _dropout_kernel(x, k0, k1, threshold, scale, y, mask):
    zero = x.dtype.type(0)
    for i in range(x.size):
        m = scale if _dropout_bits(k0, k1, np.uint32(i)) >= threshold else zero
        mask[i] = m
        y[i] = x[i] * m


@njit
def _block_forward_kernel(out, bias, has_bias, relu, dropout, k0, k1, threshold, scale, mask):
    """In place on out = x W: v = out + b; m = [v > 0 or not relu] · (scale if kept);
    out = v · m; mask = m.  One pass; returns max |out| (NaN if it holds a NaN; an integer max
    over numba_jit.abs_bits)."""
    n, units = out.shape
    zero, one = out.dtype.type(0), out.dtype.type(1)
    top = abs_bits(zero)
    for r in range(n):
        start = np.uint32(r * units)
        for j in range(units):
            v = out[r, j] + bias[j] if has_bias else out[r, j]
            m = zero if relu and not v > zero else one
            if dropout:
                kept = _dropout_bits(k0, k1, np.uint32(start + np.uint32(j))) >= threshold
                m = m * scale if kept else zero
            mask[r, j] = m
            y = v * m
            out[r, j] = y
            a = abs_bits(y)
            top = a if a > top else top
    return float_of_bits(top)


@njit
def _embedding_backward_kernel(indices, dy, grad):
    """grad = 0, then grad[indices[p]] += dy[p] for every position p (one pass, in order)."""
    grad[...] = 0
    for p in range(indices.size):
        row = indices[p]
        for k in range(dy.shape[1]):
            grad[row, k] += dy[p, k]


@njit
def _max_abs_kernel(x):
    """max |x| (NaN if x holds a NaN; 0 if x is empty): an integer max over
    numba_jit.abs_bits."""
    top = abs_bits(x.dtype.type(0))
    for i in range(x.size):
        a = abs_bits(x[i])
        top = a if a > top else top
    return float_of_bits(top)


@njit
def _block_backward_kernel(dy, mask, has_mask, grad_bias, has_bias):
    """In place: dy = dy · mask (if has_mask); grad_bias = Σ_rows dy.  One pass; returns
    max |dy| after the mask (NaN if it holds a NaN; an integer max over numba_jit.abs_bits)."""
    n, units = dy.shape
    top = abs_bits(dy.dtype.type(0))
    if has_bias:
        grad_bias[:] = 0
    for r in range(n):
        for j in range(units):
            v = dy[r, j] * mask[r, j] if has_mask else dy[r, j]
            dy[r, j] = v
            a = abs_bits(v)
            top = a if a > top else top
            if has_bias:
                grad_bias[j] += v
    return float_of_bits(top)


@njit
def _softmax_crossentropy_kernel(z, t, loss, dz):
    """Per row: loss = Σ t (lse(z) - z) from the logits, p = softmax(z) (written into z),
    dz = (p - t)/n."""
    n, classes = z.shape
    inv_n = (z[0, 0] * 0 + 1) / n  # 1/n in z's dtype
    for r in range(n):
        top = z[r, 0]
        for j in range(1, classes):
            top = max(top, z[r, j])
        total = z[r, 0] * 0
        t_sum = z[r, 0] * 0
        t_dot_z = z[r, 0] * 0
        for j in range(classes):
            t_sum += t[r, j]
            t_dot_z += t[r, j] * z[r, j]
            e = np.exp(z[r, j] - top)
            z[r, j] = e
            total += e
        loss[r] = t_sum * (top + np.log(total)) - t_dot_z
        for j in range(classes):
            p = z[r, j] / total
            z[r, j] = p
            dz[r, j] = (p - t[r, j]) * inv_n


@njit
def _softmax_rows_kernel(z, p):
    """p = softmax(z) along each row of z (n, classes)."""
    n, classes = z.shape
    for r in range(n):
        top = z[r, 0]
        for j in range(1, classes):
            top = max(top, z[r, j])
        total = z[r, 0] * 0
        for j in range(classes):
            e = np.exp(z[r, j] - top)
            p[r, j] = e
            total += e
        for j in range(classes):
            p[r, j] /= total


class NumbaOps(NumbaConv, NumpyOps):
    """Fast CPU ops; anything not overridden falls back to the NumPy reference."""

    name = "numba"

    def __init__(self) -> None:
        self.warm_up(np.float32)

    def warm_up(self, dtype) -> None:
        """Call every kernel once on tiny arrays of `dtype`: loads the compiled code from
        Numba's disk cache (compiling only the first time ever), so a model's first epoch
        costs what the others do. Runs when the backend is first used (Sequential.compile)."""
        x = np.ones((2, 3), dtype)
        self.relu_backward(x, x)
        for images in (x, x.astype(np.uint8)):
            self.rescale(images, 1 / 255, 0.0, np.empty_like(x))
        self.dropout_forward(x, 1, 0.5)
        self.all_finite(x)
        for update in (lambda p, g, s: self.rmsprop_update(p, g, s[0], 0.1, 0.9, 1e-7),
                       lambda p, g, s: self.sgd_update(p, g, s[0], 0.1, 0.9, False),
                       lambda p, g, s: self.adam_update(p, g, s[0], s[1], 0.1, 0.9, 0.99, 1e-7, 1),
                       lambda p, g, s: self.adadelta_update(p, g, s[0], s[1], 1.0, 0.95, 1e-7)):
            update(np.ones(4, dtype), np.ones(4, dtype), [np.zeros(4, dtype), np.zeros(4, dtype)])
        out = np.empty((2, 3), dtype)
        mask, _ = self.dense_block_forward(x[:, :2] @ np.ones((2, 2), dtype),
                                           np.ones((2, 3), dtype), np.zeros(3, dtype), True, 1,
                                           0.5, out)
        self.max_abs(x)
        self.dense_block_backward(out, x[:, :2], np.ones((2, 3), dtype), mask,
                                  np.empty((2, 3), dtype), np.empty(3, dtype),
                                  np.empty((2, 2), dtype))
        self.softmax_crossentropy_forward(np.ones((2, 3), dtype), np.eye(2, 3, dtype=dtype))
        self.softmax(x)
        for bias in (np.zeros(3, dtype), None):
            self.relu_backward_bias(x, self.bias_relu(x.copy(), bias), bias)
        self.warm_up_conv(dtype)

    def relu_backward(self, dy, y):
        flat = flat_views(dy, y)
        if flat is None or dy.shape != y.shape:
            return super().relu_backward(dy, y)
        dx = np.empty_like(dy)
        _relu_backward_kernel(*flat, dx.reshape(-1))
        return dx

    def rescale(self, x, scale, offset, out):
        if x.dtype not in _RESCALE_INPUT_DTYPES or x.shape != out.shape or not (
                x.flags.c_contiguous and kernel_ready(out)):
            return super().rescale(x, scale, offset, out)
        f = out.dtype.type
        _rescale_kernel(x.reshape(-1), f(scale), f(offset), out.reshape(-1))
        return out

    def dropout_forward(self, x, key, rate):
        flat = flat_views(x)
        if flat is None:
            return super().dropout_forward(x, key, rate)
        y, mask = np.empty_like(x), np.empty_like(x)
        _dropout_kernel(flat[0], *self.dropout_key_halves(key), self.dropout_threshold(rate),
                        x.dtype.type(1 / (1 - rate)), y.reshape(-1), mask.reshape(-1))
        return y, mask

    def max_abs(self, x):
        flat = flat_views(x)
        if flat is None:
            return super().max_abs(x)
        return nan_as_inf(_max_abs_kernel(flat[0]))

    def all_finite(self, x):
        return self.max_abs(x) < math.inf  # inf or NaN anywhere makes max |x| inf

    def rmsprop_update(self, param, grad, velocity, lr, rho, epsilon):
        flat = flat_views(param, grad, velocity)
        if flat is None:
            return super().rmsprop_update(param, grad, velocity, lr, rho, epsilon)
        f = param.dtype.type
        _rmsprop_kernel(*flat, f(lr), f(rho), f(1 - rho), f(epsilon), _TINY[f])

    def sgd_update(self, param, grad, velocity, lr, momentum, nesterov):
        flat = None if velocity is None else flat_views(param, grad, velocity)
        if flat is None:
            return super().sgd_update(param, grad, velocity, lr, momentum, nesterov)
        f = param.dtype.type
        _sgd_momentum_kernel(*flat, f(lr), f(momentum), bool(nesterov), _TINY[f])

    def adam_update(self, param, grad, m, v, lr, beta_1, beta_2, epsilon, step, v_hat=None):
        flat = flat_views(param, grad, m, v) if v_hat is None else None  # amsgrad: the reference
        if flat is None:
            return super().adam_update(param, grad, m, v, lr, beta_1, beta_2, epsilon, step,
                                       v_hat)
        f = param.dtype.type
        alpha = self.adam_step_size(lr, beta_1, beta_2, step, param.dtype)
        _adam_kernel(*flat, alpha, f(1 - beta_1), f(1 - beta_2), f(epsilon), _TINY[f])

    def adadelta_update(self, param, grad, accumulated_grad, accumulated_delta, lr, rho,
                        epsilon):
        flat = flat_views(param, grad, accumulated_grad, accumulated_delta)
        if flat is None:
            return super().adadelta_update(param, grad, accumulated_grad, accumulated_delta, lr,
                                           rho, epsilon)
        f = param.dtype.type
        _adadelta_kernel(*flat, f(lr), f(rho), f(1 - rho), f(epsilon), _TINY[f])

    def embedding_backward(self, indices, dy, grad):
        if not kernel_ready(dy, grad) or indices.dtype.kind not in "iu" or dy.ndim != 2:
            return super().embedding_backward(indices, dy, grad)
        _embedding_backward_kernel(np.ascontiguousarray(indices), dy, grad)
        return grad

    def bias_relu(self, y, bias):
        given = [] if bias is None else [bias]
        if not kernel_ready(y, *given):
            return super().bias_relu(y, bias)
        _bias_relu_kernel(y.reshape(-1, y.shape[-1]), y[0].reshape(-1) if bias is None else bias,
                          bias is not None)
        return y

    def relu_backward_bias(self, dy, y, grad_bias):
        given = [] if grad_bias is None else [grad_bias]
        if not kernel_ready(dy, y, *given) or dy.shape != y.shape:
            return super().relu_backward_bias(dy, y, grad_bias)
        dz = np.empty_like(dy)
        units = dy.shape[-1]
        _relu_backward_bias_kernel(dy.reshape(-1, units), y.reshape(-1, units),
                                   dz.reshape(-1, units),
                                   dz[0].reshape(-1) if grad_bias is None else grad_bias,
                                   grad_bias is not None)
        return dz

    # ---- the LSTM and GRU loops (numnet/ops/numba_recurrent.py) ---------------------------------
    fused_steps = staticmethod(numba_recurrent.fused_steps)
    fused_steps_backward = staticmethod(numba_recurrent.fused_steps_backward)

    # ---- fused blocks (numnet.training.rewrite) -------------------------------------------------
    fuses_blocks = True

    def dense_block_forward(self, x, kernel, bias, relu, key, rate, out):
        given = [] if bias is None else [bias]
        if not kernel_ready(out, kernel, *given):
            return super().dense_block_forward(x, kernel, bias, relu, key, rate, out)
        np.matmul(x, kernel, out=out)
        if not relu and rate == 0:
            if bias is not None:
                out += bias
            return None, self.max_abs(out)
        mask = np.empty_like(out)
        f = out.dtype.type
        top = _block_forward_kernel(out, bias if bias is not None else out[0], bias is not None,
                                    relu, rate > 0, *self.dropout_key_halves(key),
                                    self.dropout_threshold(rate), f(1 / (1 - rate)), mask)
        return mask, nan_as_inf(top)

    def dense_block_backward(self, dy, x, kernel, mask, grad_kernel, grad_bias, dx_out):
        given = [a for a in (mask, grad_bias) if a is not None]
        if not kernel_ready(dy, *given) or (mask is not None and dy.shape != mask.shape):
            return super().dense_block_backward(dy, x, kernel, mask, grad_kernel, grad_bias,
                                                dx_out)
        top = _block_backward_kernel(dy, dy if mask is None else mask, mask is not None,
                                     dy[0] if grad_bias is None else grad_bias,
                                     grad_bias is not None)
        np.matmul(x.T, dy, out=grad_kernel)
        if dx_out is not None:
            np.matmul(dy, kernel.T, out=dx_out)
        return nan_as_inf(top)

    def softmax(self, x, axis=-1):
        if x.ndim != 2 or axis not in (-1, 1) or not kernel_ready(x):
            return super().softmax(x, axis)
        p = np.empty_like(x)
        _softmax_rows_kernel(x, p)
        return p

    def softmax_crossentropy(self, y_true, z):
        if z.ndim != 2 or not kernel_ready(z, y_true) or z.shape != y_true.shape:
            return super().softmax_crossentropy(y_true, z)
        loss = np.empty(len(z), z.dtype)
        _softmax_crossentropy_kernel(z.copy(), y_true, loss, np.empty_like(z))
        return loss

    def softmax_crossentropy_forward(self, z, y_true):
        if not kernel_ready(z, y_true) or z.shape != y_true.shape:
            return super().softmax_crossentropy_forward(z, y_true)
        loss = np.empty(len(z), z.dtype)
        dz = np.empty_like(z)
        _softmax_crossentropy_kernel(z, y_true, loss, dz)
        return z, loss, dz
