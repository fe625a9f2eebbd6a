"""numnet against Keras 3's own numbers off the tutorial's path. The golden values in
tests/golden/keras.json were made by real Keras (tests/golden/make_keras_golden.py, run in a
throw-away environment); TensorFlow never enters this one."""

import json
import os
import re

import numpy as np
import pytest

import numnet
from numnet import layers

from golden.cases import (
    DECAYING_SLOTS,
    DECAYING_SLOTS_RECORDED,
    IMAGE_MODELS,
    OPTIMIZERS,
    REGULARIZED,
    SCHEDULES,
)

GOLDEN = json.load(open(os.path.join(os.path.dirname(__file__), "golden", "keras.json")))

LOGITS_CASES = {  # name -> (output activation, loss, learning rate)
    "sigmoid_bce": ("sigmoid", "binary_crossentropy", 0.5),
    "linear_bce_from_logits": (None, numnet.losses.BinaryCrossentropy(from_logits=True), 0.5),
    "softmax_cce_saturated": ("softmax", "categorical_crossentropy", 0.05),
    "softmax_sparse_saturated": ("softmax", "sparse_categorical_crossentropy", 0.05),
}


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", LOGITS_CASES)
def test_cross_entropy_of_a_saturated_output_learns_and_reports_as_keras(name, backend):
    """Softmax and sigmoid outputs are scored and differentiated from their logits: a
    confidently wrong model reports its true loss (no 1e-7 clip caps it at 16.1 a sample) and
    keeps learning (no zero gradient from the clip), step for step as Keras."""
    numnet.config.set_backend(backend)
    case, (activation, loss, learning_rate) = GOLDEN["logits"][name], LOGITS_CASES[name]
    weights = [np.array(w, np.float32) for w in case["weights"]]
    x, y = np.array(case["x"], np.float32), np.array(case["y"], np.float32)
    model = numnet.Sequential([
        layers.Dense(weights[0].shape[1], activation="relu", input_shape=(x.shape[1],)),
        layers.Dense(weights[2].shape[1], activation=activation)])
    model.set_weights(weights)
    model.compile(loss=loss, optimizer=numnet.optimizers.SGD(learning_rate))
    history = model.fit(x, y, batch_size=len(x), epochs=len(case["losses"]), shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["losses"], rtol=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(case["evaluate"], rel=1e-5)
    for ours, theirs in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def loss_inputs():
    given = GOLDEN["loss_functions"]["inputs"]
    arrays = {k: np.array(v, np.float32) for k, v in given.items() if k != "labels"}
    arrays["labels"] = np.array(given["labels"])
    arrays["onehot"] = np.eye(4, dtype=np.float32)[arrays["labels"]]
    return arrays


LOSS_CALLS = {
    "categorical_crossentropy": lambda a, L: L.categorical_crossentropy(a["onehot"], a["probabilities"]),
    "categorical_crossentropy_soft": lambda a, L: L.categorical_crossentropy(a["soft"], a["probabilities"]),
    "categorical_crossentropy_from_logits": lambda a, L: L.categorical_crossentropy(a["onehot"], a["logits"], from_logits=True),
    "categorical_crossentropy_smoothing_0.1": lambda a, L: L.categorical_crossentropy(a["onehot"], a["probabilities"], label_smoothing=0.1),
    "categorical_crossentropy_from_logits_smoothing_0.2": lambda a, L: L.categorical_crossentropy(a["onehot"], a["logits"], from_logits=True, label_smoothing=0.2),
    "sparse_categorical_crossentropy": lambda a, L: L.sparse_categorical_crossentropy(a["labels"], a["probabilities"]),
    "sparse_categorical_crossentropy_from_logits": lambda a, L: L.sparse_categorical_crossentropy(a["labels"], a["logits"], from_logits=True),
    "binary_crossentropy": lambda a, L: L.binary_crossentropy(a["binary"], a["sigmoid"]),
    "binary_crossentropy_from_logits": lambda a, L: L.binary_crossentropy(a["binary"], a["logits"], from_logits=True),
    "binary_crossentropy_smoothing_0.2": lambda a, L: L.binary_crossentropy(a["binary"], a["sigmoid"], label_smoothing=0.2),
    "binary_crossentropy_from_logits_smoothing_0.2": lambda a, L: L.binary_crossentropy(a["binary"], a["logits"], from_logits=True, label_smoothing=0.2),
    "mean_squared_error": lambda a, L: L.mean_squared_error(a["target"], a["logits"]),
    "mean_absolute_error": lambda a, L: L.mae(a["target"], a["logits"]),
    "CategoricalCrossentropy_smoothing_0.1": lambda a, L: L.CategoricalCrossentropy(label_smoothing=0.1)(a["onehot"], a["probabilities"]),
    "BinaryCrossentropy_from_logits_smoothing_0.2": lambda a, L: L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(a["binary"], a["logits"]),
}


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", LOSS_CALLS)
def test_loss_functions_give_keras_per_sample_values(name, backend):
    numnet.config.set_backend(backend)
    ours = LOSS_CALLS[name](loss_inputs(), numnet.losses)
    expected = GOLDEN["loss_functions"]["values"][name]
    assert np.shape(ours) == np.shape(expected)
    # atol: from logits of magnitude ~10, lse(z) - z loses float32's last bits (1e-6 · 10)
    np.testing.assert_allclose(ours, expected, rtol=2e-6, atol=1e-6)
    if np.ndim(ours):
        assert ours.dtype == np.float32


@pytest.mark.parametrize("case", GOLDEN["validation_split"], ids=lambda c: f"{c['n']}-{c['split']}")
def test_validation_split_keeps_keras_row_counts(case):
    """floor(n · (1 - split)) rows train and the last rows validate; too few rows to split
    is an error in both."""
    x = np.arange(case["n"], dtype=np.float32)[:, None]
    if "error" in case:
        with pytest.raises(ValueError, match="validation rows out of"):
            numnet.data.split_validation(x, x, case["split"])
        return
    (x_train, _), (x_val, _) = numnet.data.split_validation(x, x, case["split"])
    assert (len(x_train), len(x_val), x_val[0, 0]) == (case["train"], case["val"], case["val_first"])


def test_fit_validates_on_keras_rows():
    x = np.arange(10, dtype=np.float32)[:, None]
    model = numnet.Sequential([layers.Dense(1, input_shape=(1,))])
    model.compile(loss="mse", optimizer="sgd")
    seen = []
    watch = numnet.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    history = model.fit(x, x, epochs=1, validation_split=0.25, batch_size=1, verbose=0,
                        shuffle=False, callbacks=[watch])
    assert len(seen) == 7  # 7 training rows, 3 validation rows
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[7:], x[7:], verbose=0))


