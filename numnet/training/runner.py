"""The runner: a model's forward pass in the order of its nodes, and its backward pass in
reverse, for any graph (a Sequential is a chain of nodes).

    forward:   values[input slots] = the batch's inputs (cast to each Input's dtype)
               for each node: values[out] = layer(values[in...])
    backward:  dL/d(output) from each output's loss (or dL/dz at the logits, where the loss
               has a shortcut through the output activation), then for each node in reverse:
               dL/d(in...) = layer.backward(dL/d(out)), summed where a tensor feeds several
               nodes.

A layer called at several nodes (a shared layer) keeps one cache per call: the runner saves
it after each training forward and restores it before that call's backward; its parameter
gradients are the sum over its calls. Backward skips what nobody needs: a node whose inputs
lead back to no trainable parameter computes no dL/dx.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..losses import Loss, masked_rows, weighted_mean
from .rewrite import fuse_dense_blocks


def weighted_total(loss_weights: list[float], losses: list) -> float:
    """Σ loss_weight · loss over the outputs that have a loss (None: no loss)."""
    return float(sum(weight * loss for weight, loss in zip(loss_weights, losses)
                     if loss is not None))


def count_readers(calls: list) -> dict[int, int]:
    """How many calls read each slot."""
    readers: dict[int, int] = {}
    for call in calls:
        for slot in call.reads:
            readers[slot] = readers.get(slot, 0) + 1
    return readers


def weigh_rows(gradient: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Scale each sample's row of a per-sample gradient by its weight (in place)."""
    if sample_weight is not None:
        gradient *= sample_weight.reshape(-1, *([1] * (gradient.ndim - 1)))
    return gradient


class _Call:
    """One node as the runner sees it: the layer, the slots it reads and the slot it writes."""

    def __init__(self, layer, reads: list[int], writes: int, list_input: bool) -> None:
        self.layer, self.reads, self.writes, self.list_input = layer, reads, writes, list_input
        self.needs_dx = False  # some input leads back to a trainable parameter
        self.trains = False  # the layer has trainable parameters
        self.shared = False  # the layer has other calls in this graph
        self.logits_output: int | None = None  # the output whose loss may start at its logits
        self.passes_mask = False  # forward takes the input's mask
        self.makes_mask = False  # the output carries a mask (layer.compute_mask)

    def argument(self, values: list):
        if self.list_input:
            return [values[slot] for slot in self.reads]
        return values[self.reads[0]]


