"""Recurrent layers: SimpleRNN, LSTM and GRU, with Keras's gates, weight layout and defaults.
Forward runs the cell over the steps; backward runs back through time (BPTT), each cell's
backward written beside its forward.

Every layer projects all steps' inputs at once (x W + b: one matrix product), then loops:

    forward:  for t in steps: state = cell(xW[:, t], state)        -> h_t
    backward: for t in reversed(steps): d(xW[:, t]), d(state) = cell'(dh_t + d(state))
              dW = xᵀ d(xW), db = Σ d(xW), dx = d(xW) Wᵀ

Weights (Keras's, so its arrays load with set_weights): kernel (features, gates·units),
recurrent_kernel (units, gates·units), bias (gates·units,); gate order i, f, c, o for LSTM,
z, r, h for GRU (whose bias is (2, 3·units) with reset_after: input and recurrent biases).
"""

from __future__ import annotations

import numpy as np

from .. import initializers
from .._validation import check_bool, check_fraction, check_positive_int, fail
from ..ops import get_ops
from .dropout import RandomLayer

# the cells' activations: the backend's ops (`relu`, `sigmoid`, `tanh`, each with a backward
# from its output y), and the identity
_POINTWISE = ("linear", "relu", "sigmoid", "tanh")


def _apply(name: str, x: np.ndarray) -> np.ndarray:
    return x if name == "linear" else getattr(get_ops(), name)(x)


