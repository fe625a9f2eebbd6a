"""Small callbacks: LambdaCallback, TerminateOnNaN, LearningRateScheduler."""

from __future__ import annotations

import inspect
import math

import numpy as np

from .._validation import fail
from .base import HOOKS, Callback, refuse_schedule


class LambdaCallback(Callback):
    """A callback from plain functions: LambdaCallback(on_epoch_end=lambda epoch, logs: ...).

    Accepts any hook name as a keyword (on_train_begin, on_epoch_end, on_train_batch_end, ...).
    """

    def __init__(self, **hooks) -> None:
        super().__init__()
        for name, function in hooks.items():
            if name not in HOOKS:
                fail("LambdaCallback argument", f"one of {sorted(HOOKS)}", name)
            if function is not None and not callable(function):
                fail(name, "a callable or None", function, TypeError)
            if function is not None:
                setattr(self, name, function)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to schedule(epoch, lr) (or
    schedule(epoch) for one-argument functions), which must return a float (as in Keras, an
    int is refused) that is positive. Adds "learning_rate" to the epoch logs."""

    def __init__(self, schedule, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            fail("schedule", "a callable (epoch, lr) -> lr", schedule, TypeError)
        self.schedule = schedule
        self.verbose = verbose
        try:
            parameters = inspect.signature(schedule).parameters.values()
            self._takes_lr = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                 for p in parameters) >= 2 or any(
                p.kind == p.VAR_POSITIONAL for p in parameters)
        except (TypeError, ValueError):  # builtins without a signature
            self._takes_lr = True

    def on_train_begin(self, logs=None):
        refuse_schedule(self.model.optimizer, "LearningRateScheduler")

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = (self.schedule(epoch, float(optimizer.learning_rate)) if self._takes_lr
              else self.schedule(epoch))
        if not isinstance(lr, (float, np.floating)):  # Keras: an int is refused too
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        if not math.isfinite(lr) or lr <= 0:  # numnet: the optimizer takes no other rate
            raise ValueError(f"The schedule of LearningRateScheduler must return a positive "
                             f"float. Received: {lr!r} at epoch {epoch}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
