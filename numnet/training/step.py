"""One training step: forward, loss, backward, optimizer update.

    xb, yb -> forward(training=True) -> loss(yb, p) -> backward, each layer writing its grads
           -> (loss and every gradient finite?) -> optimizer.apply(params, grads)

`Step.runner()` is the one place that decides how a model runs: as fused blocks
(numnet.fusion, when the backend fuses and the stack fits) or layer by layer (`LayerStack`).
Both give the same numbers; tests hold them equal.
"""

from __future__ import annotations

import math

import numpy as np

from ..fusion import FusedStack
from ..losses import Loss, batch_mean, weighted_mean
from ..ops import NumpyOps, get_ops


def pack_parameters(layers) -> tuple[np.ndarray, np.ndarray]:
    """Move every parameter and gradient of `layers` into one contiguous buffer each and make
    the layers' arrays views into them (values are kept; old references go stale), so the
    optimizer makes one kernel call per step instead of one per array.

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


def weigh_rows(gradient: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Scale each sample's row of a per-sample gradient by its weight (in place)."""
    if sample_weight is not None:
        gradient *= sample_weight.reshape(-1, *([1] * (gradient.ndim - 1)))
    return gradient


class LayerStack:
    """Runs the layers one by one: the definition that fused runners are tested against."""

    def __init__(self, layers: list, loss: Loss | None, dtype: str) -> None:
        self.layers, self.loss, self.dtype = layers, loss, np.dtype(dtype)
        self.activation = layers[-1].output_activation() if layers else None
        # Nobody needs dL/dx of the input: backward stops at the first layer with trainable
        # parameters (layers before it, e.g. Flatten, Rescaling or frozen layers, need none).
        self.first = next((i for i, layer in enumerate(layers)
                           if layer.params and layer.trainable), len(layers))

    def forward(self, ops: NumpyOps, x: np.ndarray,
                training: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """-> (y_pred, the logits of the output activation or None)."""
        x = x if x.dtype == self.dtype else x.astype(self.dtype)  # one batch at a time
        for layer in self.layers[:-1]:
            x = layer.forward(x, training=training)
        return self.layers[-1].forward_with_logits(x, training=training)

    def predict(self, ops: NumpyOps, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward(ops, x, training)[0]

    def forward_loss(self, ops: NumpyOps, x: np.ndarray, y: np.ndarray,
                     sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        y_pred, logits = self.forward(ops, x, training=True)
        per_sample = self.loss.output_per_sample(y, y_pred, logits, self.activation)
        return weighted_mean(per_sample, sample_weight), y_pred

    def backward(self, ops: NumpyOps, y: np.ndarray, y_pred: np.ndarray,
                 sample_weight: np.ndarray | None = None) -> None:
        """Every layer's grads from the last training forward. The loss's logits shortcut
        (e.g. (p - t)/n for softmax with cross-entropy) skips the output activation."""
        layers, first = self.layers, self.first
        last = len(layers) - 1
        dz = (None if layers[last].has_activity_penalty  # its penalty's gradient is on y
              else self.loss.logits_gradient(y, y_pred, self.activation))
        if dz is not None:
            dz = weigh_rows(dz, sample_weight)
            dy = layers[last].backward_from_logits(dz, need_dx=last > first)
            last -= 1
        else:
            dy = weigh_rows(self.loss.gradient(y, y_pred), sample_weight)
        for index in range(last, first - 1, -1):
            layer = layers[index]
            dy = layer.backward(dy, need_dx=False) if index == first else layer.backward(dy)


class Step:
    """The training step of one model (anything with `layers`, `dtype`, `loss`, `optimizer`
    and `compiled_metrics`): caches its runner and its flat parameter buffers, and redoes
    them when the layers, the loss or the backend change."""

    def __init__(self, model) -> None:
        self.model = model
        self._runner: tuple | None = None  # (what it was made for, runner)
        self._packed: tuple | None = None  # (ids of the parameter views, params, grads)
        self.segments: list[slice] = []  # where each variable lies in the flat buffers
        # set by compute_gradients: the runner vouched that every gradient is finite
        self.gradients_known_finite = False

    def runner(self) -> FusedStack | LayerStack:
        """Fused blocks when the backend fuses and the stack fits, else layer by layer."""
        model, ops = self.model, get_ops()
        layers = model.layers
        key = ([(id(layer), layer.trainable) for layer in layers], id(model.loss), ops.name)
        if self._runner is None or self._runner[0] != key:
            runner = FusedStack.build(layers, model.loss) if ops.fuses_blocks else None
            self._runner = (key, runner or LayerStack(layers, model.loss, model.dtype))
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

    def predict(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Forward pass of a checked batch x -> y_pred (a new array)."""
        if training:  # model(x, training=True): dropout on, layer by layer
            return LayerStack(self.model.layers, None, self.model.dtype).predict(get_ops(), x, True)
        return self.runner().predict(get_ops(), x)

    def penalised(self) -> list:
        """The layers with regularizers, whose penalties join the loss."""
        return [layer for layer in self.model.layers if layer.has_penalties]

    def logs(self, loss: float, y: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
        """A batch's logs: its loss and the batch mean of each compiled metric."""
        return {"loss": loss, **{name: batch_mean(metric(y, y_pred))
                                 for name, metric in self.model.compiled_metrics}}

    def test_step(self, x: np.ndarray, y: np.ndarray,
                  sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """Inference forward of a checked batch -> its logs. The loss is computed from the
        logits where the loss has a form for the output activation (as in training),
        weighted as in training, plus the regularization penalties (as Keras reports them)."""
        runner = self.runner()
        y_pred, logits = runner.forward(get_ops(), x)
        per_sample = self.model.loss.output_per_sample(y, y_pred, logits, runner.activation)
        penalty = sum(layer.regularization_loss() for layer in self.penalised())
        return self.logs(weighted_mean(per_sample, sample_weight) + penalty, y, y_pred)

    def compute_gradients(self, x: np.ndarray, y: np.ndarray,
                          sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Training forward, loss and backward, without updating any weight; backward is
        skipped when the loss is not finite. -> (loss, y_pred; y_pred may be a buffer that
        the next step overwrites)."""
        runner, ops = self.runner(), get_ops()
        self.gradients_known_finite = False
        loss, y_pred = runner.forward_loss(ops, x, y, sample_weight)
        penalised = self.penalised()
        loss += sum(layer.regularization_loss() for layer in penalised)
        if math.isfinite(loss):
            known_finite = runner.backward(ops, y, y_pred, sample_weight)
            for layer in penalised:
                layer.add_regularization_gradients()
            self.gradients_known_finite = bool(known_finite) and not penalised
        return loss, y_pred

    def train_step(self, x: np.ndarray, y: np.ndarray,
                   sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """compute_gradients, then the optimizer step, only when the loss and every gradient
        are finite. -> the batch's logs; a non-finite step leaves every weight as it was and
        reports "loss" as NaN or inf (inf for a gradient's overflow), without metrics.
        Metrics are not weighted (Keras's `metrics`)."""
        model = self.model
        # the model's compute_gradients: a subclass may override it (weights only if given)
        loss, y_pred = (model.compute_gradients(x, y) if sample_weight is None
                        else model.compute_gradients(x, y, sample_weight))
        if not math.isfinite(loss):
            return {"loss": loss}
        packed = self.parameters()
        params, grads = ([packed[0]], [packed[1]]) if packed is not None else ([], [])
        # the runner's word counts only when nothing but Step.compute_gradients made the grads
        vouched = (self.gradients_known_finite
                   and type(model).compute_gradients.__qualname__ == "Trainer.compute_gradients")
        if not vouched and not all(get_ops().all_finite(g) for g in grads):
            return {"loss": float("inf")}
        model.optimizer.apply(params, grads, self.segments if packed is not None else None)
        for layer in model.layers:
            if layer.has_constraints:
                layer.apply_constraints()
        return self.logs(loss, y, y_pred)