def test_binary_accuracy_is_per_element_and_takes_a_threshold():
    case = GOLDEN["metric_functions"]
    y_true, y_pred = np.array(case["y_true"], np.float32), np.array(case["y_pred"], np.float32)
    np.testing.assert_array_equal(numnet.metrics.binary_accuracy(y_true, y_pred),
                                  case["binary_accuracy"])
    np.testing.assert_array_equal(numnet.metrics.binary_accuracy(y_true, y_pred, threshold=0.7),
                                  case["binary_accuracy_threshold_0.7"])


def test_history_and_evaluate_keys_come_in_keras_order():
    order = GOLDEN["key_order"]
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = numnet.utils.to_categorical((x[:, 0] > 0).astype(int), 2)
    model = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=order["metrics"])
    history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    assert list(history.history) == order["history"]
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(as_dict) == order["evaluate_dict"]
    assert model.evaluate(x, y, verbose=0) == [as_dict[k] for k in order["evaluate_list_names"]]


def small_fit(callback, metrics=("accuracy",), validation=True, epochs=2):
    """The golden script's fit: 32 rows, batches of 8, a 0.25 validation split or none."""
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = numnet.utils.to_categorical((x[:, 0] > 0).astype(int), 2)
    model = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=list(metrics))
    return model.fit(x, y, epochs=epochs, batch_size=8, verbose=0, callbacks=[callback],
                     validation_split=0.25 if validation else 0.0)


