"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from __future__ import annotations

from .._validation import check_fraction, check_nonnegative_int, check_positive_float
from ._monitor import Monitor
from .base import Callback, refuse_schedule


class ReduceLROnPlateau(Callback):
    """Multiply the optimizer's learning rate by `factor` after `patience` epochs without an
    improvement of more than `min_delta`, then wait `cooldown` epochs; never below `min_lr`.
    Adds "learning_rate" to the epoch logs (Keras semantics)."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__()
        self.factor = check_fraction("factor", factor)
        if self.factor == 0:
            raise ValueError("factor must be a float in (0, 1). Received: factor=0")
        self.watch = Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        self.patience = check_nonnegative_int("patience", patience)
        self.cooldown = check_nonnegative_int("cooldown", cooldown)
        self.min_lr = check_positive_float("min_lr", min_lr, allow_zero=True)
        self.verbose = verbose

    def on_train_begin(self, logs=None):
        refuse_schedule(self.model.optimizer, "ReduceLROnPlateau")
        self.wait = 0
        self.cooldown_counter = 0
        self.best = None

    def on_epoch_end(self, epoch, logs=None):
        self.watch.resolve(self.model)
        optimizer = self.model.optimizer
        if logs is not None:
            logs["learning_rate"] = float(optimizer.learning_rate)
        current = self.watch.value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.watch.improved(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
                optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                          f"{optimizer.learning_rate:.4g}.")
                self.cooldown_counter, self.wait = self.cooldown, 0
