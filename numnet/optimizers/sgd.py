"""SGD with optional (Nesterov) momentum."""

from __future__ import annotations

from .._validation import check_bool, check_fraction
from ..ops import get_ops
from .base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, Keras's rule:
    v = momentum·v - lr·g;  w += v   (nesterov: w += momentum·v - lr·g)."""

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_fraction("momentum", momentum)
        self.nesterov = check_bool("nesterov", nesterov)
        self.slot_names = ("velocity",) if self.momentum > 0 else ()

    def update_step(self, param, grad, slots, lr):
        get_ops().sgd_update(param, grad, slots.get("velocity"), lr, self.momentum, self.nesterov)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