MONITORS = {  # golden case -> (callback maker, compiled metrics)
    "early_stopping_val_foo": (lambda p: numnet.callbacks.EarlyStopping(monitor="val_foo"), ("accuracy",)),
    "early_stopping_val_accuracy": (lambda p: numnet.callbacks.EarlyStopping(monitor="val_accuracy"), ("accuracy",)),
    "early_stopping_val_mae": (lambda p: numnet.callbacks.EarlyStopping(monitor="val_mae"), ("mae",)),
    "early_stopping_loss": (lambda p: numnet.callbacks.EarlyStopping(monitor="loss"), ("accuracy",)),
    "reduce_lr_learning_rate": (lambda p: numnet.callbacks.ReduceLROnPlateau(monitor="learning_rate"), ("accuracy",)),
    "reduce_lr_val_accuracy": (lambda p: numnet.callbacks.ReduceLROnPlateau(monitor="val_accuracy"), ("accuracy",)),
    "checkpoint_val_foo": (lambda p: numnet.callbacks.ModelCheckpoint(str(p / "m.npz"), monitor="val_foo", save_weights_only=True), ("accuracy",)),
}


@pytest.mark.parametrize("name", MONITORS)
def test_mode_auto_follows_keras_or_asks_for_a_mode(name, tmp_path):
    expected = GOLDEN["monitor"][name]
    make, metrics = MONITORS[name]
    callback = make(tmp_path)
    if "error" in expected:  # Keras: "... isn't able to automatically determine ..."
        owner = expected["error"].split()[0]
        with pytest.raises(ValueError, match=rf"{owner} callback received monitor=.*Pass mode='max'"):
            small_fit(callback, metrics)
    else:
        small_fit(callback, metrics)
        assert callback.watch.mode == expected["mode"]


@pytest.mark.parametrize("name, schedule", [("int", lambda epoch, lr: 1),
                                            ("numpy_float32", lambda epoch, lr: np.float32(0.5)),
                                            ("float", lambda epoch, lr: 0.25)])
def test_learning_rate_scheduler_wants_a_float_as_keras(name, schedule):
    expected = GOLDEN["learning_rate_scheduler"][name]
    callback = numnet.callbacks.LearningRateScheduler(schedule)
    if "error" in expected:
        with pytest.raises(ValueError, match=re_escape(expected["error"])):
            small_fit(callback, validation=False)
    else:
        history = small_fit(callback, validation=False)
        assert history.history["learning_rate"][-1] == pytest.approx(float(schedule(0, 0.0)))


def re_escape(text):
    return re.escape(text)


def stems(names, suffix):
    return sorted(name.removesuffix(suffix) for name in names)


def test_model_checkpoint_without_its_monitored_value_warns_and_saves_every_epoch(tmp_path):
    expected = GOLDEN["model_checkpoint"]["save_best_only_missing_monitor"]
    checkpoint = numnet.callbacks.ModelCheckpoint(str(tmp_path / "ckpt" / "best_{epoch}.npz"),
                                                  save_best_only=True, save_weights_only=True)
    with pytest.warns(RuntimeWarning, match=re_escape(expected["warnings"][0])):
        small_fit(checkpoint, validation=False, epochs=3)
    assert stems(os.listdir(tmp_path / "ckpt"), ".npz") == stems(expected["files"], ".weights.h5")


def test_model_checkpoint_every_n_batches_saves_at_keras_batches(tmp_path):
    expected = GOLDEN["model_checkpoint"]["save_freq_3_files"]
    checkpoint = numnet.callbacks.ModelCheckpoint(str(tmp_path / "ckpt" / "b_{epoch}_{batch}.npz"),
                                                  save_freq=3, save_weights_only=True)
    small_fit(checkpoint, validation=False, epochs=2)  # 4 batches of 8 per epoch
    assert stems(os.listdir(tmp_path / "ckpt"), ".npz") == stems(expected, ".weights.h5")


