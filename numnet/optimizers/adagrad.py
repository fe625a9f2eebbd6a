"""Adagrad and Adadelta: per-parameter rates from accumulated squared gradients."""

from __future__ import annotations

import numpy as np

from .._validation import check_fraction, check_positive_float
from ..ops import get_ops
from .base import Optimizer


class Adagrad(Optimizer):
    """Keras Adagrad: a += g²;  w -= lr·g / √(a + ε), a starting at initial_accumulator_value."""

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_positive_float(
            "initial_accumulator_value", initial_accumulator_value, allow_zero=True)
        self.epsilon = check_positive_float("epsilon", epsilon)

    def initial_slot(self, name, param):
        return np.full_like(param, self.initial_accumulator_value)

    def update_step(self, param, grad, slots, lr):
        get_ops().adagrad_update(param, grad, slots["accumulator"], lr, self.epsilon)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Keras Adadelta: G = ρG + (1-ρ)g²;  Δ = -√(D + ε)·g / √(G + ε);  D = ρD + (1-ρ)Δ²;
    w += lr·Δ. The convolutional MNIST example trains with Adadelta(learning_rate=1.0)."""

    slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = check_fraction("rho", rho)
        self.epsilon = check_positive_float("epsilon", epsilon)

    def update_step(self, param, grad, slots, lr):
        get_ops().adadelta_update(param, grad, slots["accumulated_grad"],
                                  slots["accumulated_delta_var"], lr, self.rho, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
