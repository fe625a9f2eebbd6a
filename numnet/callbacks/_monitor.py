"""Which logged value a callback watches, and which direction counts as better."""

from __future__ import annotations

import math
import warnings

from .. import metrics
from .._validation import check_choice, check_positive_float


class Monitor:
    """`monitor` in the logs, compared in `mode` with a margin: `current` improves on `best`
    when it is better by more than `min_delta`.

    mode="auto" is settled by `resolve(model)` at the end of the first epoch, by Keras's rule:
    the loss (and val_loss) is minimised, a compiled metric goes its own way (accuracy up,
    mae and mse down), and anything else is an error that asks for mode="min" or "max".
    """

    def __init__(self, owner: str, monitor: str, mode: str = "auto",
                 min_delta: float = 0.0) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged value such as 'val_loss'. "
                            f"Received: monitor={monitor!r}")
        check_choice("mode", mode, ("auto", "min", "max"))
        self.owner, self.monitor = owner, monitor
        self.mode = None if mode == "auto" else mode
        self.min_delta = abs(check_positive_float("min_delta", min_delta, allow_zero=True))
        self._warned = False

    def resolve(self, model) -> None:
        """Settle mode="auto" for `model` (its `metric_names`); a no-op once settled."""
        if self.mode is not None:
            return
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            self.mode = "min"
        elif getattr(model, "compiled_outputs", None) is not None:
            self.mode = model.compiled_outputs.metric_direction(name)
            if self.mode is None and name in model.compiled_outputs.output_loss_names:
                self.mode = "min"
        elif name in getattr(model, "metric_names", ()):
            self.mode = metrics.direction(name)
        if self.mode is None:
            raise ValueError(
                f"{self.owner} callback received monitor={self.monitor}, but numnet cannot tell "
                "whether it should be maximized or minimized: it is neither the loss nor a "
                "compiled metric. Pass mode='max' to monitor its highest value, or mode='min' "
                "for its lowest.")

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
