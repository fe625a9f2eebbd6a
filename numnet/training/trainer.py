"""Trainer: compile, fit, evaluate and predict, for a model that holds layers.

The model (numnet.models.Sequential) inherits these methods, as Keras 3's Model inherits its
Trainer; what the trainer needs of it is `layers`, `built`, `build(input_shape)`,
`input_shape`, `output_shape`, `dtype` and `rng`. Data of every kind reaches the loops through
one adapter protocol (numnet.training.adapters); one step is numnet.training.step.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from .. import metrics as metrics_module
from .. import optimizers
from .._validation import (
    check_array,
    check_bool,
    check_fraction,
    check_nonnegative_int,
    check_optional_positive_int,
    check_positive_int,
    fail,
)
from ..callbacks import CallbackList, History
from ..callbacks.progbar import summary_line
from ..data import row_count
from ..ops import get_ops
from ..symbolic import is_symbolic as _is_symbolic
from .adapters import ArrayAdapter, adapter_for, is_batch_source, peek_inputs
from .compiled import Compiled
from .inputs import InputChecks
from .nonfinite import NonFinitePolicy
from .step import Step


class Trainer:
    """compile / fit / evaluate / predict (Keras's names, arguments and return values)."""

    def __init__(self) -> None:
        self.optimizer: optimizers.Optimizer | None = None
        self.compiled_outputs: Compiled | None = None
        self.stop_training = False
        self.history: History | None = None
        self._step = Step(self)

    # ---- compile -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None,
                loss_weights=None) -> None:
        """Choose the optimizer ("rmsprop", "sgd", "adam" or an instance), the loss (name or
        Loss) and metrics (e.g. ["accuracy"]). With several outputs, loss, metrics and
        loss_weights may be lists (in output order) or dicts keyed by output names; one
        loss serves every output. The loss trained is Σ loss_weight · output loss."""
        compiled = Compiled(self.output_names, loss, metrics, loss_weights)
        self.optimizer = optimizers.get(optimizer)
        self.compiled_outputs = compiled
        get_ops()  # load the backend now (Numba: import, cached kernels), not in epoch 1

    @property
    def compiled(self) -> bool:
        return self.compiled_outputs is not None

    @property
    def loss(self):
        """The compiled Loss (a list of them for several outputs), None before compile."""
        if not self.compiled:
            return None
        losses = self.compiled_outputs.losses
        return losses[0] if len(losses) == 1 else losses

    @property
    def metric_names(self) -> list[str]:
        """The compiled metrics' names in the logs ("accuracy", or "cls_accuracy", ...)."""
        return [log for log, *_ in self.compiled_outputs.metrics] if self.compiled else []

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call compile() before {method}()")

    # ---- one step ----------------------------------------------------------------------------
    def compute_gradients(self, x: np.ndarray, y: np.ndarray,
                          sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Training forward, loss and backward for one checked batch, without updating any
        weight: every layer's `grads` then holds dL/dparam (L = batch-mean loss, Σ w·loss / n
        with sample weights). Backward is skipped when the loss is not finite.
        -> (loss, y_pred)"""
        self._require_compiled("compute_gradients")
        loss, y_pred = self._step.compute_gradients(x, y, sample_weight)
        if isinstance(y_pred, list):
            return loss, [p.copy() for p in y_pred]
        return loss, y_pred.copy()  # a fused runner reuses its buffers next step

    def train_step(self, x: np.ndarray, y: np.ndarray,
                   sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """compute_gradients and the optimizer step -> the batch's logs. A non-finite loss or
        gradient leaves the weights as they were; "loss" is then NaN or inf."""
        self._require_compiled("train_step")
        return self._step.train_step(x, y, sample_weight)

    def get_optimizer_state(self) -> dict[str, np.ndarray]:
        """The optimizer's iterations and slots (aligned with the model's flat parameters)."""
        self._step.parameters()
        return self.optimizer.get_state()

    def set_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what `get_optimizer_state` returned (shapes are checked)."""
        packed = self._step.parameters()
        self.optimizer.set_state(state, [packed[0]] if packed is not None else [])

    # ---- data --------------------------------------------------------------------------------
    def _input_checks(self, x) -> tuple[InputChecks, object]:
        """The checks for data x, after building the model from x's first inputs if it is not
        built yet. -> (checks, x as it was: a peeked-at generator batch is put back)"""
        if not self.layers:
            raise ValueError("The model has no layers; add some before training or predicting")
        if not self.built:
            first, x = peek_inputs(x)
            shape = self.input_shape or (None, *check_array("x", first, min_ndim=2).shape[1:])
            self.build(shape)
        return InputChecks([t.shape for t in self.inputs], [t.shape for t in self.outputs],
                           self.compiled_outputs.losses if self.compiled else None,
                           self.dtype, self.input_names, self.output_names,
                           [t.dtype for t in self.inputs]), x

    def _adapter(self, x, y, name: str, batch_size: int, steps: int | None = None,
                 shuffle: bool = False, targets: bool = True, steps_argument: str = "steps",
                 names: tuple[str, str] = ("x", "y"), sample_weight=None, class_weight=None):
        """The adapter for x (and y, and weights): see numnet.training.adapters."""
        checks, x = self._input_checks(x)
        return adapter_for(x, y, checks, name=name, batch_size=batch_size, steps=steps,
                           shuffle=shuffle, rng=self.rng, targets=targets,
                           steps_argument=steps_argument, names=names,
                           sample_weight=sample_weight, class_weight=class_weight)

    # ---- fit ---------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1,
            verbose="auto", callbacks=None, validation_split: float = 0.0,
            validation_data=None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1, on_nonfinite: str = "stop") -> History:
        """Train for `epochs` epochs; returns a History whose `.history` holds loss, metrics
        and their val_ twins, one value per epoch.

        x: an array (with targets y), or a source of (x, y) batches: a generator or iterator,
            a zero-argument function returning a batch (called once per step; needs
            steps_per_epoch), or a numnet.data.Sequence.
        validation_split: the LAST fraction of the rows, taken before shuffling (as Keras).
        validation_data: (x_val, y_val) or (x_val, y_val, sample_weight_val), or a batch
            source like x (with validation_steps).
        sample_weight: one weight per row of x (split with validation_split), or
        class_weight: {class index: weight}: each row weighs its class's weight. The loss is
            Σ w·loss / batch size, as Keras's; metrics are not weighted. Generated batches
            may carry weights as (x, y, sample_weight).
        on_nonfinite: a step whose loss or gradient is NaN/inf is never applied; then "stop"
            (default) ends training with a warning, "raise" raises FloatingPointError, "skip"
            goes on with the next batch. The History of the completed epochs is kept.
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
        check_bool("shuffle", shuffle)
        policy = NonFinitePolicy(on_nonfinite)
        if validation_split and is_batch_source(x):
            raise ValueError("validation_split needs arrays; with a generator or Sequence pass "
                             f"validation_data. Received: validation_split={validation_split}")
        train = self._adapter(x, y, "training", batch_size, steps_per_epoch, shuffle,
                              steps_argument="steps_per_epoch", sample_weight=sample_weight,
                              class_weight=class_weight)
        val = None
        if validation_data is not None:
            val = self._validation_adapter(validation_data, validation_steps, val_batch_size)
        elif validation_split > 0:
            train, val = train.split(validation_split, val_batch_size)

        callback_list = CallbackList(_check_callbacks(callbacks), model=self, add_history=True,
                                     add_progbar=verbose > 0, epochs=epochs, steps=train.steps,
                                     verbose=verbose)
        self.history = next(c for c in callback_list if isinstance(c, History))
        self.stop_training = False
        epoch_logs: dict = {}
        callback_list.on_train_begin({})
        try:
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch, {})
                epoch_logs = self._train_epoch(epoch, train, callback_list, policy)
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._test_loop(val.epoch(epoch), callback_list)
                    epoch_logs = dict(sorted({**epoch_logs, **{f"val_{k}": v for k, v
                                                               in val_logs.items()}}.items()))
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
            packed = self._step.parameters()
            if packed is not None:  # with use_ema, the weights become their moving averages
                self.optimizer.finalize_variable_values([packed[0]])
        finally:  # also on Ctrl-C or an error: logs are closed and flushed, History is kept
            callback_list.on_train_end(epoch_logs)
        return self.history

    def _train_epoch(self, epoch: int, train, callback_list, policy) -> dict[str, float]:
        """One pass over `train`; returns the epoch's mean loss and metrics."""
        running = self._running_means()
        wants_batch_logs = callback_list.has("on_train_batch_end")
        for step, (xb, yb, wb) in enumerate(train.epoch(epoch)):
            callback_list.on_train_batch_begin(step, {})
            logs = self.train_step(xb, yb, wb)
            if not math.isfinite(logs["loss"]):
                if policy.handle(self, epoch, step, logs["loss"]):
                    continue
                break
            weights = self._step.log_weights
            for name, value in logs.items():
                running[name].update(value, weights.get(name, row_count(xb)))
            if wants_batch_logs:
                callback_list.on_train_batch_end(step, _results(running))
            if self.stop_training:
                break
        return _results(running)

    def _validation_adapter(self, validation_data, steps: int | None, batch_size: int):
        x, y, w, names = validation_data, None, None, ("x", "y")
        if not is_batch_source(validation_data):
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                fail("validation_data", "a tuple (x_val, y_val[, sample_weight_val]) or a "
                     "generator", validation_data, TypeError)
            (x, y, w), names = (*validation_data, None)[:3], ("validation_data[0]",
                                                              "validation_data[1]")
        adapter = self._adapter(x, y, "validation", batch_size, steps, names=names,
                                steps_argument="validation_steps", sample_weight=w)
        _warn_if_partial(adapter, "validation_steps", "validation", stacklevel=3)
        return adapter

    def fit_generator(self, generator, steps_per_epoch: int | None = None, epochs: int = 1,
                      verbose="auto", callbacks=None, validation_data=None,
                      validation_steps: int | None = None, initial_epoch: int = 0, **kwargs):
        """Keras 2's name for fit with a generator; forwards to `fit`."""
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, initial_epoch=initial_epoch, **kwargs)

    # ---- evaluate / predict --------------------------------------------------------------------
    def _running_means(self) -> dict[str, metrics_module.Mean]:
        """One running mean per logged name, in sorted order: Keras's order of logs."""
        return {name: metrics_module.Mean() for name in self.compiled_outputs.log_names}

    def _test_loop(self, batches, callback_list) -> dict[str, float]:
        """Mean loss and metrics over `batches`, calling the on_test_* hooks."""
        running = self._running_means()
        wants_batch_logs = callback_list.has("on_test_batch_end")
        callback_list.on_test_begin({})
        for step, (xb, yb, wb) in enumerate(batches):
            callback_list.on_test_batch_begin(step, {})
            logs = self._step.test_step(xb, yb, wb)
            weights = self._step.log_weights
            for name, value in logs.items():
                running[name].update(value, weights.get(name, row_count(xb)))
            if wants_batch_logs:
                callback_list.on_test_batch_end(step, _results(running))
        logs = _results(running)
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto",
                 sample_weight=None, steps: int | None = None, callbacks=None,
                 return_dict: bool = False):
        """Loss and metrics on (x, y) or a batch source: [loss, *metrics] (a float when there
        are no metrics), or a dict with return_dict=True. sample_weight weighs the loss as
        in fit."""
        self._require_compiled("evaluate")
        batch_size = check_positive_int("batch_size", 32 if batch_size is None else batch_size)
        steps = check_optional_positive_int("steps", steps)
        verbose = _check_verbose(verbose)
        start = time.perf_counter()
        batches = self._adapter(x, y, "evaluation", batch_size, steps,
                                sample_weight=sample_weight)
        _warn_if_partial(batches, "steps", "evaluation", stacklevel=2)
        callback_list = CallbackList(_check_callbacks(callbacks), model=self,
                                     steps=batches.steps, verbose=verbose)
        logs = self._test_loop(batches.epoch(), callback_list)
        if verbose:
            print(summary_line(batches.steps, time.perf_counter() - start, logs))
        return self._returned(logs, return_dict)

    def _returned(self, logs: dict, return_dict: bool):
        """Keras's return forms: the logs sorted by name (return_dict), or [loss, *each
        output's loss, *metrics in compile order], or the loss alone when that is all."""
        logs = dict(sorted(logs.items()))
        if return_dict:
            return logs
        order = self.compiled_outputs.result_order
        if len(order) == 1:
            return logs["loss"]
        return [logs.get(name, float("nan")) for name in order]

    def predict(self, x, batch_size: int | None = None, verbose=0, steps: int | None = None,
                callbacks=None) -> np.ndarray:
        """Outputs for x (an array, or a batch source yielding x or (x, y)), computed in batches
        with training=False, calling the on_predict_* hooks. -> (n, *output_shape[1:])
        verbose=1 or 2 prints one line (steps and time) at the end."""
        batch_size = check_positive_int("batch_size", 32 if batch_size is None else batch_size)
        steps = check_optional_positive_int("steps", steps)
        verbose = _check_verbose(verbose)
        start = time.perf_counter()
        batches = self._adapter(x, None, "prediction", batch_size, steps, targets=False)
        callback_list = CallbackList(_check_callbacks(callbacks), model=self)
        callback_list.on_predict_begin({})
        outputs = []
        for step, (xb, _, _) in enumerate(batches.epoch()):
            callback_list.on_predict_batch_begin(step, {})
            outputs.append(self._step.predict(xb))
            callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callback_list.on_predict_end({})
        if verbose:
            print(summary_line(len(outputs), time.perf_counter() - start, {}))
        return self._as_outputs(outputs)

    def _as_outputs(self, batches: list):
        """Per-batch outputs joined (new arrays, even from one batch), as `_named` gives
        them."""
        if len(self.outputs) <= 1:
            return np.concatenate(batches)
        return self._named([np.concatenate(parts) for parts in zip(*batches)])

    def _named(self, outputs):
        """One batch's outputs as the model gives them: one array, a list (one per output),
        or a dict when the model's outputs are a dict (as Keras)."""
        if isinstance(outputs, list) and self.outputs_as_dict:
            return dict(zip(self.output_names, outputs))
        return outputs

    # ---- one batch (Keras's *_on_batch, for custom loops) ----------------------------------------
    def train_on_batch(self, x, y, sample_weight=None, class_weight: dict | None = None,
                       return_dict: bool = False):
        """One training step on the batch (x, y) -> its loss and metrics, in evaluate's forms.
        A step whose loss or gradient is not finite is not applied; its loss is NaN or inf."""
        self._require_compiled("train_on_batch")
        checks, x = self._input_checks(x)
        batch = checks.triple(x, y, sample_weight, class_weight)
        return self._returned(self.train_step(*batch), return_dict)

    def test_on_batch(self, x, y, sample_weight=None, return_dict: bool = False):
        """The loss and metrics of the batch (x, y), in evaluate's forms."""
        self._require_compiled("test_on_batch")
        checks, x = self._input_checks(x)
        x, y, w = checks.triple(x, y, sample_weight)
        return self._returned(self._step.test_step(x, y, w), return_dict)

    def predict_on_batch(self, x) -> np.ndarray:
        """The outputs for one batch x (training=False): predict without batching or hooks,
        the path for serving one request."""
        checks, x = self._input_checks(x)
        return self._named(self._step.predict(checks.inputs(x)))

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """The model's outputs for one batch x (training=True: with dropout, layer by layer)."""
        if _is_symbolic(x):  # a model called on tensors: not supported as a layer yet
            raise TypeError(f"Model '{self.name}' cannot be called on symbolic tensors yet; "
                            "call its layers, or build a Model from model.input/output")
        checks, x = self._input_checks(x)
        return self._named(self._step.predict(checks.inputs(x), training=training))


def _warn_if_partial(adapter, argument: str, what: str, stacklevel: int) -> None:
    """Warn when `steps` makes an array adapter visit only some of its rows (Keras does so
    silently: validation_steps=1 validates on one batch and EarlyStopping watches its noise).
    `stacklevel`: the user's call is that many frames above this function's caller."""
    if isinstance(adapter, ArrayAdapter) and adapter.rows_per_epoch < row_count(adapter.x):
        warnings.warn(
            f"{argument}={adapter.steps} evaluates {adapter.rows_per_epoch:,} of the "
            f"{row_count(adapter.x):,} {what} rows (batches of {adapter.batch_size}); leave "
            f"{argument}=None to evaluate all of them.", UserWarning, stacklevel=stacklevel + 1)


def _results(running: dict[str, metrics_module.Mean]) -> dict[str, float]:
    return {name: mean.result() for name, mean in running.items()}


def _check_verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        fail("verbose", "'auto', 0, 1 or 2", verbose)
    return int(verbose)


def _check_callbacks(callbacks) -> list:
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        fail("callbacks", "a list of numnet.callbacks.Callback", callbacks, TypeError)
    return list(callbacks)
