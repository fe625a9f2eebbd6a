"""The rewrite pass: Dense(relu | linear) followed by Dropout becomes one `DenseBlock` layer
in the runner's calls (on a backend that fuses, the Numba one), so that a hidden block is one
GEMM and one pass forward (bias, ReLU and the dropout mask together) and one pass and two
GEMMs backward.

An optimisation, never the definition: the block holds the very Dense and Dropout of the
model (their params, grads and generator), the model's graph is unchanged, and tests hold a
rewritten run equal to the layers' own.
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense, Dropout, Layer
from ..layers.activation import Linear, ReLU
from ..ops import get_ops


class DenseBlock(Layer):
    """y = act(x W + b) · mask for a Dense (relu or linear) and an optional Dropout after it.

    Its params and grads are the Dense's own dicts; the dropout mask comes from the Dropout's
    generator, key for key as Dropout.forward draws it. Activations and input gradients live
    in buffers reused from step to step (one per batch size). backward may overwrite dy.
    Input shape: (batch, in).  Output shape: (batch, units).
    """

    supports_masking = True

    cache_attributes = ("_x", "_mask")

    def __init__(self, dense: Dense, dropout: Dropout | None = None) -> None:
        super().__init__(name=f"{dense.name}_block", dtype=dense.dtype)
        self.dense = dense
        self.dropout = dropout if dropout is not None and dropout.rate > 0 else None
        self.relu = type(dense.activation) is ReLU
        self.params, self.grads = dense.params, dense.grads
        self.trainable = dense.trainable
        self.input_shape, self.built = dense.input_shape, True
        self._outputs: dict[int, np.ndarray] = {}
        self._input_grads: dict[int, np.ndarray] = {}
        self._x: np.ndarray | None = None
        self._mask: np.ndarray | None = None

    @staticmethod
    def fits(layer: Layer) -> bool:
        """A Dense this block can run: on 2-D inputs, plain ReLU or linear, no activity
        penalty."""
        return (type(layer) is Dense and not layer.has_activity_penalty
                and len(layer.input_shape) == 2 and (
            (type(layer.activation) is ReLU and layer.activation.plain)
            or type(layer.activation) is Linear))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self.dense.compute_output_shape(input_shape)

    @staticmethod
    def _buffer(buffers: dict, rows: int, width: int, dtype) -> np.ndarray:
        if rows not in buffers:
            buffers[rows] = np.empty((rows, width), dtype)
        return buffers[rows]

    # y = act(x W + b) · m  ->  dz = dy · m;  dW = xᵀ dz, db = Σ dz, dx = dz Wᵀ
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        ops, params, units = get_ops(), self.params, self.dense.units
        if not training:
            return ops.dense_block_inference(x, params["kernel"], params.get("bias"), self.relu,
                                             np.empty((len(x), units), x.dtype))
        out = self._buffer(self._outputs, len(x), units, x.dtype)
        dropout = self.dropout
        self._mask, _ = ops.dense_block_forward(
            x, params["kernel"], params.get("bias"), self.relu,
            dropout.next_key() if dropout else 0, dropout.rate if dropout else 0.0, out)
        self._x = x
        return out

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._x)
        x = self._x
        dx = self._buffer(self._input_grads, len(x), x.shape[1], x.dtype) if need_dx else None
        get_ops().dense_block_backward(dy, x, self.params["kernel"], self._mask,
                                       self.grads["kernel"], self.grads.get("bias"), dx)
        return dx


def fuse_dense_blocks(calls: list, readers: dict[int, int], output_slots: list[int]) -> list:
    """The runner's calls with each fitting Dense (called once) and the Dropout that alone
    reads it (called once, without noise_shape) made one DenseBlock call. `readers`: how
    many calls read each slot."""
    counts: dict[int, int] = {}
    for call in calls:
        counts[id(call.layer)] = counts.get(id(call.layer), 0) + 1
    by_reads = {call.reads[0]: call for call in calls if not call.list_input}
    fused, skipped = [], set()
    for call in calls:
        if id(call) in skipped:
            continue
        layer = call.layer
        if not DenseBlock.fits(layer) or counts[id(layer)] > 1 or call.writes in output_slots:
            fused.append(call)
            continue
        follower = by_reads.get(call.writes) if readers.get(call.writes) == 1 else None
        dropout = None
        if (follower is not None and type(follower.layer) is Dropout
                and follower.layer.noise_shape is None and counts[id(follower.layer)] == 1):
            dropout = follower.layer
            skipped.add(id(follower))
        call.layer = DenseBlock(layer, dropout)
        if dropout is not None:
            call.writes = follower.writes
        fused.append(call)
    return fused
