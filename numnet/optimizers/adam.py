"""The Adam family: Adam (with amsgrad), AdamW (Adam with decoupled weight decay) and Nadam."""

from __future__ import annotations

import numpy as np

from .._validation import check_bool, check_fraction, check_positive_float
from ..ops import get_ops
from .base import Optimizer


class Adam(Optimizer):
    """Keras Adam: m += (g-m)(1-β₁); v += (g²-v)(1-β₂); w -= lr·√(1-β₂ᵗ)/(1-β₁ᵗ)·m/(√v + ε).
    amsgrad: v̂ = max(v̂, v) takes v's place in the step."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_fraction("beta_1", beta_1)
        self.beta_2 = check_fraction("beta_2", beta_2)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.amsgrad = check_bool("amsgrad", amsgrad)
        self.slot_names = ("momentum", "velocity", *(("velocity_hat",) if amsgrad else ()))

    def update_step(self, param, grad, slots, lr):
        get_ops().adam_update(param, grad, slots["momentum"], slots["velocity"], lr,
                              self.beta_1, self.beta_2, self.epsilon, self.iterations,
                              slots.get("velocity_hat"))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004, Keras's): before each step
    w -= w · weight_decay · lr."""

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class Nadam(Optimizer):
    """Keras Nadam: Adam with Nesterov momentum and the momentum schedule
    u_t = β₁ (1 - ½·0.96ᵗ) (see ops.nadam_update)."""

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_fraction("beta_1", beta_1)
        self.beta_2 = check_fraction("beta_2", beta_2)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.u_product = 1.0  # Π u_i over the steps so far, shared by every variable

    def before_update(self):
        """u_product *= u_t, in the slots' float type as Keras keeps it (float32 for float32
        weights), multiplied in Keras's order (u_product · β1) · (1 - ½·0.96ᵗ): not through
        the u_t that nadam_update computes, whose rounding differs."""
        f = next(iter(self.slots[0].values())).dtype.type if self.slots else np.float32
        self.u_product = float(f(self.u_product) * f(self.beta_1)
                               * (f(1) - f(0.5) * f(0.96) ** f(self.iterations)))

    def update_step(self, param, grad, slots, lr):
        get_ops().nadam_update(param, grad, slots["momentum"], slots["velocity"], lr,
                               self.beta_1, self.beta_2, self.epsilon, self.iterations,
                               self.u_product)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}

    def get_state(self):
        return {**super().get_state(), "u_product": np.array(self.u_product)}

    def set_state(self, state, params):
        super().set_state(state, params)
        self.u_product = float(state.get("u_product", 1.0))
