"""ONNX export: a numnet model (a Sequential or a functional graph) as an ONNX graph that ONNX
Runtime (or any ONNX consumer) runs with the same numbers.

A model of one input and one output has a float32 input "input" of shape (N, *input_shape)
with a dynamic batch axis N and an output "output"; a graph with several inputs or outputs
names them after the model's `input_names` and `output_names`. Each node becomes a few
standard ONNX operators (a shared layer's weights are stored once):

    Dense        MatMul, Add, then its activation     Dropout, SpatialDropout2D, GaussianNoise:
                                                      (nothing)
    Conv2D, MaxPooling2D, AveragePooling2D   Conv, MaxPool, AveragePool between Transposes
                 (ONNX is channels first)             Global*Pooling2D     ReduceMean, ReduceMax
    Rescaling    Mul, Add                             Flatten, Reshape         Flatten, Reshape
    BatchNormalization   Sub, Mul, Add (its moving statistics; inference)
    relu, sigmoid, tanh, softmax, elu, selu, softplus, leaky_relu: the ONNX operator of that name
    gelu: ½ x (1 + Erf(x/√2));  swish: x · Sigmoid(x);  ReLU with options: composed
    Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate: Sum, Sub, Mul, Mean,
    Max, Min, Concat;  Dot of (N, d) inputs: Mul, ReduceSum (after x / √max(Σx², ε²) with
    normalize)

The `onnx` package (optional extra `onnx`) builds and checks the model; numnet itself never
imports it.
"""

from __future__ import annotations

import math
import os

import numpy as np

from .._validation import fail
from ..files import atomic_write
from ..layers import (
    ELU,
    GELU,
    SELU,
    Activation,
    Add,
    Average,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    Dot,
    Dropout,
    Flatten,
    GaussianNoise,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    InputLayer,
    LeakyReLU,
    Linear,
    Maximum,
    MaxPooling2D,
    Minimum,
    Multiply,
    ReLU,
    Rescaling,
    Reshape,
    Sigmoid,
    Softmax,
    Softplus,
    Subtract,
    Swish,
    Tanh,
)
from ..ops import NumpyOps
from ..ops.numpy_conv import paddings

DEFAULT_OPSET = 17


class _Graph:
    """The nodes and initializers of the graph being built, with fresh tensor names."""

    def __init__(self, onnx, opset: int) -> None:
        self.onnx, self.opset, self.nodes, self.initializers, self._count = onnx, opset, [], [], 0
        self._constants: dict[str, str] = {}  # by hint: a shared layer's weights, once

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, hint: str, value: np.ndarray) -> str:
        """The initializer `hint` names (a layer's name and what the value is: the same hint
        is the same value, so a layer called twice stores its weights once)."""
        if hint not in self._constants:
            self._constants[hint] = self.name(hint)
            self.initializers.append(self.onnx.numpy_helper.from_array(
                np.asarray(value), self._constants[hint]))
        return self._constants[hint]

    def axes_node(self, op: str, x: str, hint: str, axes: list[int], keepdims: int) -> str:
        """A reduction over `axes` (an attribute before opset 18, an input from then on;
        ReduceSum's became an input at 13)."""
        if self.opset >= 18 or op == "ReduceSum":
            return self.node(op, [x, self.constant(f"{hint}_axes", np.array(axes))], hint,
                             keepdims=keepdims)
        return self.node(op, [x], hint, axes=axes, keepdims=keepdims)

    def node(self, op: str, inputs: list[str], hint: str, **attributes) -> str:
        output = self.name(hint)
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output,
                                                     **attributes))
        return output


