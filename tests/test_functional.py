"""The functional API: symbolic tensors, Model(inputs, outputs), graphs with merges, shared
layers, several inputs and outputs; one runner for every model, gradient-checked."""

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.symbolic import SymbolicTensor

from gradcheck import numerical_gradient, relative_error

F64 = {"dtype": "float64"}


@pytest.fixture(autouse=True, params=["numpy", "numba"])
def backend(request):
    numnet.config.set_backend(request.param)  # conftest restores the default afterwards
    return request.param


def test_calling_a_layer_on_an_input_records_a_node_and_builds_the_layer():
    x = numnet.Input(shape=(8,), name="features")
    dense = layers.Dense(16, activation="relu")
    h = dense(x)
    assert isinstance(h, SymbolicTensor) and h.shape == (None, 16) and h.dtype == "float32"
    assert dense.built and dense.kernel.shape == (8, 16)
    assert dense.input is x and dense.output is h and h.layer is dense
    assert layers.Input is numnet.Input


def test_calling_a_layer_on_an_array_builds_and_runs_it():
    y = layers.Dense(3)(np.ones((2, 4), np.float32))  # once a KeyError: 'kernel'
    assert y.shape == (2, 3)
    assert layers.Add()([np.ones((2, 3)), np.ones((2, 3))]).tolist() == [[2.0] * 3] * 2


@pytest.mark.parametrize("argument, message", [
    (lambda: layers.Dense(16), r"Layer 'dense\w*' must be called on a symbolic tensor \(from "
     r"numnet.Input or a layer call\) or an array. Received: the layer 'dense\w*' \(Dense\); "
     r"call a layer on the tensor another layer's call returned"),
    (lambda: "text", r"must be called on a symbolic tensor .* Received: a str"),
    (lambda: [numnet.Input((2,)), numnet.Input((2,))], r"must be called on one symbolic tensor "
     r"\(not a list\)"),
])
def test_a_layer_called_on_something_else_names_what_it_received(argument, message):
    with pytest.raises(TypeError, match=message):
        layers.Dense(4)(argument())


def test_merge_layers_want_a_list_of_matching_shapes():
    a, b = numnet.Input((3,)), numnet.Input((4,))
    with pytest.raises(TypeError, match=r"must be called on a list of symbolic tensors"):
        layers.Add()(a)
    with pytest.raises(ValueError, match=r"Inputs of a Add layer must have shapes that "
                                         r"broadcast together. Received: shapes \[\(None, 3\), "
                                         r"\(None, 4\)\]"):
        layers.Add()([a, b])
    with pytest.raises(ValueError, match=r"A Subtract layer must be called on exactly 2 inputs. "
                                         r"Received: 3 inputs"):
        layers.Subtract()([a, a, a])
    with pytest.raises(ValueError, match=r"A Concatenate layer needs inputs of matching shapes "
                                         r"except along the concatenation axis 1"):
        layers.Concatenate(axis=1)([numnet.Input((2, 3)), numnet.Input((2, 4))])
    with pytest.raises(ValueError, match=r"A Dot layer needs equal sizes along its axes. "
                                         r"Received: size 3 \(axis 1\) and 4 \(axis 1\)"):
        layers.Dot(axes=1)([a, b])
    assert layers.Concatenate()([a, b]).shape == (None, 7)


def test_graph_errors_name_the_tensor_and_the_layers():
    a, b = numnet.Input((3,), name="a"), numnet.Input((3,), name="b")
    out = layers.Dense(2)(layers.Add()([a, b]))
    with pytest.raises(ValueError, match=r"Graph disconnected: .* \(from layer 'b'\), which is "
                                         r"not among the model's inputs"):
        numnet.Model(a, out)
    with pytest.raises(ValueError, match=r"Layer names must be unique within a model. Received: "
                                         r"1 name\(s\) used twice: \['twin'\]"):
        numnet.Model(a, layers.Dense(2, name="twin")(layers.Dense(2, name="twin")(a)))
    with pytest.raises(TypeError, match=r"outputs must be a symbolic tensor"):
        numnet.Model(a, np.ones(3))
    with pytest.raises(ValueError, match=r"inputs must be tensors made by numnet.Input"):
        numnet.Model(layers.Dense(2)(a), out)


