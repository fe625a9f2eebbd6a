"""Which logged value a callback watches, and which direction counts as better."""

from __future__ import annotations

import math
import warnings

from .._validation import check_choice, check_positive_float

_HIGHER_IS_BETTER = ("acc", "accuracy", "auc", "precision", "recall")


class Monitor:
    """`monitor` in the logs, compared in `mode` ("min", "max", or "auto": max for accuracy-like
    names, min otherwise) with a margin: `current` improves on `best` when it is better by more
    than `min_delta`."""

    def __init__(self, owner: str, monitor: str, mode: str = "auto",
                 min_delta: float = 0.0) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged value such as 'val_loss'. "
                            f"Received: monitor={monitor!r}")
        check_choice("mode", mode, ("auto", "min", "max"))
        self.owner, self.monitor = owner, monitor
        if mode == "auto":
            name = monitor.removeprefix("val_")
            mode = "max" if name in _HIGHER_IS_BETTER or name.endswith("accuracy") else "min"
        self.mode = mode
        self.min_delta = abs(check_positive_float("min_delta", min_delta, allow_zero=True))
        self._warned = False

    def value(self, logs: dict | None) -> float | None:
        """The monitored value, or None (with a one-time warning naming what is there)."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            if not self._warned:
                warnings.warn(
                    f"{self.owner} is monitoring '{self.monitor}', which is not in the logs; "
                    f"it will do nothing. Available: {sorted(logs or {})}", RuntimeWarning,
                    stacklevel=3)
                self._warned = True
            return None
        return float(value)

    def improved(self, current: float, best: float | None, min_delta: float | None = None) -> bool:
        """Whether `current` beats `best` by more than min_delta (always, when best is None)."""
        if best is None:
            return not math.isnan(current)
        delta = self.min_delta if min_delta is None else min_delta
        return current < best - delta if self.mode == "min" else current > best + delta