def _activation(graph: _Graph, layer, x: str, hint: str) -> str:
    """The ONNX nodes of an activation layer applied to tensor `x`."""
    f32 = np.float32
    if isinstance(layer, Activation):
        return _activation(graph, layer.activation, x, hint)
    if type(layer) is ReLU and layer.plain:
        return graph.node("Relu", [x], hint)
    if type(layer) is LeakyReLU:
        return graph.node("LeakyRelu", [x], hint, alpha=layer.negative_slope)
    if type(layer) is ReLU:  # x above the threshold (capped), slope · (x - threshold) below
        threshold = graph.constant(f"{hint}_threshold", f32(layer.threshold))
        zero = graph.constant(f"{hint}_zero", f32(0))
        y = graph.node("Where", [graph.node("Greater", [x, threshold], hint), x, zero], hint)
        if layer.max_value is not None:
            y = graph.node("Min", [y, graph.constant(f"{hint}_max", f32(layer.max_value))], hint)
        if layer.negative_slope:
            below = graph.node("Relu", [graph.node("Sub", [threshold, x], hint)], hint)
            slope = graph.constant(f"{hint}_slope", f32(layer.negative_slope))
            y = graph.node("Sub", [y, graph.node("Mul", [below, slope], hint)], hint)
        return y
    simple = {Sigmoid: "Sigmoid", Tanh: "Tanh", Softplus: "Softplus"}
    if type(layer) in simple:
        return graph.node(simple[type(layer)], [x], hint)
    if isinstance(layer, Softmax):
        return graph.node("Softmax", [x], hint, axis=layer.axis)
    if type(layer) is ELU:
        return graph.node("Elu", [x], hint, alpha=layer.alpha)
    if type(layer) is SELU:
        return graph.node("Selu", [x], hint, alpha=NumpyOps.SELU_ALPHA, gamma=NumpyOps.SELU_SCALE)
    if type(layer) is Swish:
        return graph.node("Mul", [x, graph.node("Sigmoid", [x], hint)], hint)
    if type(layer) is GELU:
        erf = graph.node("Erf", [graph.node("Mul", [x, graph.constant(
            f"{hint}_inv_sqrt2", f32(1 / math.sqrt(2)))], hint)], hint)
        one_plus = graph.node("Add", [erf, graph.constant(f"{hint}_one", f32(1))], hint)
        half_x = graph.node("Mul", [x, graph.constant(f"{hint}_half", f32(0.5))], hint)
        return graph.node("Mul", [half_x, one_plus], hint)
    if type(layer) is Linear:
        return x
    raise ValueError(f"to_onnx cannot export the activation {type(layer).__name__} yet")


def _spatial(graph: _Graph, layer, x: str, hint: str) -> str:
    """Conv2D and pooling: ONNX's Conv, MaxPool and AveragePool work on (n, c, rows, cols),
    so the channels-last tensor is transposed in and out; paddings are numnet's (TensorFlow's)
    for the layer's input size, written out explicitly."""
    window = layer.kernel_size if isinstance(layer, Conv2D) else layer.pool_size
    dilation = layer.dilation_rate if isinstance(layer, Conv2D) else (1, 1)
    (top, bottom), (left, right) = (paddings(size, k, s, layer.padding, d) for size, k, s, d in
                                    zip(layer.input_shape[1:3], window, layer.strides, dilation))
    geometry = {"kernel_shape": list(window), "strides": list(layer.strides),
                "pads": [top, left, bottom, right]}
    nchw = graph.node("Transpose", [x], hint, perm=[0, 3, 1, 2])
    if isinstance(layer, Conv2D):
        weights = [graph.constant(f"{hint}_kernel", layer.kernel.transpose(3, 2, 0, 1))]
        if layer.use_bias:
            weights.append(graph.constant(f"{hint}_bias", layer.params["bias"]))
        y = graph.node("Conv", [nchw, *weights], hint, dilations=list(dilation), **geometry)
    elif isinstance(layer, MaxPooling2D):
        y = graph.node("MaxPool", [nchw], hint, **geometry)
    else:  # TensorFlow's average leaves the padding out of the count
        y = graph.node("AveragePool", [nchw], hint, count_include_pad=0, **geometry)
    y = graph.node("Transpose", [y], hint, perm=[0, 2, 3, 1])
    return _activation(graph, layer.activation, y, hint) if isinstance(layer, Conv2D) else y


def _layer(graph: _Graph, layer, x: str) -> str:
    """The ONNX nodes of one layer applied to tensor `x` -> the output tensor's name."""
    hint = layer.name
    if isinstance(layer, (Dropout, GaussianNoise, InputLayer)):  # the identity at inference
        return x
    if isinstance(layer, Dense):
        y = graph.node("MatMul", [x, graph.constant(f"{hint}_kernel", layer.kernel)], hint)
        if layer.bias is not None:
            y = graph.node("Add", [y, graph.constant(f"{hint}_bias", layer.bias)], hint)
        return _activation(graph, layer.activation, y, hint)
    if isinstance(layer, Rescaling):
        y = graph.node("Mul", [x, graph.constant(f"{hint}_scale", np.float32(layer.scale))], hint)
        return graph.node("Add", [y, graph.constant(f"{hint}_offset", np.float32(layer.offset))],
                          hint)
    if isinstance(layer, Flatten):
        return graph.node("Flatten", [x], hint, axis=1)
    if isinstance(layer, Reshape):
        shape = graph.constant(f"{hint}_shape", np.array([0, *layer.target_shape], np.int64))
        return graph.node("Reshape", [x, shape], hint)
    if isinstance(layer, (Conv2D, MaxPooling2D, AveragePooling2D)):
        return _spatial(graph, layer, x, hint)
    if isinstance(layer, BatchNormalization):  # inference: (x - moving_mean) · scale + beta
        beta = layer.params.get("beta")
        y = graph.node("Sub", [x, graph.constant(f"{hint}_mean", layer.state["moving_mean"])],
                       hint)
        y = graph.node("Mul", [y, graph.constant(f"{hint}_scale", layer.inference_scale())], hint)
        return y if beta is None else graph.node(
            "Add", [y, graph.constant(f"{hint}_beta", beta)], hint)
    if isinstance(layer, (GlobalAveragePooling2D, GlobalMaxPooling2D)):
        op = "ReduceMean" if type(layer) is GlobalAveragePooling2D else "ReduceMax"
        return graph.axes_node(op, x, hint, [1, 2], keepdims=0)
    if layer.output_activation() is layer or isinstance(layer, Activation):
        return _activation(graph, layer, x, hint)
    raise ValueError(f"to_onnx cannot export the layer {type(layer).__name__} yet")