def _apply_backward(name: str, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dx for y = name(x), given dL/dy."""
    return dy if name == "linear" else getattr(get_ops(), f"{name}_backward")(dy, y)


def _pointwise(argument: str, name) -> str:
    name = "linear" if name is None else name
    if name not in _POINTWISE:
        fail(argument, f"one of {sorted(_POINTWISE)}", name)
    return name


class RNN(RandomLayer):
    """What SimpleRNN, LSTM and GRU share: options, weights, the loops over the steps.
    A subclass gives `gates`, `cell_forward` and `cell_backward`.

    Input shape: (batch, steps, features).  Output shape: (batch, steps, units) with
    return_sequences, else (batch, units) (the last step's).
    """

    gates = 1
    default_recurrent_activation = None
    cache_attributes = ("_cache",)
    supports_masking = uses_mask = True  # a padded step keeps the state (and the output)

    def __init__(self, units: int, activation="tanh", recurrent_activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, seed=None, **kwargs) -> None:
        super().__init__(seed=seed, **kwargs)  # the generator of the dropout masks
        self.units = check_positive_int("units", units)
        self.activation = _pointwise("activation", activation)
        self.recurrent_activation = _pointwise(
            "recurrent_activation", recurrent_activation or self.default_recurrent_activation
            or "sigmoid")
        self.use_bias = check_bool("use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer, "kernel_initializer")
        self.recurrent_initializer = initializers.get(recurrent_initializer,
                                                      "recurrent_initializer")
        self.bias_initializer = initializers.get(bias_initializer, "bias_initializer")
        self.set_weight_penalties(kernel_regularizer=kernel_regularizer,
                                  recurrent_kernel_regularizer=recurrent_regularizer,
                                  bias_regularizer=bias_regularizer,
                                  kernel_constraint=kernel_constraint,
                                  recurrent_kernel_constraint=recurrent_constraint,
                                  bias_constraint=bias_constraint)
        self.dropout = check_fraction("dropout", dropout)
        self.recurrent_dropout = check_fraction("recurrent_dropout", recurrent_dropout)
        self._recurrent_mask: np.ndarray | None = None  # of the sequence being run
        for name, value in (("return_state", return_state), ("stateful", stateful)):
            if check_bool(name, value):
                fail(name, "False (not supported by numnet's recurrent layers yet)", value)
        self.return_sequences = check_bool("return_sequences", return_sequences)
        self.go_backwards = check_bool("go_backwards", go_backwards)
        self.unroll = check_bool("unroll", unroll)  # accepted for Keras's configs; no effect
        # a padded step's output: 0 (True; Bidirectional's layers) or the last real one's
        self.zero_output_for_mask = check_bool("zero_output_for_mask", zero_output_for_mask)
        self._cache: tuple | None = None

    # ---- shapes and weights ------------------------------------------------------------------
    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if len(input_shape) != 3 or input_shape[-1] is None:
            fail("input_shape", f"(batch, steps, features) for {type(self).__name__}",
                 tuple(input_shape))
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def param_shapes(self, input_shape: tuple) -> dict[str, tuple]:
        width = self.gates * self.units
        shapes = {"kernel": (input_shape[-1], width), "recurrent_kernel": (self.units, width)}
        if self.use_bias:
            shapes["bias"] = self.bias_shape()
        return shapes

    def initial_bias(self, rng: np.random.Generator) -> np.ndarray:
        return self.bias_initializer(self.bias_shape(), rng, self.dtype)

    def build(self, input_shape: tuple, rng: np.random.Generator) -> None:
        self.compute_output_shape(input_shape)
        shapes = self.param_shapes(input_shape)
        self.add_param("kernel", self.kernel_initializer(shapes["kernel"], rng, self.dtype))
        self.add_param("recurrent_kernel", self.recurrent_initializer(
            shapes["recurrent_kernel"], rng, self.dtype))
        if self.use_bias:
            self.add_param("bias", self.initial_bias(rng))
        super().build(input_shape, rng)

    def _dropout_mask(self, shape: tuple, rate: float, dtype) -> np.ndarray | None:
        """One mask per sequence (the same at every step, as Keras), or None."""
        if rate == 0:
            return None
        return get_ops().dropout_mask(self.next_key(), shape, rate, dtype)

    def dropped(self, h: np.ndarray) -> np.ndarray:
        """h as the recurrent product sees it: with recurrent dropout, h · its mask."""
        return h if self._recurrent_mask is None else h * self._recurrent_mask

    def dropped_backward(self, dh: np.ndarray) -> np.ndarray:
        return dh if self._recurrent_mask is None else dh * self._recurrent_mask

    def input_bias(self) -> np.ndarray | None:
        """The bias added to the input projection x W (all of it but GRU's recurrent one)."""
        return self.params.get("bias")

    def f(self, x):
        return _apply(self.activation, x)

    def f_backward(self, dy, y):
        return _apply_backward(self.activation, dy, y)

    def g(self, x):  # the recurrent (gate) activation
        return _apply(self.recurrent_activation, x)

    def g_backward(self, dy, y):
        return _apply_backward(self.recurrent_activation, dy, y)

    # ---- the loops ----------------------------------------------------------------------------
    def initial_state(self, n: int, dtype) -> tuple:
        return (np.zeros((n, self.units), dtype),)

    def makes_mask(self, masked) -> bool:
        return self.return_sequences and masked

    # with a mask m_t (batch,): state_t = m_t ? cell(x_t, state_{t-1}) : state_{t-1}, and the
    # output at step t is state_t's h; backward, a padded row's gradient passes on unchanged
    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        self._check_width(x)
        if x.ndim != 3:
            fail("x", f"an array of shape (batch, steps, {self.input_shape[-1]}) for layer "
                      f"'{self.name}'", x)
        steps = x[:, ::-1] if self.go_backwards else x
        input_mask = self._dropout_mask((len(x), 1, x.shape[-1]), self.dropout, x.dtype) \
            if training else None
        if input_mask is not None:  # dropout on the inputs: one mask for every step
            steps = steps * input_mask
        self._recurrent_mask = self._dropout_mask((len(x), self.units), self.recurrent_dropout,
                                                  x.dtype) if training else None
        if mask is not None:
            mask = (mask[:, ::-1] if self.go_backwards else mask)[:, :, None]
        projected = steps @ self.params["kernel"]
        bias = self.input_bias()
        if bias is not None:
            projected += bias
        outputs, caches = self.run_steps(projected, mask)
        if training:
            self._cache = (steps, caches, x.shape, mask, input_mask, self._recurrent_mask)
        return outputs if self.return_sequences else outputs[:, -1]

    def run_steps(self, projected: np.ndarray, mask) -> tuple[np.ndarray, object]:
        """The cell over the steps of projected (n, steps, gates·units) -> (the outputs
        (n, steps, units), what backward needs). A backend with fused loops (Numba) runs
        the ones that fit it: the same steps, one kernel pass per step."""
        fuse = getattr(get_ops(), "fused_steps", None)  # the reference runs the cells only
        fused = fuse(self, projected) if fuse is not None and mask is None else None
        if fused is not None:
            return fused[0][:, 1:], ("fused", *fused)
        state = self.initial_state(len(projected), projected.dtype)
        outputs, caches = [], []
        for t in range(projected.shape[1]):
            new_state, cache = self.cell_forward(projected[:, t], state)
            if mask is not None:
                new_state = tuple(np.where(mask[:, t], s, kept)
                                  for s, kept in zip(new_state, state))
            state = new_state
            outputs.append(np.where(mask[:, t], state[0], 0) if mask is not None and
                           self.zero_output_for_mask else state[0])
            caches.append(cache)
        return np.stack(outputs, axis=1), caches

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        self._require_cache(self._cache)
        steps, caches, shape, mask, input_mask, self._recurrent_mask = self._cache
        n, count, _ = shape
        for g in self.grads.values():
            g[...] = 0
        d_outputs = dy if self.return_sequences else np.zeros((n, count, self.units), dy.dtype)
        if not self.return_sequences:
            d_outputs[:, -1] = dy
        d_projected = self.run_steps_backward(d_outputs, caches, mask)
        flat = d_projected.reshape(-1, d_projected.shape[-1])
        self.grads["kernel"][...] = steps.reshape(-1, steps.shape[-1]).T @ flat
        if self.use_bias:
            self.add_input_bias_gradient(flat.sum(axis=0))
        if not need_dx:
            return None
        dx = d_projected @ self.params["kernel"].T
        if input_mask is not None:
            dx *= input_mask
        return dx[:, ::-1] if self.go_backwards else dx

    def run_steps_backward(self, d_outputs: np.ndarray, caches, mask) -> np.ndarray:
        """Back through the steps, given dL/d(outputs) (n, steps, units) -> dL/d(projected)
        (n, steps, gates·units); the cells add their recurrent kernel's gradient."""
        if isinstance(caches, tuple) and caches[0] == "fused":
            return get_ops().fused_steps_backward(self, d_outputs, *caches[1:])
        n, count, _ = d_outputs.shape
        d_projected = np.empty((n, count, self.gates * self.units), d_outputs.dtype)
        d_state = tuple(np.zeros_like(s) for s in self.initial_state(n, d_outputs.dtype))
        for t in range(count - 1, -1, -1):
            dy_t = d_outputs[:, t]
            if mask is not None and self.zero_output_for_mask:
                dy_t = np.where(mask[:, t], dy_t, 0)  # a zero output passes no gradient
            d_full = (d_state[0] + dy_t, *d_state[1:])
            if mask is None:
                d_projected[:, t], d_state = self.cell_backward(d_full, caches[t])
                continue
            real = mask[:, t]
            d_projected[:, t], d_cell = self.cell_backward(
                tuple(np.where(real, d, 0) for d in d_full), caches[t])
            d_state = tuple(c + np.where(real, 0, d) for c, d in zip(d_cell, d_full))
        return d_projected

    def add_input_bias_gradient(self, gradient: np.ndarray) -> None:
        self.grads["bias"] += gradient

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "recurrent_activation": self.recurrent_activation, "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "return_sequences": self.return_sequences, "go_backwards": self.go_backwards,
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                **({"zero_output_for_mask": True} if self.zero_output_for_mask else {}),
                **{key.replace("recurrent_kernel", "recurrent"): value for key, value in
                   self.weight_penalty_config().items()}}


class SimpleRNN(RNN):
    """h_t = activation(x_t W + h_{t-1} U + b). Arguments as Keras's SimpleRNN (no
    recurrent_activation)."""

    def __init__(self, units: int, activation="tanh", **kwargs) -> None:
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    # a = xW_t + h U;  h' = f(a)
    def cell_forward(self, xw, state):
        h = self.dropped(state[0])
        h_new = self.f(xw + h @ self.params["recurrent_kernel"])
        return (h_new,), (h, h_new)

    def cell_backward(self, d_state, cache):
        h, h_new = cache
        da = self.f_backward(d_state[0], h_new)
        self.grads["recurrent_kernel"] += h.T @ da
        return da, (self.dropped_backward(da @ self.params["recurrent_kernel"].T),)

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.pop("recurrent_activation")
        return config_


class LSTM(RNN):
    """Long short-term memory: gates i, f, o = σ(·), candidate c̃ = tanh(·) from
    x_t W + h_{t-1} U + b (in that order i, f, c, o); c_t = f c_{t-1} + i c̃,
    h_t = o tanh(c_t). unit_forget_bias=True (Keras's default) starts the forget bias at 1."""

    gates = 4
    default_recurrent_activation = "sigmoid"

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = check_bool("unit_forget_bias", unit_forget_bias)

    def initial_bias(self, rng):
        if not self.unit_forget_bias:
            return super().initial_bias(rng)
        u = self.units
        return np.concatenate([self.bias_initializer((u,), rng, self.dtype),
                               np.ones(u, self.dtype),
                               self.bias_initializer((2 * u,), rng, self.dtype)])

    def initial_state(self, n, dtype):
        return (np.zeros((n, self.units), dtype), np.zeros((n, self.units), dtype))

    # z = xW_t + h U;  i, f, o = g(z_i, z_f, z_o), c̃ = f(z_c);  c' = f c + i c̃;  h' = o f(c')
    def cell_forward(self, xw, state):
        h, c = self.dropped(state[0]), state[1]
        u = self.units
        z = xw + h @ self.params["recurrent_kernel"]
        i, f, o = self.g(z[:, :u]), self.g(z[:, u:2 * u]), self.g(z[:, 3 * u:])
        candidate = self.f(z[:, 2 * u:3 * u])
        c_new = f * c + i * candidate
        squashed = self.f(c_new)
        h_new = o * squashed
        return (h_new, c_new), (h, c, i, f, o, candidate, squashed)

    def cell_backward(self, d_state, cache):
        dh, dc_next = d_state
        h, c, i, f, o, candidate, squashed = cache
        do = dh * squashed
        dc = dc_next + self.f_backward(dh * o, squashed)
        dz = np.concatenate([self.g_backward(dc * candidate, i), self.g_backward(dc * c, f),
                             self.f_backward(dc * i, candidate), self.g_backward(do, o)],
                            axis=1)
        self.grads["recurrent_kernel"] += h.T @ dz
        return dz, (self.dropped_backward(dz @ self.params["recurrent_kernel"].T), dc * f)

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(RNN):
    """Gated recurrent unit: update z and reset r = σ(·), candidate h̃ = tanh(·), gates in
    the order z, r, h; h_t = z h_{t-1} + (1 - z) h̃. reset_after=True (Keras's default):
    h̃ = tanh(x W_h + b_h + r (h U_h + b'_h)), with a second, recurrent bias (bias is
    (2, 3·units)); False: h̃ = tanh(x W_h + (r h) U_h + b_h)."""

    gates = 3
    default_recurrent_activation = "sigmoid"

    def __init__(self, units: int, reset_after: bool = True, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = check_bool("reset_after", reset_after)

    def bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_bias(self):
        bias = self.params.get("bias")
        return bias[0] if bias is not None and self.reset_after else bias

    def add_input_bias_gradient(self, gradient):
        if self.reset_after:
            self.grads["bias"][0] += gradient
        else:
            self.grads["bias"] += gradient

    def cell_forward(self, xw, state):
        (h,) = state
        hd = self.dropped(h)  # what the recurrent products see
        u, kernel = self.units, self.params["recurrent_kernel"]
        if self.reset_after:
            m = hd @ kernel
            if self.use_bias:
                m += self.params["bias"][1]
            z = self.g(xw[:, :u] + m[:, :u])
            r = self.g(xw[:, u:2 * u] + m[:, u:2 * u])
            candidate = self.f(xw[:, 2 * u:] + r * m[:, 2 * u:])
            cache = (h, hd, z, r, candidate, m[:, 2 * u:])
        else:
            m = hd @ kernel[:, :2 * u]
            z = self.g(xw[:, :u] + m[:, :u])
            r = self.g(xw[:, u:2 * u] + m[:, u:])
            candidate = self.f(xw[:, 2 * u:] + (r * hd) @ kernel[:, 2 * u:])
            cache = (h, hd, z, r, candidate, None)
        h_new = z * h + (1 - z) * candidate
        return (h_new,), cache

    def cell_backward(self, d_state, cache):
        (dh,) = d_state
        h, hd, z, r, candidate, m_h = cache
        u, kernel = self.units, self.params["recurrent_kernel"]
        da_z = self.g_backward(dh * (h - candidate), z)
        da_h = self.f_backward(dh * (1 - z), candidate)
        dh_prev = dh * z
        if self.reset_after:
            da_r = self.g_backward(da_h * m_h, r)
            dm = np.concatenate([da_z, da_r, da_h * r], axis=1)
            self.grads["recurrent_kernel"] += hd.T @ dm
            if self.use_bias:
                self.grads["bias"][1] += dm.sum(axis=0)
            dh_prev = dh_prev + self.dropped_backward(dm @ kernel.T)
        else:
            d_rh = da_h @ kernel[:, 2 * u:].T
            self.grads["recurrent_kernel"][:, 2 * u:] += (r * hd).T @ da_h
            da_r = self.g_backward(d_rh * hd, r)
            dm = np.concatenate([da_z, da_r], axis=1)
            self.grads["recurrent_kernel"][:, :2 * u] += hd.T @ dm
            dh_prev = dh_prev + self.dropped_backward(d_rh * r + dm @ kernel[:, :2 * u].T)
        return np.concatenate([da_z, da_r, da_h], axis=1), (dh_prev,)

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}
