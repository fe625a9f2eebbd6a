"""Masking: marks the steps whose features all equal `mask_value` as padding."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_float
from .base import Layer


class Masking(Layer):
    """A step is padding when every feature equals `mask_value`: the output is the input
    with padding steps set to 0, and carries the mask (batch, steps) of the real ones, which
    layers that use masks follow (as Keras's `Masking`).

    Args:
        mask_value: the number that marks padding (default 0.0).

    Input and output shape: (batch, steps, features) (any rank of 2 or more: the last axis
    holds the features).
    """

    supports_masking = True
    cache_attributes = ("_keep",)

    def __init__(self, mask_value: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_value = check_finite_float("mask_value", mask_value)
        self._keep: np.ndarray | None = None

    def makes_mask(self, masked) -> bool:
        return True

    def compute_mask(self, inputs, mask):
        return (inputs != inputs.dtype.type(self.mask_value)).any(axis=-1)

    # y = x · keep (keep: 1 on real steps, 0 on padding)  ->  dx = dy · keep
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        keep = self.compute_mask(x, None)[..., None]
        if training:
            self._keep = keep
        return np.where(keep, x, x.dtype.type(0))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._keep)
        return np.where(self._keep, dy, dy.dtype.type(0))

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