@pytest.mark.parametrize("name", GOLDEN["csv_logger"])
def test_csv_logger_writes_keras_bytes(name, tmp_path):
    case = GOLDEN["csv_logger"][name]
    logger = numnet.callbacks.CSVLogger(str(tmp_path / "log.csv"))
    logger.on_train_begin()
    for epoch, logs in enumerate(case["logs"]):
        logger.on_epoch_end(epoch, dict(logs))
    logger.on_train_end()
    assert (tmp_path / "log.csv").read_bytes() == case["bytes"].encode("ascii")


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_options_and_schedules_give_keras_weights_after_10_steps(name, backend):
    numnet.config.set_backend(backend)
    golden = GOLDEN["optimizer_steps"]
    case = golden["optimizers"][name]
    x, y = np.array(golden["x"], np.float32), np.array(golden["y"], np.float32)
    model = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.Dense(3, activation="softmax")])
    model.set_weights([np.array(w, np.float32) for w in golden["weights"]])
    model.compile(loss="categorical_crossentropy",
                  optimizer=OPTIMIZERS[name](numnet.optimizers, numnet.optimizers.schedules))
    history = model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["losses"], rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", DECAYING_SLOTS)
def test_slots_of_a_weight_whose_gradient_stays_zero_reach_zero_as_keras(name, backend):
    """After one gradient of 1e-3 and then zeros, every slot decays geometrically, value for
    value as Keras's, and is exactly 0 (of its sign) from the step where Keras's is: below
    float32's smallest normal number slots are flushed, as TensorFlow's kernels flush
    subnormal results, instead of lingering at the smallest subnormal, where arithmetic is
    slow. TensorFlow also flushes intermediate results: Keras's Adam and Nadam momentum stops
    at 1.1e-37, once its decrement m·(1-β1) is subnormal, where numnet's goes on to 0."""
    numnet.config.set_backend(backend)
    make, keras_names = DECAYING_SLOTS[name]
    optimizer = make(numnet.optimizers)
    weight = np.full(2, 0.5, np.float32)
    recorded = {}
    for step in range(max(DECAYING_SLOTS_RECORDED) + 1):
        gradient = np.full(2, 1e-3 if step == 0 else 0.0, np.float32)
        optimizer.apply([weight], [gradient])
        if step in DECAYING_SLOTS_RECORDED:
            recorded[str(step)] = [weight.copy(), *(s.copy() for s in optimizer.slots[0].values())]
    tiny = np.finfo(np.float32).tiny
    flushed = 0
    for step, expected in GOLDEN["decaying_slots"][name].items():
        for ours, key in zip(recorded[step], ["weight", *keras_names]):
            theirs = np.array(expected[key], np.float32)
            assert not (ours != 0).any() or np.abs(ours).min() >= tiny, f"{key}, step {step}"
            if name in ("Adam", "Nadam"):
                np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=10 * tiny)
                continue
            np.testing.assert_allclose(ours, theirs, rtol=2e-6, err_msg=f"{key}, step {step}")
            assert np.array_equal(ours == 0, theirs == 0), f"{key}, step {step}: {ours} {theirs}"
            assert np.array_equal(np.signbit(ours), np.signbit(theirs)), f"{key}, step {step}"
            flushed += int((theirs == 0).all() and step != "1")
    assert flushed or name in ("Adam", "Nadam")


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_give_keras_values(name):
    schedule = SCHEDULES[name](numnet.optimizers.schedules)
    expected = GOLDEN["optimizer_steps"]["schedule_values"][name]
    np.testing.assert_allclose([schedule(step) for step in range(14)], expected, rtol=1e-6)


