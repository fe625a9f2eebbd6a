"""Functional graphs built the same way with Keras and with numnet, for the golden values in
graphs.json (made by make_graph_golden.py, read by tests/test_graph_parity.py).

Each maker takes `K`, a module with `Input`, `Model` and `layers` (keras, or numnet), and
returns (model, compile arguments). Every layer is named, so weights travel by name.
"""

import numpy as np


def chain(K):
    x = K.Input((6,), name="x")
    h = K.layers.Dense(5, activation="relu", name="hidden")(x)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def residual(K):
    x = K.Input((6,), name="x")
    h = K.layers.Dense(5, activation="tanh", name="stem")(x)
    r = K.layers.Dense(5, activation="relu", name="branch")(h)
    h = K.layers.Add(name="add")([h, r])
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def two_inputs_concatenate(K):
    a, b = K.Input((4,), name="a"), K.Input((3,), name="b")
    h = K.layers.Concatenate(name="join")([K.layers.Dense(5, activation="relu", name="da")(a), b])
    return K.Model([a, b], K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy", "metrics": ["accuracy"]}


def two_outputs_dict(K):
    x = K.Input((5,), name="x")
    h = K.layers.Dense(6, activation="relu", name="trunk")(x)
    cls = K.layers.Dense(3, activation="softmax", name="cls")(h)
    reg = K.layers.Dense(2, name="reg")(h)
    return K.Model(x, {"cls": cls, "reg": reg}), {
        "loss": {"cls": "categorical_crossentropy", "reg": "mse"},
        "loss_weights": {"cls": 1.0, "reg": 0.5},
        "metrics": {"cls": ["accuracy"], "reg": ["mae"]}}


def shared_subtract(K):
    a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
    shared = K.layers.Dense(3, activation="tanh", name="shared")
    distance = K.layers.Subtract(name="distance")([shared(a), shared(b)])
    return K.Model([a, b], K.layers.Dense(1, activation="sigmoid", name="out")(distance)), {
        "loss": "binary_crossentropy"}


def multiply_average(K):
    x = K.Input((4,), name="x")
    d1 = K.layers.Dense(3, name="d1")(x)
    d2 = K.layers.Dense(3, activation="relu", name="d2")(x)
    h = K.layers.Concatenate(name="join")([K.layers.Multiply(name="product")([d1, d2]),
                                           K.layers.Average(name="mean")([d1, d2])])
    return K.Model(x, K.layers.Dense(2, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy"}


def maximum_minimum(K):
    x = K.Input((4,), name="x")
    d1, d2 = K.layers.Dense(3, name="d1")(x), K.layers.Dense(3, name="d2")(x)
    h = K.layers.Concatenate(name="join")([K.layers.Maximum(name="high")([d1, d2]),
                                           K.layers.Minimum(name="low")([d1, d2])])
    return K.Model(x, K.layers.Dense(2, name="out")(h)), {"loss": "mse"}


def dot(K):
    a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
    pa, pb = K.layers.Dense(3, name="pa")(a), K.layers.Dense(3, name="pb")(b)
    h = K.layers.Concatenate(name="join")([K.layers.Dot(axes=1, name="dot")([pa, pb]),
                                           K.layers.Dot(axes=1, normalize=True,
                                                        name="cosine")([pa, pb])])
    return K.Model([a, b], K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy"}


CASES = {f.__name__: f for f in (chain, residual, two_inputs_concatenate, two_outputs_dict,
                                  shared_subtract, multiply_average, maximum_minimum, dot)}
# the layer whose output a feature-extraction model returns, after training the case
FEATURES = {"residual": "add", "two_outputs_dict": "trunk"}


def loss_of(compiled: dict, output: str) -> str:
    loss = compiled["loss"]
    return loss[output] if isinstance(loss, dict) else loss


def data(model, compiled: dict, n=12, seed=0):
    """Inputs (a dict by input name) and targets (a dict by output name) for `model`, from
    one seeded generator; each target suits its output's loss."""
    g = np.random.default_rng(seed)
    inputs = {t.name: (g.integers(0, 20, (n, *t.shape[1:])).astype("int32")
                       if str(t.dtype).startswith("int") else
                       g.standard_normal((n, *t.shape[1:])).astype("float32"))
              for t in model.inputs}  # integer inputs: word indices below 20
    targets = {}
    for name, t in zip(model.output_names, model.outputs):
        width, loss = t.shape[-1], loss_of(compiled, name)
        steps = tuple(t.shape[1:-1])  # outputs over steps: a target per step
        if loss == "mse":
            targets[name] = g.standard_normal((n, *steps, width)).astype("float32")
        elif loss == "sparse_categorical_crossentropy":
            targets[name] = g.integers(0, width, (n, *steps)).astype("float32")
        elif loss == "binary_crossentropy":
            targets[name] = g.integers(0, 2, (n, *steps, width)).astype("float32")
        else:
            targets[name] = np.eye(width, dtype="float32")[g.integers(0, width, (n, *steps))]
    return inputs, targets


def initial_weights(model, seed=1):
    """Weights per layer name: uniform in [-0.6, 0.6], biases included, from one generator."""
    g = np.random.default_rng(seed)
    return {layer.name: [g.uniform(-0.6, 0.6, w.shape).astype("float32")
                         for w in layer.get_weights()]
            for layer in sorted(model.layers, key=lambda layer: layer.name)
            if layer.get_weights()}


def as_model_wants(names: list[str], values: dict, as_dict: bool = False):
    """values (by name) as a model takes them: one array, a list in `names` order, or the
    dict itself when the model's structure is a dict."""
    if as_dict:
        return values
    return values[names[0]] if len(names) == 1 else [values[n] for n in names]
