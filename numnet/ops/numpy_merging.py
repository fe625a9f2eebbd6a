"""The reference maths of the merge layers (numnet.layers.merging), inherited by NumpyOps.

Inputs are (batch, ...) arrays of one float dtype; element-wise merges broadcast as NumPy
does, and each backward sums a gradient back to its input's shape (`unbroadcast`).
"""

from __future__ import annotations

import numpy as np


class NumpyMerging:
    """Element-wise merges, the batched dot product and L2 normalization."""

    # ---- broadcasting: y = f(x1, x2, ...) with shapes broadcast -> dx summed back ------------
    def unbroadcast(self, dy: np.ndarray, shape: tuple) -> np.ndarray:
        """dy (broadcast shape) summed over the axes that broadcasting added or stretched, so
        it has `shape` (the input's)."""
        if dy.shape == tuple(shape):
            return dy
        extra = dy.ndim - len(shape)
        dy = dy.sum(axis=tuple(range(extra))) if extra else dy
        stretched = tuple(i for i, size in enumerate(shape) if size == 1 and dy.shape[i] != 1)
        return dy.sum(axis=stretched, keepdims=True) if stretched else dy

    def multiply_backward(self, dy: np.ndarray, xs: list[np.ndarray]) -> list[np.ndarray]:
        """y = Π x_i  ->  dx_i = dy · Π_{j≠i} x_j."""
        grads = []
        for i, x in enumerate(xs):
            others = dy
            for j, other in enumerate(xs):
                if j != i:
                    others = others * other
            grads.append(self.unbroadcast(others, x.shape))
        return grads

    def extremum_backward(self, dy: np.ndarray, xs: list[np.ndarray],
                          maximum: bool) -> list[np.ndarray]:
        """y = max_i x_i (or min)  ->  dx_i = dy where x_i is the first input holding the
        extremum, else 0 (TensorFlow's rule for ties: the earlier input gets the gradient)."""
        stacked = np.stack(np.broadcast_arrays(*xs))
        winner = stacked.argmax(axis=0) if maximum else stacked.argmin(axis=0)
        zero = np.zeros((), dy.dtype)
        return [self.unbroadcast(np.where(winner == i, dy, zero), x.shape)
                for i, x in enumerate(xs)]

    # ---- Dot: y[b, i, j] = Σ_k x1[b, i, k] x2[b, j, k] over the chosen axes ------------------
    def batch_dot(self, x1: np.ndarray, x2: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
        """Per sample, the sum of products over axis axes[0] of x1 and axes[1] of x2; the
        remaining axes of x1, then of x2. A sample's scalar result is kept as (batch, 1)."""
        a, b = np.moveaxis(x1, axes[0], -1), np.moveaxis(x2, axes[1], -1)
        n, k = len(a), a.shape[-1]
        y = a.reshape(n, -1, k) @ b.reshape(n, -1, k).transpose(0, 2, 1)
        shape = (*a.shape[1:-1], *b.shape[1:-1])
        return y.reshape(n, *shape) if shape else y.reshape(n, 1)

    def batch_dot_backward(self, dy: np.ndarray, x1: np.ndarray, x2: np.ndarray,
                           axes: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Y = A Bᵀ per sample (A, B: the inputs with the summed axis last, flattened to
        (n, I, k), (n, J, k))  ->  dA = dY B, dB = dYᵀ A, moved back into place."""
        a, b = np.moveaxis(x1, axes[0], -1), np.moveaxis(x2, axes[1], -1)
        n, k = len(a), a.shape[-1]
        a3, b3 = a.reshape(n, -1, k), b.reshape(n, -1, k)
        dy3 = dy.reshape(n, a3.shape[1], b3.shape[1])
        da = (dy3 @ b3).reshape(a.shape)
        db = (dy3.transpose(0, 2, 1) @ a3).reshape(b.shape)
        return np.moveaxis(da, -1, axes[0]), np.moveaxis(db, -1, axes[1])

    # ---- L2 normalization (Keras's ops.normalize): y = x / √max(Σ x², ε²) -------------------
    def l2_normalize(self, x: np.ndarray, axis: int,
                     epsilon: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
        """-> (y, 1/√max(Σ x², ε²) with the summed axis kept)."""
        square_sum = np.sum(x * x, axis=axis, keepdims=True)
        inv_norm = 1 / np.sqrt(np.maximum(square_sum, x.dtype.type(epsilon * epsilon)))
        return x * inv_norm, inv_norm

    def l2_normalize_backward(self, dy: np.ndarray, x: np.ndarray, axis: int,
                              epsilon: float = 1e-7) -> np.ndarray:
        """dx = (dy - y Σ dy·y) / ‖x‖ where ‖x‖ > ε; below the clamp the norm is the
        constant ε, so dx = dy / ε."""
        square_sum = np.sum(x * x, axis=axis, keepdims=True)
        clamped = square_sum <= x.dtype.type(epsilon * epsilon)
        y, inv_norm = self.l2_normalize(x, axis, epsilon)
        projected = dy - y * np.sum(dy * y, axis=axis, keepdims=True)
        return np.where(clamped, dy, projected) * inv_norm