def residual(dtype="float32", seed=0):
    numnet.set_random_seed(seed)
    x = numnet.Input((6,), dtype=dtype, name="x")
    h = layers.Dense(5, activation="tanh", dtype=dtype)(x)
    h = layers.Add()([h, layers.Dense(5, activation="relu", dtype=dtype)(h)])
    return numnet.Model(x, layers.Dense(3, activation="softmax", dtype=dtype)(h))


def two_in_two_out(dtype="float32", seed=0):
    numnet.set_random_seed(seed)
    a = numnet.Input((4,), dtype=dtype, name="a")
    b = numnet.Input((3,), dtype=dtype, name="b")
    h = layers.Concatenate(dtype=dtype)([layers.Dense(5, activation="elu", dtype=dtype)(a), b])
    cls = layers.Dense(3, activation="softmax", name="cls", dtype=dtype)(h)
    reg = layers.Dense(2, name="reg", dtype=dtype)(h)
    return numnet.Model({"a": a, "b": b}, {"cls": cls, "reg": reg})


def siamese(dtype="float32", seed=0):
    numnet.set_random_seed(seed)
    a, b = numnet.Input((4,), dtype=dtype), numnet.Input((4,), dtype=dtype)
    shared = layers.Dense(3, activation="tanh", name="shared", dtype=dtype)
    dropout = layers.Dropout(0.3, seed=5, dtype=dtype)
    distance = layers.Subtract(dtype=dtype)([dropout(shared(a)), shared(b)])
    products = layers.Multiply(dtype=dtype)([distance, distance])
    mixed = layers.Average(dtype=dtype)([products, layers.Maximum(dtype=dtype)([distance,
                                                                                 products])])
    return numnet.Model([a, b], layers.Dense(1, activation="sigmoid", dtype=dtype)(mixed))


def dot_model(dtype="float32", seed=0):
    numnet.set_random_seed(seed)
    a, b = numnet.Input((2, 4), dtype=dtype), numnet.Input((12,), dtype=dtype)
    keys = layers.Reshape((3, 4), dtype=dtype)(layers.Dense(12, dtype=dtype)(b))
    scores = layers.Dot(axes=2, normalize=True, dtype=dtype)([a, keys])  # (batch, 2, 3)
    return numnet.Model([a, b], layers.Dense(2, activation="softmax", dtype=dtype)(
        layers.Flatten(dtype=dtype)(scores)))


def data_for(model, n=7, seed=1):
    g = np.random.default_rng(seed)
    xs = [g.standard_normal((n, *t.shape[1:])) for t in model.inputs]
    ys = []
    for t in model.outputs:
        width = t.shape[-1]
        if t.layer.get_config().get("activation") == "softmax":
            ys.append(numnet.utils.to_categorical(g.integers(0, width, n), width, dtype="float64"))
        elif t.layer.get_config().get("activation") == "sigmoid":
            ys.append(g.integers(0, 2, (n, width)).astype("float64"))
        else:
            ys.append(g.standard_normal((n, width)))
    return xs, ys


LOSSES = {"residual": "categorical_crossentropy", "siamese": "binary_crossentropy",
          "dot": "categorical_crossentropy"}


@pytest.mark.parametrize("make", [residual, two_in_two_out, siamese, dot_model],
                         ids=["residual", "two_in_two_out", "siamese", "dot"])
