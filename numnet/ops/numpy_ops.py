"""The reference maths of numnet, in plain NumPy: one method per op, readable first.

Every layer, loss and optimizer calls these through `numnet.ops.get_ops()`. The Numba backend
(`numba_ops.NumbaOps`) subclasses this class and overrides only measured hot spots; tests check
each override against the method here. Shapes: `x` is (batch, features) unless noted; every op
returns arrays of its input's float dtype (constants are cast so float32 stays float32).
"""

from __future__ import annotations

import numpy as np


class NumpyOps:
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
            np.sum(dz, axis=0, out=grad_bias)
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

    # ---- Activations: each forward beside its backward -----------------------------------------
    def relu(self, x: np.ndarray) -> np.ndarray:
        """y = max(x, 0)."""
        return np.maximum(x, np.array(0, dtype=x.dtype))

    def relu_backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dx = dy where y > 0, else 0."""
        return np.where(y > 0, dy, np.array(0, dtype=dy.dtype))

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

    # ---- Dropout (inverted): y = x · mask, mask ∈ {0, 1/(1-rate)} ------------------------------
    # The mask is a counter-based random function of (key, element index), like the Philox
    # streams JAX and PyTorch's CUDA dropout use: unit i is kept when the top 32 bits of
    # splitmix64(key + i·φ) are >= rate·2³². One 64-bit key per step comes from the model's
    # seeded Generator, so masks are repeatable, and every backend computes the same bits.
    GOLDEN = np.uint64(0x9E3779B97F4A7C15)

    def splitmix64(self, key: int, n: int) -> np.ndarray:
        """The splitmix64 output for counters key + i·φ, i = 0..n-1 (uint64, wrapping)."""
        z = np.uint64(key) + np.arange(n, dtype=np.uint64) * self.GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    def dropout_mask(self, key: int, shape: tuple[int, ...], rate: float, dtype) -> np.ndarray:
        """Keep each unit with probability 1 - rate; kept units are scaled by 1 / (1 - rate)."""
        threshold = np.uint64(round(rate * 2**32))
        keep = (self.splitmix64(key, int(np.prod(shape))) >> np.uint64(32)) >= threshold
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
    # numnet.fusion runs Dense(relu|linear) [+ Dropout] stacks as blocks. Since
    # relu(z)·d = z·([z > 0]·d), a block keeps ONE combined mask m and both passes are a
    # multiply by m. These reference versions compose the ops above; tests hold them equal to
    # the layer-by-layer path, and NumbaOps fuses each into one pass around the GEMMs.
    fuses_blocks = False  # whether models should run blocks instead of layers on this backend

    def dense_block_forward(self, x, kernel, bias, relu: bool, key: int, rate: float,
                            out: np.ndarray) -> np.ndarray | None:
        """out = act(x W + b) · dropout_mask; returns the combined mask m (None if m ≡ 1).
        x (n, in), kernel (in, units), bias (units,) or None, out (n, units)."""
        np.matmul(x, kernel, out=out)
        if bias is not None:
            out += bias
        mask = (out > 0).astype(out.dtype) if relu else None
        if rate > 0:
            dropped = self.dropout_mask(key, out.shape, rate, out.dtype)
            mask = dropped if mask is None else mask * dropped
        if mask is not None:
            out *= mask
        return mask

    def dense_block_backward(self, dy, x, kernel, mask, grad_kernel, grad_bias,
                             dx_out: np.ndarray | None) -> None:
        """dz = dy · m;  dW = xᵀ dz, db = Σ_batch dz, dx = dz Wᵀ (written to dx_out if given).
        dy may be overwritten."""
        dz = dy if mask is None else np.multiply(dy, mask, out=dy)
        np.matmul(x.T, dz, out=grad_kernel)
        if grad_bias is not None:
            np.sum(dz, axis=0, out=grad_bias)
        if dx_out is not None:
            np.matmul(dz, kernel.T, out=dx_out)

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
    def all_finite(self, x: np.ndarray) -> bool:
        """Whether no element of `x` is inf or NaN (exact: a sum could overflow to inf)."""
        return bool(np.isfinite(x).all())

    # ---- Optimizer updates, in place on `param` and the slots ---------------------------------
    def sgd_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray | None,
                   lr: float, momentum: float, nesterov: bool) -> None:
        """Keras SGD: v = m v - lr g;  w += v  (nesterov: w += m v - lr g)."""
        dtype = param.dtype.type
        if velocity is None:
            param -= dtype(lr) * grad
            return
        velocity *= dtype(momentum)
        velocity -= dtype(lr) * grad
        if nesterov:
            param += dtype(momentum) * velocity - dtype(lr) * grad
        else:
            param += velocity

    def rmsprop_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray,
                       lr: float, rho: float, epsilon: float) -> None:
        """Keras RMSprop: v = ρ v + (1-ρ) g²;  w -= lr g / √(v + ε)   (ε inside the root)."""
        dtype = param.dtype.type
        velocity *= dtype(rho)
        velocity += dtype(1 - rho) * grad * grad
        param -= dtype(lr) * grad / np.sqrt(velocity + dtype(epsilon))

    def rmsprop_general_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray,
                               momentum_slot: np.ndarray | None, average: np.ndarray | None,
                               lr: float, rho: float, momentum: float, epsilon: float) -> None:
        """Keras RMSprop with momentum and/or centering:
        v = ρ v + (1-ρ) g²;  centered: a = ρ a + (1-ρ) g, d = v - a² + ε, else d = v + ε;
        step = lr g / √d;  momentum: s = momentum s + step, w -= s;  else w -= step."""
        dtype = param.dtype.type
        velocity *= dtype(rho)
        velocity += dtype(1 - rho) * grad * grad
        if average is not None:
            average *= dtype(rho)
            average += dtype(1 - rho) * grad
            denominator = velocity - average * average + dtype(epsilon)
        else:
            denominator = velocity + dtype(epsilon)
        increment = dtype(lr) * grad / np.sqrt(denominator)
        if momentum_slot is not None:
            momentum_slot *= dtype(momentum)
            momentum_slot += increment
            param -= momentum_slot
        else:
            param -= increment

    def adam_update(self, param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray,
                    lr: float, beta_1: float, beta_2: float, epsilon: float, step: int,
                    v_hat: np.ndarray | None = None) -> None:
        """Keras Adam: m += (g - m)(1-β1); v += (g² - v)(1-β2);
        w -= lr √(1-β2^t)/(1-β1^t) · m / (√v + ε).  amsgrad: v̂ = max(v̂, v) in place of v."""
        dtype = param.dtype.type
        m += (grad - m) * dtype(1 - beta_1)
        v += (grad * grad - v) * dtype(1 - beta_2)
        if v_hat is not None:
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        param -= self.adam_step_size(lr, beta_1, beta_2, step, param.dtype) * m / (
            np.sqrt(v) + dtype(epsilon))

    def adam_step_size(self, lr: float, beta_1: float, beta_2: float, step: int, dtype):
        """lr √(1-β2^t)/(1-β1^t) computed in `dtype`, as Keras does (β cast to float32 first:
        in float64, 1 - 0.999 would differ from float32's 1 - 0.999f by 1e-5 relative)."""
        f = np.dtype(dtype).type
        return f(lr) * np.sqrt(f(1) - f(beta_2) ** f(step)) / (f(1) - f(beta_1) ** f(step))

    def nadam_update(self, param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray,
                     lr: float, beta_1: float, beta_2: float, epsilon: float, step: int,
                     u_product: float) -> None:
        """Keras Nadam (t = step, 1-based; u_product = Π_{i<=t} u_i, u_i = β1 (1 - ½·0.96^i)):
        m += (g - m)(1-β1); v += (g² - v)(1-β2);
        m̂ = u_{t+1} m / (1 - u_product·u_{t+1}) + (1 - u_t) g / (1 - u_product);
        w -= lr m̂ / (√(v / (1 - β2^t)) + ε)."""
        dtype = param.dtype.type
        u_t = beta_1 * (1 - 0.5 * 0.96**step)
        u_next = beta_1 * (1 - 0.5 * 0.96**(step + 1))
        m += (grad - m) * dtype(1 - beta_1)
        v += (grad * grad - v) * dtype(1 - beta_2)
        m_hat = (dtype(u_next / (1 - u_product * u_next)) * m
                 + dtype((1 - u_t) / (1 - u_product)) * grad)
        v_hat = v / dtype(1 - beta_2**step)
        param -= dtype(lr) * m_hat / (np.sqrt(v_hat) + dtype(epsilon))

    def adagrad_update(self, param: np.ndarray, grad: np.ndarray, accumulator: np.ndarray,
                       lr: float, epsilon: float) -> None:
        """Keras Adagrad: a += g²;  w -= lr g / √(a + ε)."""
        dtype = param.dtype.type
        accumulator += grad * grad
        param -= dtype(lr) * grad / np.sqrt(accumulator + dtype(epsilon))

    def adadelta_update(self, param: np.ndarray, grad: np.ndarray, accumulated_grad: np.ndarray,
                        accumulated_delta: np.ndarray, lr: float, rho: float,
                        epsilon: float) -> None:
        """Keras Adadelta: G = ρ G + (1-ρ) g²;  Δ = -√(D + ε) g / √(G + ε);
        D = ρ D + (1-ρ) Δ²;  w += lr Δ."""
        dtype = param.dtype.type
        accumulated_grad *= dtype(rho)
        accumulated_grad += dtype(1 - rho) * grad * grad
        delta = -np.sqrt(accumulated_delta + dtype(epsilon)) * grad / np.sqrt(
            accumulated_grad + dtype(epsilon))
        accumulated_delta *= dtype(rho)
        accumulated_delta += dtype(1 - rho) * delta * delta
        param += dtype(lr) * delta
