"""Fused blocks: the training step of a Dense/Dropout stack, run block by block.

An optimisation, never the definition: the layers (numnet/layers) define forward and backward,
and tests hold this module equal to them. It applies when the model is

    [Flatten] [Rescaling] (Dense(relu | linear) [Dropout])* Dense(softmax)
                                        (Flatten and Rescaling in either order), cross-entropy loss

and the backend sets `ops.fuses_blocks` (Numba). Each hidden block is one GEMM plus one
pass (bias + ReLU + dropout, keeping one combined mask m) forward, and one pass
(dz = dy·m and the bias gradient) plus two GEMMs backward; the output block computes softmax,
loss and (p - t)/n together. Inputs of another dtype (uint8 images) are cast to the model's
dtype as they enter, in the same pass as Rescaling when there is one. Activations live in
buffers reused from step to step, and gradients are written straight into the layers' `grads`
(views of the model's flat buffer).
"""

from __future__ import annotations

import itertools

import numpy as np

from . import losses
from .layers import Dense, Dropout, Flatten, Rescaling, Softmax
from .layers.activation import Linear, ReLU
from .ops import NumpyOps


class _Block:
    """One Dense layer, its activation (relu, linear or softmax) and an optional Dropout."""

    def __init__(self, dense: Dense, dropout: Dropout | None) -> None:
        self.dense = dense
        self.dropout = dropout if dropout is not None and dropout.rate > 0 else None
        self.relu = type(dense.activation) is ReLU and dense.activation.plain
        self.softmax = isinstance(dense.activation, Softmax)