class GraphRunner:
    """Runs `model`'s nodes (anything with `inputs`, `outputs` and `nodes`) with one loss per
    output (None: that output is not trained) weighted by `loss_weights`. With `fuse`, the
    rewrite pass runs Dense/Dropout pairs as DenseBlock layers (numnet.training.rewrite), and
    a softmax output trained with cross-entropy stops at its logits: the loss makes the
    probabilities, its value and dL/dz in one op (`Loss.logits_forward`)."""

    def __init__(self, model, losses: list[Loss | None] | None = None,
                 loss_weights: list[float] | None = None, fuse: bool = False) -> None:
        slots = {tensor.id: slot for slot, tensor in enumerate(model.inputs)}
        self.input_dtypes = [np.dtype(t.dtype) for t in model.inputs]
        self.calls: list[_Call] = []
        for node in model.nodes:
            if not node.inputs:  # an InputLayer's node: its tensor is an input slot
                continue
            slots[node.outputs[0].id] = len(slots)
            self.calls.append(_Call(node.layer, [slots[t.id] for t in node.inputs],
                                    slots[node.outputs[0].id], node.list_input))
        self.slot_count = len(slots)
        self.output_slots = [slots[t.id] for t in model.outputs]
        self.fuse = fuse
        if fuse:
            self.calls = fuse_dense_blocks(self.calls, count_readers(self.calls),
                                           self.output_slots)
        # an input read only by layers that cast it themselves (Rescaling) is not cast first
        self.cast_inputs = [not all(getattr(c.layer, "casts_input", False)
                                    for c in self.calls if slot in c.reads)
                            for slot in range(len(self.input_dtypes))]
        layers = model.layers
        self.penalised = [layer for layer in layers if layer.has_penalties]
        self.constrained = [layer for layer in layers if layer.has_constraints]
        self.losses = list(losses) if losses is not None else [None] * len(self.output_slots)
        self.loss_weights = list(loss_weights or [1.0] * len(self.output_slots))
        self._plan_masks()
        self._plan_backward()
        self._caches: list[tuple | None] = [None] * len(self.calls)
        self.output_masks: list | None = None  # each output's mask, of the last forward

    def _plan_masks(self) -> None:
        """Which tensors carry a mask (Keras's rules: Embedding(mask_zero=True) and Masking
        make one, a layer that supports masking hands it on as `makes_mask` says), which
        calls take one in forward. A layer that does not support masking drops its input's
        mask, with a warning, as Keras does."""
        masked = [False] * self.slot_count
        for call in self.calls:
            flags = [masked[slot] for slot in call.reads]
            layer = call.layer
            if any(flags) and not layer.supports_masking:
                warnings.warn(f"Layer '{layer.name}' ({type(layer).__name__}) does not support "
                              "masking: the mask of its input ends there, and the layers "
                              "after it see none (as in Keras)", stacklevel=4)
                continue
            call.passes_mask = any(flags) and layer.uses_mask
            call.makes_mask = masked[call.writes] = layer.makes_mask(
                flags if call.list_input else flags[0])
        self.uses_masks = any(masked)

    def _plan_backward(self) -> None:
        """Which calls need dL/dx, which layers are shared, and which outputs may start
        backward at their logits (made by a layer with an output activation that is called
        once, whose output nothing else reads, without an activity penalty)."""
        needs_grad = [False] * self.slot_count
        counts: dict[int, int] = {}
        readers = count_readers(self.calls)
        for call in self.calls:
            counts[id(call.layer)] = counts.get(id(call.layer), 0) + 1
            call.trains = bool(call.layer.params and call.layer.trainable)
            call.needs_dx = any(needs_grad[slot] for slot in call.reads)
            needs_grad[call.writes] = call.needs_dx or call.trains
        self.activations: list = [None] * len(self.output_slots)
        for call in self.calls:
            call.shared = counts[id(call.layer)] > 1
            if call.writes in self.output_slots and not call.shared and not readers.get(
                    call.writes) and self.output_slots.count(call.writes) == 1:
                output = self.output_slots.index(call.writes)
                self.activations[output] = call.layer.output_activation()
                if self.activations[output] is not None:
                    call.logits_output = output
        self.trained_layers = [call.layer for call in self.calls if call.trains]
        self.producers = [next((c for c in self.calls if c.logits_output == output), None)
                          for output in range(len(self.output_slots))]
        # outputs whose training forward stops at the logits: the loss then computes the
        # activation, its value and dL/dz in one op (softmax with cross-entropy)
        self.fused_heads = [self.fuse and producer is not None and loss is not None
                            and producer.layer.has_logits_forward
                            and not producer.layer.has_activity_penalty
                            and loss.fuses_logits(activation)
                            for producer, loss, activation in zip(
                                self.producers, self.losses, self.activations)]
        self._head_gradients: dict[int, np.ndarray] = {}  # output -> dL/dz (weighed)

    # ---- forward -----------------------------------------------------------------------------
    def forward(self, xs: list[np.ndarray],
                training: bool = False) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """-> (the outputs, the logits of each output's activation or None)."""
        values: list = [None] * self.slot_count
        for slot, (x, dtype) in enumerate(zip(xs, self.input_dtypes)):
            cast = x.dtype != dtype and self.cast_inputs[slot]
            values[slot] = x.astype(dtype) if cast else x  # one batch at a time
        logits: list = [None] * len(self.output_slots)
        heads = self.fused_heads if training else ()
        masks: list | None = [None] * self.slot_count if self.uses_masks else None
        for index, call in enumerate(self.calls):
            argument = call.argument(values)
            if call.passes_mask:
                values[call.writes] = call.layer.forward(argument, training=training,
                                                         mask=call.argument(masks))
            elif call.logits_output is not None and heads and heads[call.logits_output]:
                values[call.writes] = logits[call.logits_output] = call.layer.forward_logits(
                    argument, training=True)  # the loss makes the output from them
            elif call.logits_output is not None:
                values[call.writes], logits[call.logits_output] = call.layer.forward_with_logits(
                    argument, training=training)
            else:
                values[call.writes] = call.layer.forward(argument, training=training)
            if call.makes_mask:
                masks[call.writes] = call.layer.compute_mask(argument, call.argument(masks))
            if training and call.shared:
                self._caches[index] = call.layer.save_cache()
        self.output_masks = None if masks is None else [masks[s] for s in self.output_slots]
        return [values[slot] for slot in self.output_slots], logits

    def loss_rows(self, output: int, y, p, z, w) -> tuple:
        """An output's targets, predictions, logits and sample weights as its loss takes them:
        as they are, or, where the output carries a mask, one row per step with the mask in
        the weights (losses.masked_rows)."""
        mask = self.output_masks[output] if self.output_masks else None
        if mask is None:
            return y, p, z, w
        y, p, w = masked_rows(y, p, mask, w)
        return y, p, None if z is None else z.reshape(p.shape), w

    def predict(self, xs: list[np.ndarray], training: bool = False) -> list[np.ndarray]:
        return self.forward(xs, training)[0]

    def output_losses(self, ys: list, y_preds: list, logits: list,
                      sample_weights: list) -> list[float]:
        """Each trained output's weighted mean loss (before its loss weight); None where an
        output has no loss."""
        losses = []
        for output, (loss, y, p, z, activation, w) in enumerate(zip(
                self.losses, ys, y_preds, logits, self.activations, sample_weights)):
            if loss is None:
                losses.append(None)
                continue
            y, p, z, w = self.loss_rows(output, y, p, z, w)
            losses.append(weighted_mean(loss.output_per_sample(y, p, z, activation), w))
        return losses

    def forward_loss(self, xs: list, ys: list, sample_weights: list):
        """Training forward and the losses -> (Σ loss_weight · loss, outputs, the loss of
        each output). A fused head's output, loss and dL/dz come from its logits in one op."""
        y_preds, logits = self.forward(xs, training=True)
        self._head_gradients.clear()
        losses = []
        for output, (loss, fused, y, z, w) in enumerate(zip(
                self.losses, self.fused_heads, ys, logits, sample_weights)):
            if loss is None:
                losses.append(None)
                continue
            shape = y_preds[output].shape
            y, p, z, w = self.loss_rows(output, y, y_preds[output], z, w)
            if fused:
                p, per_sample, dz = loss.logits_forward(y, z)
                y_preds[output] = p.reshape(shape)
                self._head_gradients[output] = weigh_rows(dz, w).reshape(shape)
            else:
                per_sample = loss.output_per_sample(y, p, z, self.activations[output])
            losses.append(weighted_mean(per_sample, w))
        return weighted_total(self.loss_weights, losses), y_preds, losses

    # ---- backward ----------------------------------------------------------------------------
    def backward(self, ys: list, y_preds: list, sample_weights: list) -> None:
        """Every trainable layer's grads from the last training forward (summed over a shared
        layer's calls; zero for a layer no loss reaches)."""
        grads: dict[int, np.ndarray] = {}
        from_logits: dict[int, np.ndarray] = {}
        for output, (loss, y, p, w) in enumerate(zip(self.losses, ys, y_preds, sample_weights)):
            if loss is None:
                continue
            weight = self.loss_weights[output]
            producer = self.producers[output]
            if output in self._head_gradients:  # computed with the loss, weighed already
                dz = gradient = self._head_gradients[output]
            else:
                y, rows, _, w = self.loss_rows(output, y, p, None, w)
                dz = (None if producer is None or producer.layer.has_activity_penalty
                      else loss.logits_gradient(y, rows, self.activations[output]))
                gradient = weigh_rows(loss.gradient(y, rows) if dz is None else dz,
                                      w).reshape(p.shape)
            if weight != 1.0:
                gradient *= gradient.dtype.type(weight)
            if dz is None:
                _accumulate(grads, self.output_slots[output], gradient)
            else:
                from_logits[output] = gradient
        reached: set[int] = set()
        for index in range(len(self.calls) - 1, -1, -1):
            call = self.calls[index]
            layer = call.layer
            dz = from_logits.get(call.logits_output) if call.logits_output is not None else None
            dy = grads.pop(call.writes, None)
            trains = call.trains
            if (dy is None and dz is None) or not (call.needs_dx or trains):
                continue
            if call.shared:
                layer.restore_cache(self._caches[index])
            earlier = ({key: g.copy() for key, g in layer.grads.items()}
                       if call.shared and trains and id(layer) in reached else None)
            if dz is not None:
                dx = layer.backward_from_logits(dz, need_dx=call.needs_dx)
            elif layer.params:
                dx = layer.backward(dy, need_dx=call.needs_dx)
            else:
                dx = layer.backward(dy)
            if earlier is not None:  # a shared layer: its gradients sum over its calls
                for key, g in earlier.items():
                    layer.grads[key] += g
            reached.add(id(layer))
            if call.needs_dx and not call.list_input:
                _accumulate(grads, call.reads[0], dx)
            elif call.needs_dx:
                handed: set[int] = set()
                for slot, d in zip(call.reads, dx):
                    if id(d) in handed:  # one array for two inputs (Add's dy): each its own,
                        d = d.copy()  # since a layer's backward may overwrite its dy
                    handed.add(id(d))
                    _accumulate(grads, slot, d)
        for layer in self.trained_layers:
            if id(layer) not in reached:  # no loss depends on it: its gradient is zero
                for g in layer.grads.values():
                    g[...] = 0


def _accumulate(grads: dict[int, np.ndarray], slot: int, gradient: np.ndarray) -> None:
    """grads[slot] += gradient (a new array: a layer may hand out a buffer it reuses)."""
    grads[slot] = gradient if slot not in grads else grads[slot] + gradient
