"""Batch normalization in plain NumPy, over every axis but the feature axis (the last, for
channels-last images and for (batch, features) alike): the reference half of NumpyOps for
BatchNormalization, forward beside backward.

Training, with m values per feature (batch · rows · cols for images):
    μ = mean(x),  σ² = mean((x - μ)²)  (biased, as Keras),  x̂ = (x - μ) / √(σ² + ε),
    y = γ x̂ + β;
    dβ = Σ dy,  dγ = Σ dy x̂,
    dx = γ / √(σ² + ε) · (dy - mean(dy) - x̂ · mean(dy x̂)).
Inference: y = (x - moving_mean) · scale + β with scale = γ / √(moving_variance + ε), an
affine map per feature.
"""

from __future__ import annotations

import numpy as np


class NumpyNormalization:
    """BatchNormalization's ops; features on the last axis; gamma/beta None when unused."""

    def batch_norm_forward(self, x, gamma, beta, epsilon):
        """x (..., features) -> (y, mean, variance, x̂, 1/√(σ² + ε)), statistics over the
        batch (and spatial) axes."""
        axes = tuple(range(x.ndim - 1))
        mean = x.mean(axis=axes)
        centered = x - mean
        variance = np.mean(centered * centered, axis=axes)
        inv_std = 1 / np.sqrt(variance + x.dtype.type(epsilon))
        x_hat = centered * inv_std
        y = x_hat * gamma if gamma is not None else x_hat.copy()
        if beta is not None:
            y += beta
        return y, mean, variance, x_hat, inv_std

    def batch_norm_backward(self, dy, x_hat, inv_std, gamma, grad_gamma, grad_beta,
                            need_dx=True):
        """Writes dγ and dβ (when given); returns dx (None unless `need_dx`)."""
        axes = tuple(range(dy.ndim - 1))
        if grad_beta is not None:
            np.sum(dy, axis=axes, out=grad_beta)
        if grad_gamma is None and not need_dx:
            return None
        dy_x_hat = dy * x_hat  # dγ's terms, and dx's
        if grad_gamma is not None:
            np.sum(dy_x_hat, axis=axes, out=grad_gamma)
        if not need_dx:
            return None
        scale = inv_std * gamma if gamma is not None else inv_std
        return scale * (dy - dy.mean(axis=axes) - x_hat * dy_x_hat.mean(axis=axes))

    def batch_norm_inference(self, x, moving_mean, scale, beta):
        """y = (x - moving_mean) · scale + β, scale = γ / √(moving_variance + ε) (the layer's
        `inference_scale()`)."""
        y = (x - moving_mean) * scale
        if beta is not None:
            y += beta
        return y
