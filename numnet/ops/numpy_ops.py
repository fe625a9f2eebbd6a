"""The reference maths of numnet, in plain NumPy: one method per op, readable first.

Every layer, loss and optimizer calls these through `numnet.ops.get_ops()`. The Numba backend
(`numba_ops.NumbaOps`) subclasses this class and overrides only measured hot spots; tests check
each override against the method here. Shapes: `x` is (batch, features) unless noted; every op
returns arrays of its input's float dtype (constants are cast so float32 stays float32).
"""

from __future__ import annotations

import math

import numpy as np

from .numpy_conv import NumpyConv
from .numpy_merging import NumpyMerging
from .numpy_normalization import NumpyNormalization
from .numpy_updates import NumpyUpdates


class NumpyOps(NumpyConv, NumpyMerging, NumpyNormalization, NumpyUpdates):
    """Reference implementation of every op numnet needs."""

    name = "numpy"

    # ---- Dense: y = x W + b ------------------------------------------------------------------
    def dense_forward(self, x: np.ndarray, kernel: np.ndarray,
                      bias: np.ndarray | None) -> np.ndarray:
        """(n, in) @ (in, units) + (units,) -> (n, units)."""
        z = x @ kernel
        if bias is not None:
            z += bias
        return z

    def dense_backward(
        self,
        x: np.ndarray,
        kernel: np.ndarray,
        dz: np.ndarray,
        grad_kernel: np.ndarray,
        grad_bias: np.ndarray | None,
        need_dx: bool = True,
    ) -> np.ndarray | None:
        """z = x W + b  ->  dW = xᵀ dz, db = Σ_batch dz, dx = dz Wᵀ.

        Writes dW and db into `grad_kernel` and `grad_bias` (overwriting them) and returns dx,
        or None when `need_dx` is False (the first layer needs no input gradient).
        """
        np.matmul(x.T, dz, out=grad_kernel)
        if grad_bias is not None:
            dz.sum(axis=0, out=grad_bias)
        return dz @ kernel.T if need_dx else None

    # ---- Rescaling: y = x · scale + offset ---------------------------------------------------
    def rescale(self, x: np.ndarray, scale: float, offset: float, out: np.ndarray) -> np.ndarray:
        """out = float(x) · scale + offset, returned. x may be of any real dtype (uint8 images);
        it is cast to out's float dtype first, then scaled in that dtype. x and out: same shape."""
        out[...] = x
        out *= out.dtype.type(scale)
        out += out.dtype.type(offset)
        return out

    def rescale_backward(self, dy: np.ndarray, scale: float) -> np.ndarray:
        """dx = dy · scale."""
        return dy * dy.dtype.type(scale)

    # ---- Embedding: y = E[indices] ----------------------------------------------------------
    def embedding_backward(self, indices: np.ndarray, dy: np.ndarray,
                           grad: np.ndarray) -> np.ndarray:
        """grad (input_dim, output_dim) = Σ of the rows of dy (positions, output_dim) at each
        index of indices (positions,): a repeated index adds its rows. Overwrites grad."""
        grad[...] = 0
        np.add.at(grad, indices, dy)
        return grad

    # ---- Activations: each forward beside its backward -----------------------------------------
    def relu(self, x: np.ndarray) -> np.ndarray:
        """y = max(x, 0)."""
        return np.maximum(x, np.array(0, dtype=x.dtype))

    def relu_backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dx = dy where y > 0, else 0."""
        return np.where(y > 0, dy, np.array(0, dtype=dy.dtype))

    # ---- a layer's bias and ReLU as one epilogue (Conv2D(activation="relu")) -----------------
    def bias_relu(self, y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        """y <- max(y + bias, 0), in place over y (..., units); returns y."""
        if bias is not None:
            y += bias
        return np.maximum(y, 0, out=y)

    def relu_backward_bias(self, dy: np.ndarray, y: np.ndarray,
                           grad_bias: np.ndarray | None) -> np.ndarray:
        """y = max(z, 0) -> dz = dy · [y > 0]; writes Σ dz over all but the last axis into
        grad_bias (when given); returns dz."""
        dz = self.relu_backward(dy, y)
        if grad_bias is not None:
            np.sum(dz.reshape(-1, dz.shape[-1]), axis=0, out=grad_bias)
        return dz

    def sigmoid(self, x: np.ndarray) -> np.ndarray:
        """y = 1 / (1 + e^-x), computed without overflow for large |x|."""
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def sigmoid_backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dx = dy · y (1 - y)."""
        return dy * y * (1 - y)

    def tanh(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def tanh_backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dx = dy · (1 - y²)."""
        return dy * (1 - y * y)

    def softmax(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        """y_i = e^(x_i - max x) / Σ_j e^(x_j - max x) along `axis`."""
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def softmax_backward(self, dy: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        """Jacobian-vector product: dx = y · (dy - Σ_j dy_j y_j)."""
        return y * (dy - (dy * y).sum(axis=axis, keepdims=True))

    # ---- Activations whose backward needs their input x ------------------------------------------
    def relu_general(self, x: np.ndarray, negative_slope: float, max_value: float | None,
                     threshold: float) -> np.ndarray:
        """Keras's ReLU(negative_slope, max_value, threshold): x above the threshold (clipped
        to max_value), negative_slope · (x - threshold) below it."""
        f = x.dtype.type
        y = np.where(x > f(threshold), x, f(0))
        if max_value is not None:
            y = np.minimum(y, f(max_value))
        if negative_slope:
            y = y - f(negative_slope) * np.maximum(f(threshold) - x, f(0))
        return y

    def relu_general_backward(self, dy: np.ndarray, x: np.ndarray, negative_slope: float,
                              max_value: float | None, threshold: float) -> np.ndarray:
        """dx = dy where threshold < x < max_value, negative_slope · dy below the threshold."""
        f = x.dtype.type
        slope = np.where(x > f(threshold), f(1), f(0))
        if max_value is not None:
            slope = np.where(x >= f(max_value), f(0), slope)
        if negative_slope:
            slope = np.where(x < f(threshold), f(negative_slope), slope)
        return dy * slope

    def elu(self, x: np.ndarray, alpha: float) -> np.ndarray:
        """y = x for x > 0, alpha (e^x - 1) otherwise."""
        f = x.dtype.type
        return np.where(x > 0, x, f(alpha) * np.expm1(np.minimum(x, f(0))))

    def elu_backward(self, dy: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
        """dx = dy for x > 0, dy · alpha e^x otherwise."""
        f = x.dtype.type
        return dy * np.where(x > 0, f(1), f(alpha) * np.exp(np.minimum(x, f(0))))

    SELU_ALPHA, SELU_SCALE = 1.67326324, 1.05070098

    def selu(self, x: np.ndarray) -> np.ndarray:
        """y = scale · elu(x, alpha) with Keras's constants."""
        return x.dtype.type(self.SELU_SCALE) * self.elu(x, self.SELU_ALPHA)

    def selu_backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        return x.dtype.type(self.SELU_SCALE) * self.elu_backward(dy, x, self.SELU_ALPHA)

    def softplus(self, x: np.ndarray) -> np.ndarray:
        """y = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), without overflow."""
        return np.maximum(x, x.dtype.type(0)) + np.log1p(np.exp(-np.abs(x)))

    def softplus_backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        """dx = dy · σ(x)."""
        return dy * self.sigmoid(x)

    def silu(self, x: np.ndarray) -> np.ndarray:
        """swish: y = x σ(x)."""
        return x * self.sigmoid(x)

    def silu_backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        """dx = dy · (σ + x σ (1 - σ))."""
        s = self.sigmoid(x)
        return dy * (s + x * s * (1 - s))

    _erf = np.frompyfunc(math.erf, 1, 1)

    def gelu(self, x: np.ndarray) -> np.ndarray:
        """Exact GELU (Keras's default): y = ½ x (1 + erf(x / √2))."""
        erf = self._erf(x / x.dtype.type(math.sqrt(2))).astype(x.dtype)
        return x.dtype.type(0.5) * x * (1 + erf)

    def gelu_backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        """dx = dy · (½ (1 + erf(x/√2)) + x e^(-x²/2) / √(2π))."""
        f = x.dtype.type
        erf = self._erf(x / f(math.sqrt(2))).astype(x.dtype)
        return dy * (f(0.5) * (1 + erf) + x * np.exp(-x * x / 2) / f(math.sqrt(2 * math.pi)))

    # ---- Dropout (inverted): y = x · mask, mask ∈ {0, 1/(1-rate)} ------------------------------
    # The mask is a counter-based random function of (key, element index), like the Philox
    # streams JAX and PyTorch's CUDA dropout use: unit i is kept when
    # mix32(mix32(i + k0) ^ k1) >= rate·2³², where k0 and k1 are the low and high 32 bits of the
    # step's key and mix32 is a 32-bit xor-shift-multiply hash (Wellons's "lowbias32"). One
    # 64-bit key per step comes from the model's seeded Generator, so masks are repeatable, and
    # every backend computes the same bits. All arithmetic is 32-bit, so it vectorises on every
    # x86 host (AVX2 has no 64-bit vector multiply). Element indices wrap at 2³².
    @staticmethod
    def mix32(x: np.ndarray) -> np.ndarray:
        """Wellons's lowbias32 hash of uint32 values (wrapping arithmetic)."""
        x = x ^ (x >> np.uint32(16))
        x = x * np.uint32(0x7FEB352D)
        x = x ^ (x >> np.uint32(15))
        x = x * np.uint32(0x846CA68B)
        return x ^ (x >> np.uint32(16))

    @staticmethod
    def dropout_key_halves(key: int) -> tuple[np.uint32, np.uint32]:
        """The 64-bit key as (k0, k1): its low and high 32 bits."""
        return np.uint32(key & 0xFFFFFFFF), np.uint32(key >> 32)

    def dropout_bits(self, key: int, n: int) -> np.ndarray:
        """The 32 random bits of elements 0..n-1 under the 64-bit `key` (uint32)."""
        k0, k1 = self.dropout_key_halves(key)
        return self.mix32(self.mix32(np.arange(n, dtype=np.uint32) + k0) ^ k1)

    @staticmethod
    def dropout_threshold(rate: float) -> np.uint32:
        """Bits >= this keep their unit: a fraction 1 - rate of all 2³² values."""
        return np.uint32(min(round(rate * 2**32), 2**32 - 1))

    def dropout_mask(self, key: int, shape: tuple[int, ...], rate: float, dtype) -> np.ndarray:
        """Keep each unit with probability 1 - rate; kept units are scaled by 1 / (1 - rate)."""
        keep = self.dropout_bits(key, int(np.prod(shape))) >= self.dropout_threshold(rate)
        return keep.reshape(shape).astype(dtype) * np.array(1 / (1 - rate), dtype=dtype)

    def dropout_forward(self, x: np.ndarray, key: int,
                        rate: float) -> tuple[np.ndarray, np.ndarray]:
        """y = x · mask. Returns (y, mask); backward needs the mask."""
        mask = self.dropout_mask(key, x.shape, rate, x.dtype)
        return x * mask, mask

    def dropout_backward(self, dy: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """dx = dy · mask (the same mask as the forward pass)."""
        return dy * mask

    # ---- Fused blocks: an optimisation of the layers above, never their definition -------------
    # numnet.training.rewrite runs Dense(relu|linear) [+ Dropout] pairs as blocks. Since
    # relu(z)·d = z·([z > 0]·d), a block keeps ONE combined mask m and both passes are a
    # multiply by m. These reference versions compose the ops above; tests hold them equal to
    # the layer-by-layer path, and NumbaOps fuses each into one pass around the GEMMs.
    fuses_blocks = False  # whether models should run blocks instead of layers on this backend

    def dense_block_forward(self, x, kernel, bias, relu: bool, key: int, rate: float,
                            out: np.ndarray) -> tuple[np.ndarray | None, float]:
        """out = act(x W + b) · dropout_mask. Returns (the combined mask m, None if m ≡ 1;
        max |out|, inf if out holds inf or NaN). x (n, in), kernel (in, units), bias (units,)
        or None, out (n, units)."""
        np.matmul(x, kernel, out=out)
        if bias is not None:
            out += bias
        mask = (out > 0).astype(out.dtype) if relu else None
        if rate > 0:
            dropped = self.dropout_mask(key, out.shape, rate, out.dtype)
            mask = dropped if mask is None else mask * dropped
        if mask is not None:
            out *= mask
        return mask, self.max_abs(out)

    def dense_block_inference(self, x, kernel, bias, relu: bool, out: np.ndarray) -> np.ndarray:
        """Inference: out = act(x W + b), no dropout and no mask kept; returns out.
        x (n, in), kernel (in, units), bias (units,) or None, out (n, units)."""
        np.matmul(x, kernel, out=out)
        if relu:
            return self.bias_relu(out, bias)
        if bias is not None:
            out += bias
        return out

    def dense_block_backward(self, dy, x, kernel, mask, grad_kernel, grad_bias,
                             dx_out: np.ndarray | None) -> float:
        """dz = dy · m;  dW = xᵀ dz, db = Σ_batch dz, dx = dz Wᵀ (written to dx_out if given).
        dy may be overwritten. Returns max |dz| (inf if dz holds inf or NaN)."""
        dz = dy if mask is None else np.multiply(dy, mask, out=dy)
        np.matmul(x.T, dz, out=grad_kernel)
        if grad_bias is not None:
            np.sum(dz, axis=0, out=grad_bias)
        if dx_out is not None:
            np.matmul(dz, kernel.T, out=dx_out)
        return self.max_abs(dz)

    def softmax_crossentropy_forward(self, z: np.ndarray, y_true: np.ndarray):
        """Softmax output block with cross-entropy: z (n, classes) logits (overwritten by the
        probabilities p), y_true (n, classes) targets. Returns (p, per-sample loss (n,),
        dL/dz (n, classes)): the loss from the logits, softmax_crossentropy(t, z), and
        dL/dz = (p - t) / n."""
        loss = self.softmax_crossentropy(y_true, z)
        z[...] = self.softmax(z)
        return z, loss, self.softmax_crossentropy_grad(y_true, z)

    # ---- Losses: mean over the batch of a per-sample loss; value beside gradient --------------
    def categorical_crossentropy(self, y_true: np.ndarray, y_pred: np.ndarray,
                                 epsilon: float) -> np.ndarray:
        """Per-sample loss -Σ_k t_k log q_k, q = clip(p / Σ p, ε, 1 - ε) (Keras). -> (n,)"""
        q = np.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), epsilon, 1 - epsilon)
        return -(y_true * np.log(q)).sum(axis=-1)

    def categorical_crossentropy_grad(self, y_true: np.ndarray, y_pred: np.ndarray,
                                      epsilon: float) -> np.ndarray:
        """d(mean loss)/dp through the renormalisation and the clip.

        q = p/s (s = Σ p), g = dL/dq = -t/q / n where q is not clipped (0 where it is);
        dL/dp_j = (g_j - Σ_k g_k q_k) / s.
        """
        n = y_true.shape[0]
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        inside = (q > epsilon) & (q < 1 - epsilon)
        g = np.where(inside, -y_true / np.clip(q, epsilon, 1 - epsilon), 0).astype(y_pred.dtype)
        g /= y_pred.dtype.type(n)
        return (g - (g * q).sum(axis=-1, keepdims=True)) / s

    def softmax_crossentropy(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Cross-entropy of softmax(z) from the logits z, without clipping (Keras's path for a
        softmax output or from_logits=True): -Σ_k t_k log softmax(z)_k = Σ_k t_k (lse(z) - z_k),
        lse(z) = max z + log Σ e^(z - max z). -> (n,)"""
        top = z.max(axis=-1, keepdims=True)
        lse = top + np.log(np.exp(z - top).sum(axis=-1, keepdims=True))
        return (y_true * (lse - z)).sum(axis=-1)

    def softmax_crossentropy_grad(self, y_true: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """Fused softmax + cross-entropy: d(mean loss)/d(logits) = (p - t) / n."""
        return (probs - y_true) / probs.dtype.type(y_true.shape[0])

    def mean_squared_error(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Per-sample mean over features of (p - t)². -> (n,)"""
        return ((y_pred - y_true) ** 2).reshape(len(y_pred), -1).mean(axis=-1)

    def mean_squared_error_grad(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """d(mean loss)/dp = 2 (p - t) / (n · features)."""
        return (y_pred - y_true) * y_pred.dtype.type(2 / y_pred.size)

    def mean_absolute_error(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Per-sample mean over features of |p - t|. -> (n,)"""
        return np.abs(y_pred - y_true).reshape(len(y_pred), -1).mean(axis=-1)

    def mean_absolute_error_grad(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """d(mean loss)/dp = sign(p - t) / (n · features)."""
        return np.sign(y_pred - y_true) * y_pred.dtype.type(1 / y_pred.size)

    def binary_crossentropy(self, y_true: np.ndarray, y_pred: np.ndarray,
                            epsilon: float) -> np.ndarray:
        """Per-sample mean over outputs of -[t log p + (1-t) log(1-p)], p clipped to [ε, 1-ε]."""
        p = np.clip(y_pred, epsilon, 1 - epsilon)
        loss = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        return loss.reshape(len(y_pred), -1).mean(axis=-1)

    def sigmoid_crossentropy(self, y_true: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Binary cross-entropy of sigmoid(z) from the logits z, without clipping (Keras's path
        for a sigmoid output or from_logits=True): per element max(z, 0) - z t + log(1 + e^-|z|),
        then the mean over outputs. -> (n,)"""
        loss = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
        return loss.reshape(len(z), -1).mean(axis=-1)

    def sigmoid_crossentropy_grad(self, y_true: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """Fused sigmoid + binary cross-entropy: d(mean loss)/d(logits) = (p - t) / size."""
        return (probs - y_true) / probs.dtype.type(probs.size)

    def binary_crossentropy_grad(self, y_true: np.ndarray, y_pred: np.ndarray,
                                 epsilon: float) -> np.ndarray:
        """dL/dp = (p - t) / (p (1 - p)) / size where p is not clipped, else 0."""
        p = np.clip(y_pred, epsilon, 1 - epsilon)
        inside = (y_pred > epsilon) & (y_pred < 1 - epsilon)
        grad = (p - y_true) / (p * (1 - p)) / y_pred.dtype.type(y_pred.size)
        return np.where(inside, grad, 0).astype(y_pred.dtype, copy=False)

    # ---- Checks -------------------------------------------------------------------------------
    def max_abs(self, x: np.ndarray) -> float:
        """max |x| as a float (0 for an empty x); inf if any element is inf or NaN."""
        top = float(np.max(np.abs(x), initial=0))
        return top if top == top else math.inf

    def all_finite(self, x: np.ndarray) -> bool:
        """Whether no element of `x` is inf or NaN (exact: a sum could overflow to inf)."""
        return bool(np.isfinite(x).all())
