"""Normalization: shift and scale features to mean 0 and variance 1 with statistics learnt by
`adapt(data)` before training (Keras's feature normalization), or given."""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_bool, fail
from .base import Layer

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Normalization(Layer):
    """y = (x - mean) / max(√variance, 1e-7); with invert=True, y = mean + x · max(√variance,
    1e-7). mean and variance hold one value per index of the kept `axis` (the features by
    default) and broadcast over the others.

    Args:
        axis: the axis (int), axes (tuple) that keep their own statistics, or None for one
            mean and variance over everything. Never the batch axis.
        mean, variance: the statistics, given together (numbers or arrays of the kept axes'
            shape); without them the layer learns them with `adapt` and saves them as its
            state: mean, variance (kept axes' shape) and count (an int64 scalar, 0, which
            Keras keeps for older files).
        invert: undo a normalization instead (e.g. turn predictions back into prices).

    Input and output shape: any, the same.
    """

    supports_masking = True

    def __init__(self, axis: int | tuple | None = -1, mean=None, variance=None,
                 invert: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axes: tuple = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axes = (axis,)
        elif isinstance(axis, (tuple, list)) and all(
                isinstance(a, int) and not isinstance(a, bool) for a in axis):
            axes = tuple(axis)
        else:
            fail("axis", "an int, a tuple of ints or None", axis, TypeError)
        self.axis = axis if not isinstance(axis, list) else tuple(axis)
        self._axes = axes
        if (mean is None) != (variance is None):
            fail("mean and variance", "both given or both None",
                 f"mean={mean!r}, variance={variance!r}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = check_bool("invert", invert)

    def _kept(self, input_shape: tuple) -> tuple[int, ...]:
        rank = len(input_shape)
        kept = []
        for a in self._axes:
            if not -rank <= a < rank:
                fail("axis", f"axes within the {rank} axes of inputs {tuple(input_shape)}",
                     self.axis)
            a = a % rank
            if a == 0:
                fail("axis", f"axes other than the batch axis of inputs {tuple(input_shape)} "
                             "(for 1-D data pass axis=None)", self.axis)
            if input_shape[a] is None:
                fail("input_shape", f"a known size on the kept axis {a}", tuple(input_shape))
            kept.append(a)
        return tuple(sorted(kept))

    def _statistics_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[a] for a in self._kept(input_shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._kept(input_shape)
        return tuple(input_shape)

    def state_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        if self.input_mean is not None:
            return {}
        shape = self._statistics_shape(input_shape)
        return {"mean": shape, "variance": shape, "count": ()}

    def build(self, input_shape: tuple, rng: np.random.Generator | None = None) -> None:
        shape = self._statistics_shape(input_shape)
        if self.input_mean is None:
            self.state["mean"] = np.zeros(shape, self.dtype)
            self.state["variance"] = np.ones(shape, self.dtype)
            self.state["count"] = np.zeros((), np.int64)
        else:
            for name, value in (("mean", self.input_mean), ("variance", self.input_variance)):
                array = np.asarray(value, dtype=np.float64)
                try:
                    np.broadcast_to(array, shape)
                except ValueError:
                    fail(name, f"a number or an array that broadcasts to {shape} (the kept "
                               f"axes of inputs {tuple(input_shape)})", value)
        super().build(input_shape, rng)

    def _broadcast(self, name: str) -> np.ndarray:
        """mean or variance shaped to broadcast against a batch (ones on reduced axes)."""
        rank = len(self.input_shape)
        kept = self._kept(self.input_shape)
        value = self.state[name] if self.input_mean is None else np.broadcast_to(
            np.asarray(self.input_mean if name == "mean" else self.input_variance),
            self._statistics_shape(self.input_shape))
        shape = [self.input_shape[a] if a in kept else 1 for a in range(rank)]
        return np.asarray(value, dtype=self.dtype).reshape(shape)

    def _std(self) -> np.ndarray:
        return np.maximum(np.sqrt(self._broadcast("variance")), self.dtype_type(EPSILON))

    def dtype_type(self, value: float):
        return np.dtype(self.dtype).type(value)

    # y = (x - m) / s  ->  dx = dy / s;   inverted: y = m + x s  ->  dx = dy s
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._check_rank(x)
        x = x.astype(self.dtype, copy=False)
        if self.invert:
            return self._broadcast("mean") + x * self._std()
        return (x - self._broadcast("mean")) / self._std()

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self._std() if self.invert else dy / self._std()

    def _check_rank(self, x: np.ndarray) -> None:
        expected = self.input_shape
        if x.ndim != len(expected) or any(
                e is not None and s != e for s, e in zip(x.shape[1:], expected[1:])):
            fail("x", f"an array of shape (n, {', '.join(map(str, expected[1:]))}) for layer "
                      f"'{self.name}'", x)

    def adapt(self, data, batch_size: int | None = None) -> None:
        """Learn mean and variance from `data`: an array (as Keras: np.mean and np.var over
        the reduced axes, in the array's dtype), or an iterable of batches (a list, a
        generator, a numnet.utils.Sequence yielding x or (x, y)), combined batch by batch as
        Keras combines them. Builds the layer from the data's shape when it is not built."""
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given mean and variance; adapt() learns "
                             "them only when they are not given")
        if isinstance(data, np.ndarray) or (hasattr(data, "__array__")
                                            and not hasattr(data, "__next__")
                                            and not isinstance(data, list)):
            data = np.asarray(data)
            self._build_for(data.shape)
            reduced = self._reduced(data.ndim)
            mean, variance = np.mean(data, axis=reduced), np.var(data, axis=reduced)
        else:
            mean, variance = self._combined(data)
        self.state["mean"][...] = mean
        self.state["variance"][...] = variance

    def _build_for(self, shape: tuple) -> None:
        shape = (None, *shape[1:])
        if not self.built:
            self.build(shape)
        elif self._statistics_shape(shape) != self._statistics_shape(self.input_shape):
            fail("data", f"batches of shape {self.input_shape} on the kept axes (the layer is "
                         "built for them)", f"shape {shape}")

    def _reduced(self, rank: int) -> tuple[int, ...]:
        kept = self._kept(self.input_shape)
        return tuple(a for a in range(rank) if a not in kept)

    def _combined(self, batches) -> tuple[np.ndarray, np.ndarray]:
        """Keras's running combination: weights by count, variance by the lack-of-fit sum."""
        mean = variance = None
        total = 0
        for batch in batches:
            if isinstance(batch, tuple):
                batch = batch[0]
            batch = np.asarray(batch, dtype=self.dtype)
            self._build_for(batch.shape)
            if mean is None:
                shape = self._statistics_shape(self.input_shape)
                mean, variance = np.zeros(shape, self.dtype), np.zeros(shape, self.dtype)
            reduced = self._reduced(batch.ndim)
            batch_mean, batch_variance = np.mean(batch, axis=reduced), np.var(batch, axis=reduced)
            count = math.prod(batch.shape[a] for a in reduced)
            total += count
            weight = float(count) / total
            new_mean = mean * (1 - weight) + batch_mean * weight
            variance = ((variance + (mean - new_mean) ** 2) * (1 - weight)
                        + (batch_variance + (batch_mean - new_mean) ** 2) * weight)
            mean = new_mean
        if mean is None:
            raise ValueError("adapt() received no batches. Expected an array or a non-empty "
                             "iterable of arrays")
        return mean, variance

    def get_config(self) -> dict:
        def listed(value):
            return None if value is None else np.asarray(value).tolist()
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": listed(self.input_mean), "variance": listed(self.input_variance)}

    @classmethod
    def from_config(cls, config_: dict) -> "Normalization":
        config_ = dict(config_)
        if isinstance(config_.get("axis"), list):
            config_["axis"] = tuple(config_["axis"])
        return cls(**config_)
