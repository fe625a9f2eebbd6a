"""BatchNormalization: normalize each feature (channel) over the batch, then scale and shift
(NumPy reference maths in numnet/ops/numpy_normalization.py)."""

from __future__ import annotations

import numpy as np

from .. import initializers
from .._validation import check_bool, check_fraction, check_positive_float, fail
from ..ops import get_ops
from .base import Layer


class BatchNormalization(Layer):
    """Training: y = γ (x - μ_batch) / √(σ²_batch + ε) + β, and the moving statistics follow
    the batch's: moving = moving · momentum + batch · (1 - momentum). Inference: the moving
    statistics in place of the batch's. A frozen layer (trainable=False) runs in inference
    mode during fit too, as Keras's.

    Args:
        axis: the feature axis; numnet normalizes the last one (-1, Keras's default).
        momentum, epsilon: as Keras (0.99, 1e-3).
        center, scale: whether to learn β and γ.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializer names (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as Dense's.

    Input and output shape: any, features last. Parameters: gamma, beta (features,);
    state: moving_mean, moving_variance (features,).
    """

    supports_masking = True

    cache_attributes = ("_cache",)

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: str = "zeros",
                 gamma_initializer: str = "ones", moving_mean_initializer: str = "zeros",
                 moving_variance_initializer: str = "ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            fail("axis", "an integer (the feature axis)", axis, TypeError)
        self.axis = axis
        self.momentum = check_fraction("momentum", momentum, inclusive_high=True)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.center, self.scale = check_bool("center", center), check_bool("scale", scale)
        self.initializers = {
            "gamma": initializers.get(gamma_initializer, "gamma_initializer"),
            "beta": initializers.get(beta_initializer, "beta_initializer"),
            "moving_mean": initializers.get(moving_mean_initializer, "moving_mean_initializer"),
            "moving_variance": initializers.get(moving_variance_initializer,
                                                "moving_variance_initializer")}
        self.set_weight_penalties(gamma_regularizer=gamma_regularizer,
                                  beta_regularizer=beta_regularizer,
                                  gamma_constraint=gamma_constraint,
                                  beta_constraint=beta_constraint)
        self._cache: tuple | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.axis not in (-1, len(input_shape) - 1):
            fail("axis", f"-1 (the last axis of inputs {tuple(input_shape)}: numnet normalizes "
                         "features last, channels last for images)", self.axis)
        if input_shape[-1] is None:
            fail("input_shape", "a known feature (last) axis for BatchNormalization",
                 tuple(input_shape))
        return tuple(input_shape)

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        features = (input_shape[-1],)
        return {key: features for key, wanted in (("gamma", self.scale), ("beta", self.center))
                if wanted}

    def state_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        return {"moving_mean": (input_shape[-1],), "moving_variance": (input_shape[-1],)}

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self.compute_output_shape(input_shape)
        for key, shape in self.param_shapes(input_shape).items():
            self.add_param(key, self.initializers[key](shape, rng, self.dtype))
        for key, shape in self.state_shapes(input_shape).items():
            self.state[key] = self.initializers[key](shape, rng, self.dtype)
        super().build(input_shape, rng)

    # y = γ x̂ + β, x̂ = (x - μ) / √(σ² + ε)  ->  see NumpyNormalization.batch_norm_backward
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._check_width(x)
        gamma, beta = self.params.get("gamma"), self.params.get("beta")
        ops = get_ops()
        if not (training and self.trainable):
            if training:
                self._cache = (None, None)
            return ops.batch_norm_inference(x, self.state["moving_mean"], self.inference_scale(),
                                            beta)
        y, mean, variance, x_hat, inv_std = ops.batch_norm_forward(x, gamma, beta, self.epsilon)
        keep = x.dtype.type(self.momentum)
        for key, batch_value in (("moving_mean", mean), ("moving_variance", variance)):
            moving = self.state[key]
            moving[...] = moving * keep + batch_value * (1 - keep)
        self._cache = (x_hat, inv_std)
        return y

    def inference_scale(self) -> np.ndarray:
        """γ / √(moving_variance + ε) (1 / √(...) without γ): at inference, and when frozen,
        y = (x - moving_mean) · scale + β."""
        variance = self.state["moving_variance"]
        scale = 1 / np.sqrt(variance + variance.dtype.type(self.epsilon))
        gamma = self.params.get("gamma")
        return scale * gamma if gamma is not None else scale

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        x_hat, inv_std = self._cache
        if x_hat is None:  # a frozen layer, normalized by the moving statistics: affine in x
            return dy * self.inference_scale() if need_dx else None
        return get_ops().batch_norm_backward(dy, x_hat, inv_std, self.params.get("gamma"),
                                             self.grads.get("gamma"), self.grads.get("beta"),
                                             need_dx)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **{f"{key}_initializer": initializers.name_of(init)
                   for key, init in self.initializers.items()},
                **self.weight_penalty_config()}
