"""ModelCheckpoint: save the model (or its weights) every epoch, every N batches, or when it
improves."""

from __future__ import annotations

import os
import warnings

from .._validation import check_positive_int, fail
from ._monitor import Monitor
from .base import Callback


class ModelCheckpoint(Callback):
    """Save to `filepath`, which may hold placeholders filled from the epoch (1-based), the
    batch (1-based, with save_freq=N) and the logs: "ckpt/model_{epoch:02d}_{val_loss:.2f}.npz".

    save_freq: "epoch" (at the end of every epoch) or N (every N training batches, counted
        across epochs, as Keras does).
    save_best_only: save only when `monitor` improves on the best so far (or on
        initial_value_threshold); when `monitor` is not in the logs, warn and save anyway.
    Every save is atomic (temp file + rename): a crash mid-save leaves the previous checkpoint
    intact.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            fail("filepath", "a path string", filepath, TypeError)
        if save_freq != "epoch":
            if isinstance(save_freq, str):
                fail("save_freq", "'epoch' or a positive number of batches", save_freq)
            save_freq = check_positive_int("save_freq", save_freq)
        self.filepath = os.fspath(filepath)
        self.watch = Monitor("ModelCheckpoint", monitor, mode)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._epoch = 0
        self._batches_since_save = 0
        self._last_batch: int | None = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def uses_hook(self, hook: str) -> bool:
        """The batch hook only with a save_freq in batches (or a subclass's own hook)."""
        return (hook != "on_train_batch_end" or self.save_freq != "epoch"
                or type(self).on_train_batch_end is not ModelCheckpoint.on_train_batch_end)

    def on_train_batch_end(self, batch, logs=None):
        # Keras's count: a batch index that does not grow means a new epoch began.
        new_epoch = self._last_batch is None or batch <= self._last_batch
        self._batches_since_save += batch + 1 if new_epoch else batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        self.watch.resolve(self.model)
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        improvement = None  # (previous best, new value) when save_best_only saves
        if self.save_best_only:
            current = (logs or {}).get(self.watch.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.watch.monitor} available.",
                              RuntimeWarning, stacklevel=3)
            elif not self.watch.improved(float(current), self.best, min_delta=0.0):
                return
            else:
                improvement = ("None" if self.best is None else f"{self.best:.5f}", current)
                self.best = float(current)
        path = self._path(epoch, batch, logs)
        if improvement is not None and self.verbose > 0:
            print(f"Epoch {epoch + 1}: {self.watch.monitor} improved from {improvement[0]} "
                  f"to {improvement[1]:.5f}, saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def _path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = {"epoch": epoch + 1, **({} if batch is None else {"batch": batch + 1}), **logs}
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint filepath {self.filepath!r} names {error}, which is "
                           f"not in the logs; available: {sorted(fields)}") from None
