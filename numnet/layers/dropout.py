"""Random layers for training, the identity at inference: Dropout (inverted, seeded, with
Keras's noise_shape), SpatialDropout2D (whole feature maps) and GaussianNoise. All draw from
the model's generator unless seeded."""

from __future__ import annotations

import numpy as np

from .._validation import check_fraction, check_nonnegative_int, check_positive_float, fail
from ..ops import get_ops
from .base import Layer
from .convolution import check_images


class RandomLayer(Layer):
    """A layer that draws random numbers while training: from its own generator when seeded,
    else from the model's, handed to it at build (numnet.set_random_seed seeds that one)."""

    supports_masking = True

    def __init__(self, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seed = None if seed is None else check_nonnegative_int("seed", seed)
        self.rng = None if seed is None else np.random.default_rng(seed)

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        if self.rng is None:
            self.rng = rng
        super().build(input_shape, rng)

    def generator(self) -> np.random.Generator:
        if self.rng is None:  # used standalone, never built
            self.rng = np.random.default_rng()
        return self.rng

    def next_key(self) -> int:
        """The 64-bit key of the next training step's mask: one draw from this layer's
        generator (a fused DenseBlock draws it the same way, so both paths see the same masks)."""
        return self.generator().bit_generator.random_raw()  # = integers(0, 2**64), 10x cheaper

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


class Dropout(RandomLayer):
    """Training: y = x · mask, each unit kept with probability 1 - rate and scaled by
    1 / (1 - rate), so E[y] = x. Inference (training=False): y = x.

    Args:
        rate: fraction of units to drop, in [0, 1).
        noise_shape: the mask's shape, broadcast over the input's (batch axis included;
            None takes the input's size): (None, 1, 64) drops whole channels of (n, 10, 64).
        seed: seeds this layer's own generator; by default it shares the model's generator
            (numnet.set_random_seed), so a seeded program is repeatable either way.

    Input and output shape: any.
    """

    cache_attributes = ("_mask",)

    def __init__(self, rate: float, noise_shape: tuple | None = None, seed: int | None = None,
                 **kwargs) -> None:
        super().__init__(seed, **kwargs)
        self.rate = check_fraction("rate", rate)
        if noise_shape is not None and (not isinstance(noise_shape, (tuple, list)) or not all(
                d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
                for d in noise_shape)):
            fail("noise_shape", "a tuple of positive integers or None", noise_shape)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self._mask: np.ndarray | None = None

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        if self.noise_shape is not None and (len(self.noise_shape) != len(input_shape) or any(
                d not in (None, 1) and d != i for d, i in zip(self.noise_shape, input_shape))):
            fail("noise_shape", f"a shape that broadcasts to the inputs {tuple(input_shape)} "
                                "(each size None, 1 or the input's)", self.noise_shape)
        super().build(input_shape, rng)

    # y = x · mask  ->  dx = dy · mask
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training:
            return x
        if self.rate == 0:
            self._mask = np.ones((), dtype=x.dtype)
            return x
        if self.noise_shape is not None:  # one mask value per noise_shape cell, broadcast
            shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, x.shape))
            self._mask = get_ops().dropout_mask(self.next_key(), shape, self.rate, x.dtype)
            return x * self._mask
        y, self._mask = get_ops().dropout_forward(x, self.next_key(), self.rate)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._mask)
        return get_ops().dropout_backward(dy, self._mask)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps: in training each (image, channel) map is kept, scaled by
    1 / (1 - rate), or zeroed as one, since neighbouring pixels are too alike for pixel
    dropout to regularize (Tompson et al., 2015). Inference: y = x.

    Args: rate, seed as Dropout's; data_format: "channels_last" (or None) only.
    Input and output shape: (batch, rows, cols, channels).
    """

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs) -> None:
        if data_format not in (None, "channels_last"):
            fail("data_format", "'channels_last' (numnet's images are channels last)",
                 data_format)
        super().__init__(rate, noise_shape=(None, 1, 1, None), seed=seed, **kwargs)

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        check_images(self, input_shape)
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_images(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config_ = super().get_config()
        del config_["noise_shape"]
        return config_


class GaussianNoise(RandomLayer):
    """Training: y = x + ε, ε ~ N(0, stddev²) per element (a regulariser); inference: y = x.

    Args:
        stddev: the noise's standard deviation.
        seed: as Dropout's.

    Input and output shape: any.
    """

    cache_attributes = ("_trained",)

    def __init__(self, stddev: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(seed, **kwargs)
        self.stddev = check_positive_float("stddev", stddev, allow_zero=True)
        self._trained: bool | None = None

    # y = x + ε  ->  dx = dy
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training:
            return x
        self._trained = True
        noise = self.generator().standard_normal(x.shape, dtype=np.float64)
        return x + (noise * self.stddev).astype(x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        self._require_cache(self._trained)
        return dy

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev}
