"""Weight constraints, as Keras's: a projection applied to a parameter after every optimizer
update (w <- constraint(w)).

    MaxNorm(max_value=2, axis=0):  w · clip(‖w‖, 0, max) / (ε + ‖w‖), norms along `axis`
    NonNeg():                      max(w, 0)
    UnitNorm(axis=0):              w / (ε + ‖w‖)
For a Dense kernel (in, units), axis=0 constrains the weights into each unit.
"""

from __future__ import annotations

import numpy as np

from ._serialization import config_repr, resolve, to_spec
from ._validation import check_positive_float

EPSILON = 1e-7  # Keras's backend.epsilon()


class Constraint:
    """Base class: `constraint(w)` -> the projected w (a new array)."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    __repr__ = config_repr


def _norms(w: np.ndarray, axis: int) -> np.ndarray:
    return np.sqrt((w * w).sum(axis=axis, keepdims=True))


class MaxNorm(Constraint):
    def __init__(self, max_value: float = 2.0, axis: int = 0) -> None:
        self.max_value = check_positive_float("max_value", max_value)
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        f = w.dtype.type
        return w * (np.clip(norms, 0, f(self.max_value)) / (f(EPSILON) + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    def __call__(self, w):
        return np.maximum(w, w.dtype.type(0))


class UnitNorm(Constraint):
    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (w.dtype.type(EPSILON) + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


_CLASSES = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm}
_NAMES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}


def get(identifier, argument: str = "constraint") -> Constraint | None:
    """A constraint from None, a Keras name ("max_norm", "non_neg", "unit_norm"), a saved spec
    or an instance."""
    return resolve(identifier, Constraint, _NAMES, _CLASSES, argument, "constraint")


def serialize(constraint: Constraint | None) -> dict | None:
    return None if constraint is None else to_spec(constraint)
