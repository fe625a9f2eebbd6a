"""Losses: each gives the batch-mean loss and its gradient dL/dy_pred side by side.

The maths lives in numnet.ops (value and gradient are adjacent there too); a loss object adds
Keras's names and arguments and checks that targets fit the model's output.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, fail
from .layers.activation import Softmax
from .ops import get_ops


def batch_mean(values: np.ndarray) -> float:
    """The mean of per-sample values (n,) as a Python float: np.mean's answer without its
    Python-level overhead (~10 µs), which several calls per training step would pay."""
    return float(np.add.reduce(values)) / len(values)


class Loss:
    """Base class: `per_sample(t, p)` -> (n,), `__call__` -> mean, `gradient` -> dL/dp, and
    `logits_gradient` -> dL/dz when p = activation(z) and the loss has a shortcut for it."""

    name = "loss"

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return batch_mean(self.per_sample(y_true, y_pred))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """d(mean loss)/d(y_pred), same shape and dtype as y_pred."""
        raise NotImplementedError

    def logits_gradient(self, y_true: np.ndarray, y_pred: np.ndarray,
                        activation) -> np.ndarray | None:
        """d(mean loss)/dz for y_pred = activation(z), when this loss has a shortcut that
        skips the activation's backward (None otherwise: use `gradient`)."""
        return None

    def dense_targets(self, y_true: np.ndarray, like: np.ndarray) -> np.ndarray:
        """The targets as an array shaped like the predictions `like` (sparse labels one-hot)."""
        return y_true

    def prepare_targets(self, y: object, output_shape: tuple, dtype: str,
                        name: str = "y") -> np.ndarray:
        """Validate targets for model outputs of `output_shape` (batch axis first) and return
        them in the form `per_sample` expects. Raises a ValueError naming `name` otherwise."""
        y = check_array(name, y, dtype=dtype)
        if y.ndim == 1 and len(output_shape) == 2 and output_shape[1] == 1:
            y = y.reshape(-1, 1)
        if y.shape[1:] != tuple(output_shape[1:]):
            fail(name, f"an array of shape (n, {', '.join(map(str, output_shape[1:]))}) to fit "
                       f"the model's output for {self.name}", y)
        return y

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class CategoricalCrossentropy(Loss):
    """-Σ_k t_k log p_k for one-hot (or soft) targets t of shape (n, classes).

    Keras semantics: predictions are renormalised to sum to 1 and clipped to [1e-7, 1 - 1e-7].
    With from_logits=True, y_pred are logits and the loss is logsumexp(z) - Σ t z.
    """

    name = "categorical_crossentropy"
    epsilon = 1e-7

    def __init__(self, from_logits: bool = False) -> None:
        if not isinstance(from_logits, bool):
            fail("from_logits", "True or False", from_logits, TypeError)
        self.from_logits = from_logits

    def per_sample(self, y_true, y_pred):
        ops = get_ops()
        if self.from_logits:
            z = y_pred - y_pred.max(axis=-1, keepdims=True)
            return np.log(np.exp(z).sum(axis=-1)) - (y_true * z).sum(axis=-1)
        return ops.categorical_crossentropy(y_true, y_pred, self.epsilon)

    def gradient(self, y_true, y_pred):
        ops = get_ops()
        if self.from_logits:
            return ops.softmax_crossentropy_grad(y_true, ops.softmax(y_pred))
        return ops.categorical_crossentropy_grad(y_true, y_pred, self.epsilon)

    def logits_gradient(self, y_true, y_pred, activation):
        """With a softmax output: (p - t) / n, exact, and free of the clip's vanishing gradient."""
        if self.from_logits or not isinstance(activation, Softmax):
            return None
        return get_ops().softmax_crossentropy_grad(self.dense_targets(y_true, y_pred), y_pred)

    def prepare_targets(self, y, output_shape, dtype, name="y"):
        array = np.asarray(y) if not isinstance(y, np.ndarray) else y
        if array.ndim == 1 and len(output_shape) == 2 and output_shape[1] != 1:
            fail(name, f"one-hot targets of shape (n, {output_shape[1]}) for {self.name} "
                       "(use numnet.utils.to_categorical, or "
                       "loss='sparse_categorical_crossentropy' for integer labels)", array)
        return super().prepare_targets(y, output_shape, dtype, name)

    def get_config(self):
        return {"from_logits": self.from_logits}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels of shape (n,) or (n, 1) in [0, classes)."""

    name = "sparse_categorical_crossentropy"

    def dense_targets(self, y_true, like):
        t = np.zeros_like(like)
        t[np.arange(len(y_true)), y_true.reshape(-1).astype(np.intp)] = 1
        return t

    def per_sample(self, y_true, y_pred):
        return super().per_sample(self.dense_targets(y_true, y_pred), y_pred)

    def gradient(self, y_true, y_pred):
        return super().gradient(self.dense_targets(y_true, y_pred), y_pred)

    def prepare_targets(self, y, output_shape, dtype, name="y"):
        y = check_array(name, y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.reshape(-1)
        classes = output_shape[-1]
        if y.ndim != 1:
            fail(name, f"integer labels of shape (n,) for {self.name} (for one-hot targets "
                       "use loss='categorical_crossentropy')", y)
        if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
            fail(name, f"integer class labels for {self.name}", y)
        low, high = y.min(), y.max()
        if low < 0 or high >= classes:
            raise ValueError(f"{name} must hold class labels in [0, {classes - 1}] for a model "
                             f"with {classes} outputs. Received: {name} with values in "
                             f"[{low}, {high}]")
        return y.astype(np.int64)


class MeanSquaredError(Loss):
    """mean_k (p_k - t_k)² per sample."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        return get_ops().mean_squared_error(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return get_ops().mean_squared_error_grad(y_true, y_pred)


class BinaryCrossentropy(Loss):
    """mean_k -[t log p + (1-t) log(1-p)] per sample, p clipped to [1e-7, 1 - 1e-7]."""

    name = "binary_crossentropy"
    epsilon = 1e-7

    def per_sample(self, y_true, y_pred):
        return get_ops().binary_crossentropy(y_true, y_pred, self.epsilon)

    def gradient(self, y_true, y_pred):
        return get_ops().binary_crossentropy_grad(y_true, y_pred, self.epsilon)


_BY_NAME: dict[str, type[Loss]] = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
}
_CLASSES = {cls.__name__: cls for cls in set(_BY_NAME.values())}


def get(identifier: str | Loss) -> Loss:
    """A loss by Keras name ("categorical_crossentropy", "mse", ...) or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if not isinstance(identifier, str) or identifier not in _BY_NAME:
        fail("loss", f"one of {sorted(_BY_NAME)} or a numnet.losses.Loss", identifier)
    return _BY_NAME[identifier]()


def serialize(loss: Loss) -> dict:
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(spec: dict) -> Loss:
    cls = _CLASSES.get(spec.get("class_name")) if isinstance(spec, dict) else None
    if cls is None:
        fail("loss", f"a saved loss naming one of {sorted(_CLASSES)}", spec)
    return cls(**spec.get("config", {}))
