"""What fit does when a step's loss or gradient is NaN or infinite (the step itself never
applies such an update: see `Step.train_step`)."""

from __future__ import annotations

import warnings

from .._validation import check_choice


class NonFinitePolicy:
    """fit(on_nonfinite=...): "stop" ends training with a warning (default), "raise" raises
    FloatingPointError, "skip" goes on with the next batch. Either way the weights are those
    of the last finite step and the History of the completed epochs is kept."""

    MODES = ("stop", "raise", "skip")

    def __init__(self, mode: str = "stop") -> None:
        self.mode = check_choice("on_nonfinite", mode, self.MODES)

    def handle(self, model, epoch: int, step: int, loss: float) -> bool:
        """Act on a non-finite step (0-based epoch and step); True means: go on training."""
        if self.mode == "skip":
            return True
        message = (f"Training stopped: the loss or its gradient became {loss} at epoch "
                   f"{epoch + 1}, step {step + 1}. The weights are those of the last finite "
                   "step. Likely causes: a learning rate that is too high, or inputs that are "
                   "not normalised (e.g. pixels not divided by 255).")
        if self.mode == "raise":
            raise FloatingPointError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=4)  # at the fit() call
        model.stop_training = True
        return False
