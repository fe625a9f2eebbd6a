"""ModelCheckpoint: save the model (or its weights) every epoch or when it improves."""

from __future__ import annotations

import os

from .._validation import fail
from ._monitor import Monitor
from .base import Callback


class ModelCheckpoint(Callback):
    """Save after each epoch to `filepath`, which may hold placeholders filled from the epoch
    (1-based) and the logs: "ckpt/model_{epoch:02d}_{val_loss:.2f}.npz".

    With save_best_only, save only when `monitor` improves on the best so far (or on
    initial_value_threshold). Every save is atomic (temp file + rename): a crash mid-save
    leaves the previous checkpoint intact.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            fail("filepath", "a path string", filepath, TypeError)
        if save_freq != "epoch":
            fail("save_freq", "'epoch' (numnet saves at the end of epochs)", save_freq)
        self.filepath = os.fspath(filepath)
        self.watch = Monitor("ModelCheckpoint", monitor, mode)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            current = self.watch.value(logs)
            if current is None or not self.watch.improved(current, self.best, min_delta=0.0):
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.watch.monitor} improved from {self.best} to "
                      f"{current:.5f}, saving model")
            self.best = current
        path = self._path(epoch, logs)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def _path(self, epoch: int, logs: dict) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint filepath {self.filepath!r} names {error}, which is "
                           f"not in the logs; available: ['epoch', *{sorted(logs)}]") from None
