"""Optimizers with Keras's names, arguments and update rules, and learning-rate schedules.

`apply(params, grads)` updates parameters in place: each class shows its rule in
`update_step`, the arithmetic is `ops.<name>_update` (NumPy reference or Numba), and the base
class adds clipping, weight decay and schedules (numnet/optimizers/base.py).
"""

from __future__ import annotations

from .._serialization import from_spec, to_spec
from .._validation import fail
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, AdamW, Nadam
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

_CLASSES: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Nadam, Adagrad, Adadelta)
}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer by name ("rmsprop", "adam", "adamw", ...), with Keras defaults, or an
    instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key not in _CLASSES:
        fail("optimizer", f"one of {sorted(_CLASSES)} or a numnet.optimizers.Optimizer",
             identifier)
    return _CLASSES[key]()


def serialize(optimizer: Optimizer) -> dict:
    return to_spec(optimizer)


def deserialize(spec: dict) -> Optimizer:
    return from_spec(spec, {cls.__name__: cls for cls in _CLASSES.values()}, "optimizer",
                     "optimizer")


__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Nadam", "Optimizer", "RMSprop", "SGD",
           "deserialize", "get", "schedules", "serialize"]
