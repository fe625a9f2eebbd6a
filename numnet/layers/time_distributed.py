"""TimeDistributed: one layer applied to every step of a sequence."""

from __future__ import annotations

import numpy as np

from .._validation import fail
from .base import Layer, Wrapper


class TimeDistributed(Wrapper):
    """y[:, t] = layer(x[:, t]) for every step t, with one set of weights (Keras's
    TimeDistributed): the steps are folded into the batch, (n, steps, ...) -> (n · steps,
    ...), for one call of `layer`.

    Args:
        layer: the layer to apply (Dense, Conv2D on image sequences, Dropout, ...); it is the
            wrapper's own: its params are the wrapper's.

    Input shape: (batch, steps, ...). Output shape: (batch, steps, *layer's output shape).
    A mask is dropped, with a warning (as Keras: TimeDistributed does not support masking).
    """

    def __init__(self, layer, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, Layer) or layer.takes_list_input:
            fail("layer", "a layer of one input", layer, TypeError)
        self.layer = layer
        self.casts_input = getattr(layer, "casts_input", False)
        self._steps: int | None = None

    cache_attributes = ("_steps",)

    @property
    def wrapped(self) -> tuple[Layer]:
        return (self.layer,)

    def _check(self, input_shape: tuple) -> None:
        if len(input_shape) < 3:
            fail("input_shape", "(batch, steps, ...) for TimeDistributed", tuple(input_shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check(input_shape)
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        return self.layer.param_shapes((None, *input_shape[2:]))

    def state_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        return self.layer.state_shapes((None, *input_shape[2:]))

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self._check(input_shape)
        if not self.layer.built:
            self.layer.build((None, *input_shape[2:]), rng)
        self.params, self.grads, self.state = self.layer.params, self.layer.grads, \
            self.layer.state
        super().build(input_shape, rng)

    # y = layer(x folded to (n · steps, ...)) unfolded;  dx the same way
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if x.ndim < 3:
            fail("x", "an array of shape (batch, steps, ...) for TimeDistributed", x)
        n, steps = x.shape[:2]
        if training:
            self._steps = steps
        y = self.layer.forward(x.reshape(n * steps, *x.shape[2:]), training=training)
        return y.reshape(n, steps, *y.shape[1:])

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._steps)
        n, steps = dy.shape[:2]
        folded = dy.reshape(n * steps, *dy.shape[2:])
        dx = self.layer.backward(folded, need_dx) if self.layer.params else \
            self.layer.backward(folded)
        return None if dx is None else dx.reshape(n, steps, *dx.shape[1:])

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": {"class_name": type(self.layer).__name__,
                                                  "config": self.layer.get_config()}}

    @classmethod
    def from_config(cls, config_: dict) -> "TimeDistributed":
        from . import LAYER_CLASSES

        config_ = dict(config_)
        spec = config_.pop("layer", None)
        if not isinstance(spec, dict) or spec.get("class_name") not in LAYER_CLASSES or \
                not isinstance(spec.get("config"), dict) or spec["class_name"] == "InputLayer":
            fail("layer", f"a spec of one of {sorted(LAYER_CLASSES)}", spec)
        return cls(LAYER_CLASSES[spec["class_name"]].from_config(spec["config"]), **config_)
