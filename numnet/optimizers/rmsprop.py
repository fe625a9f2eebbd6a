"""RMSprop, with Keras's momentum and centered variants."""

from __future__ import annotations

from .._validation import check_bool, check_fraction, check_positive_float
from ..ops import get_ops
from .base import Optimizer


class RMSprop(Optimizer):
    """Keras RMSprop: v = ρ·v + (1-ρ)·g²;  w -= lr·g / √(v + ε)  (ε inside the root, v₀ = 0).

    centered: also a = ρ·a + (1-ρ)·g, and the root is of v - a² + ε.
    momentum: s = momentum·s + lr·g/√(...);  w -= s.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_fraction("rho", rho)
        self.momentum = check_fraction("momentum", momentum)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.centered = check_bool("centered", centered)
        self.slot_names = ("velocity", *(("momentum",) if self.momentum > 0 else ()),
                           *(("average_gradient",) if centered else ()))

    def update_step(self, param, grad, slots, lr):
        ops = get_ops()
        if len(slots) == 1:  # the plain rule: one fused kernel on the Numba backend
            ops.rmsprop_update(param, grad, slots["velocity"], lr, self.rho, self.epsilon)
        else:
            ops.rmsprop_general_update(param, grad, slots["velocity"], slots.get("momentum"),
                                       slots.get("average_gradient"), lr, self.rho,
                                       self.momentum, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