def test_model_gradients_match_finite_differences(make):
    """L = the compiled loss (two outputs: cce + 0.5·mse, sample weights on one): every
    parameter's gradient, shared layers' summed over their calls, equals central
    differences in float64."""
    model = make("float64")
    xs, ys = data_for(model)
    if len(model.outputs) > 1:
        model.compile(loss={"cls": "categorical_crossentropy", "reg": "mse"},
                      loss_weights={"cls": 1.0, "reg": 0.5})
        weights = [np.linspace(0.5, 1.5, len(ys[0])), None]  # checked batches: lists
    else:
        model.compile(loss=LOSSES[make.__name__.split("_")[0]])
        ys, weights = ys[0], None
    x = xs if len(xs) > 1 else xs[0]
    seeds = [(layer, layer.seed) for layer in model.layers if getattr(layer, "seed", None)]

    def loss():
        for layer, seed in seeds:  # the same dropout masks at every evaluation
            layer.rng = np.random.default_rng(seed)
        return model.compute_gradients(x, ys, weights)[0] if weights else \
            model.compute_gradients(x, ys)[0]

    loss()
    analytic = [(layer.name, key, g.copy()) for layer in model.layers
                for key, g in layer.grads.items()]
    params = {(layer.name, key): p for layer in model.layers for key, p in layer.params.items()}
    for name, key, grad in analytic:
        numeric = numerical_gradient(loss, params[name, key])
        assert relative_error(grad, numeric) < 1e-6, (name, key)


def test_a_chain_model_is_a_sequential():
    """Sequential builds the same graph: same weights -> same outputs, loss and gradients."""
    numnet.set_random_seed(3)
    stack = [layers.Dense(8, activation="relu"), layers.Dropout(0.2, seed=1),
             layers.Dense(4, activation="softmax")]
    sequential = numnet.Sequential([numnet.Input((5,)), *stack])
    x = numnet.Input((5,))
    h = x
    clones = [type(layer).from_config({**layer.get_config(), "name": None})
              for layer in stack]
    for layer in clones:
        h = layer(h)
    functional = numnet.Model(x, h)
    functional.set_weights(sequential.get_weights())
    data, targets = data_for(functional, n=16)
    data, targets = data[0].astype("float32"), targets[0].astype("float32")
    for model in (sequential, functional):
        model.compile(loss="categorical_crossentropy", optimizer="sgd")
    np.testing.assert_array_equal(sequential.predict(data), functional.predict(data))
    results = []
    for model in (sequential, functional):
        model.layers[-2 if model is sequential else -2].rng = np.random.default_rng(9)
        loss, _ = model.compute_gradients(data, targets)
        results.append((loss, [g.copy() for layer in model.layers
                               for g in layer.grads.values()]))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_two_inputs_two_outputs_train_with_keras_names():
    model = two_in_two_out()
    model.compile(optimizer="sgd", loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy"], "reg": ["mae"]},
                  loss_weights={"cls": 1.0, "reg": 0.5})
    (a, b), (cls, reg) = data_for(model, n=32)
    x = {"a": a.astype("float32"), "b": b.astype("float32")}
    y = {"cls": cls.astype("float32"), "reg": reg.astype("float32")}
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae",
                                       "val_cls_accuracy", "val_cls_loss", "val_loss",
                                       "val_reg_loss", "val_reg_mae"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["cls_loss"] + 0.5 * logs["reg_loss"], rel=1e-5)
    results = model.evaluate([x["a"], x["b"]], [y["cls"], y["reg"]], verbose=0)
    assert results == pytest.approx([logs[k] for k in ("loss", "cls_loss", "reg_loss",
                                                       "cls_accuracy", "reg_mae")], rel=1e-6)
    predicted = model.predict(x, batch_size=5)
    assert sorted(predicted) == ["cls", "reg"] and predicted["reg"].shape == (32, 2)
    one = model.predict_on_batch(x)
    np.testing.assert_allclose(one["cls"], predicted["cls"], rtol=1e-6)
    assert model.train_on_batch(x, y, return_dict=True).keys() == logs.keys()


