"""CSVLogger: one row of logs per epoch in a CSV file."""

from __future__ import annotations

import csv
import io
import os
import time

from .._validation import fail
from .base import Callback


class CSVLogger(Callback):
    """Write "epoch" (0-based) and the sorted log keys as the header, then one row per epoch,
    byte for byte as Keras's CSVLogger: CRLF line ends (the csv module's default), and when the
    first epoch has no val_ keys, val_ columns for every key, "NA" until they are logged.

    `filename` may contain strftime codes, filled in when training starts
    ("log/mnist_%Y%m%d_%H%M.csv"). With append=True rows are added to an existing file without
    a second header. Each row is written with one write and flushed to disk, so an interrupted
    run leaves at most one torn last line.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            fail("filename", "a path string", filename, TypeError)
        if not isinstance(separator, str) or len(separator) != 1:
            fail("separator", "a single character", separator)
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self.path: str | None = None
        self._file = None
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        self.path = time.strftime(self.filename) if "%" in self.filename else self.filename
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        has_rows = self.append and os.path.exists(self.path) and os.path.getsize(self.path) > 0
        if has_rows:
            with open(self.path, newline="") as existing:
                header = next(csv.reader(existing, delimiter=self.separator), None)
            self.keys = header[1:] if header else None
        else:
            self.keys = None
        self._file = open(self.path, "a" if self.append else "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        rows = []
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]  # validation_freq > 1
            rows.append(["epoch", *self.keys])
        rows.append([epoch, *(_cell(logs.get(key, "NA")) for key in self.keys)])
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.separator).writerows(rows)
        self._file.write(buffer.getvalue())
        self._file.flush()
        os.fsync(self._file.fileno())

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


def _cell(value):
    return repr(float(value)) if isinstance(value, float) else value
