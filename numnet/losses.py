"""Losses: each gives the per-sample loss and its gradient dL/dy_pred side by side.

The maths lives in numnet.ops (value and gradient are adjacent there too); a loss object adds
Keras's names and arguments and checks that targets fit the model's output. As in Keras, the
cross-entropies of a softmax or sigmoid output are computed from its logits (`output_per_sample`,
`logits_gradient`): exact where clipping the probabilities would cap the loss and stop the
gradient. The functions at the end (`categorical_crossentropy`, ...) are Keras's per-sample
loss functions.
"""

from __future__ import annotations

import numpy as np

from ._serialization import config_repr, from_spec, to_spec
from ._validation import check_array, check_bool, check_fraction, fail, is_integral
from .ops import get_ops


def batch_mean(values: np.ndarray) -> float:
    """The mean of all values (per sample (n,) or per element) as a Python float: np.mean's
    answer without its Python-level overhead (~10 µs), which several calls per step would pay."""
    return float(np.add.reduce(values, axis=None)) / values.size


def weighted_mean(per_sample: np.ndarray, sample_weight: np.ndarray | None) -> float:
    """Keras's "sum over batch size": Σ w·loss / n (the plain mean without weights)."""
    if sample_weight is None:
        return batch_mean(per_sample)
    return float(np.dot(per_sample, sample_weight.astype(per_sample.dtype))) / len(per_sample)


def masked_rows(y_true: np.ndarray, y_pred: np.ndarray, mask: np.ndarray,
                sample_weight: np.ndarray | None) -> tuple:
    """Keras's loss of an output with a mask (batch, steps): targets and predictions as one
    row per step, and each row's weight: its sample's weight · mask · steps / real steps (0
    when no step is real), so that Σ weight · loss / rows is the mean over the real steps.
    -> (target rows, prediction rows, row weights)."""
    positions = y_pred.shape[:-1]
    if mask.shape != positions[:mask.ndim]:
        raise ValueError(f"The mask of an output must match its shape. Received: a mask of "
                         f"shape {mask.shape} for an output of shape {y_pred.shape}")
    mask = np.broadcast_to(mask.reshape(mask.shape + (1,) * (len(positions) - mask.ndim)),
                           positions)
    real = int(mask.sum())
    weights = mask.astype(y_pred.dtype) * y_pred.dtype.type(mask.size / real if real else 0)
    if sample_weight is not None:
        weights = weights * sample_weight.astype(y_pred.dtype).reshape(
            -1, *[1] * (len(positions) - 1))
    targets, rows = _steps(y_true, y_pred)
    return targets, rows, weights.reshape(-1)


