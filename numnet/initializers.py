"""Weight initializers, by Keras name: each takes (shape, rng, dtype) and returns a new array.

fan_in and fan_out are the first and last axis of a kernel (in, units)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import fail

Initializer = Callable[[tuple, np.random.Generator, str], np.ndarray]


def _fans(shape: tuple) -> tuple[int, int]:
    if len(shape) < 2:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def zeros(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


def ones(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    return np.ones(shape, dtype=dtype)


def glorot_uniform(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """U(-l, l) with l = √(6 / (fan_in + fan_out)) (Keras's default kernel initializer)."""
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def glorot_normal(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """Truncated normal (±2σ) with σ = √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(shape, np.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_uniform(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """U(-l, l) with l = √(6 / fan_in)."""
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """Truncated normal (±2σ) with σ = √(2 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _truncated_normal(shape, np.sqrt(2.0 / fan_in), rng, dtype)


def _truncated_normal(shape, stddev, rng, dtype):
    # Keras divides by 0.8796, the std of a unit normal truncated at ±2, to keep the variance.
    stddev = stddev / 0.87962566103423978
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2
    return (values * stddev).astype(dtype)


def random_uniform(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """U(-0.05, 0.05), Keras's RandomUniform defaults ("uniform": Embedding's default)."""
    return rng.uniform(-0.05, 0.05, size=shape).astype(dtype)


def orthogonal(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """A (semi-)orthogonal matrix, as Keras's Orthogonal(gain=1): the Q of the QR of a normal
    matrix (rows = the product of all axes but the last), signs fixed by R's diagonal; the
    recurrent kernels' default."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal(size=(max(rows, cols), min(rows, cols))))
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q.reshape(shape), dtype=dtype)


def identity(shape: tuple, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """The identity matrix (ones on the diagonal of a 2-D shape), Keras's Identity(gain=1)."""
    if len(shape) != 2:
        fail("shape", "2-D for the identity initializer", shape)
    return np.eye(*shape, dtype=dtype)


_BY_NAME: dict[str, Initializer] = {
    f.__name__: f for f in (zeros, ones, glorot_uniform, glorot_normal, he_uniform, he_normal,
                            random_uniform, orthogonal, identity)
}
_BY_NAME["uniform"] = random_uniform  # Keras's aliases


def get(identifier: str | Initializer, argument: str = "initializer") -> Initializer:
    """An initializer by name (e.g. "glorot_uniform") or a callable(shape, rng, dtype)."""
    if callable(identifier):
        return identifier
    if identifier not in _BY_NAME:
        fail(argument, f"one of {sorted(_BY_NAME)} or a callable", identifier)
    return _BY_NAME[identifier]


def name_of(initializer: str | Initializer) -> str:
    return initializer if isinstance(initializer, str) else initializer.__name__