def test_lists_of_inputs_and_outputs_and_one_loss_for_all():
    model = two_in_two_out()
    model = numnet.Model(model.inputs, model.outputs)  # lists, named after the layers
    assert model.input_names == ["a", "b"] and model.output_names == ["cls", "reg"]
    model.compile(loss="mse", optimizer="sgd")
    (a, b), (cls, reg) = data_for(model, n=8)
    history = model.fit([a, b], [cls, reg], epochs=1, verbose=0)
    assert sorted(history.history) == ["cls_loss", "loss", "reg_loss"]
    assert isinstance(model.predict([a, b]), list)
    weights = np.arange(8.0)
    model.fit([a, b], [cls, reg], sample_weight=[weights, None], epochs=1, verbose=0)


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: m.fit({"a": x[0]}, y, verbose=0),
     r"x must have one entry per model input \['a', 'b'\]. Received: x with keys \['a'\]; "
     r"missing: \['b'\]"),
    (lambda m, x, y: m.fit(x, {"cls": y[0], "rge": y[1]}, verbose=0),
     r"y must have one entry per model output \['cls', 'reg'\]. .* unknown: \['rge'\]; "
     r"missing: \['reg'\]"),
    (lambda m, x, y: m.fit(x[0], y, verbose=0), r"x must be a list of 2 arrays \(one per model "
     r"input: \['a', 'b'\]\) or a dict keyed by those names. Received: x=ndarray"),
    (lambda m, x, y: m.fit([x[0], x[1][:3]], y, verbose=0), r"All inputs and targets must have "
     r"the same number of samples. Received: x\['a'\] with 8 rows, x\['b'\] with 3 rows"),
    (lambda m, x, y: m.compile(loss={"cls": "mse"}), r"loss must have one entry per output name "
     r"\['cls', 'reg'\]. Received: loss with keys \['cls'\]; missing: \['reg'\]"),
    (lambda m, x, y: m.compile(loss="mse", metrics={"cls": ["mae"], "rge": ["mae"]}),
     r"metrics must have one entry per output name \['cls', 'reg'\]. .* unknown: \['rge'\]"),
    (lambda m, x, y: m.compile(loss="mse", metrics=["mae"]), r"metrics must be a dict keyed by "
     r"output names \['cls', 'reg'\] or a list of lists"),
    (lambda m, x, y: m.fit(x, y, class_weight={0: 2.0}, verbose=0), r"class_weight is for "
     r"models with one output"),
])
def test_bad_structures_are_named(call, message):
    model = two_in_two_out()
    model.compile(loss="mse")
    xs, ys = data_for(model, n=8)
    with pytest.raises(ValueError, match=message):
        call(model, xs, ys)


def test_feature_extraction_from_a_trained_model():
    model = residual()
    features = numnet.Model(inputs=model.input, outputs=model.layers[2].output)
    x = data_for(model)[0][0].astype("float32")
    dense = model.layers[1]
    hidden = np.tanh(x @ dense.kernel + dense.bias)
    np.testing.assert_allclose(features.predict(x),
                               np.maximum(hidden @ model.layers[2].kernel + model.layers[2].bias,
                                          0), rtol=1e-5, atol=1e-6)
    assert features.get_layer(model.layers[2].name) is model.layers[2]
    assert [layer.name for layer in features.layers] == [layer.name for layer in model.layers[:3]]


def test_summary_shows_what_each_layer_is_connected_to():
    lines = []
    model = two_in_two_out()
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text
    concat = next(line for line in lines if "(Concatenate)" in line)
    dense = next(layer.name for layer in model.layers if type(layer).__name__ == "Dense")
    assert concat.rstrip().endswith(f"{dense}[0][0], b[0][0]")
    assert next(line for line in lines if line.startswith("cls ")).rstrip().endswith(
        f"{model.get_layer('cls').input.layer.name}[0][0]")


def test_a_shared_layer_called_twice_lists_both_calls():
    model = siamese()
    lines = []
    model.summary(print_fn=lines.append)
    shared = next(line for line in lines if line.startswith("shared "))
    assert shared.count("[0][0]") == 2
    assert len(model.get_layer("shared").inbound_nodes) == 2