_VARIADIC = {Add: "Sum", Average: "Mean", Maximum: "Max", Minimum: "Min"}


def _merge(graph: _Graph, layer, xs: list[str]) -> str:
    """The ONNX nodes of a merge layer applied to tensors `xs`."""
    hint = layer.name
    if type(layer) in _VARIADIC:
        return graph.node(_VARIADIC[type(layer)], xs, hint)
    if isinstance(layer, Subtract):
        return graph.node("Sub", xs, hint)
    if isinstance(layer, Multiply):
        y = xs[0]
        for x in xs[1:]:
            y = graph.node("Mul", [y, x], hint)
        return y
    if isinstance(layer, Concatenate):
        return graph.node("Concat", xs, hint, axis=layer.axis)
    if isinstance(layer, Dot) and all(len(s) == 2 for s in layer.input_shape):
        if layer.normalize:  # x · 1/√max(Σx², ε²), as Keras's ops.normalize
            floor = graph.constant(f"{hint}_eps2", np.float32(1e-7 * 1e-7))
            xs = [graph.node("Mul", [x, graph.node("Reciprocal", [graph.node("Sqrt", [
                graph.node("Max", [graph.axes_node("ReduceSumSquare", x, hint, [1], 1), floor],
                           hint)], hint)], hint)], hint) for x in xs]
        return graph.axes_node("ReduceSum", graph.node("Mul", xs, hint), hint, [1], keepdims=1)
    raise ValueError(f"to_onnx cannot export the layer {type(layer).__name__} "
                     f"({layer.name}) with inputs {layer.input_shape} yet")


def to_onnx(model, path: str | os.PathLike, opset: int = DEFAULT_OPSET):
    """Write `model` (built, float32) as an ONNX file at `path` (atomically) and return the
    onnx ModelProto. Needs the `onnx` package: pip install "numnet[onnx]"."""
    try:
        import onnx
        import onnx.helper
        import onnx.numpy_helper
    except ImportError:
        raise ImportError("to_onnx needs the onnx package: pip install 'numnet[onnx]'") from None
    model.require_built("ONNX graph")
    if model.dtype != "float32":
        fail("model", "a float32 model (ONNX export writes float32 weights)", model.dtype)
    if isinstance(opset, bool) or not isinstance(opset, int) or opset < 13:
        fail("opset", "an ONNX opset version of at least 13", opset)
    graph = _Graph(onnx, opset)
    single = len(model.inputs) == 1 and len(model.outputs) == 1
    input_names = ["input"] if single else model.input_names
    output_names = ["output"] if single else model.output_names
    names = {t.id: name for t, name in zip(model.inputs, input_names)}  # tensor -> ONNX name
    for node in model.nodes:
        if node.inputs:
            xs = [names[t.id] for t in node.inputs]
            names[node.outputs[0].id] = (_merge(graph, node.layer, xs) if node.list_input
                                         else _layer(graph, node.layer, xs[0]))
    for tensor, name in zip(model.outputs, output_names):
        graph.nodes.append(onnx.helper.make_node("Identity", [names[tensor.id]], [name],
                                                 name=name))
    elem = onnx.TensorProto.FLOAT
    inputs = [onnx.helper.make_tensor_value_info(name, elem, ["N", *t.shape[1:]])
              for t, name in zip(model.inputs, input_names)]
    outputs = [onnx.helper.make_tensor_value_info(name, elem, ["N", *t.shape[1:]])
               for t, name in zip(model.outputs, output_names)]
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(graph.nodes, model.name, inputs, outputs, graph.initializers),
        opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="numnet")
    onnx.checker.check_model(proto)
    with atomic_write(path) as handle:
        handle.write(proto.SerializeToString())
    return proto
