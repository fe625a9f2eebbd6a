"""Embedding: integer indices to rows of a learnt table (word vectors)."""

from __future__ import annotations

import numpy as np

from .. import initializers
from .._validation import check_bool, check_positive_int, fail, is_integral
from ..ops import get_ops
from .base import Layer


class Embedding(Layer):
    """y[..., :] = embeddings[x[...]]: each index picks a row of the (input_dim, output_dim)
    table; the gradient of a row is the sum of dL/dy over every position holding its index.

    Args:
        input_dim: the number of indices (the vocabulary size); indices are 0..input_dim - 1.
        output_dim: the width of a row.
        embeddings_initializer: "uniform" (Keras's default, U(-0.05, 0.05)) or another name.
        embeddings_regularizer, embeddings_constraint: as Dense's kernel ones.
        mask_zero: index 0 is padding: the output carries the mask x != 0, which layers
            that use masks follow (recurrent layers skip the padded steps, the loss and
            metrics leave them out, GlobalAveragePooling1D averages the real steps only).

    Input shape: (batch, ...) of integer indices (integral floats are taken, as Keras casts
    them).  Output shape: (batch, ..., output_dim).  Parameters: embeddings (input_dim,
    output_dim).
    """

    input_dtype = "int32"  # a Sequential starting with an Embedding takes int32 batches
    cache_attributes = ("_indices",)

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero: bool = False, input_length: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.input_dim = check_positive_int("input_dim", input_dim)
        self.output_dim = check_positive_int("output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer,
                                                       "embeddings_initializer")
        self.set_weight_penalties(embeddings_regularizer=embeddings_regularizer,
                                  embeddings_constraint=embeddings_constraint)
        self.mask_zero = check_bool("mask_zero", mask_zero)
        if input_length is not None and self.declared_input_shape is None:
            self.declared_input_shape = (check_positive_int("input_length", input_length),)
        self._indices: np.ndarray | None = None

    def makes_mask(self, masked) -> bool:
        return self.mask_zero

    def compute_mask(self, inputs, mask):
        return np.asarray(inputs) != 0

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        return {"embeddings": (self.input_dim, self.output_dim)}

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.output_dim)

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self.add_param("embeddings", self.embeddings_initializer(
            (self.input_dim, self.output_dim), rng, self.dtype))
        super().build(input_shape, rng)

    def indices(self, x: np.ndarray) -> np.ndarray:
        """x as integer indices (integer arrays as they are, others as int64), checked: whole
        numbers in [0, input_dim)."""
        x = np.asarray(x)
        if x.dtype.kind not in "iubf":
            fail("x", f"integer indices for layer '{self.name}'", x, TypeError)
        if not is_integral(x):
            fail("x", f"integer indices for layer '{self.name}'; found fractional values", x)
        indices = x if x.dtype.kind in "iu" else x.astype(np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= self.input_dim):
            bad = indices[(indices < 0) | (indices >= self.input_dim)].flat[0]
            raise ValueError(f"x must be indices in [0, {self.input_dim}) for layer "
                             f"'{self.name}' (its input_dim={self.input_dim}). Received: x "
                             f"holding the index {bad}")
        return indices

    # y = E[x]  ->  dE[i] = Σ_{positions p with x[p] = i} dy[p]
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        indices = self.indices(x)
        if training:
            self._indices = indices
        return self.params["embeddings"][indices]

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> None:
        """Writes dL/dembeddings; returns None (indices have no gradient)."""
        self._require_cache(self._indices)
        get_ops().embedding_backward(self._indices.reshape(-1),
                                     dy.reshape(-1, self.output_dim), self.grads["embeddings"])
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.name_of(self.embeddings_initializer),
                "mask_zero": self.mask_zero, **self.weight_penalty_config()}
