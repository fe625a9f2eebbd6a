"""The layer protocol: configuration, parameters, gradients, and the cache of the last
training forward. A layer never owns an optimizer and never updates its own weights."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import numpy as np

from .. import config, constraints, regularizers
from .._validation import check_bool, fail
from ..symbolic import Node, SymbolicTensor, is_symbolic

Shape = tuple  # tuple[int | None, ...], batch axis first

_name_counters: dict[str, itertools.count] = defaultdict(itertools.count)


def snake_case(name: str) -> str:
    """Keras's layer-name rule: Dense -> dense, Conv2D -> conv2d, MaxPooling2D ->
    max_pooling2d, ReLU -> re_lu."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """Keras-style names: dense, dense_1, dense_2, ... within this process."""
    index = next(_name_counters[prefix])
    return prefix if index == 0 else f"{prefix}_{index}"


class Layer:
    """Base class. Subclasses implement `build`, `forward`, `backward` and `get_config`.

    Attributes:
        params: ordered dict of parameter arrays, e.g. {"kernel": (in, units), "bias": (units,)};
            updated in place by the optimizer.
        grads: same keys, shapes and dtype; OVERWRITTEN by each `backward`.
        state: arrays the layer updates itself, not the optimizer (BatchNormalization's moving
            statistics; Keras's non-trainable weights); saved and counted with the params.
        declared_input_shape: the `input_shape=` given to the constructor (without the batch
            axis), or None.
        trainable: False freezes the parameters: the optimizer leaves them as they are.
        rng: the generator of a layer that draws random numbers (Dropout), else None.

    Layers with parameters also take `backward(dy, need_dx=False)`, which writes the grads
    and skips dL/dx (a model's first trainable layer has no use for it).
    """

    rng: np.random.Generator | None = None
    input_dtype: str | None = None  # what a Sequential's Input gives this layer first (None:
    # the layer's dtype; Embedding: "int32", its word indices)
    takes_list_input = False  # merge layers: called on a list of tensors, backward -> a list
    # what forward(training=True) keeps for backward, as attribute names: the runner saves
    # and restores it around each call of a layer used at several nodes (shared layers)
    cache_attributes: tuple[str, ...] = ()
    # masks (Keras's): a boolean (batch, steps) array beside a tensor saying which steps are
    # real. A layer that supports masking hands its input's mask on unchanged, unless
    # `compute_mask` says otherwise; one that uses a mask takes it in forward(x, mask=...).
    supports_masking = False
    uses_mask = False

    def makes_mask(self, masked: bool | list[bool]) -> bool:
        """Whether the output carries a mask, given which inputs do (a list for a layer
        called on a list)."""
        return self.supports_masking and (all(masked) if isinstance(masked, list) else masked)

    def compute_mask(self, inputs, mask):
        """The output's mask from the inputs and their mask(s) (None where there is none);
        called only where `makes_mask` says there is one."""
        return mask

    def __init__(self, *, name: str | None = None, dtype: str | None = None,
                 input_shape: tuple | None = None, trainable: bool = True) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            fail("name", "a non-empty string", name, TypeError)
        self.trainable = check_bool("trainable", trainable)
        if dtype is not None and dtype not in ("float32", "float64"):
            fail("dtype", "'float32' or 'float64'", dtype)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = dtype or config.floatx()
        self.input_shape: Shape | None = None
        self.declared_input_shape = None
        if input_shape is not None:
            self.declared_input_shape = check_input_shape("input_shape", input_shape)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.built = False
        self.inbound_nodes: list[Node] = []  # one per call on symbolic tensors

    # ---- building ------------------------------------------------------------------------
    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        """Create parameters for inputs of `input_shape` (batch axis first, may be None)."""
        self.compute_output_shape(input_shape)  # a layer's shape rules check its inputs
        self.input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    @property
    def output_shape(self) -> Shape:
        if self.input_shape is None:
            raise RuntimeError(f"{self.name} is not built yet, so it has no output shape")
        return self.compute_output_shape(self.input_shape)

    def param_shapes(self, input_shape: Shape) -> dict[str, tuple]:
        """The shapes `build(input_shape)` would give `params`, without allocating them."""
        return {}

    def state_shapes(self, input_shape: Shape) -> dict[str, tuple]:
        """The shapes `build(input_shape)` would give `state`."""
        return {}

    def weight_shapes(self, input_shape: Shape) -> dict[str, tuple]:
        """The shapes of `weights` (params, then state) for inputs of `input_shape`."""
        return {**self.param_shapes(input_shape), **self.state_shapes(input_shape)}

    def add_param(self, key: str, value: np.ndarray) -> np.ndarray:
        """Register parameter `key` and a zeroed gradient buffer of the same shape and dtype."""
        self.params[key] = value
        self.grads[key] = np.zeros_like(value)
        return value

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """Every array the layer saves, in Keras's order: the params, then the state."""
        return {**self.params, **self.state} if self.state else self.params

    def count_params(self) -> int:
        """Parameters and state values (Keras counts non-trainable weights too)."""
        return int(sum(p.size for p in self.weights.values()))

    # ---- computing -----------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Return y for a batch x; when training, keep what backward needs."""
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Given dL/dy, write dL/dparam into self.grads and return dL/dx."""
        raise NotImplementedError

    def __call__(self, inputs, training: bool = False):
        """On symbolic tensors (numnet.Input(...) or another layer's output): build for their
        shapes, record a node and return its output tensor, as Keras's functional API does.
        On arrays: build for their shapes if needed, then forward(inputs, training)."""
        if is_symbolic(inputs):
            return self._call_symbolic(inputs)
        shape = self._call_shapes(inputs)
        if not self.built:
            self.build(shape, config.random_generator())
        return self.forward(inputs, training=training)

    def _call_shapes(self, inputs) -> tuple | list[tuple]:
        """The shapes of the arrays a layer is called on (a list for a merge layer), or a
        TypeError naming what was received instead."""
        what = ("a list of symbolic tensors or of arrays" if self.takes_list_input
                else "a symbolic tensor (from numnet.Input or a layer call) or an array")
        if self.takes_list_input:
            if not isinstance(inputs, (list, tuple)) or not all(
                    isinstance(x, np.ndarray) for x in inputs):
                _refuse_call(self, what, inputs)
            return [x.shape for x in inputs]
        if not isinstance(inputs, np.ndarray):
            _refuse_call(self, what, inputs)
        return inputs.shape

    def _call_symbolic(self, inputs) -> SymbolicTensor:
        """Record one call of this layer on symbolic tensors -> its output tensor."""
        listed = isinstance(inputs, (list, tuple))
        tensors = list(inputs) if listed else [inputs]
        if listed != self.takes_list_input or not all(
                isinstance(t, SymbolicTensor) for t in tensors):
            what = ("a list of symbolic tensors" if self.takes_list_input
                    else "one symbolic tensor (not a list)")
            _refuse_call(self, what, inputs)
        shape = [t.shape for t in tensors] if listed else tensors[0].shape
        if not self.built:
            self.build(shape, config.random_generator())
        elif not listed and tuple(self.input_shape[1:]) != tuple(shape[1:]):
            raise ValueError(f"Layer '{self.name}' was built for inputs {self.input_shape}, "
                             f"but receives {shape}")
        node = Node(self, tensors, listed)
        node.outputs = [SymbolicTensor(self.compute_output_shape(shape), self.dtype, node, 0)]
        self.inbound_nodes.append(node)
        return node.outputs[0]

    @property
    def input(self) -> SymbolicTensor | list[SymbolicTensor]:
        """The input tensor(s) of the layer's first call on symbolic tensors (as Keras)."""
        node = self._first_node("input")
        return node.inputs if node.list_input else node.inputs[0]

    @property
    def output(self) -> SymbolicTensor:
        """The output tensor of the layer's first call on symbolic tensors (as Keras)."""
        return self._first_node("output").outputs[0]

    def _first_node(self, what: str) -> Node:
        if not self.inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a symbolic "
                                 f"tensor, so it has no {what}. Call it on numnet.Input(...) "
                                 "or another layer's output first")
        return self.inbound_nodes[0]

    # ---- the cache of a training forward, for layers called at several nodes --------------
    def save_cache(self) -> tuple:
        """What the last forward(training=True) kept for backward (see `cache_attributes`)."""
        return tuple(getattr(self, name, None) for name in self.cache_attributes)

    def restore_cache(self, cache: tuple) -> None:
        """Make `cache` (from save_cache) the one backward uses."""
        for name, value in zip(self.cache_attributes, cache):
            setattr(self, name, value)

    # ---- penalties and constraints (Keras's regularizers and constraints) -------------------
    has_penalties = False  # a regularizer on the parameters or on the output
    has_activity_penalty = False  # a regularizer on the output: backward must see its gradient
    has_constraints = False
    regularizers: dict = {}  # parameter name -> Regularizer or None
    constraints: dict = {}  # parameter name -> Constraint or None

    def set_weight_penalties(self, **arguments) -> None:
        """Keras's `<param>_regularizer` and `<param>_constraint` arguments, by keyword:
        kernel_regularizer=..., bias_constraint=... (BatchNormalization: gamma_..., beta_...)."""
        self.regularizers, self.constraints = {}, {}
        for argument, value in arguments.items():
            key, kind = argument.rsplit("_", 1)
            if kind == "regularizer":
                self.regularizers[key] = regularizers.get(value, argument)
            else:
                self.constraints[key] = constraints.get(value, argument)
        self.has_penalties = any(self.regularizers.values())
        self.has_constraints = any(self.constraints.values())

    def weight_penalty_config(self) -> dict:
        return {f"{key}_regularizer": regularizers.serialize(reg)
                for key, reg in self.regularizers.items()} | {
                f"{key}_constraint": constraints.serialize(constraint)
                for key, constraint in self.constraints.items()}

    # penalty = Σ reg(param)  ->  grads[param] += reg'(param);  constraint: param <- c(param)
    def regularization_loss(self) -> float:
        """What this layer adds to the loss: penalties on its (trainable) parameters (and,
        for layers with an activity regularizer, on its output of the last forward)."""
        if not self.trainable:
            return 0.0
        return sum(reg.penalty(self.params[key]) for key, reg in self.regularizers.items()
                   if reg is not None and key in self.params)

    def add_regularization_gradients(self) -> None:
        """Add the gradients of the parameter penalties to `grads` (after backward)."""
        if not self.trainable:
            return
        for key, reg in self.regularizers.items():
            if reg is not None and key in self.params:
                self.grads[key] += reg.gradient(self.params[key])

    def apply_constraints(self) -> None:
        """Project the parameters onto their constraints (after each optimizer update)."""
        for key, constraint in self.constraints.items():
            if constraint is not None and key in self.params:
                self.params[key][...] = constraint(self.params[key])

    # ---- the output activation, for a loss's gradient with respect to the logits -----------
    def output_activation(self) -> Layer | None:
        """The activation layer this layer ends with (Dense's `activation`, an activation
        layer itself), or None. A loss may then skip it in backward: see `Loss.logits_gradient`."""
        return None

    def forward_with_logits(self, x: np.ndarray,
                            training: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """forward(x, training) and the logits z, the input of `output_activation()` (None
        when there is none): a model's loss may be computed from them."""
        return self.forward(x, training=training), None

    has_logits_forward = False  # forward_logits exists: a loss may make the output itself

    def forward_logits(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """z, the input of `output_activation()`, without the activation (a loss that takes
        logits computes it); keeps what `backward_from_logits` needs."""
        raise NotImplementedError(f"{type(self).__name__} has no forward_logits")

    def backward_from_logits(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """backward given dL/dz, z being the input of `output_activation()`."""
        raise NotImplementedError(f"{type(self).__name__} has no output activation")

    def _require_cache(self, value: object) -> None:
        if value is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() called before forward(x, training=True)"
            )

    def _check_width(self, x: np.ndarray) -> None:
        """Raise a clear error when x's feature width differs from the built input width."""
        expected = self.input_shape[-1] if self.input_shape else None
        if expected is not None and (x.ndim < 2 or x.shape[-1] != expected):
            raise ValueError(
                f"Input to layer '{self.name}' must have shape (batch, {expected}). "
                f"Received: x with shape {x.shape}"
            )

    # ---- weights -------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        return [p.copy() for p in self.weights.values()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy `weights` (same order and shapes as `weights`) into the layer, in place."""
        if len(weights) != len(self.weights):
            raise ValueError(
                f"Layer '{self.name}' expects {len(self.weights)} weight arrays. "
                f"Received: {len(weights)}"
            )
        for (key, param), value in zip(self.weights.items(), weights):
            value = np.asarray(value)
            if value.shape != param.shape:
                raise ValueError(
                    f"Weight '{key}' of layer '{self.name}' must have shape {param.shape}. "
                    f"Received: shape {value.shape}"
                )
            param[...] = value

    # ---- configuration -------------------------------------------------------------------
    def get_config(self) -> dict:
        """JSON-able constructor arguments."""
        config_ = {"name": self.name, "dtype": self.dtype}
        if not self.trainable:
            config_["trainable"] = False
        if self.declared_input_shape is not None:
            config_["input_shape"] = list(self.declared_input_shape)
        return config_

    @classmethod
    def from_config(cls, config_: dict) -> "Layer":
        return cls(**config_)

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.get_config().items() if k not in ("dtype",)}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args})"


class Wrapper(Layer):
    """A layer made of other layers (Bidirectional, TimeDistributed): their penalties,
    constraints and caches are its own. A subclass gives `wrapped`, the layers inside."""

    @property
    def wrapped(self) -> tuple[Layer, ...]:
        raise NotImplementedError

    @property
    def has_penalties(self) -> bool:
        return any(inner.has_penalties for inner in self.wrapped)

    @property
    def has_constraints(self) -> bool:
        return any(inner.has_constraints for inner in self.wrapped)

    def regularization_loss(self) -> float:
        if not self.trainable:
            return 0.0
        return sum(inner.regularization_loss() for inner in self.wrapped)

    def add_regularization_gradients(self) -> None:
        if self.trainable:
            for inner in self.wrapped:
                inner.add_regularization_gradients()

    def apply_constraints(self) -> None:
        for inner in self.wrapped:
            inner.apply_constraints()

    def save_cache(self) -> tuple:
        return super().save_cache(), *(inner.save_cache() for inner in self.wrapped)

    def restore_cache(self, cache: tuple) -> None:
        super().restore_cache(cache[0])
        for inner, part in zip(self.wrapped, cache[1:]):
            inner.restore_cache(part)


def _refuse_call(layer: Layer, expected: str, value: object) -> None:
    """The TypeError for a layer called on something it cannot take."""
    if isinstance(value, Layer):
        received = (f"the layer '{value.name}' ({type(value).__name__}); call a layer on the "
                    "tensor another layer's call returned (or on layer.output), not on the "
                    "layer itself")
    elif isinstance(value, (list, tuple)):
        received = f"a {type(value).__name__} of {[type(v).__name__ for v in value]}"
    else:
        received = f"a {type(value).__name__}"
    raise TypeError(f"Layer '{layer.name}' must be called on {expected}. Received: {received}")


def check_input_shape(name: str, shape: object) -> tuple:
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape or not all(
        (isinstance(d, int) and not isinstance(d, bool) and d > 0) or d is None for d in shape
    ):
        fail(name, "a non-empty tuple of positive integers (without the batch axis)", shape)
    return tuple(shape)
