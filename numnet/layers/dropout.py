"""Dropout: inverted dropout, seeded, the identity at inference."""

from __future__ import annotations

import numpy as np

from .._validation import check_fraction, check_nonnegative_int
from ..ops import get_ops
from .base import Layer


class Dropout(Layer):
    """Training: y = x · mask, each unit kept with probability 1 - rate and scaled by
    1 / (1 - rate), so E[y] = x. Inference (training=False): y = x.

    Args:
        rate: fraction of units to drop, in [0, 1).
        seed: seeds this layer's own generator; by default it shares the model's generator
            (numnet.set_random_seed), so a seeded program is repeatable either way.

    Input and output shape: any.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = check_fraction("rate", rate)
        self.seed = None if seed is None else check_nonnegative_int("seed", seed)
        self.rng = None if seed is None else np.random.default_rng(seed)
        self._mask: np.ndarray | None = None

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        if self.rng is None:
            self.rng = rng
        super().build(input_shape, rng)

    # y = x · mask  ->  dx = dy · mask
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training:
            return x
        if self.rate == 0:
            self._mask = np.ones((), dtype=x.dtype)
            return x
        y, self._mask = get_ops().dropout_forward(x, self.next_key(), self.rate)
        return y

    def next_key(self) -> int:
        """The 64-bit key of the next training step's mask: one draw from this layer's
        generator (numnet.fusion draws it the same way, so both paths see the same masks)."""
        if self.rng is None:  # used standalone, never built
            self.rng = np.random.default_rng()
        return self.rng.bit_generator.random_raw()  # = integers(0, 2**64, uint64), 10x cheaper

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._mask)
        return get_ops().dropout_backward(dy, self._mask)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
