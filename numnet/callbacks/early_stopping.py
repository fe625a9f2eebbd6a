"""EarlyStopping: stop when a monitored value has stopped improving (Keras 3 semantics)."""

from __future__ import annotations

from .._validation import check_nonnegative_int
from ._monitor import Monitor
from .base import Callback


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved by more than `min_delta` for `patience`
    epochs in a row.

    Args:
        monitor: logged value to watch, e.g. "val_loss" or "val_accuracy".
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        mode: "min", "max" or "auto" (from the name).
        baseline: training stops if the value has not beaten this by the end of `patience`.
        restore_best_weights: at the end of training, load the weights of the best epoch.
        start_from_epoch: epochs of warm-up before improvement is judged.

    After training, `stopped_epoch` is the 0-based epoch at which it stopped (0 if it did not)
    and `best_epoch` the epoch of the best value.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__()
        self.watch = Monitor("EarlyStopping", monitor, mode, min_delta)
        self.patience = check_nonnegative_int("patience", patience)
        self.start_from_epoch = check_nonnegative_int("start_from_epoch", start_from_epoch)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        self.watch.resolve(self.model)
        current = self.watch.value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.watch.improved(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.watch.improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