ACTIVATION_LAYERS = {
    "gelu": lambda: layers.Activation("gelu"), "elu": lambda: layers.Activation("elu"),
    "selu": lambda: layers.Activation("selu"), "swish": lambda: layers.Activation("swish"),
    "silu": lambda: layers.Activation("silu"), "softplus": lambda: layers.Activation("softplus"),
    "leaky_relu": lambda: layers.Activation("leaky_relu"),
    "ReLU_options": lambda: layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2),
    "LeakyReLU_layer": lambda: layers.LeakyReLU(), "ELU_layer_0.7": lambda: layers.ELU(0.7),
}


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", ACTIVATION_LAYERS)
def test_activations_give_keras_values(name, backend):
    numnet.config.set_backend(backend)
    case = GOLDEN["activations"]
    x = np.array(case["x"], np.float32)[None]
    np.testing.assert_allclose(ACTIVATION_LAYERS[name]()(x)[0], case[name], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", REGULARIZED)
def test_regularizers_and_constraints_train_as_keras(name, backend):
    """Penalties join the reported loss (training and evaluate), their gradients the step;
    constraints project the weights after each update."""
    numnet.config.set_backend(backend)
    case, (hidden, output, optimizer) = GOLDEN["regularizers"][name], REGULARIZED[name]
    x, y = np.array(case["x"], np.float32), np.array(case["y"], np.float32)
    model = numnet.Sequential([
        layers.Dense(4, activation="relu", input_shape=(3,), **hidden(numnet)),
        layers.Dense(3, activation="softmax", **output(numnet))])
    model.set_weights([np.array(w, np.float32) for w in case["weights"]])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer(numnet.optimizers))
    history = model.fit(x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["losses"], rtol=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(case["evaluate"], rel=1e-5)
    for ours, theirs in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", ["fit_sample_weight", "fit_class_weight",
                                  "fit_class_weight_sparse"])
def test_sample_and_class_weights_give_keras_losses_metrics_and_weights(name, backend):
    """The loss is Σ w·loss / batch size; metrics are unweighted (Keras's `metrics`)."""
    numnet.config.set_backend(backend)
    golden = GOLDEN["weighted"]
    case = golden[name]
    x, labels = np.array(golden["x"], np.float32), np.array(golden["labels"])
    sparse = name.endswith("sparse")
    y = labels if sparse else numnet.utils.to_categorical(labels, 3)
    weights = np.array(golden["sample_weight"], np.float32)
    model = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.Dense(3, activation="softmax")])
    model.set_weights([np.array(w, np.float32) for w in golden["weights"]])
    model.compile(loss="sparse_categorical_crossentropy" if sparse else "categorical_crossentropy",
                  optimizer=numnet.optimizers.SGD(0.2), metrics=["accuracy"])
    given = ({"sample_weight": weights} if name == "fit_sample_weight" else
             {"class_weight": {int(k): v for k, v in golden["class_weight"].items()}})
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, **given)
    for key, values in case["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5)
    evaluated = model.evaluate(x, y, batch_size=8, sample_weight=weights, verbose=0,
                               return_dict=True)
    for key, value in case["evaluate_weighted"].items():
        assert evaluated[key] == pytest.approx(value, rel=1e-5)
    for ours, theirs in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", IMAGE_MODELS)
def test_image_classifiers_train_and_predict_as_keras(name, backend, monkeypatch):
    """Conv2D (paddings, strides, dilation), the poolings and BatchNormalization (batch
    statistics in training, moving statistics at inference) from Keras's starting weights:
    Keras's losses, final weights (moving statistics included) and predictions."""
    numnet.config.set_backend(backend)
    monkeypatch.setattr(numnet.ops.get_ops("numba"), "min_kernel_channels", 1)
    golden = GOLDEN["images"]
    case = golden["models"][name]
    model = numnet.Sequential([layers.Input(shape=(7, 7, 2)), *IMAGE_MODELS[name](layers)])
    model.set_weights([np.asarray(w, np.float32) for w in case["weights"]])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=numnet.optimizers.SGD(0.1))
    x, y = np.asarray(golden["x"], np.float32), np.asarray(golden["y"], np.int64)
    history = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["losses"], rtol=1e-5)
    for got, want in zip(model.get_weights(), case["final_weights"], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), case["predict"], rtol=1e-4,
                               atol=1e-6)
