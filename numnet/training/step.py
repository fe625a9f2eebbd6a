"""One training step: forward, loss, backward, optimizer update.

    xb, yb -> forward(training=True) -> loss(yb, p) -> backward, each layer writing its grads
           -> (loss and every gradient finite?) -> optimizer.apply(params, grads)

`Step.runner()` makes the one runner (numnet.training.runner) for the model; on a backend
that fuses, its rewrite pass runs Dense/Dropout pairs as fused blocks
(numnet.training.rewrite). Both give the same numbers; tests hold them equal.

Batches reach the step as the trainer checked them: an array per input and per target for a
model of one input and one output, lists (in the order of model.inputs and model.outputs)
otherwise; sample weights as one array, or a list with one entry (or None) per output.
"""

from __future__ import annotations

import math

import numpy as np

from ..losses import batch_mean
from ..metrics import masked_mean
from ..ops import get_ops
from .runner import GraphRunner, weighted_total


def pack_parameters(layers) -> tuple[np.ndarray, np.ndarray]:
    """Move every parameter and gradient of `layers` into one contiguous buffer each and make
    the layers' arrays views into them (values are kept), so the optimizer makes one kernel
    call per step instead of one per array. A model does this when its graph is built
    (references taken before that point to the arrays the layers had then).

    Returns (flat parameters, flat gradients).
    """
    dtypes = {p.dtype for layer in layers for p in layer.params.values()}
    if len(dtypes) != 1:
        raise ValueError(f"All layers must share one dtype to train together. "
                         f"Received: dtypes {sorted(map(str, dtypes))}")
    dtype = dtypes.pop()
    total = sum(p.size for layer in layers for p in layer.params.values())
    flat_params, flat_grads = np.empty(total, dtype), np.zeros(total, dtype)
    offset = 0
    for layer in layers:
        for key, param in layer.params.items():
            size = param.size
            view = flat_params[offset:offset + size].reshape(param.shape)
            view[...] = param
            layer.params[key] = view
            grad = flat_grads[offset:offset + size].reshape(param.shape)
            grad[...] = layer.grads[key]
            layer.grads[key] = grad
            offset += size
    return flat_params, flat_grads


def listed(value, count: int) -> list:
    """A batch part as a list of `count` entries (one array for one input or output)."""
    if isinstance(value, list):
        return value
    return [value] * count if value is None else [value]


