"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate and Dot.

Each is called on a list of tensors, `layers.Add()([a, b])`; its forward takes a list of
arrays and its backward returns a list, one dL/dx per input. Element-wise merges broadcast
sizes of 1 as Keras does (the batch axis excepted); the maths is in `ops` (numpy_merging).
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import check_bool, fail
from ..ops import get_ops
from .base import Layer


class Merge(Layer):
    """Base of the merge layers: checks the list of inputs, keeps them for backward."""

    takes_list_input = True
    cache_attributes = ("_xs",)
    min_inputs, max_inputs = 2, None
    supports_masking = True  # where every input has a mask: a step is real in any of them

    def compute_mask(self, inputs, mask):
        return np.logical_or.reduce(mask)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._xs: list[np.ndarray] | None = None

    def _check_count(self, input_shape) -> list[tuple]:
        name = type(self).__name__
        if not isinstance(input_shape, (list, tuple)) or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"A {name} layer must be called on a list of tensors. "
                             f"Received: input_shape={input_shape!r}")
        count = len(input_shape)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            wanted = (f"exactly {self.min_inputs}" if self.max_inputs == self.min_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"A {name} layer must be called on {wanted} inputs. "
                             f"Received: {count} inputs")
        return [tuple(s) for s in input_shape]

    def build(self, input_shape, rng: np.random.Generator) -> None:
        self.compute_output_shape(input_shape)  # checks the shapes
        self.input_shape = [tuple(s) for s in input_shape]
        self.built = True

    def compute_output_shape(self, input_shape) -> tuple:
        """Element-wise: sizes equal, or 1 (broadcast), or None (unknown) on each axis."""
        shapes = self._check_count(input_shape)
        if len({len(s) for s in shapes}) != 1:
            raise ValueError(f"Inputs of a {type(self).__name__} layer must have the same "
                             f"rank. Received: shapes {shapes}")
        output = [shapes[0][0]]
        for sizes in zip(*(s[1:] for s in shapes)):
            known = {d for d in sizes if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(f"Inputs of a {type(self).__name__} layer must have "
                                 f"shapes that broadcast together. Received: shapes {shapes}")
            output.append(None if None in sizes else (known.pop() if known else 1))
        return tuple(output)

    def forward(self, xs: list[np.ndarray], training: bool = False) -> np.ndarray:
        if training:
            self._xs = list(xs)
        return self.merge(xs)

    def backward(self, dy: np.ndarray) -> list[np.ndarray]:
        self._require_cache(self._xs)
        return self.merge_backward(dy, self._xs)

    def merge(self, xs: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def merge_backward(self, dy: np.ndarray, xs: list[np.ndarray]) -> list[np.ndarray]:
        raise NotImplementedError


class Add(Merge):
    """y = x1 + x2 + ...  (shapes equal, or broadcast). Output shape: the broadcast one."""

    # dx_i = dy
    def merge(self, xs):
        return sum(xs[1:], xs[0])

    def merge_backward(self, dy, xs):
        return [get_ops().unbroadcast(dy, x.shape) for x in xs]


class Subtract(Merge):
    """y = x1 - x2 (exactly two inputs)."""

    min_inputs = max_inputs = 2

    # dx1 = dy, dx2 = -dy
    def merge(self, xs):
        return xs[0] - xs[1]

    def merge_backward(self, dy, xs):
        ops = get_ops()
        return [ops.unbroadcast(dy, xs[0].shape), ops.unbroadcast(-dy, xs[1].shape)]


class Multiply(Merge):
    """y = x1 · x2 · ... element-wise."""

    def merge(self, xs):
        return functools.reduce(np.multiply, xs)

    def merge_backward(self, dy, xs):
        return get_ops().multiply_backward(dy, xs)


class Average(Merge):
    """y = (x1 + x2 + ...) / n."""

    # dx_i = dy / n
    def merge(self, xs):
        return sum(xs[1:], xs[0]) / xs[0].dtype.type(len(xs))

    def merge_backward(self, dy, xs):
        share = dy / dy.dtype.type(len(xs))
        return [get_ops().unbroadcast(share, x.shape) for x in xs]


class _Extremum(Merge):
    """The element-wise maximum (or minimum) of the inputs; the gradient goes to the first
    input holding it."""

    maximum = True

    def merge(self, xs):
        return functools.reduce(np.maximum if self.maximum else np.minimum, xs)

    def merge_backward(self, dy, xs):
        return get_ops().extremum_backward(dy, xs, maximum=self.maximum)


class Maximum(_Extremum):
    """y = max(x1, x2, ...) element-wise; the gradient goes to the first input holding it."""


class Minimum(_Extremum):
    """y = min(x1, x2, ...) element-wise; the gradient goes to the first input holding it."""

    maximum = False


class Concatenate(Merge):
    """Joins the inputs along `axis` (default the last); the other sizes must be equal.

    Args:
        axis: the axis to join along (not the batch axis).
    """

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            fail("axis", "an integer", axis, TypeError)
        self.axis = axis

    def compute_output_shape(self, input_shape) -> tuple:
        shapes = self._check_count(input_shape)
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis in (None, 0) or any(len(s) != rank for s in shapes):
            fail("axis", f"an axis of inputs of rank {rank} other than the batch axis "
                         f"(inputs {shapes})", self.axis)
        for i in range(1, rank):
            sizes = {s[i] for s in shapes if s[i] is not None}
            if i != axis and len(sizes) > 1:
                raise ValueError(f"A Concatenate layer needs inputs of matching shapes except "
                                 f"along the concatenation axis {self.axis}. Received: shapes "
                                 f"{shapes}")
        joined = [s[axis] for s in shapes]
        return (*shapes[0][:axis], None if None in joined else sum(joined),
                *shapes[0][axis + 1:])

    # dx_i = dy's slice that x_i filled
    def makes_mask(self, masked) -> bool:
        return any(masked)

    def compute_mask(self, inputs, mask):
        """Each input's mask spread over its own axes (all real without one), joined along
        `axis`, then any over the last axis (Keras's rule)."""
        spread = [np.ones(x.shape, bool) if m is None else
                  np.broadcast_to(m.reshape(m.shape + (1,) * (x.ndim - m.ndim)), x.shape)
                  for x, m in zip(inputs, mask)]
        return np.concatenate(spread, axis=self.axis).any(axis=-1)

    def merge(self, xs):
        return np.concatenate(xs, axis=self.axis)

    def merge_backward(self, dy, xs):
        edges = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return np.split(dy, edges, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """The per-sample dot product of two inputs over `axes` (Keras's batch_dot): (b, d) and
    (b, d) give (b, 1); (b, n, d) and (b, m, d) with axes=2 give (b, n, m).

    Args:
        axes: one axis for both inputs, or a pair (axis of x1, axis of x2); not the batch axis.
        normalize: L2-normalize both inputs along their axis first, so that the result is
            the cosine similarity (norms clamped at 1e-7, as Keras's ops.normalize).
    """

    min_inputs = max_inputs = 2

    def makes_mask(self, masked) -> bool:
        return False  # takes masked inputs, and its output has no mask (Keras's)

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) and not isinstance(a, bool)
                                         for a in axes):
                fail("axes", "an integer or a pair of integers", axes)
            axes = tuple(axes)
        elif isinstance(axes, bool) or not isinstance(axes, int):
            fail("axes", "an integer or a pair of integers", axes, TypeError)
        self.axes = axes
        self.normalize = check_bool("normalize", normalize)

    def _axes(self, shapes) -> tuple[int, int]:
        pair = self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)
        resolved = []
        for axis, shape in zip(pair, shapes):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                fail("axes", f"axes of the inputs {shapes} other than the batch axis",
                     self.axes)
            resolved.append(axis % len(shape))
        return resolved[0], resolved[1]

    def compute_output_shape(self, input_shape) -> tuple:
        shapes = self._check_count(input_shape)
        a1, a2 = self._axes(shapes)
        d1, d2 = shapes[0][a1], shapes[1][a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"A Dot layer needs equal sizes along its axes. Received: size "
                             f"{d1} (axis {a1}) and {d2} (axis {a2}); shapes {shapes}")
        rest = (*(d for i, d in enumerate(shapes[0][1:], 1) if i != a1),
                *(d for i, d in enumerate(shapes[1][1:], 1) if i != a2))
        return (shapes[0][0], *rest) if rest else (shapes[0][0], 1)

    # y = Σ_k x̂1 x̂2 (x̂ = x / ‖x‖ with normalize)  ->  dx̂1 = dy x̂2, dx̂2 = dyᵀ x̂1, then
    # back through the normalization
    def merge(self, xs):
        ops, axes = get_ops(), self._axes([x.shape for x in xs])
        if self.normalize:
            xs = [ops.l2_normalize(x, axis)[0] for x, axis in zip(xs, axes)]
        return ops.batch_dot(xs[0], xs[1], axes)

    def merge_backward(self, dy, xs):
        ops, axes = get_ops(), self._axes([x.shape for x in xs])
        normed = ([ops.l2_normalize(x, axis)[0] for x, axis in zip(xs, axes)]
                  if self.normalize else xs)
        grads = ops.batch_dot_backward(dy, normed[0], normed[1], axes)
        if self.normalize:
            grads = tuple(ops.l2_normalize_backward(g, x, axis)
                          for g, x, axis in zip(grads, xs, axes))
        return list(grads)

    def get_config(self) -> dict:
        axes = list(self.axes) if isinstance(self.axes, tuple) else self.axes
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}
