"""Optimizers: `apply(params, grads)` updates parameters in place; each class shows its rule
in `update_step`, and the arithmetic itself is `ops.<name>_update` (NumPy reference or Numba).

Slots (velocities, moments) are created on the first `apply`, aligned with params by position.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_fraction, check_positive_float, fail
from .ops import get_ops


class Optimizer:
    """Base class. Subclasses name their slots and implement `update_step`."""

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float = 0.001) -> None:
        self.learning_rate = check_positive_float("learning_rate", learning_rate)
        self.iterations = 0
        self.slots: list[dict[str, np.ndarray]] = []

    def build(self, params: list[np.ndarray]) -> None:
        """Create zeroed slots for `params`."""
        self.slots = [{n: np.zeros_like(p) for n in self.slot_names} for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One step: update every parameter in place from its gradient."""
        if len(self.slots) != len(params) or any(
            s and next(iter(s.values())).shape != p.shape for s, p in zip(self.slots, params)
        ):
            self.build(params)
        self.iterations += 1
        for param, grad, slots in zip(params, grads, self.slots):
            self.update_step(param, grad, slots, self.learning_rate)

    def update_step(self, param: np.ndarray, grad: np.ndarray, slots: dict, lr: float) -> None:
        raise NotImplementedError

    # ---- state, for saving and resuming ------------------------------------------------------
    def get_config(self) -> dict:
        return {"learning_rate": self.learning_rate}

    def get_state(self) -> dict[str, np.ndarray]:
        """Flat dict of arrays: iterations and every slot, e.g. "slot_0_velocity"."""
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for i, slots in enumerate(self.slots):
            for name, value in slots.items():
                state[f"slot_{i}_{name}"] = value
        return state

    def set_state(self, state: dict[str, np.ndarray], params: list[np.ndarray]) -> None:
        """Restore `get_state()` output for `params` (shapes are checked). A state without
        slots (an optimizer that never stepped) leaves them to be made on the first step."""
        if "iterations" not in state or np.ndim(state["iterations"]) != 0:
            fail("optimizer state", "a dict with a scalar 'iterations'", sorted(state))
        self.iterations = int(state["iterations"])
        if not any(key.startswith("slot_") for key in state):
            self.slots = []
            return
        self.build(params)
        for i, (slots, param) in enumerate(zip(self.slots, params)):
            for name in slots:
                key = f"slot_{i}_{name}"
                if key not in state:
                    fail("optimizer state", f"an array named {key!r}", sorted(state))
                value = np.asarray(state[key])
                if value.shape != param.shape:
                    fail(f"optimizer state {key}", f"an array of shape {param.shape}", value)
                slots[name][...] = value

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, Keras's rule:
    v = momentum·v - lr·g;  w += v   (nesterov: w += momentum·v - lr·g)."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(learning_rate)
        self.momentum = check_fraction("momentum", momentum)
        if not isinstance(nesterov, bool):
            fail("nesterov", "True or False", nesterov, TypeError)
        self.nesterov = nesterov
        self.slot_names = ("velocity",) if self.momentum > 0 else ()

    def update_step(self, param, grad, slots, lr):
        get_ops().sgd_update(param, grad, slots.get("velocity"), lr, self.momentum, self.nesterov)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Keras RMSprop: v = ρ·v + (1-ρ)·g²;  w -= lr·g / √(v + ε)  (ε inside the root, v₀ = 0)."""

    slot_names = ("velocity",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9,
                 epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate)
        self.rho = check_fraction("rho", rho)
        self.epsilon = check_positive_float("epsilon", epsilon)

    def update_step(self, param, grad, slots, lr):
        get_ops().rmsprop_update(param, grad, slots["velocity"], lr, self.rho, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Keras Adam: m += (g-m)(1-β₁); v += (g²-v)(1-β₂); w -= lr·√(1-β₂ᵗ)/(1-β₁ᵗ)·m/(√v + ε)."""

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate)
        self.beta_1 = check_fraction("beta_1", beta_1)
        self.beta_2 = check_fraction("beta_2", beta_2)
        self.epsilon = check_positive_float("epsilon", epsilon)

    def update_step(self, param, grad, slots, lr):
        get_ops().adam_update(param, grad, slots["momentum"], slots["velocity"], lr,
                              self.beta_1, self.beta_2, self.epsilon, self.iterations)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


_CLASSES: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer by name ("rmsprop", "sgd", "adam"), with Keras defaults, or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key not in _CLASSES:
        fail("optimizer", f"one of {sorted(_CLASSES)} or a numnet.optimizers.Optimizer", identifier)
    return _CLASSES[key]()


def serialize(optimizer: Optimizer) -> dict:
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(spec: dict) -> Optimizer:
    by_class = {cls.__name__: cls for cls in _CLASSES.values()}
    cls = by_class.get(spec.get("class_name")) if isinstance(spec, dict) else None
    if cls is None:
        fail("optimizer", f"a saved optimizer naming one of {sorted(by_class)}", spec)
    return cls(**spec.get("config", {}))
