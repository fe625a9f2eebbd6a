"""The callback protocol: hooks into fit/evaluate/predict with Keras's names and order.

`logs` is one dict per event, shared by all callbacks of that event: a callback may add keys
(later callbacks see them), and must not keep a reference past the call.
"""

from __future__ import annotations

_HOOKS = (
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


class CallbackList:
    """Calls a hook on every callback in order. History and ProgbarLogger, when added, go last.

    A hook that no callback overrides is skipped without a Python call per batch.
    """

    def __init__(self, callbacks=None, *, model=None, add_history: bool = False,
                 add_progbar: bool = False, **params) -> None:
        self.callbacks: list[Callback] = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    "callbacks must be a list of numnet.callbacks.Callback instances. "
                    f"Received: an item of type {type(callback).__name__}"
                )
        if add_history:
            from .history import History

            self.callbacks.append(History())
        if add_progbar:
            from .progbar import ProgbarLogger

            self.callbacks.append(ProgbarLogger())
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.params = params
        self._active = {
            hook: [getattr(c, hook) for c in self.callbacks if _overrides(c, hook)]
            for hook in _HOOKS
        }
        for hook, methods in self._active.items():  # one dispatcher per hook, made once
            setattr(self, hook, _dispatcher(methods))

    def has(self, hook: str) -> bool:
        """Whether any callback overrides `hook` (fit skips building logs per batch if not)."""
        return bool(self._active[hook])

    def __iter__(self):
        return iter(self.callbacks)


def _overrides(callback: Callback, hook: str) -> bool:
    """Whether `callback` (its class or the instance itself) replaces Callback's empty hook."""
    method = getattr(callback, hook)
    return getattr(method, "__func__", method) is not getattr(Callback, hook)


def _dispatcher(methods: list):
    """A function calling each of `methods` with the same arguments, in order."""
    def call(*args):
        for method in methods:
            method(*args)
    return call
