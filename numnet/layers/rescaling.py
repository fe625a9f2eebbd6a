"""Rescaling: y = x · scale + offset, e.g. uint8 pixels to [0, 1] inside the model."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_float
from ..ops import get_ops
from .base import Layer


class Rescaling(Layer):
    """y = x · scale + offset, computed in the layer's dtype (Keras's `Rescaling`).

    Inputs of any real dtype are cast first, so a dataset can stay uint8 and be scaled one
    batch at a time: `Rescaling(1 / 255)` as the first layer instead of `x.astype("float32")
    / 255` up front holds MNIST in 55 MB instead of 220 MB. (`x · float32(1/255)` may differ
    from `x / 255` in the last bit.)

    Args:
        scale, offset: numbers (one for every feature).

    Input and output shape: any, the same.
    """

    supports_masking = True

    casts_input = True  # a model's runner hands it the batch uncast (uint8 stays uint8)

    def __init__(self, scale: float, offset: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = check_finite_float("scale", scale)
        self.offset = check_finite_float("offset", offset)

    # y = x · scale + offset  ->  dx = dy · scale
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return get_ops().rescale(x, self.scale, self.offset, np.empty(x.shape, self.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return get_ops().rescale_backward(dy, self.scale)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
