"""TensorBoard: scalars, weight histograms and the layer graph that `tensorboard --logdir`
shows, written with no TensorFlow installed."""

from __future__ import annotations

import os

from .._tensorboard import EventFileWriter
from .._validation import check_bool, check_nonnegative_int, check_positive_int, fail
from .base import Callback


class TensorBoard(Callback):
    """Write loss, metrics and learning rate as TensorBoard scalars, like Keras's callback:
    `log_dir/train` gets epoch_loss, epoch_accuracy, epoch_learning_rate; `log_dir/validation`
    gets the val_ values as epoch_loss, epoch_accuracy. Steps are 0-based epochs.

    update_freq: "epoch", or "batch" or an integer N to also write batch_loss,
        batch_accuracy (running epoch means) every N training batches, at the global batch
        number.
    histogram_freq: every that many epochs (0: never), a histogram of every weight,
        "<layer>/<param>", for the Histograms and Distributions tabs.
    write_graph: the layer graph for the Graphs tab: one node per layer, named as the layer,
        its op the layer's class, fed by the previous layer.
    Files are flushed to disk every epoch; each run writes its own file (host and pid in the
    name), so several runs may share one log_dir.
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, update_freq: str | int = "epoch") -> None:
        super().__init__()
        self.histogram_freq = check_nonnegative_int("histogram_freq", histogram_freq)
        self.write_graph = check_bool("write_graph", write_graph)
        if not isinstance(log_dir, (str, os.PathLike)):
            fail("log_dir", "a path string", log_dir, TypeError)
        self.log_dir = os.fspath(log_dir)
        if update_freq != "epoch":
            if update_freq == "batch":
                update_freq = 1
            self.update_freq = check_positive_int("update_freq", update_freq)
        else:
            self.update_freq = "epoch"
        self._train: EventFileWriter | None = None
        self._validation: EventFileWriter | None = None
        self._global_batch = 0

    def on_train_begin(self, logs=None):
        self._train = EventFileWriter(os.path.join(self.log_dir, "train"))
        self._validation = None
        if self.write_graph and self.model is not None:
            nodes, seen = [], set()
            for node in self.model.nodes:  # each layer once, fed by the layers it reads
                if node.layer.name not in seen:
                    seen.add(node.layer.name)
                    kind = type(node.layer).__name__ if node.inputs else "Placeholder"
                    nodes.append((node.layer.name, kind, [t.layer.name for t in node.inputs]))
            self._train.add_graph(nodes)

    def uses_hook(self, hook: str) -> bool:
        """The batch hook only with an update_freq in batches (or a subclass's own hook)."""
        return (hook != "on_train_batch_end" or self.update_freq != "epoch"
                or type(self).on_train_batch_end is not TensorBoard.on_train_batch_end)

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        if self._global_batch % self.update_freq == 0:
            for key, value in (logs or {}).items():
                self._train.add_scalar(f"batch_{key}", value, self._global_batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if "learning_rate" not in logs and getattr(self.model, "optimizer", None) is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        for key, value in logs.items():
            if key.startswith("val_"):
                if self._validation is None:
                    self._validation = EventFileWriter(os.path.join(self.log_dir, "validation"))
                self._validation.add_scalar(f"epoch_{key[4:]}", value, epoch)
            else:
                self._train.add_scalar(f"epoch_{key}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for layer in self.model.layers:
                for key, value in layer.params.items():
                    self._train.add_histogram(f"{layer.name}/{key}", value, epoch)
        for writer in (self._train, self._validation):
            if writer is not None:
                writer.flush()

    def on_train_end(self, logs=None):
        for writer in (self._train, self._validation):
            if writer is not None:
                writer.close()