def _steps(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions of every step as rows: (n, steps, ..., classes) ->
    (n · steps · ..., classes); integer labels (n, steps, ...) -> (n · steps · ...,)."""
    rows = y_pred.reshape(-1, y_pred.shape[-1])
    return y_true.reshape(len(rows), -1) if y_true.ndim == y_pred.ndim else \
        y_true.reshape(-1), rows


def _step_means(per_row: np.ndarray, n: int) -> np.ndarray:
    """Each sample's mean over its steps: (n · steps,) -> (n,)."""
    return per_row.reshape(n, -1).mean(axis=1)


def extra_axes_hint(output_shape: tuple, y: np.ndarray) -> str:
    """For per-sample targets given to a model whose output kept more axes (Dense acts on the
    last axis of images and sequences): say how to drop them."""
    if len(output_shape) > y.ndim >= 1 and len(output_shape) > 2:
        return (" (the output keeps its input's extra axes, since Dense acts on the last one: "
                "add a Flatten layer before Dense for images, or a global pooling layer)")
    return ""


class Loss:
    """Base class: `per_sample(t, p)` -> (n,), `__call__` -> mean, `gradient` -> dL/dp.

    A loss with a form for the model's output activation (cross-entropy for softmax or
    sigmoid) also gives `logits_per_sample(t, z, activation)` and `logits_gradient`, which
    `output_per_sample` and the training step use.
    """

    name = "loss"

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return batch_mean(self.per_sample(y_true, y_pred))

    def gradient(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """d(mean loss)/d(y_pred), same shape and dtype as y_pred."""
        raise NotImplementedError

    def fuses_logits(self, activation) -> bool:
        """Whether `logits_forward(y_true, z)` -> (p, per-sample loss, dL/dz) serves an
        output of `activation` (a training step then stops the output layer at z)."""
        return False

    def logits_per_sample(self, y_true: np.ndarray, z: np.ndarray,
                          activation) -> np.ndarray | None:
        """The per-sample loss of y_pred = activation(z) computed from the logits z, when this
        loss has such a form for `activation` (None otherwise)."""
        return None

    def logits_gradient(self, y_true: np.ndarray, y_pred: np.ndarray,
                        activation) -> np.ndarray | None:
        """d(mean loss)/dz for y_pred = activation(z), when this loss has a shortcut that
        skips the activation's backward (None otherwise: use `gradient`)."""
        return None

    def output_per_sample(self, y_true: np.ndarray, y_pred: np.ndarray,
                          logits: np.ndarray | None, activation) -> np.ndarray:
        """The per-sample loss of a model's output y_pred = activation(logits): from the
        logits where this loss has a form for the activation (as Keras does), else from y_pred."""
        if logits is not None:
            values = self.logits_per_sample(y_true, logits, activation)
            if values is not None:
                return values
        return self.per_sample(y_true, y_pred)

    def dense_targets(self, y_true: np.ndarray, like: np.ndarray) -> np.ndarray:
        """The targets as the loss uses them, shaped like the predictions `like` (sparse labels
        one-hot, label smoothing applied)."""
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
                       f"the model's output for {self.name}{extra_axes_hint(output_shape, y)}",
                 y)
        return y

    def get_config(self) -> dict:
        return {}

    __repr__ = config_repr


class _CrossEntropy(Loss):
    """What the categorical and binary cross-entropies share: probabilities or logits
    (from_logits), label smoothing, and the logits form for their output activation. Each
    subclass names its ops, as the activation layers do:

        from_probabilities(ops, t, p, ε)        the loss from p clipped to [ε, 1 - ε]
        from_probabilities_grad(ops, t, p, ε)   its gradient
        from_logits_loss(ops, t, z)             the loss from logits, exact (Keras's path)
        from_logits_grad(ops, t, p)             d(mean loss)/dz for p = activation(z)
        activate(ops, z)                        p = activation(z)

    `activation` names the output activation whose logits it can start from: the activation
    layer's `function` ("softmax", "sigmoid").
    """

    epsilon = 1e-7
    activation = ""
    # outputs (n, steps, ..., classes): a loss per step, averaged over the steps (so the batch
    # loss is the mean over every step, as Keras reduces it); binary cross-entropy already
    # averages over all its axes
    per_step = False

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        self.from_logits = check_bool("from_logits", from_logits)
        self.label_smoothing = check_fraction("label_smoothing", label_smoothing,
                                              inclusive_high=True)

    def smoothing_floor(self, like: np.ndarray) -> float:
        """What label smoothing moves every target towards (1/classes, or 1/2)."""
        raise NotImplementedError

    def dense_targets(self, y_true, like):
        if not self.label_smoothing:
            return y_true
        s = like.dtype.type(self.label_smoothing)
        return y_true * (1 - s) + s * like.dtype.type(self.smoothing_floor(like))

    def per_sample(self, y_true, y_pred):
        if y_pred.ndim > 2 and self.per_step:
            return _step_means(self.per_sample(*_steps(y_true, y_pred)), len(y_pred))
        ops, t = get_ops(), self.dense_targets(y_true, y_pred)
        if self.from_logits:
            return self.from_logits_loss(ops, t, y_pred)
        return self.from_probabilities(ops, t, y_pred, self.epsilon)

    def gradient(self, y_true, y_pred):
        if y_pred.ndim > 2 and self.per_step:
            return self.gradient(*_steps(y_true, y_pred)).reshape(y_pred.shape)
        ops, t = get_ops(), self.dense_targets(y_true, y_pred)
        if self.from_logits:
            return self.from_logits_grad(ops, t, self.activate(ops, y_pred))
        return self.from_probabilities_grad(ops, t, y_pred, self.epsilon)

    def _fits(self, activation) -> bool:
        return not self.from_logits and getattr(activation, "function", None) == self.activation

    def logits_per_sample(self, y_true, z, activation):
        if not self._fits(activation):
            return None
        if z.ndim > 2 and self.per_step:
            return _step_means(self.logits_per_sample(*_steps(y_true, z), activation), len(z))
        return self.from_logits_loss(get_ops(), self.dense_targets(y_true, z), z)

    def logits_gradient(self, y_true, y_pred, activation):
        """For its own output activation: (p - t) / size, exact, and free of the clip's
        vanishing gradient when p saturates."""
        if not self._fits(activation):
            return None
        if y_pred.ndim > 2 and self.per_step:
            return self.logits_gradient(*_steps(y_true, y_pred), activation).reshape(
                y_pred.shape)
        return self.from_logits_grad(get_ops(), self.dense_targets(y_true, y_pred), y_pred)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(_CrossEntropy):
    """-Σ_k t_k log p_k for one-hot (or soft) targets t of shape (n, classes).

    Keras semantics: probabilities are renormalised to sum to 1 and clipped to
    [1e-7, 1 - 1e-7]; the output of a softmax layer is scored from its logits instead, and
    with from_logits=True y_pred are logits: the loss is Σ t (logsumexp(z) - z).
    label_smoothing: t -> t (1 - s) + s / classes.
    """

    name = "categorical_crossentropy"
    activation = "softmax"
    per_step = True

    def fuses_logits(self, activation) -> bool:
        return self._fits(activation)

    def logits_forward(self, y_true, z):
        """For a softmax output, from its logits z (overwritten): (p, the per-sample loss,
        dL/dz = (p - t)/n), in one op; equal to softmax, logits_per_sample and
        logits_gradient (tested). Outputs over steps: the same per step."""
        if z.ndim > 2:
            t, rows = _steps(y_true, z)
            p, per_row, dz = self.logits_forward(t, rows)
            return p.reshape(z.shape), _step_means(per_row, len(z)), dz.reshape(z.shape)
        p, per_sample, dz = get_ops().softmax_crossentropy_forward(z, self.dense_targets(y_true,
                                                                                     z))
        return p, per_sample, dz

    def from_probabilities(self, ops, t, p, epsilon):
        return ops.categorical_crossentropy(t, p, epsilon)

    def from_probabilities_grad(self, ops, t, p, epsilon):
        return ops.categorical_crossentropy_grad(t, p, epsilon)

    def from_logits_loss(self, ops, t, z):
        return ops.softmax_crossentropy(t, z)

    def from_logits_grad(self, ops, t, p):
        return ops.softmax_crossentropy_grad(t, p)

    def activate(self, ops, z):
        return ops.softmax(z)

    def smoothing_floor(self, like):
        return 1 / like.shape[-1]

    def prepare_targets(self, y, output_shape, dtype, name="y"):
        array = np.asarray(y) if not isinstance(y, np.ndarray) else y
        if array.ndim == 1 and len(output_shape) == 2 and output_shape[1] != 1:
            fail(name, f"one-hot targets of shape (n, {output_shape[1]}) for {self.name} "
                       "(use numnet.utils.to_categorical, or "
                       "loss='sparse_categorical_crossentropy' for integer labels)", array)
        return super().prepare_targets(y, output_shape, dtype, name)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels of shape (n,) or (n, 1) in [0, classes);
    for outputs over steps (n, steps, classes), labels (n, steps)."""

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False) -> None:
        super().__init__(from_logits)

    def dense_targets(self, y_true, like):
        t = np.zeros_like(like)
        t[np.arange(len(y_true)), y_true.reshape(-1).astype(np.intp)] = 1
        return t

    def prepare_targets(self, y, output_shape, dtype, name="y"):
        y = check_array(name, y)
        labels = tuple(output_shape[1:-1])  # one label per sample, or per step: (steps,)
        if y.ndim == len(output_shape) and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])
        classes = output_shape[-1]
        if y.shape[1:] != labels:
            shape = ", ".join(["n", *map(str, labels)])
            fail(name, f"integer labels of shape ({shape}{',' if not labels else ''}) for "
                       f"{self.name}: this model's output is {tuple(output_shape)} (for "
                       f"one-hot targets use loss='categorical_crossentropy')"
                       f"{extra_axes_hint(output_shape, y)}", y)
        if not is_integral(y):
            fail(name, f"integer class labels for {self.name}", y)
        low, high = y.min(), y.max()
        if low < 0 or high >= classes:
            raise ValueError(f"{name} must hold class labels in [0, {classes - 1}] for a model "
                             f"with {classes} outputs. Received: {name} with values in "
                             f"[{low}, {high}]")
        return y.astype(np.int64)

    def get_config(self):
        return {"from_logits": self.from_logits}


class BinaryCrossentropy(_CrossEntropy):
    """mean_k -[t log p + (1-t) log(1-p)] per sample, p clipped to [1e-7, 1 - 1e-7].

    As in Keras, the output of a sigmoid layer is scored from its logits z instead, and with
    from_logits=True y_pred are logits: max(z, 0) - z t + log(1 + e^-|z|).
    label_smoothing: t -> t (1 - s) + s / 2.
    """

    name = "binary_crossentropy"
    activation = "sigmoid"

    def from_probabilities(self, ops, t, p, epsilon):
        return ops.binary_crossentropy(t, p, epsilon)

    def from_probabilities_grad(self, ops, t, p, epsilon):
        return ops.binary_crossentropy_grad(t, p, epsilon)

    def from_logits_loss(self, ops, t, z):
        return ops.sigmoid_crossentropy(t, z)

    def from_logits_grad(self, ops, t, p):
        return ops.sigmoid_crossentropy_grad(t, p)

    def activate(self, ops, z):
        return ops.sigmoid(z)

    def smoothing_floor(self, like):
        return 0.5


class MeanSquaredError(Loss):
    """mean_k (p_k - t_k)² per sample."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        return get_ops().mean_squared_error(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return get_ops().mean_squared_error_grad(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """mean_k |p_k - t_k| per sample."""

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        return get_ops().mean_absolute_error(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return get_ops().mean_absolute_error_grad(y_true, y_pred)


_BY_NAME: dict[str, type[Loss]] = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
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
    return to_spec(loss)


def deserialize(spec: dict) -> Loss:
    return from_spec(spec, _CLASSES, "loss", "loss")


# ---- Keras's loss functions: per-sample values (n,) ------------------------------------------
def _per_sample(loss: Loss, y_true: object, y_pred: object, axis: int = -1,
                sparse: bool = False) -> np.ndarray:
    if axis != -1:
        fail("axis", "-1 (numnet's losses reduce the last axis)", axis)
    y_pred = check_array("y_pred", y_pred, allow_nonfinite=True)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype("float32")
    y_true = check_array("y_true", y_true, allow_nonfinite=True)
    if not sparse:
        y_true = y_true.astype(y_pred.dtype, copy=False)
        if y_true.shape != y_pred.shape:
            fail("y_true", f"an array of the shape of y_pred {y_pred.shape}", y_true)
    elif len(y_true) != len(y_pred):
        fail("y_true", f"{len(y_pred)} labels, one per row of y_pred", y_true)
    return loss.per_sample(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample categorical cross-entropy (keras.losses.categorical_crossentropy). -> (n,)"""
    return _per_sample(CategoricalCrossentropy(from_logits, label_smoothing), y_true, y_pred,
                       axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy of integer labels (keras.losses.sparse_categorical_crossentropy)."""
    return _per_sample(SparseCategoricalCrossentropy(from_logits), y_true, y_pred, axis,
                       sparse=True)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample binary cross-entropy, the mean over the last axis. -> (n,)"""
    return _per_sample(BinaryCrossentropy(from_logits, label_smoothing), y_true, y_pred, axis)


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """Per-sample mean of (p - t)² over the last axis. -> (n,)"""
    return _per_sample(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """Per-sample mean of |p - t| over the last axis. -> (n,)"""
    return _per_sample(MeanAbsoluteError(), y_true, y_pred)


mse, mae = mean_squared_error, mean_absolute_error
