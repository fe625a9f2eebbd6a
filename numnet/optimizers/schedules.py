"""Learning-rate schedules, as Keras's: a schedule given as `learning_rate=` is evaluated at
the optimizer's step count (0 for the first update), once per update."""

from __future__ import annotations

import math

from .._serialization import config_repr, from_spec, to_spec
from .._validation import check_positive_float, check_positive_int, fail


class LearningRateSchedule:
    """Base class: `schedule(step) -> learning rate` for a 0-based step count."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError

    __repr__ = config_repr


class ExponentialDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate · decay_rate^(step / decay_steps) (the exponent
    floored with staircase=True)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_positive_float("initial_learning_rate",
                                                          initial_learning_rate, allow_zero=True)
        self.decay_steps = check_positive_int("decay_steps", decay_steps)
        self.decay_rate = check_positive_float("decay_rate", decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase
                                                                 else p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase}


class InverseTimeDecay(ExponentialDecay):
    """lr(step) = initial_learning_rate / (1 + decay_rate · step / decay_steps) (the ratio
    floored with staircase=True)."""

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(p) if
                                                                     self.staircase else p))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
    boundaries[i], values[-1] after the last boundary."""

    def __init__(self, boundaries: list[int], values: list[float]) -> None:
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)) \
                or len(boundaries) != len(values) - 1 or not boundaries:
            fail("values", "a list one longer than boundaries (a non-empty list)", values)
        if list(boundaries) != sorted(boundaries):
            fail("boundaries", "an increasing list of steps", boundaries)
        self.boundaries = [int(b) for b in boundaries]
        self.values = [check_positive_float("values", v, allow_zero=True) for v in values]

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from initial_learning_rate to warmup_target over warmup_steps,
    then cosine decay over decay_steps from warmup_target (or initial_learning_rate) down to
    alpha times it: lr = from · ((1 - alpha) · ½(1 + cos(π · min(t, decay_steps)/decay_steps))
    + alpha)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        self.initial_learning_rate = check_positive_float("initial_learning_rate",
                                                          initial_learning_rate, allow_zero=True)
        self.decay_steps = check_positive_int("decay_steps", decay_steps)
        self.alpha = check_positive_float("alpha", alpha, allow_zero=True)
        self.warmup_target = (None if warmup_target is None else
                              check_positive_float("warmup_target", warmup_target))
        self.warmup_steps = int(warmup_steps)
        if self.warmup_steps < 0 or (self.warmup_target is not None and not self.warmup_steps):
            fail("warmup_steps", "a positive integer when warmup_target is given", warmup_steps)

    def _decay(self, step: float, decay_from: float) -> float:
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1 + math.cos(math.pi * fraction))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        if self.warmup_target is None:
            return self._decay(step, self.initial_learning_rate)
        if step < self.warmup_steps:
            start = self.initial_learning_rate
            return start + (self.warmup_target - start) * step / self.warmup_steps
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay,
                                            PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    return to_spec(schedule)


def deserialize(spec: dict) -> LearningRateSchedule:
    return from_spec(spec, SCHEDULES, "learning_rate", "schedule")