class Step:
    """The training step of one model (anything with `inputs`, `outputs`, `nodes`, `layers`,
    `dtype`, `optimizer` and what compile chose, `compiled_outputs`): caches its runner and its flat
    parameter buffers, and redoes them when the graph, the losses or the backend change."""

    def __init__(self, model) -> None:
        self.model = model
        self._runner: tuple | None = None  # (what it was made for, runner)
        self._packed: tuple | None = None  # (ids of the parameter views, params, grads)
        self.segments: list[slice] = []  # where each variable lies in the flat buffers
        self._last_output_losses: list | None = None  # each output's, of the last step
        self.log_weights: dict[str, int] = {}  # a log's weight in the epoch's mean, where it
        # is not the batch's size (metrics over the real steps of a masked output)

    def runner(self) -> GraphRunner:
        """The graph runner for the model as it is now; on a backend that fuses (Numba),
        with Dense/Dropout pairs run as fused blocks (numnet.training.rewrite)."""
        model, ops = self.model, get_ops()
        compiled = model.compiled_outputs
        key = ([(id(node), node.layer.trainable) for node in model.nodes], id(compiled),
               ops.name)
        if self._runner is None or self._runner[0] != key:
            self._runner = (key, GraphRunner(model, compiled.losses if compiled else None,
                                             compiled.loss_weights if compiled else None,
                                             fuse=ops.fuses_blocks))
        return self._runner[1]

    def parameters(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The trainable parameters and their gradients as one flat array each (the layers'
        params and grads are views into them), or None when nothing is trainable. Frozen
        layers (trainable=False) keep arrays of their own, which the optimizer never sees."""
        layers = [layer for layer in self.model.layers if layer.trainable]
        ids = tuple(id(p) for layer in layers for p in layer.params.values())
        if not ids:
            return None
        if self._packed is None or self._packed[0] != ids:
            params, grads = pack_parameters(layers)
            sizes = [p.size for layer in layers for p in layer.params.values()]
            offsets = np.cumsum([0, *sizes])
            self.segments = [slice(a, b) for a, b in zip(offsets[:-1], offsets[1:])]
            ids = tuple(id(p) for layer in layers for p in layer.params.values())
            self._packed = (ids, params, grads)
        return self._packed[1], self._packed[2]

    def _listed(self, x, y, sample_weight) -> tuple[list, list, list]:
        """A checked batch as lists: one entry per input, per output, per output."""
        count = len(self.model.outputs)
        return (listed(x, len(self.model.inputs)), listed(y, count),
                listed(sample_weight, count))

    def _structured(self, values: list):
        """Outputs as the model returns them: one array, or a list (one per output)."""
        return values[0] if len(self.model.outputs) == 1 else values

    def predict(self, x, training: bool = False):
        """Forward pass of a checked batch x -> y_pred (new arrays; a list for several
        outputs). training=True (model(x, training=True)): dropout on, node by node."""
        xs = listed(x, len(self.model.inputs))
        if training:
            return self._structured(GraphRunner(self.model).predict(xs, True))
        return self._structured(self.runner().predict(xs))

    def logs(self, loss: float, output_losses: list, ys: list, y_preds: list,
             masks: list | None) -> dict:
        """A batch's logs: its loss, each output's loss (with several outputs) and the batch
        mean of each compiled metric (over the real steps of an output with a mask: their
        count, the batch's weight in the epoch's mean, goes to `log_weights`)."""
        compiled = self.model.compiled_outputs
        logs = {"loss": loss}
        logs.update((name, value) for name, value in zip(compiled.output_loss_names,
                                                          output_losses))
        self.log_weights = {}
        for log, output, _, metric in compiled.metrics:
            if masks is not None and masks[output] is not None:
                logs[log], self.log_weights[log] = masked_mean(metric, ys[output],
                                                               y_preds[output], masks[output])
            else:
                logs[log] = batch_mean(metric(ys[output], y_preds[output]))
        return logs

    def test_step(self, x, y, sample_weight=None) -> dict[str, float]:
        """Inference forward of a checked batch -> its logs. The loss is computed from the
        logits where the loss has a form for the output activation (as in training),
        weighted as in training, plus the regularization penalties (as Keras reports them)."""
        xs, ys, ws = self._listed(x, y, sample_weight)
        runner = self.runner()
        y_preds, logits = runner.forward(xs)
        losses = runner.output_losses(ys, y_preds, logits, ws)
        penalty = sum(layer.regularization_loss() for layer in runner.penalised)
        return self.logs(weighted_total(runner.loss_weights, losses) + penalty, losses, ys,
                         y_preds, runner.output_masks)

    def compute_gradients(self, x, y, sample_weight=None) -> tuple[float, object]:
        """Training forward, loss and backward, without updating any weight; backward is
        skipped when the loss is not finite. -> (loss, y_pred; y_pred may be a buffer that
        the next step overwrites). Each output's loss is kept for the step's logs."""
        xs, ys, ws = self._listed(x, y, sample_weight)
        runner = self.runner()
        loss, y_preds, self._last_output_losses = runner.forward_loss(xs, ys, ws)
        penalised = runner.penalised
        if penalised:
            loss += sum(layer.regularization_loss() for layer in penalised)
        if math.isfinite(loss):
            runner.backward(ys, y_preds, ws)
            for layer in penalised:
                layer.add_regularization_gradients()
        return loss, self._structured(y_preds)

    def train_step(self, x, y, sample_weight=None) -> dict[str, float]:
        """compute_gradients (the model's: a subclass may override it), then the optimizer
        step, only when the loss and every gradient are finite. -> the batch's logs; a
        non-finite step leaves every weight as it was and reports "loss" as NaN or inf (inf
        for a gradient's overflow), without metrics. Metrics are not weighted (Keras's
        `metrics`)."""
        model = self.model
        self._last_output_losses = None
        loss, y_pred = (model.compute_gradients(x, y) if sample_weight is None
                        else model.compute_gradients(x, y, sample_weight))
        if not math.isfinite(loss):
            return {"loss": loss}
        packed = self.parameters()
        if packed is not None and not get_ops().all_finite(packed[1]):
            return {"loss": float("inf")}
        if packed is not None:
            model.optimizer.apply([packed[0]], [packed[1]], self.segments)
        else:
            model.optimizer.apply([], [], None)
        runner = self.runner()
        for layer in runner.constrained:
            layer.apply_constraints()
        count = len(model.outputs)
        output_losses = self._last_output_losses or [None] * count
        return self.logs(loss, output_losses, listed(y, count), listed(y_pred, count),
                         runner.output_masks)