def test_a_graph_saves_loads_and_resumes_exactly(tmp_path):
    model = two_in_two_out()
    model.compile(optimizer="adam", loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy"], "reg": []}, loss_weights={"cls": 1.0, "reg": 2.0})
    (a, b), (cls, reg) = data_for(model, n=24)
    x, y = [a.astype("float32"), b.astype("float32")], [cls.astype("float32"),
                                                        reg.astype("float32")]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "graph.npz")
    loaded = numnet.load_model(tmp_path / "graph.npz")
    assert isinstance(loaded, numnet.Model) and loaded.output_names == ["cls", "reg"]
    for key in ("cls", "reg"):
        np.testing.assert_array_equal(loaded.predict(x)[key], model.predict(x)[key])
    continued = model.fit(x, y, epochs=3, initial_epoch=1, batch_size=8, verbose=0).history
    resumed = loaded.fit(x, y, epochs=3, initial_epoch=1, batch_size=8, verbose=0).history
    assert continued == resumed
    config = loaded.get_config()
    assert config["output_structure"] == ["cls", "reg"] and len(config["nodes"]) == 4


def test_model_called_in_training_mode_runs_dropout_on_every_branch():
    model = siamese()
    x = [np.ones((4, 4), np.float32), np.ones((4, 4), np.float32)]
    assert not np.array_equal(model(x, training=True), model(x))
    np.testing.assert_array_equal(model(x), model.predict(x))


def test_sequential_pop_and_input_tensor():
    model = numnet.Sequential([numnet.Input((3,)), layers.Dense(4), layers.Dense(2)])
    assert model.layers[0].input_shape == (None, 3)
    removed = model.pop()
    assert model.output_shape == (None, 4) and removed.inbound_nodes == []
    with pytest.raises(ValueError, match=r"Sequential model chains layers of one input"):
        model.add(layers.Add())


def test_generators_and_sequences_yield_lists_and_dicts_for_graphs():
    model = two_in_two_out()
    model.compile(loss={"cls": "categorical_crossentropy", "reg": "mse"}, optimizer="sgd")
    (a, b), (cls, reg) = data_for(model, n=16)

    def batches():
        while True:
            for start in (0, 8):
                rows = slice(start, start + 8)
                yield {"a": a[rows], "b": b[rows]}, [cls[rows], reg[rows]]

    history = model.fit(batches(), steps_per_epoch=2, epochs=2, verbose=0,
                        validation_data=batches(), validation_steps=2)
    assert sorted(history.history)[:3] == ["cls_loss", "loss", "reg_loss"]
    predicted = model.predict(((x, None) for x, _ in [next(batches())]), steps=1)
    assert predicted["cls"].shape == (8, 3)


def test_plot_model_draws_a_graph_with_a_box_per_layer(tmp_path):
    model = two_in_two_out()
    dot = numnet.utils.model_to_dot(model)
    assert dot.count("[label=") == len(model.layers) and dot.count("->") == 5
    path = numnet.utils.plot_model(model, tmp_path / "graph.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_parameters_live_in_the_flat_buffer_from_the_moment_the_model_is_built():
    """A kernel taken before training is the kernel training updates (no stale copies)."""
    model = residual()
    kernel = model.layers[1].params["kernel"]
    before = kernel.copy()
    assert kernel.base is not None  # a view of the model's flat parameter buffer
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    x, y = data_for(model, n=16)
    model.fit(x[0].astype("float32"), y[0].astype("float32"), epochs=1, verbose=0)
    assert kernel is model.layers[1].params["kernel"]
    assert not np.array_equal(kernel, before)


def test_a_dict_of_metrics_may_leave_outputs_out_as_in_keras():
    model = two_in_two_out()
    model.compile(loss={"cls": "categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy"]}, optimizer="sgd")
    (a, b), (cls, reg) = data_for(model, n=8)
    history = model.fit([a, b], [cls, reg], epochs=1, verbose=0)
    assert sorted(history.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
