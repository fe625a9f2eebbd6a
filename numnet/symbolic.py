"""Symbolic tensors and nodes: what calling a layer on `numnet.Input(...)` records.

    x = numnet.Input(shape=(8,))        a SymbolicTensor made by an InputLayer (node 0)
    h = layers.Dense(16)(x)             Dense builds for x.shape, records Node(dense, [x]),
                                        and returns the node's output tensor h

A tensor knows the node that made it (`tensor.node`) and which of the node's outputs it is;
a node knows its layer, its input tensors and whether the layer was called on a list. That is
the whole graph: numnet.models.Model walks it back from the outputs to the inputs
(`topological_nodes`), and the runner executes the nodes in that order. No arrays live here.

This module sits below `layers` (a layer's __call__ records nodes) and `models` (a Model is
made of them), as Keras keeps KerasTensor and Node below its layers.
"""

from __future__ import annotations

import itertools

_tensor_ids = itertools.count()


class SymbolicTensor:
    """A placeholder for a batch: its shape (batch axis first, None where unknown) and dtype.

    Made by `numnet.Input` and by calling a layer on symbolic tensors; used to define a
    Model. It holds no values: `model.predict` computes them.
    """

    def __init__(self, shape: tuple, dtype: str, node: Node | None = None,
                 index: int = 0, name: str | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index  # which of the node's outputs
        self.id = next(_tensor_ids)
        self.name = name or f"symbolic_tensor_{self.id}"

    @property
    def layer(self):
        """The layer whose call made this tensor (an InputLayer for numnet.Input)."""
        return self.node.layer

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        layer = self.node.layer.name if self.node is not None else None
        return (f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}, made by layer {layer!r}>")

    def __array__(self, *args, **kwargs):
        raise TypeError(f"A symbolic tensor holds no values, so it cannot become an array: "
                        f"build a numnet.Model from it and call model.predict(x). "
                        f"Received: {self!r}")


class Node:
    """One call of a layer on symbolic tensors: `layer`, `inputs` (a list of tensors; the
    layer got a list when `list_input`), `outputs` (a list of tensors)."""

    def __init__(self, layer, inputs: list[SymbolicTensor], list_input: bool) -> None:
        self.layer = layer
        self.inputs = list(inputs)
        self.list_input = list_input
        self.outputs: list[SymbolicTensor] = []

    @property
    def parents(self) -> list[Node]:
        return [t.node for t in self.inputs]

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}({', '.join(t.name for t in self.inputs)})>"


def is_symbolic(value: object) -> bool:
    """Whether `value` is a SymbolicTensor or a non-empty list/tuple holding one."""
    if isinstance(value, SymbolicTensor):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(v, SymbolicTensor)
                                                    for v in value)


def flatten_structure(value: object, argument: str) -> tuple[list[SymbolicTensor], object]:
    """A tensor, a list/tuple of tensors or a dict name -> tensor, as (the tensors in order,
    the structure: None for one tensor, "list", or the dict's keys)."""
    if isinstance(value, SymbolicTensor):
        return [value], None
    if isinstance(value, dict):
        tensors, keys = list(value.values()), list(value.keys())
        structure = keys
    elif isinstance(value, (list, tuple)):
        tensors, structure = list(value), "list"
    else:
        raise TypeError(f"{argument} must be a symbolic tensor (from numnet.Input or a layer "
                        f"call), a list of them or a dict of them. Received: {argument}="
                        f"{type(value).__name__}")
    if not tensors:
        raise ValueError(f"{argument} must hold at least one tensor. Received: {argument}=[]")
    for position, tensor in zip(structure if isinstance(structure, list) else
                                range(len(tensors)), tensors):
        if not isinstance(tensor, SymbolicTensor):
            raise TypeError(f"{argument}[{position!r}] must be a symbolic tensor (from "
                            f"numnet.Input or a layer call). Received: "
                            f"{type(tensor).__name__}")
    return tensors, structure


def topological_nodes(inputs: list[SymbolicTensor],
                      outputs: list[SymbolicTensor]) -> list[Node]:
    """The nodes that compute `outputs` from `inputs`, each after the nodes it reads from:
    depth first from each output in turn, a node's inputs in order (Keras's order of
    `model.layers`, which its weight files rely on); inputs no output reads come last.
    Raises a ValueError naming the tensor when an output depends on a tensor that is not
    among the inputs."""
    given = {t.id for t in inputs}
    for tensor in inputs:
        if tensor.node is None or tensor.node.inputs:
            raise ValueError(f"inputs must be tensors made by numnet.Input(...). Received: "
                             f"{tensor!r}")
    order: list[Node] = []
    done: set[int] = set()

    def disconnected(reader: str, tensor: SymbolicTensor) -> ValueError:
        return ValueError(
            f"Graph disconnected: {reader} {tensor.name} (from layer '{tensor.node.layer.name}'"
            f"), which is not among the model's inputs {[t.name for t in inputs]}; pass it in "
            f"inputs=[...]")

    for output in outputs:
        if id(output.node) in done:
            continue
        if not output.node.inputs and output.id not in given:
            raise disconnected("an output is", output)
        stack = [(output.node, iter(output.node.inputs))]
        while stack:
            current, pending = stack[-1]
            tensor = next(pending, None)
            if tensor is None:
                stack.pop()
                if id(current) not in done:
                    done.add(id(current))
                    order.append(current)
                continue
            parent = tensor.node
            if id(parent) in done:
                continue
            if not parent.inputs and tensor.id not in given:
                raise disconnected(f"layer '{current.layer.name}' reads", tensor)
            stack.append((parent, iter(parent.inputs)))
    for tensor in inputs:  # an input no output reads
        if id(tensor.node) not in done:
            done.add(id(tensor.node))
            order.append(tensor.node)
    return order


def shapes_only(implied: dict[str, dict]):
    """The call for a walk of a saved graph with shapes instead of tensors (a file's weights
    are checked against it before anything is allocated): an Input's value is its shape, a
    node's the layer's output shape; each layer's weight shapes for its first call go into
    `implied` (layer name -> {weight: shape})."""
    def call(layer, read: list, listed: bool):
        if not read:
            return layer.input_shape
        shape = read if listed else read[0]
        implied.setdefault(layer.name, layer.weight_shapes(shape))
        return layer.compute_output_shape(shape)

    return call
