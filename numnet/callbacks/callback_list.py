"""CallbackList: calls one hook on every callback of a fit, evaluate or predict, in order."""

from __future__ import annotations

from .base import HOOKS, Callback
from .history import History
from .progbar import ProgbarLogger


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
            self.callbacks.append(History())
        if add_progbar:
            self.callbacks.append(ProgbarLogger())
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.params = params
        self._active = {
            hook: [getattr(c, hook) for c in self.callbacks
                   if _overrides(c, hook) and c.uses_hook(hook)]
            for hook in HOOKS
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
