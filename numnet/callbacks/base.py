"""The callback protocol: hooks into fit/evaluate/predict with Keras's names and order.

`logs` is one dict per event, shared by all callbacks of that event: a callback may add keys
(later callbacks see them), and must not keep a reference past the call.
"""

from __future__ import annotations

HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)


class Callback:
    """Base class: override the hooks you need. `self.model` is set before training starts;
    `self.params` holds epochs, steps and verbose. Stop training with
    `self.model.stop_training = True`."""

    def __init__(self) -> None:
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def uses_hook(self, hook: str) -> bool:
        """Whether this callback wants `hook` called, among the hooks its class overrides
        (a callback whose batch hook only matters for some settings says no for the
        others, so fit builds no per-batch logs for it)."""
        return True

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


def refuse_schedule(optimizer, owner: str) -> None:
    """A callback that sets the learning rate cannot share it with a schedule: say so at once."""
    schedule = getattr(optimizer, "schedule", None)
    if schedule is not None:
        raise TypeError(
            f"{owner} sets the learning rate, but this optimizer's learning rate is controlled "
            f"by its schedule {schedule!r}. Give the optimizer a float learning_rate to use "
            f"{owner}, or leave the schedule in control without it.")
