"""The optimizer protocol: `apply(params, grads)` updates parameters in place, Keras's way.

One step, as Keras's `apply`: the learning rate at the current step (a float, or a schedule
evaluated at `iterations`), then gradient clipping (clipnorm per variable, or
global_clipnorm over all, or clipvalue), then weight decay (w -= w · weight_decay · lr), then
the rule of the subclass (`update_step`, whose arithmetic is `ops.<name>_update`, NumPy
reference or Numba). Slots (velocities, moments) are made on the first `apply`, aligned with
params by position.
"""

from __future__ import annotations

import numpy as np

from .._serialization import config_repr
from .._validation import check_bool, check_fraction, check_positive_float, check_positive_int, fail
from . import schedules


class Optimizer:
    """Base class. Subclasses name their slots and implement `update_step`.

    Args (every optimizer):
        learning_rate: a positive float or a `schedules.LearningRateSchedule`.
        weight_decay: decoupled weight decay, w -= w · weight_decay · lr, before each update.
        clipnorm: clip each variable's gradient to this L2 norm.
        global_clipnorm: clip all gradients together to this global L2 norm.
        clipvalue: clip every gradient element to [-clipvalue, clipvalue].
        use_ema, ema_momentum, ema_overwrite_frequency: keep an exponential moving average
            of the weights, a = m·a + (1-m)·w after each update (a = w at the first); every
            ema_overwrite_frequency updates, and at the end of fit, the weights become it.
    """

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate=0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None) -> None:
        self._schedule: schedules.LearningRateSchedule | None = None
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._schedule, self._learning_rate = learning_rate, None
        else:
            self._learning_rate = check_positive_float("learning_rate", learning_rate)
        optional = {"weight_decay": weight_decay, "clipnorm": clipnorm, "clipvalue": clipvalue,
                    "global_clipnorm": global_clipnorm}
        for name, value in optional.items():
            if value is not None:
                check_positive_float(name, value, allow_zero=name == "weight_decay")
        if clipnorm is not None and global_clipnorm is not None:
            fail("global_clipnorm", "None when clipnorm is given (use one of them)",
                 global_clipnorm)
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self.clipnorm = None if clipnorm is None else float(clipnorm)
        self.clipvalue = None if clipvalue is None else float(clipvalue)
        self.global_clipnorm = None if global_clipnorm is None else float(global_clipnorm)
        self.use_ema = check_bool("use_ema", use_ema)
        self.ema_momentum = check_fraction("ema_momentum", ema_momentum, inclusive_high=True)
        self.ema_overwrite_frequency = (None if ema_overwrite_frequency is None else
                                        check_positive_int("ema_overwrite_frequency",
                                                           ema_overwrite_frequency))
        self.iterations = 0
        self.slots: list[dict[str, np.ndarray]] = []

    # ---- the learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update (a schedule's value at `iterations`)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if self._schedule is not None:
            raise TypeError(
                f"learning_rate cannot be set to {value!r}: this optimizer's learning rate is "
                f"controlled by its schedule {self._schedule!r}. Give the optimizer a float "
                "learning_rate to change it during training (ReduceLROnPlateau, "
                "LearningRateScheduler).")
        self._learning_rate = check_positive_float("learning_rate", value)

    @property
    def schedule(self) -> schedules.LearningRateSchedule | None:
        return self._schedule

    # ---- one step ------------------------------------------------------------------------------
    def build(self, params: list[np.ndarray]) -> None:
        """Create the slots of `params` (and, with use_ema, their moving averages)."""
        self.slots = [{**{n: self.initial_slot(n, p) for n in self.slot_names},
                       **({"average": p.copy()} if self.use_ema else {})} for p in params]

    def initial_slot(self, name: str, param: np.ndarray) -> np.ndarray:
        """A slot's value before the first update: zeros, unless the rule says otherwise."""
        return np.zeros_like(param)

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray],
              segments: list[slice] | None = None) -> None:
        """One step: update every parameter in place from its gradient. `segments`: where
        each variable lies in a flat array (for clipnorm, per variable); by default each array
        is one variable. Clipping changes `grads` in place."""
        if len(self.slots) != len(params) or any(
            s and next(iter(s.values())).shape != p.shape for s, p in zip(self.slots, params)
        ):
            self.build(params)
        lr = self.learning_rate
        self._clip(grads, segments)
        if self.weight_decay:
            for param in params:
                param -= param * param.dtype.type(self.weight_decay * lr)
        self.iterations += 1
        self.before_update()
        for param, grad, slots in zip(params, grads, self.slots):
            self.update_step(param, grad, slots, lr)
        if self.use_ema:
            self._update_averages(params)

    # a = m·a + (1-m)·w (a = w after the first update); w = a every ema_overwrite_frequency
    def _update_averages(self, params: list[np.ndarray]) -> None:
        momentum = self.ema_momentum if self.iterations > 1 else 0.0
        overwrite = (self.ema_overwrite_frequency is not None
                     and self.iterations % self.ema_overwrite_frequency == 0)
        for param, slots in zip(params, self.slots):
            average, f = slots["average"], param.dtype.type
            average *= f(momentum)
            average += f(1 - momentum) * param
            if overwrite:
                param[...] = average

    def finalize_variable_values(self, params: list[np.ndarray]) -> None:
        """At the end of fit: with use_ema, the weights become their moving averages."""
        if self.use_ema and len(self.slots) == len(params):
            for param, slots in zip(params, self.slots):
                param[...] = slots["average"]

    def _clip(self, grads: list[np.ndarray], segments: list[slice] | None) -> None:
        if self.clipnorm:
            for grad in grads:
                for part in (segments or [slice(None)]):
                    g = grad[part]
                    norm = np.sqrt(np.sum(g * g))
                    g *= g.dtype.type(self.clipnorm / max(norm, self.clipnorm))
        elif self.global_clipnorm:
            norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
            scale = self.global_clipnorm * min(1 / norm if norm else np.inf,
                                               1 / self.global_clipnorm)
            for grad in grads:
                grad *= grad.dtype.type(scale)
        elif self.clipvalue:
            for grad in grads:
                np.clip(grad, -self.clipvalue, self.clipvalue, out=grad)

    def before_update(self) -> None:
        """Hook for state shared by all variables (Nadam's running product)."""

    def update_step(self, param: np.ndarray, grad: np.ndarray, slots: dict, lr: float) -> None:
        raise NotImplementedError

    # ---- configuration and state, for saving and resuming --------------------------------------
    def get_config(self) -> dict:
        config = {"learning_rate": (schedules.serialize(self._schedule)
                                    if self._schedule is not None else self._learning_rate)}
        for name in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, name) is not None:
                config[name] = getattr(self, name)
        if self.use_ema:
            config.update(use_ema=True, ema_momentum=self.ema_momentum,
                          ema_overwrite_frequency=self.ema_overwrite_frequency)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

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

    __repr__ = config_repr
