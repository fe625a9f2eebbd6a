"""Sequential: building, summary, compile/fit/evaluate/predict, seeds, dtypes, gradients."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numnet
from numnet import layers

from builders import classification_data, classifier, tutorial_model
from gradcheck import directional_check, gradients, parameters


def small_data(rng, n=64, width=20, classes=3):
    return classification_data(n, width, classes, seed=int(rng.integers(2**31)))


def small_model(width=20, classes=3):
    return classifier(width, classes, hidden=16, dropout=0.2,
                      optimizer=numnet.optimizers.RMSprop(0.01))


def test_summary_of_the_tutorial_model(capsys):
    tutorial_model().summary()
    out = capsys.readouterr().out
    assert "Total params: 235,146" in out
    for shape, params in [("(None, 256)", "200,960"), ("(None, 128)", "32,896"),
                          ("(None, 10)", "1,290")]:
        assert any(shape in line and line.rstrip().endswith(params) for line in out.splitlines())


def test_add_builds_eagerly_and_input_layer_works():
    model = numnet.Sequential()
    model.add(layers.Input(shape=(4,)))
    model.add(layers.Dense(3))
    assert model.built and model.output_shape == (None, 3)
    assert model.count_params() == 15


def test_model_without_input_shape_builds_on_first_fit(rng):
    x, y = small_data(rng)
    model = numnet.Sequential([layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy")
    model.fit(x, y, verbose=0)
    assert model.input_shape == (None, 20)


def test_flatten_then_dense_on_images(rng):
    x = rng.random((10, 28, 28)).astype(np.float32)
    model = numnet.Sequential([layers.Input(shape=(28, 28)), layers.Flatten(),
                               layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, rng.integers(0, 10, 10), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(x).shape == (10, 10)


def test_fit_returns_history_with_keras_keys_and_learns(rng):
    x, y = small_data(rng, n=512)
    model = small_model()
    history = model.fit(x, y, epochs=15, batch_size=32, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # sorted, as Keras
    assert history.epoch == list(range(15))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.85
    assert model.history is history


def test_validation_split_takes_the_last_rows_before_shuffling(rng):
    x, y = small_data(rng, n=100)
    model = small_model()
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    expected = model.evaluate(x[80:], y[80:], return_dict=True, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(expected["accuracy"])


def test_validation_data_tuple(rng):
    x, y = small_data(rng, n=100)
    history = small_model().fit(x, y, validation_data=(x[:10], y[:10]), verbose=0)
    assert "val_loss" in history.history


def test_evaluate_return_forms(rng):
    x, y = small_data(rng)
    model = small_model()
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, return_dict=True, verbose=0) == {"loss": loss, "accuracy": accuracy}
    model.compile(loss="categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_predict_is_float32_deterministic_and_batch_independent(rng):
    x, _ = small_data(rng, n=50)
    model = small_model()
    a = model.predict(x, batch_size=7)
    assert a.dtype == np.float32 and a.shape == (50, 3)
    np.testing.assert_allclose(a, model.predict(x, batch_size=50), rtol=1e-6)
    np.testing.assert_allclose(a.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_float32_through_a_whole_training_step(rng, backend, monkeypatch):
    """Every activation, gradient and optimizer slot stays float32, on the layer path (NumPy)
    and on the fused blocks (Numba), even for float64 inputs."""
    numnet.config.set_backend(backend)
    x, y = small_data(rng)
    model = small_model()
    model.fit(x.astype(np.float64), y, epochs=1, verbose=0)  # float64 input is cast
    seen = []
    *hidden, last = model.layers
    if backend == "numpy":
        for layer in hidden:
            def spy(x, training=False, _forward=layer.forward):
                out = _forward(x, training)
                seen.append(out.dtype)
                return out
            monkeypatch.setattr(layer, "forward", spy)
    else:  # the Numba backend runs Dense + Dropout as one fused block
        ops = numnet.ops.get_ops()

        def block_spy(*args, _run=ops.dense_block_forward):  # its output is the last argument
            seen.append(args[-1].dtype)
            return _run(*args)

        monkeypatch.setattr(ops, "dense_block_forward", block_spy)

    def last_spy(x, training=False, _forward=last.forward_with_logits):
        out, logits = _forward(x, training)
        seen.extend([out.dtype, logits.dtype])
        return out, logits
    monkeypatch.setattr(last, "forward_with_logits", last_spy)

    head = numnet.ops.get_ops().softmax_crossentropy_forward

    def head_spy(z, t):
        seen.append(z.dtype)  # the logits; the numba backend's head makes p from them
        p, per_sample, dz = head(z, t)
        seen.append(p.dtype)
        return p, per_sample, dz
    monkeypatch.setattr(numnet.ops.get_ops(), "softmax_crossentropy_forward", head_spy)
    assert model.compute_gradients(x.astype(np.float64), y)[1].dtype == np.float32
    model.train_step(x, y)
    # per step: Dense and Dropout (or their fused block), the output's probabilities and logits
    assert set(seen) == {np.dtype("float32")} and len(seen) == (8 if backend == "numpy" else 6)
    params, grads = parameters(model), gradients(model)
    assert {p.dtype for p in params} | {g.dtype for g in grads} == {np.dtype("float32")}
    assert {s.dtype for slots in model.optimizer.slots for s in slots.values()} == {np.dtype("float32")}


def test_directional_gradient_of_the_whole_tutorial_model_at_real_size(rng):
    """float64, batch 128 of 784 inputs, dropout masks fixed by their seeds."""
    model = tutorial_model(dtype="float64", dropout_seeds=(1, 2))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    x = rng.random((128, 784))
    y = numnet.utils.to_categorical(rng.integers(0, 10, 128), 10).astype(np.float64)
    dropouts = [layer for layer in model.layers if isinstance(layer, layers.Dropout)]

    def loss():
        for layer in dropouts:
            layer.rng = np.random.default_rng(layer.seed)
        return model.compute_gradients(x, y)[0]

    loss()
    params, grads = parameters(model), [g.copy() for g in gradients(model)]
    assert directional_check(loss, params, grads, rng) < 1e-6


def test_same_seed_same_weights_and_history_in_process(rng):
    x, y = small_data(rng, n=200)

    def run():
        numnet.set_random_seed(42)
        model = small_model()
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


SEEDED_RUN = textwrap.dedent("""
    import hashlib, sys, numpy as np, numnet
    from numnet import layers
    numnet.config.set_backend(sys.argv[1])
    numnet.set_random_seed(7)
    g = np.random.default_rng(0)
    x = g.standard_normal((96, 12)).astype("float32")
    y = numnet.utils.to_categorical((x[:, 0] > 0).astype(int), 2)
    model = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(12,)),
                               layers.Dropout(0.3), layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    h = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
    print(digest, repr(h.history["loss"]), repr(h.history["val_accuracy"]))
