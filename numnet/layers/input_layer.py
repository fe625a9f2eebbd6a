"""Input: where a model's data enters, as a symbolic tensor (Keras's `keras.Input`)."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, fail
from ..symbolic import Node, SymbolicTensor
from .base import Layer, check_input_shape


class InputLayer(Layer):
    """The layer behind `numnet.Input`: it declares one input's shape and dtype and makes
    the symbolic tensor (`layer.output`) that a functional model starts from. It passes data
    through unchanged. As the first element of a Sequential it fixes the input shape.

    Args:
        shape: one sample's shape, without the batch axis, e.g. (784,).
        batch_size: a fixed batch size, or None (any).
        batch_shape: (batch_size, *shape) instead of shape and batch_size.
        dtype: the inputs' type: "float32" or "float64" (default numnet.config.floatx()),
            or "int32" or "int64" for indices (an Embedding's word indices); integer batches
            reach the layers uncast.
    """

    DTYPES = ("float32", "float64", "int32", "int64")

    def __init__(self, shape: tuple | None = None, batch_size: int | None = None,
                 dtype: str | None = None, batch_shape: tuple | None = None,
                 name: str | None = None, **kwargs) -> None:
        kwargs.pop("input_shape", None)
        kwargs.pop("sparse", None)  # Keras's configs carry sparse=False
        if dtype is not None and dtype not in self.DTYPES:
            fail("dtype", " or ".join(repr(d) for d in self.DTYPES), dtype)
        super().__init__(name=name, **kwargs)
        self.dtype = dtype or self.dtype
        if (shape is None) == (batch_shape is None):
            raise ValueError("Give an Input either shape=(...) (without the batch axis) or "
                             f"batch_shape=(...). Received: shape={shape!r}, "
                             f"batch_shape={batch_shape!r}")
        if batch_shape is not None:
            if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
                fail("batch_shape", "a tuple (batch size or None, *shape)", batch_shape)
            batch_size, shape = batch_shape[0], batch_shape[1:]
        shape = check_input_shape("shape", shape)
        if batch_size is not None:
            batch_size = check_positive_int("batch_size", batch_size)
        self.declared_input_shape = shape
        self.input_shape = (batch_size, *shape)
        self.built = True
        node = Node(self, [], list_input=False)
        node.outputs = [SymbolicTensor(self.input_shape, self.dtype, node, 0, name=self.name)]
        self.inbound_nodes.append(node)

    @property
    def batch_shape(self) -> tuple:
        return self.input_shape

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        pass  # built at construction

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.pop("input_shape", None)
        return {**config_, "batch_shape": list(self.input_shape)}


def Input(shape: tuple | None = None, batch_size: int | None = None, dtype: str | None = None,
          name: str | None = None, batch_shape: tuple | None = None) -> SymbolicTensor:
    """A symbolic tensor for a model's input: `x = numnet.Input(shape=(784,))`, then
    `y = layers.Dense(10)(x)` and `numnet.Model(x, y)`. Arguments as InputLayer's."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_shape=batch_shape)
    return layer.output
