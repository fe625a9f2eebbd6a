"""Gradient checkers (helpers, not tests).

`numerical_gradient` is the textbook central difference over every coordinate (tiny shapes);
`directional_derivative` checks a whole gradient along one random direction, which scales to
real layer sizes: (f(θ + εv) - f(θ - εv)) / 2ε  ≈  ⟨∇f(θ), v⟩.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of scalar f() with respect to every entry of `array` (changed in
    place and restored)."""
    grad = np.zeros_like(array, dtype=np.float64)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        high = f()
        flat[i] = old - eps
        low = f()
        flat[i] = old
        out[i] = (high - low) / (2 * eps)
    return grad


def directional_check(f: Callable[[], float], arrays: list[np.ndarray], grads: list[np.ndarray],
                      rng: np.random.Generator, eps: float = 1e-6) -> float:
    """Relative error between the analytic and the numerical derivative of f along one random
    unit direction over all `arrays` at once (changed in place and restored)."""
    directions = [rng.standard_normal(a.shape) for a in arrays]
    norm = np.sqrt(sum((d * d).sum() for d in directions))
    directions = [d / norm for d in directions]
    analytic = sum(float((g * d).sum()) for g, d in zip(grads, directions))
    for a, d in zip(arrays, directions):
        a += eps * d
    high = f()
    for a, d in zip(arrays, directions):
        a -= 2 * eps * d
    low = f()
    for a, d in zip(arrays, directions):
        a += eps * d
    numeric = (high - low) / (2 * eps)
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-12)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|), the scale-free error used throughout the tests."""
    scale = max(np.abs(a).max(), np.abs(b).max(), 1e-12)
    return float(np.abs(a - b).max() / scale)


def parameters(model) -> list[np.ndarray]:
    """Every parameter array of a model's layers, in order (views: changing one changes the model)."""
    return [p for layer in model.layers for p in layer.params.values()]


def gradients(model) -> list[np.ndarray]:
    """Every gradient array of a model's layers, in order, as the last backward left them."""
    return [g for layer in model.layers for g in layer.grads.values()]