class FusedStack:
    """Runs a supported Sequential's training step and inference as fused blocks."""

    def __init__(self, blocks: list[_Block], flatten: bool, rescaling: Rescaling | None,
                 loss: losses.Loss, dtype: str) -> None:
        self.blocks = blocks
        self.flatten = flatten
        self.rescaling = rescaling
        self.dtype = np.dtype(dtype)  # the model's: its first layer's, as Sequential casts to
        self.loss = loss
        self.activations = [blocks[-1].dense.activation]  # Softmax
        self._buffers: dict[int, tuple[list[np.ndarray], np.ndarray | None]] = {}
        self._cache: tuple | None = None  # (block inputs, masks, dL/dz) of the last forward

    @classmethod
    def build(cls, layers: list, loss: losses.Loss | None) -> FusedStack | None:
        """A FusedStack for `layers` and `loss`, or None when the stack does not fit."""
        if not isinstance(loss, losses.CategoricalCrossentropy) or loss.from_logits:
            return None
        head = list(itertools.takewhile(lambda layer: type(layer) in (Flatten, Rescaling), layers))
        kinds = [type(layer) for layer in head]
        if len(set(kinds)) != len(kinds):
            return None
        rescaling = head[kinds.index(Rescaling)] if Rescaling in kinds else None
        rest = layers[len(head):]
        blocks: list[_Block] = []
        i = 0
        while i < len(rest):
            dense = rest[i]
            if type(dense) is not Dense:
                return None
            follower = rest[i + 1] if i + 1 < len(rest) else None
            dropout = (follower if type(follower) is Dropout and follower.noise_shape is None
                       else None)
            blocks.append(_Block(dense, dropout))
            i += 2 if dropout is not None else 1
        if not blocks or not blocks[-1].softmax or blocks[-1].dropout is not None:
            return None
        if any(b.dense.has_activity_penalty for b in blocks):  # penalties on outputs: layers
            return None
        if any(not (b.relu or type(b.dense.activation) is Linear) for b in blocks[:-1]):
            return None
        return cls(blocks, Flatten in kinds, rescaling, loss, layers[0].dtype)

    def _buffers_for(self, n: int) -> tuple[list[np.ndarray], np.ndarray | None]:
        """Per block: output (n, units) and the gradient arriving at it (n, units); and the
        rescaled input (n, in) when there is a Rescaling."""
        if n not in self._buffers:
            width = self.blocks[0].dense.kernel.shape[0]
            self._buffers[n] = ([np.empty((n, b.dense.units), self.dtype)
                                 for b in self.blocks for _ in "yd"],
                                None if self.rescaling is None
                                else np.empty((n, width), self.dtype))
        return self._buffers[n]

    def _input(self, ops: NumpyOps, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The first block's input (n, in) in the model's dtype: flattened, then rescaled into
        `out` (a new array if None) or cast."""
        x = x.reshape(len(x), -1) if self.flatten else x
        if self.rescaling is not None:
            out = np.empty(x.shape, self.dtype) if out is None else out
            return ops.rescale(x, self.rescaling.scale, self.rescaling.offset, out)
        return x if x.dtype == self.dtype else x.astype(self.dtype)

    def forward_loss(self, ops: NumpyOps, xs: list[np.ndarray], ys: list[np.ndarray],
                     sample_weights: list) -> tuple[float, list[np.ndarray], list[float]]:
        """Training forward and loss (Σ w·loss / n with sample weights), keeping what
        `backward` needs. -> (loss, [p], [loss]); p is a buffer that the next step
        overwrites. (Lists of one: the graph runner's interface.)"""
        x, y, sample_weight = xs[0], ys[0], sample_weights[0]
        buffers, rescaled = self._buffers_for(len(x))
        x = self._input(ops, x, rescaled)
        inputs, masks = [x], []
        for i, block in enumerate(self.blocks[:-1]):
            dense, dropout = block.dense, block.dropout
            out = buffers[2 * i]
            mask, _ = ops.dense_block_forward(
                inputs[-1], dense.params["kernel"], dense.params.get("bias"), block.relu,
                dropout.next_key() if dropout else 0, dropout.rate if dropout else 0.0, out)
            masks.append(mask)
            inputs.append(out)
        last = self.blocks[-1].dense
        z = buffers[-2]
        ops.dense_block_inference(inputs[-1], last.params["kernel"], last.params.get("bias"),
                                  False, z)  # logits: no mask
        p, per_sample, dz = ops.softmax_crossentropy_forward(z, self.loss.dense_targets(y, z))
        if sample_weight is not None:
            dz *= sample_weight[:, None]
        self._cache = (inputs, masks, dz)
        loss = losses.weighted_mean(per_sample, sample_weight)
        return loss, [p], [loss]

    def backward(self, ops: NumpyOps, ys: list, y_preds: list, sample_weights: list) -> None:
        """Backward of the last `forward_loss`: grads land in the layers (the targets,
        outputs and weights, already in the cached gradient, are unused)."""
        inputs, masks, dy = self._cache
        buffers, _ = self._buffers_for(len(dy))
        for i in range(len(self.blocks) - 1, -1, -1):
            dense = self.blocks[i].dense
            dx_out = buffers[2 * i - 1] if i > 0 else None  # the previous block's gradient
            ops.dense_block_backward(dy, inputs[i], dense.params["kernel"],
                                     masks[i] if i < len(masks) else None,
                                     dense.grads["kernel"], dense.grads.get("bias"), dx_out)
            dy = dx_out

    def forward(self, ops: NumpyOps, xs: list[np.ndarray],
                training: bool = False) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Inference (no dropout) -> ([probabilities], [logits]), both (n, classes), new."""
        h = self._input(ops, xs[0])
        for block in self.blocks:
            out = np.empty((len(h), block.dense.units), h.dtype)
            h = ops.dense_block_inference(h, block.dense.params["kernel"],
                                          block.dense.params.get("bias"), block.relu, out)
        return [ops.softmax(h)], [h]

    def predict(self, ops: NumpyOps, xs: list[np.ndarray],
                training: bool = False) -> list[np.ndarray]:
        """Inference (no dropout) -> [probabilities (n, classes)], a new array."""
        return self.forward(ops, xs)[0]

    def output_losses(self, ys: list, y_preds: list, logits: list,
                      sample_weights: list) -> list[float]:
        """The loss of an inference forward's outputs (from the logits)."""
        per_sample = self.loss.output_per_sample(ys[0], y_preds[0], logits[0],
                                                 self.activations[0])
        return [losses.weighted_mean(per_sample, sample_weights[0])]
