"""ProgbarLogger: a Keras-like progress bar on terminals, one line per epoch elsewhere."""

from __future__ import annotations

import sys
import time

from .base import Callback


def format_logs(logs: dict) -> str:
    """"loss: 0.1234 - accuracy: 0.9876" (numbers only)."""
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, (float, int)))


def summary_line(steps, seconds: float, logs: dict) -> str:
    """One finished pass: "375/375 - 0.5s - loss: 0.1234 - accuracy: 0.9876"."""
    return " - ".join(part for part in (f"{steps}/{steps}", _format_seconds(seconds),
                                        format_logs(logs)) if part)


def _format_seconds(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s" if seconds >= 10 else f"{seconds:.1f}s"


def is_interactive(stream) -> bool:
    """True for a terminal or a Jupyter kernel, where a redrawn progress bar makes sense."""
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules and stream in (sys.stdout, sys.stderr)


class ProgbarLogger(Callback):
    """Prints progress of fit to `stream` (default sys.stdout).

    verbose=1 on a terminal or in a notebook: a bar redrawn in place (step count, ETA, running
    loss and metrics), at most 10 times a second. verbose=1 elsewhere (a redirected log) and
    verbose=2: exactly one line per epoch, with no carriage returns or backspaces.
    """

    def __init__(self, stream=None, width: int = 30, interval: float = 0.1) -> None:
        super().__init__()
        self.stream = stream
        self.width = width
        self.interval = interval

    def on_train_begin(self, logs=None):
        self._out = self.stream or sys.stdout
        self._bar = self.params.get("verbose") == 1 and is_interactive(self._out)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._start = self._last_draw = time.perf_counter()
        if self._bar:
            self._write(f"Epoch {epoch + 1}/{self.params.get('epochs')}\n")

    def on_train_batch_end(self, batch, logs=None):
        if not self._bar:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.interval:
            self._last_draw = now
            self._draw(batch + 1, logs or {}, final=False)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        steps = self.params.get("steps") or logs.get("steps", "?")
        if self._bar:
            self._draw(steps if isinstance(steps, int) else 0, logs, final=True)
            return
        elapsed = time.perf_counter() - self._start
        self._write(f"Epoch {epoch + 1}/{self.params.get('epochs')} - "
                    f"{summary_line(steps, elapsed, logs)}\n")

    def _draw(self, step: int, logs: dict, final: bool) -> None:
        total = self.params.get("steps")
        elapsed = time.perf_counter() - self._start
        if total:
            done = int(self.width * step / total)
            bar = "=" * max(done - 1, 0) + (">" if done < self.width else "=")
            bar = f"{step:{len(str(total))}d}/{total} [{bar:.<{self.width}}]"
        else:
            bar = f"{step}/Unknown"
        if final:
            timing = _format_seconds(elapsed)
        else:
            eta = elapsed / max(step, 1) * (total - step) if total else 0
            timing = f"ETA: {_format_seconds(eta)}"
        line = f"\r{bar} - {timing} - {format_logs(logs)}"
        self._write(line + ("\n" if final else "\x1b[K"))

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
