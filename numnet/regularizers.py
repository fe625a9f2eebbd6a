"""Weight and activity regularizers, as Keras's: a penalty added to the loss, with its gradient
beside it.

    L1(l1):        penalty = l1 · Σ|w|        gradient = l1 · sign(w)
    L2(l2):        penalty = l2 · Σ w²        gradient = 2 · l2 · w
    L1L2(l1, l2):  both

On Dense: kernel_regularizer and bias_regularizer penalise the parameters; an
activity_regularizer penalises the layer's output, divided by the batch size (Keras 3).
"""

from __future__ import annotations

import numpy as np

from ._serialization import config_repr, resolve, to_spec
from ._validation import check_positive_float


class Regularizer:
    """Base class: `penalty(x)` -> float and `gradient(x)` -> d penalty / dx (x's shape)."""

    def penalty(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> float:
        return self.penalty(x)

    def get_config(self) -> dict:
        raise NotImplementedError

    __repr__ = config_repr


class L1L2(Regularizer):
    """l1 · Σ|x| + l2 · Σ x²."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_positive_float("l1", l1, allow_zero=True)
        self.l2 = check_positive_float("l2", l2, allow_zero=True)

    def penalty(self, x):
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(x).sum())
        if self.l2:
            total += self.l2 * float((x * x).sum())
        return total

    def gradient(self, x):
        f = x.dtype.type
        grad = np.zeros_like(x)
        if self.l1:
            grad += f(self.l1) * np.sign(x)
        if self.l2:
            grad += f(2 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """l1 · Σ|x| (Keras's default l1 = 0.01)."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """l2 · Σ x² (Keras's default l2 = 0.01)."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_NAMES = {"l1": L1, "l2": L2, "l1_l2": L1L2}  # Keras's strings (its "l1_l2" has l1 = l2 = 0)


def get(identifier, argument: str = "regularizer") -> Regularizer | None:
    """A regularizer from None, a Keras name ("l1", "l2", "l1_l2"), a saved spec or an instance."""
    return resolve(identifier, Regularizer, _NAMES, _CLASSES, argument, "regularizer")


def serialize(regularizer: Regularizer | None) -> dict | None:
    return None if regularizer is None else to_spec(regularizer)
