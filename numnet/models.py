"""Sequential: a stack of layers with Keras's compile / fit / evaluate / predict.

How one batch flows through `fit`:
    xb, yb -> forward(training=True) layer by layer -> loss(yb, p) -> dL/dp
    (fused to (p - t)/n when a softmax output meets cross-entropy) -> backward layer by layer,
    each writing its grads -> optimizer.apply(params, grads) -> running loss and metrics.
"""

from __future__ import annotations

import math

import numpy as np

from . import callbacks as callbacks_module
from . import config, losses, metrics as metrics_module, optimizers, saving
from ._validation import (check_array, check_choice, check_fraction, check_nonnegative_int,
                          check_optional_positive_int, check_positive_int, fail)
from .data import (ArrayBatches, array_batches, batch_source, is_batch_source, source_inputs,
                   split_validation)
from .fusion import FusedStack
from .layers import Dense, Input, Layer, Softmax
from .layers.activation import Activation
from .layers.base import unique_name
from .parameters import pack_parameters
from .ops import get_ops


class Sequential:
    """A linear stack of layers.

    >>> model = Sequential([layers.Dense(10, activation="softmax", input_shape=(784,))])
    """

    def __init__(self, layers: list[Layer] | None = None, name: str | None = None) -> None:
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None
        self._rng: np.random.Generator | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self.metric_names: list[str] = []
        self._metrics: list = []
        self.stop_training = False
        self._on_nonfinite = "stop"  # set by each fit(on_nonfinite=...)
        self.history: callbacks_module.History | None = None
        self._packed: tuple | None = None  # (ids of the params, flat params, flat grads)
        self._fused: tuple | None = None  # (ids of layers and loss, FusedStack or None)
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                fail("layers", "a list of layers", layers, TypeError)
            for layer in layers:
                self.add(layer)

    # ---- construction ------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return bool(self._layers) and all(layer.built for layer in self._layers)

    @property
    def input_shape(self) -> tuple | None:
        return self._input_shape

    @property
    def output_shape(self) -> tuple:
        self._require_built("output_shape")
        return self._layers[-1].output_shape

    def add(self, layer: Layer) -> None:
        """Append `layer`; build it at once if the model's input shape is known."""
        if not isinstance(layer, Layer):
            fail("layer", "a numnet.layers.Layer instance", layer, TypeError)
        if isinstance(layer, Input):
            if self._layers or self._input_shape is not None:
                raise ValueError("An Input layer must be the first layer of a Sequential model. "
                                 f"Received: Input at position {len(self._layers)}")
            self._input_shape = (None, *layer._declared_input_shape)
            return
        if not self._layers and self._input_shape is None and layer._declared_input_shape:
            self._input_shape = (None, *layer._declared_input_shape)
        elif self._layers and layer._declared_input_shape:
            raise ValueError(f"input_shape may only be given to the first layer. Received: "
                             f"input_shape={layer._declared_input_shape} on '{layer.name}'")
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"Layer '{layer.name}' is already in the model")
        self._layers.append(layer)
        if self._input_shape is not None:
            self.build(self._input_shape)

    def build(self, input_shape: tuple | None = None) -> None:
        """Build every unbuilt layer for inputs of `input_shape` (batch axis first)."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError("The model's input shape is unknown: give input_shape=(...) to the "
                             "first layer, start with layers.Input(shape=...), or call fit/predict")
        self._input_shape = tuple(input_shape)
        if self._rng is None:
            self._rng = config.random_generator()
        shape = self._input_shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape, self._rng)
            elif tuple(layer.input_shape[1:]) != tuple(shape[1:]):
                raise ValueError(f"Layer '{layer.name}' was built for inputs {layer.input_shape}, "
                                 f"but receives {shape}")
            shape = layer.compute_output_shape(shape)

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"This model has not yet been built, so it has no {what}. Give input_shape=(...)"
                " to the first layer, start with layers.Input(shape=...), or call fit/predict"
            )

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    def summary(self, print_fn=print) -> None:
        """Print a table of layers, output shapes and parameter counts."""
        self._require_built("summary")
        rows = [(f"{layer.name} ({type(layer).__name__})", str(layer.output_shape),
                 f"{layer.count_params():,}") for layer in self._layers]
        widths = [max(len(h), *(len(r[i]) for r in rows)) + 2
                  for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))]
        line_length = sum(widths)
        row = lambda a, b, c: f"{a:<{widths[0]}}{b:<{widths[1]}}{c:>{widths[2] - 2}}"
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        print_fn(row("Layer (type)", "Output Shape", "Param #"))
        print_fn("=" * line_length)
        for i, r in enumerate(rows):
            print_fn(row(*r))
            print_fn(("_" if i < len(rows) - 1 else "=") * line_length)
        total = self.count_params()
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {total:,}")
        print_fn("Non-trainable params: 0")

    # ---- compile -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Choose the optimizer ("rmsprop", "sgd", "adam" or an instance), the loss (name or
        Loss) and metrics (e.g. ["accuracy"])."""
        if loss is None:
            fail("loss", "a loss name such as 'categorical_crossentropy' or a Loss", loss)
        self.loss = losses.get(loss)
        self.optimizer = optimizers.get(optimizer)
        if metrics is None:
            metrics = []
        if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
            fail("metrics", "a list of metric names such as ['accuracy']", metrics, TypeError)
        self._metrics = [metrics_module.get(m, self.loss) for m in metrics]
        self.metric_names = list(metrics)
        get_ops()  # load the backend now (Numba: import, cached kernels), not in epoch 1

    @property
    def compiled(self) -> bool:
        return self.loss is not None

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call compile() before {method}()")

    # ---- one step ----------------------------------------------------------------------------
    def _fused_stack(self) -> FusedStack | None:
        """The fused-block runner for this model, when the backend fuses and the stack fits."""
        if not get_ops().fuses_blocks:
            return None
        key = (tuple(map(id, self._layers)), id(self.loss))
        if self._fused is None or self._fused[0] != key:
            self._fused = (key, FusedStack.build(self._layers, self.loss))
        return self._fused[1]

    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        if not training and self.compiled:
            stack = self._fused_stack()
            if stack is not None:
                return stack.predict(get_ops(), x)
        x = x if x.dtype == self._dtype() else x.astype(self._dtype())
        for layer in self._layers:
            x = layer.forward(x, training=training)
        return x

    def _uses_fused_output(self) -> bool:
        """Softmax output + probability cross-entropy: backprop (p - t)/n into the logits."""
        last = self._layers[-1]
        softmax_out = (isinstance(last, Dense) and isinstance(last.activation, Softmax)) or (
            isinstance(last, Softmax) and last.axis in (-1, 1)) or (
            isinstance(last, Activation) and isinstance(last.activation, Softmax))
        return (softmax_out and isinstance(self.loss, losses.CategoricalCrossentropy)
                and not self.loss.from_logits)

    def _backward(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        layers = self._layers
        # Nobody needs dL/dx of the input: backward stops at the first layer with parameters
        # (layers before it, e.g. Flatten or Rescaling, have no gradients to compute).
        first = next((i for i, layer in enumerate(layers) if layer.params), len(layers))
        if self._uses_fused_output():
            if isinstance(self.loss, losses.SparseCategoricalCrossentropy):
                y_true = self.loss._one_hot(y_true, y_pred)
            dy = get_ops().softmax_crossentropy_grad(y_true, y_pred)
            last, layers = layers[-1], layers[:-1]
            if isinstance(last, Dense):
                dy = last.backward_linear(dy, need_dx=len(layers) > first)
        else:
            dy = self.loss.gradient(y_true, y_pred)
        for index in range(len(layers) - 1, first - 1, -1):
            layer = layers[index]
            if index == first and isinstance(layer, Dense):
                layer.backward(dy, need_dx=False)
            else:
                dy = layer.backward(dy)

    def compute_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Training forward, loss and backward for one batch, without updating any weight.

        Afterwards every layer's `grads` holds dL/dparam (L = batch-mean loss). Returns
        (loss, y_pred). When the loss is not finite, backward is skipped. `x` and `y` must
        already be prepared (real arrays of the model's shapes, cast to its dtype here;
        targets as the loss wants).
        """
        self._require_compiled("compute_gradients")
        stack = self._fused_stack()
        if stack is not None:
            loss, y_pred = stack.train_step(get_ops(), x, y)
            return loss, y_pred.copy()  # the stack reuses its buffers next step
        y_pred = self._forward(x, training=True)
        loss = self.loss(y, y_pred)
        if math.isfinite(loss):
            self._backward(y, y_pred)
        return loss, y_pred

    def train_step(self, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """forward(training=True), loss, backward, optimizer step. Returns the batch's logs.

        When the loss or a gradient is not finite, the weights are left as they were and
        "loss" is reported as NaN/inf (a gradient's overflow is reported as inf).
        """
        loss, y_pred = self.compute_gradients(x, y)
        logs = {"loss": loss}
        if not math.isfinite(loss):
            return logs
        params, grads = self._trainable()
        ops = get_ops()
        if not all(ops.all_finite(g) for g in grads):
            logs["loss"] = float("inf")
            return logs
        self.optimizer.apply(params, grads)
        for name, metric in zip(self.metric_names, self._metrics):
            logs[name] = losses.batch_mean(metric(y, y_pred))
        return logs

    def _trainable(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """All parameters and gradients, for the optimizer: one flat array each, of which
        every layer's params/grads are views (one optimizer kernel call per step)."""
        params = [p for layer in self._layers for p in layer.params.values()]
        if not params:
            return [], []
        if self._packed is None or self._packed[0] != tuple(map(id, params)):
            self._packed = pack_parameters(self._layers)
        return [self._packed[1]], [self._packed[2]]

    # ---- fit ---------------------------------------------------------------------------------
    def _prepare_inputs(self, x: object, name: str = "x") -> np.ndarray:
        x = check_array(name, x, min_ndim=2)
        if self._input_shape is None:
            self.build((None, *x.shape[1:]))
        elif not self.built:
            self.build(self._input_shape)
        expected = self._input_shape[1:]
        if x.shape[1:] != tuple(expected) and None not in expected:
            fail(name, f"an array of shape (n, {', '.join(map(str, expected))}) to fit the "
                       "model's input", x)
        return x  # cast to the model's dtype one batch at a time, as it enters the model

    def _dtype(self) -> str:
        return self._layers[0].dtype if self._layers else config.floatx()

    def _prepare_xy(self, x, y, x_name="x", y_name="y"):
        if not self._layers:
            raise ValueError("The model has no layers; add some before training or predicting")
        x = self._prepare_inputs(x, x_name)
        y = self.loss.prepare_targets(y, self.output_shape, self._dtype(), y_name)
        if len(x) != len(y):
            raise ValueError(f"{x_name} and {y_name} must have the same number of samples. "
                             f"Received: {x_name} with {len(x)} rows, {y_name} with {len(y)} rows")
        return x, y

    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1,
            verbose="auto", callbacks=None, validation_split: float = 0.0,
            validation_data=None, shuffle: bool = True, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1,
            on_nonfinite: str = "stop"):
        """Train for `epochs` epochs; returns a History whose `.history` holds loss, metrics
        and their val_ twins, one value per epoch.

        x: an array (with targets y), or a source of (x, y) batches: a generator or iterator,
            a zero-argument function returning a batch (called once per step; needs
            steps_per_epoch), or a numnet.data.Sequence.
        validation_split: the LAST fraction of the rows, taken before shuffling (as Keras).
        validation_data: (x_val, y_val), or a batch source like x (with validation_steps).
        on_nonfinite: when a step's loss or gradient is NaN/inf, the update is skipped and
            "stop" ends training with a warning (default), "raise" raises FloatingPointError,
            "skip" goes on with the next batch. Either way the weights are those of the last
            finite step and the History of the completed epochs is kept.
        """
        self._require_compiled("fit")
        batch_size = check_positive_int("batch_size", 32 if batch_size is None else batch_size)
        epochs = check_positive_int("epochs", epochs)
        initial_epoch = check_nonnegative_int("initial_epoch", initial_epoch)
        validation_split = check_fraction("validation_split", validation_split)
        validation_freq = check_positive_int("validation_freq", validation_freq)
        steps_per_epoch = check_optional_positive_int("steps_per_epoch", steps_per_epoch)
        validation_steps = check_optional_positive_int("validation_steps", validation_steps)
        val_batch_size = check_positive_int("validation_batch_size",
                                            validation_batch_size or batch_size)
        verbose = _check_verbose(verbose)
        if not isinstance(shuffle, bool):
            fail("shuffle", "True or False", shuffle, TypeError)
        check_choice("on_nonfinite", on_nonfinite, ("stop", "raise", "skip"))
        self._on_nonfinite = on_nonfinite
        val_arrays = None
        if is_batch_source(x):
            if validation_split:
                raise ValueError("validation_split needs arrays; with a generator or Sequence "
                                 f"pass validation_data. Received: validation_split={validation_split}")
            train = self._source(x, y, steps_per_epoch, shuffle, "training")
        else:
            x, y = self._prepare_xy(x, y)
            if validation_split > 0 and validation_data is None:
                (x, y), val_arrays = split_validation(x, y, validation_split)
            train = array_batches(x, y, batch_size, steps_per_epoch, shuffle, self._rng)
        val = None
        if validation_data is not None:
            val = self._validation_source(validation_data, validation_steps, val_batch_size)
        elif val_arrays is not None:
            val = ArrayBatches(*val_arrays, val_batch_size)

        callback_list = callbacks_module.CallbackList(
            _check_callbacks(callbacks), model=self, add_history=True, add_progbar=verbose > 0,
            epochs=epochs, steps=train.steps, verbose=verbose)
        history = next(c for c in callback_list if isinstance(c, callbacks_module.History))
        self.history = history
        self.stop_training = False
        epoch_logs: dict = {}
        callback_list.on_train_begin({})
        try:
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch, {})
                epoch_logs = self._train_epoch(epoch, train, callback_list)
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._evaluate_batches(val.epoch(epoch), callback_list)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        finally:  # also on Ctrl-C or an error: logs are closed and flushed, History is kept
            callback_list.on_train_end(epoch_logs)
        return history

    def _train_epoch(self, epoch: int, train, callback_list) -> dict[str, float]:
        """One pass over `train`; returns the epoch's mean loss and metrics."""
        running = {"loss": metrics_module.Mean(),
                   **{name: metrics_module.Mean() for name in self.metric_names}}
        wants_batch_logs = callback_list.has("on_train_batch_end")
        for step, (xb, yb) in enumerate(train.epoch(epoch)):
            callback_list.on_train_batch_begin(step, {})
            logs = self.train_step(xb, yb)
            if not math.isfinite(logs["loss"]):
                if self._handle_nonfinite(epoch, step, logs["loss"]):
                    continue
                break
            for name, value in logs.items():
                running[name].update(value, len(xb))
            if wants_batch_logs:
                callback_list.on_train_batch_end(
                    step, {name: mean.result() for name, mean in running.items()})
            if self.stop_training:
                break
        return {name: mean.result() for name, mean in running.items()}

    def fit_generator(self, generator, steps_per_epoch: int | None = None, epochs: int = 1,
                      verbose="auto", callbacks=None, validation_data=None,
                      validation_steps: int | None = None, initial_epoch: int = 0, **kwargs):
        """Keras 2's name for fit with a generator; forwards to `fit`."""
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, initial_epoch=initial_epoch, **kwargs)

    def _handle_nonfinite(self, epoch: int, step: int, loss: float) -> bool:
        """Apply the on_nonfinite policy; True means: go on with the next batch."""
        message = (f"the loss or its gradient became {loss} at epoch {epoch + 1}, step "
                   f"{step + 1}. The weights are those of the last finite step. Likely causes: "
                   "a learning rate that is too high, or inputs that are not normalised (e.g. "
                   "pixels not divided by 255).")
        if self._on_nonfinite == "skip":
            return True
        if self._on_nonfinite == "raise":
            raise FloatingPointError(f"Training stopped: {message}")
        import warnings

        warnings.warn(f"Training stopped: {message}", RuntimeWarning, stacklevel=4)
        self.stop_training = True
        return False

    # ---- batch sources -----------------------------------------------------------------------
    def _source(self, x, y, steps, shuffle, name):
        return batch_source(x, y, steps=steps, shuffle=shuffle, rng=self._rng or config.random_generator(),
                            prepare=self._prepare_batch, name=name)

    def _prepare_batch(self, x, y, where: str):
        """Validate one generated batch; errors say which epoch and step produced it."""
        try:
            return self._prepare_xy(x, y)
        except (ValueError, TypeError) as error:
            raise type(error)(f"{error} (in {where})") from None

    def _validation_source(self, validation_data, steps, batch_size):
        if is_batch_source(validation_data):
            return self._source(validation_data, None, steps, False, "validation")
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            fail("validation_data", "a tuple (x_val, y_val) or a generator", validation_data, TypeError)
        x, y = self._prepare_xy(*validation_data, x_name="validation_data[0]",
                                y_name="validation_data[1]")
        return array_batches(x, y, batch_size, steps)

    # ---- evaluate / predict --------------------------------------------------------------------
    def _evaluate_batches(self, batches, callback_list) -> dict[str, float]:
        """Mean loss and metrics over `batches`, calling the on_test_* hooks."""
        running = {"loss": metrics_module.Mean(),
                   **{name: metrics_module.Mean() for name in self.metric_names}}
        wants_batch_logs = callback_list.has("on_test_batch_end")
        callback_list.on_test_begin({})
        for step, (xb, yb) in enumerate(batches):
            callback_list.on_test_batch_begin(step, {})
            y_pred = self._forward(xb, training=False)
            running["loss"].update(losses.batch_mean(self.loss.per_sample(yb, y_pred)), len(xb))
            for name, metric in zip(self.metric_names, self._metrics):
                running[name].update(losses.batch_mean(metric(yb, y_pred)), len(xb))
            if wants_batch_logs:
                callback_list.on_test_batch_end(step, {k: m.result() for k, m in running.items()})
        logs = {name: mean.result() for name, mean in running.items()}
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto",
                 steps: int | None = None, callbacks=None, return_dict: bool = False):
        """Loss and metrics on (x, y) or a batch source: [loss, *metrics] (a float when there
        are no metrics), or a dict with return_dict=True."""
        self._require_compiled("evaluate")
        batch_size = check_positive_int("batch_size", 32 if batch_size is None else batch_size)
        steps = check_optional_positive_int("steps", steps)
        verbose = _check_verbose(verbose)
        if is_batch_source(x):
            batches = self._source(x, y, steps, False, "evaluation")
        else:
            x, y = self._prepare_xy(x, y)
            batches = array_batches(x, y, batch_size, steps)
        callback_list = callbacks_module.CallbackList(_check_callbacks(callbacks), model=self,
                                                      steps=batches.steps, verbose=verbose)
        logs = self._evaluate_batches(batches.epoch(), callback_list)
        if verbose:
            print(callbacks_module.progbar._format_logs(logs))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose=0, steps: int | None = None,
                callbacks=None) -> np.ndarray:
        """Outputs for x (an array, or a batch source yielding x or (x, y)), computed in batches
        with training=False, calling the on_predict_* hooks. -> (n, *output_shape[1:])"""
        batch_size = check_positive_int("batch_size", 32 if batch_size is None else batch_size)
        steps = check_optional_positive_int("steps", steps)
        if not self._layers:
            raise ValueError("The model has no layers; add some before predicting")
        callback_list = callbacks_module.CallbackList(_check_callbacks(callbacks), model=self)
        callback_list.on_predict_begin({})
        if is_batch_source(x):
            out = np.concatenate(list(self._predict_batches(source_inputs(x, steps),
                                                            callback_list, prepare=True)))
        else:
            x = self._prepare_inputs(x)
            out = np.empty((len(x), *self.output_shape[1:]), dtype=self._dtype())
            batches = (x[start:start + batch_size] for start in range(0, len(x), batch_size))
            start = 0
            for y in self._predict_batches(batches, callback_list, prepare=False):
                out[start:start + len(y)] = y
                start += len(y)
        callback_list.on_predict_end({})
        return out

    def _predict_batches(self, batches, callback_list, prepare: bool):
        """Forward each batch (validated first when `prepare`: generated batches)."""
        for step, xb in enumerate(batches):
            callback_list.on_predict_batch_begin(step, {})
            try:
                y = self._forward(self._prepare_inputs(xb) if prepare else xb, False)
            except (ValueError, TypeError) as error:
                raise type(error)(f"{error} (in the prediction data, step {step + 1})") from None
            callback_list.on_predict_batch_end(step, {"outputs": y})
            yield y

    def __call__(self, x, training: bool = False) -> np.ndarray:
        return self._forward(self._prepare_inputs(x), training=training)

    # ---- weights -----------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self._require_built("weights")
        expected = sum(len(layer.params) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(f"weights must be a list of {expected} arrays. "
                             f"Received: {len(weights)} arrays")
        start = 0
        for layer in self._layers:
            layer.set_weights(weights[start:start + len(layer.params)])
            start += len(layer.params)

    def save(self, filepath) -> None:
        """Save architecture, weights, compile settings and optimizer state to one file
        (atomically). Load with numnet.models.load_model(filepath)."""
        saving.save_model(self, filepath)

    def save_weights(self, filepath) -> None:
        """Save the weights only (atomically)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Load weights saved by save_weights or save into this (built) model."""
        saving.load_weights(self, filepath)

    def get_config(self) -> dict:
        return {"name": self.name,
                "input_shape": None if self._input_shape is None else list(self._input_shape[1:]),
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._layers]}

    def __repr__(self) -> str:
        return f"Sequential(name={self.name!r}, layers={self._layers!r})"


def _check_verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        fail("verbose", "'auto', 0, 1 or 2", verbose)
    return int(verbose)


def _check_callbacks(callbacks):
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        fail("callbacks", "a list of numnet.callbacks.Callback", callbacks, TypeError)
    return list(callbacks)


def load_model(filepath, compile: bool = True) -> Sequential:
    """Load a model saved with model.save (see numnet.saving.load_model)."""
    return saving.load_model(filepath, compile=compile)
