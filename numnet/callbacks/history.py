"""History: the per-epoch logs that fit returns."""

from __future__ import annotations

from .base import Callback


class History(Callback):
    """Records the logs of every epoch: `history.history["loss"]` is a list with one value per
    epoch; `history.epoch` the epoch numbers. fit returns it."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, path=None, *, metrics: list[str] | None = None):
        """R's plot(history): loss and metrics per epoch, training and validation; a PNG at
        `path` when given. Returns the matplotlib Figure (see numnet.plot_history)."""
        from ..plotting import plot_history

        return plot_history(self, path, metrics=metrics)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