""")


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_same_seed_same_result_in_another_process(backend):
    runs = [subprocess.run([sys.executable, "-c", SEEDED_RUN, backend], capture_output=True,
                           text=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0].split()) >= 3


def test_different_seeds_give_different_weights():
    numnet.set_random_seed(1)
    a = small_model().get_weights()[0]
    numnet.set_random_seed(2)
    b = small_model().get_weights()[0]
    assert not np.array_equal(a, b)


def test_nonfinite_loss_stops_training_and_keeps_last_finite_weights(rng):
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                               layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    before = model.get_weights()
    x_bad = x.copy()
    x_bad[40:] = np.finfo(np.float32).max / 10  # finite inputs whose squared error overflows
    with pytest.warns(RuntimeWarning, match=r"loss or its gradient became inf at epoch 1, step 2.*learning rate"):
        history = model.fit(x_bad, y, epochs=3, batch_size=32, shuffle=False, verbose=0)
    assert model.stop_training and history.epoch == [0]
    after = model.get_weights()
    assert all(np.isfinite(w).all() for w in after)
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))  # step 1 was applied


def test_verbose_prints_one_line_per_epoch_when_not_a_terminal(rng, capsys):
    x, y = small_data(rng)
    small_model().fit(x, y, epochs=3, verbose=1, validation_split=0.25)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 3 and all(line.startswith(f"Epoch {i + 1}/3") for i, line in enumerate(lines))
    assert "val_accuracy:" in lines[0] and "\r" not in out and "\b" not in out


def test_batch_methods_for_a_custom_loop(rng):
    """train_on_batch is one step of fit; test_on_batch is evaluate on one batch;
    predict_on_batch is predict on one batch. Return forms as evaluate's."""
    x, y = small_data(rng, n=32)
    numnet.set_random_seed(3)
    by_fit = small_model()
    by_fit.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    numnet.set_random_seed(3)
    model = small_model()
    first = model.train_on_batch(x, y)
    second = model.train_on_batch(x, y, return_dict=True)
    assert isinstance(first, list) and len(first) == 2 and list(second) == ["accuracy", "loss"]
    for a, b in zip(model.get_weights(), by_fit.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.test_on_batch(x, y) == model.evaluate(x, y, batch_size=32, verbose=0)
    assert model.test_on_batch(x, y, return_dict=True) == model.evaluate(
        x, y, batch_size=32, verbose=0, return_dict=True)
    np.testing.assert_array_equal(model.predict_on_batch(x), model.predict(x, batch_size=32))
    model.compile(loss="categorical_crossentropy")
    assert isinstance(model.train_on_batch(x, y), float)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_frozen_layer_keeps_its_weights_and_summary_counts_it(rng, backend, capsys, tmp_path):
    numnet.config.set_backend(backend)
    x, y = small_data(rng, n=64)
    model = small_model()
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    trained_before = model.layers[2].get_weights()
    model.compile(loss="categorical_crossentropy",
                  optimizer=numnet.optimizers.AdamW(0.01, weight_decay=0.1))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for a, b in zip(model.layers[0].get_weights(), frozen):
        np.testing.assert_array_equal(a, b)  # not even weight decay touches it
    assert not np.array_equal(model.layers[2].get_weights()[0], trained_before[0])
    model.summary()
    out = capsys.readouterr().out
    assert "Trainable params: 51" in out and "Non-trainable params: 336" in out
    model.save(tmp_path / "m.npz")
    assert not numnet.load_model(tmp_path / "m.npz").layers[0].trainable


def test_sample_weights_travel_with_their_rows(rng):
    """Split with validation_split, given with validation_data, yielded by a generator:
    the same weights give the same numbers whichever way they arrive."""
    x, y = small_data(rng, n=40)
    w = rng.uniform(0, 2, 40).astype(np.float32)
    model = small_model()
    expected = model.evaluate(x[30:], y[30:], sample_weight=w[30:], batch_size=10,
                              verbose=0, return_dict=True)
    for key, value in model.test_on_batch(x[30:], y[30:], sample_weight=w[30:],
                                          return_dict=True).items():
        assert value == pytest.approx(expected[key], rel=1e-6)
    numnet.set_random_seed(8)
    a = small_model()
    split = a.fit(x, y, sample_weight=w, validation_split=0.25, epochs=2, batch_size=10,
                  shuffle=False, verbose=0)
    numnet.set_random_seed(8)
    b = small_model()
    given = b.fit(x[:30], y[:30], sample_weight=w[:30], epochs=2, batch_size=10, shuffle=False,
                  validation_data=(x[30:], y[30:], w[30:]), verbose=0)
    assert split.history == given.history

    def batches():
        for start in (0, 10, 20):
            yield x[start:start + 10], y[start:start + 10], w[start:start + 10]

    numnet.set_random_seed(8)
    c = small_model()
    generated = c.fit(batches(), steps_per_epoch=3, epochs=1, verbose=0)
    assert generated.history["loss"] == pytest.approx(given.history["loss"][:1], rel=1e-6)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"sample_weight": np.ones(5)}, ValueError, r"sample_weight must be an array of shape \(40,\): one weight per sample"),
    ({"sample_weight": -np.ones(40)}, ValueError, r"sample_weight must be an array of non-negative weights"),
    ({"class_weight": [1, 2, 3]}, TypeError, r"class_weight must be a dict of class index -> weight"),
    ({"sample_weight": np.ones(40), "class_weight": {0: 2.0}}, ValueError, r"sample_weight and class_weight cannot both be given"),
])
def test_bad_weights_are_named(rng, kwargs, error, message):
    x, y = small_data(rng, n=40)
    with pytest.raises(error, match=message):
        small_model().fit(x, y, verbose=0, **kwargs)


def test_a_model_made_of_another_models_built_layers_shares_them_and_trains():
    first = numnet.Sequential([layers.Input(shape=(5,)), layers.Dense(4, activation="relu"),
                               layers.Dense(3, activation="softmax")])
    second = numnet.Sequential(first.layers)
    assert second.input_shape == (None, 5) and second.built
    x = np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32)
    np.testing.assert_array_equal(second.predict(x), first.predict(x))
    second.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    second.fit(x, np.arange(8) % 3, epochs=1, verbose=0)
    np.testing.assert_array_equal(second.predict(x), first.predict(x))  # the same weights
