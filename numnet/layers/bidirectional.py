"""Bidirectional: a recurrent layer run over the steps both ways, its two outputs merged."""

from __future__ import annotations

import numpy as np

from .._validation import fail
from .base import Wrapper
from .recurrent import RNN

MERGE_MODES = ("concat", "sum", "mul", "ave")


class Joined(dict):
    """A wrapper's params (or grads): its inner layers' entries under prefixed keys. Setting
    an entry sets the inner layer's as well, so the views into a model's flat buffers reach
    the layers that compute with them."""

    def __init__(self, parts: list[tuple[str, dict]]) -> None:
        super().__init__()
        self._homes: dict[str, tuple[dict, str]] = {}
        for prefix, entries in parts:
            for key, value in entries.items():
                super().__setitem__(prefix + key, value)
                self._homes[prefix + key] = (entries, key)

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        super().__setitem__(key, value)
        entries, inner = self._homes[key]
        entries[inner] = value


class Bidirectional(Wrapper):
    """y = merge(forward(x), backward(x)): `layer` over the steps in order, and a copy of it
    (go_backwards=True) from the last step to the first, as Keras's Bidirectional. With
    return_sequences the backward outputs are put back in step order before merging.

    Args:
        layer: a SimpleRNN, LSTM or GRU (go_backwards=False); it is copied, not used itself.
        merge_mode: "concat" (default: the two side by side), "sum", "mul" or "ave".

    Input shape: (batch, steps, features). Output shape: the layer's, with 2·units features
    for "concat". Parameters: the forward layer's (forward_kernel, ...), then the backward
    layer's (backward_kernel, ...), in Keras's order. A mask goes to both; padded steps give
    zeros with return_sequences (Keras's zero_output_for_mask).
    """

    supports_masking = uses_mask = True

    def __init__(self, layer, merge_mode: str = "concat", backward_layer=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, RNN):
            fail("layer", "a recurrent layer (SimpleRNN, LSTM or GRU)", layer, TypeError)
        if layer.go_backwards:
            fail("layer", "a layer with go_backwards=False (the wrapper makes the backward "
                          "copy)", layer)
        if merge_mode not in MERGE_MODES:
            fail("merge_mode", f"one of {list(MERGE_MODES)} (None, two outputs, is not "
                               "supported yet)", merge_mode)
        if backward_layer is not None:
            fail("backward_layer", "None (numnet makes the backward layer from `layer`)",
                 backward_layer)
        self.merge_mode = merge_mode
        config = {**layer.get_config(), "dtype": self.dtype}
        base = layer.name.removeprefix("forward_")
        self.forward_layer = type(layer).from_config({**config, "name": f"forward_{base}"})
        self.backward_layer = type(layer).from_config(
            {**config, "name": f"backward_{base}", "go_backwards": True})
        for inner in self.sides:
            inner.zero_output_for_mask = inner.return_sequences
        self.return_sequences = layer.return_sequences
        self._outputs: tuple | None = None  # (forward, backward) of the last training call

    cache_attributes = ("_outputs",)

    @property
    def sides(self) -> tuple[RNN, RNN]:
        return self.forward_layer, self.backward_layer

    wrapped = sides

    def makes_mask(self, masked) -> bool:
        return self.return_sequences and masked

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = self.forward_layer.compute_output_shape(input_shape)
        return (*shape[:-1], 2 * shape[-1]) if self.merge_mode == "concat" else shape

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        shapes = self.forward_layer.param_shapes(input_shape)
        return {f"{side}_{key}": shape for side in ("forward", "backward")
                for key, shape in shapes.items()}

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        for inner in self.sides:
            inner.build(input_shape, rng)
        self.params = Joined([("forward_", self.forward_layer.params),
                              ("backward_", self.backward_layer.params)])
        self.grads = Joined([("forward_", self.forward_layer.grads),
                             ("backward_", self.backward_layer.grads)])
        super().build(input_shape, rng)

    # y = merge(f(x), flip(b(x)));  backward: dy split by the merge, each side's dx summed
    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        y = self.forward_layer.forward(x, training=training, mask=mask)
        y_back = self.backward_layer.forward(x, training=training, mask=mask)
        if self.return_sequences:
            y_back = y_back[:, ::-1]
        if training:
            self._outputs = (y, y_back)
        if self.merge_mode == "concat":
            return np.concatenate([y, y_back], axis=-1)
        if self.merge_mode == "sum":
            return y + y_back
        if self.merge_mode == "ave":
            return (y + y_back) / y.dtype.type(2)
        return y * y_back

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._outputs)
        y, y_back = self._outputs
        if self.merge_mode == "concat":
            units = y.shape[-1]
            d_forward, d_back = dy[..., :units], dy[..., units:]
        elif self.merge_mode == "sum":
            d_forward = d_back = dy
        elif self.merge_mode == "ave":
            d_forward = d_back = dy / dy.dtype.type(2)
        else:
            d_forward, d_back = dy * y_back, dy * y
        if self.return_sequences:
            d_back = d_back[:, ::-1]
        dx = self.forward_layer.backward(np.ascontiguousarray(d_forward), need_dx)
        dx_back = self.backward_layer.backward(np.ascontiguousarray(d_back), need_dx)
        return dx + dx_back if need_dx else None

    def get_config(self) -> dict:
        inner = self.forward_layer.get_config()
        inner.pop("zero_output_for_mask", None)
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": {"class_name": type(self.forward_layer).__name__, "config": inner}}

    @classmethod
    def from_config(cls, config_: dict) -> "Bidirectional":
        from . import GRU, LSTM, SimpleRNN

        config_ = dict(config_)
        spec = config_.pop("layer", None)
        classes = {c.__name__: c for c in (SimpleRNN, LSTM, GRU)}
        if not isinstance(spec, dict) or spec.get("class_name") not in classes or \
                not isinstance(spec.get("config"), dict):
            fail("layer", f"a spec of one of {sorted(classes)}", spec)
        return cls(classes[spec["class_name"]].from_config(spec["config"]), **config_)
