"""Regenerate tests/golden/keras.json: Keras 3's numbers and behaviour for the cases numnet
copies off the tutorial's path. Keras is the oracle; the tests read the JSON and never import
TensorFlow.

Run in a throw-away environment, never numnet's:
    python3 -m venv /tmp/kerasvenv && /tmp/kerasvenv/bin/pip install tensorflow-cpu keras
    /tmp/kerasvenv/bin/python tests/golden/make_keras_golden.py
"""

import json
import os
import sys
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.trainers.data_adapters.array_slicing import train_validation_split  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import (  # noqa: E402  (shared with numnet's tests)
    DECAYING_SLOTS,
    DECAYING_SLOTS_RECORDED,
    IMAGE_MODELS,
    OPTIMIZERS,
    REGULARIZED,
    SCHEDULES,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras.json")
G = np.random.default_rng(0)


def floats(a):
    return np.asarray(a, dtype=np.float64).tolist()


def model_from(stack, weights, loss, optimizer, metrics=()):
    model = keras.Sequential([keras.Input((stack[0],)), *stack[1:]])
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    model.compile(loss=loss, optimizer=optimizer, metrics=list(metrics))
    return model


def training_case(hidden_activation, output, loss, weights, x, y, lr=0.5, epochs=5):
    """Full-batch SGD from given weights: the history and the final weights."""
    width, units = x.shape[1], weights[-1].shape[0]
    model = model_from([width, layers.Dense(weights[0].shape[1], activation=hidden_activation),
                        layers.Dense(units, activation=output)], weights, loss,
                       keras.optimizers.SGD(lr))
    history = model.fit(x, y, batch_size=len(x), epochs=epochs, shuffle=False, verbose=0)
    return {"x": floats(x), "y": floats(y), "weights": [floats(w) for w in weights],
            "losses": floats(history.history["loss"]),
            "evaluate": float(model.evaluate(x, y, verbose=0)),
            "final_weights": [floats(w) for w in model.get_weights()]}


def saturating_weights(width, hidden, units, scale):
    return [G.standard_normal((width, hidden)), np.zeros(hidden),
            scale * G.standard_normal((hidden, units)), np.zeros(units)]


def logits_cases():
    x = G.standard_normal((16, 3)).astype(np.float32)
    # Binary, two labels per sample, targets chosen so that the big output weights make the
    # model confidently wrong: sigmoid + binary cross-entropy must still learn.
    weights = saturating_weights(3, 4, 2, 8.0)
    hidden = np.maximum(x @ weights[0], 0)
    y_binary = (hidden @ weights[2] < 0).astype(np.float32)
    labels = G.integers(0, 3, 16)
    y_onehot = np.eye(3, dtype=np.float32)[labels]
    return {
        "sigmoid_bce": training_case("relu", "sigmoid", "binary_crossentropy", weights, x,
                                     y_binary),
        "linear_bce_from_logits": training_case(
            "relu", None, keras.losses.BinaryCrossentropy(from_logits=True), weights, x,
            y_binary),
        "softmax_cce_saturated": training_case(
            "relu", "softmax", "categorical_crossentropy", saturating_weights(3, 4, 3, 12.0),
            x, y_onehot, lr=0.05, epochs=3),
        "softmax_sparse_saturated": training_case(
            "relu", "softmax", "sparse_categorical_crossentropy",
            saturating_weights(3, 4, 3, 12.0), x, labels.astype(np.float32), lr=0.05,
            epochs=3),
    }


def split_counts():
    cases = [(10, 0.25), (4, 0.1), (60000, 0.2), (7, 0.5), (100, 0.33), (1000, 0.001),
             (3, 0.5), (5, 0.9)]
    out = []
    for n, split in cases:
        x = np.arange(n)
        try:
            (train,), (val,) = train_validation_split((x,), split)
            out.append({"n": n, "split": split, "train": len(train), "val": len(val),
                        "val_first": int(val[0])})
        except ValueError as error:
            out.append({"n": n, "split": split, "error": str(error)})
    return out


def small_fit_model(metrics=("accuracy",)):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=list(metrics))
    x = G.standard_normal((32, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[(x[:, 0] > 0).astype(int)]
    return model, x, y


def run_callback(callback, metrics=("accuracy",), validation=True, epochs=2, **fit):
    """Fit with `callback`; what happened: the error or the warnings, and the monitor's side."""
    model, x, y = small_fit_model(metrics)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(x, y, epochs=epochs, batch_size=8, verbose=0, callbacks=[callback],
                      validation_split=0.25 if validation else 0.0, **fit)
        except ValueError as error:
            return {"error": str(error)}
    op = getattr(callback, "monitor_op", None)
    mode = None if op is None else ("min" if op is keras.ops.less else "max")
    return {"mode": mode, "warnings": sorted({str(w.message) for w in caught
                                              if "monitor" in str(w.message)
                                              or "save best" in str(w.message)})}


def monitor_cases():
    cb = keras.callbacks
    return {
        "early_stopping_val_foo": run_callback(cb.EarlyStopping(monitor="val_foo")),
        "early_stopping_val_accuracy": run_callback(cb.EarlyStopping(monitor="val_accuracy")),
        "early_stopping_val_mae": run_callback(cb.EarlyStopping(monitor="val_mae"),
                                               metrics=("mae",)),
        "early_stopping_loss": run_callback(cb.EarlyStopping(monitor="loss")),
        "reduce_lr_learning_rate": run_callback(cb.ReduceLROnPlateau(monitor="learning_rate")),
        "reduce_lr_val_accuracy": run_callback(cb.ReduceLROnPlateau(monitor="val_accuracy")),
        "checkpoint_val_foo": run_callback(cb.ModelCheckpoint(
            os.path.join(tempfile.mkdtemp(), "m.weights.h5"), monitor="val_foo",
            save_weights_only=True)),
    }


def scheduler_cases():
    out = {}
    for name, schedule in {"int": lambda epoch, lr: 1, "numpy_float32": lambda e, lr:
                           np.float32(0.5), "float": lambda e, lr: 0.25}.items():
        out[name] = run_callback(keras.callbacks.LearningRateScheduler(schedule),
                                 validation=False)
    return out


def checkpoint_cases():
    folder = tempfile.mkdtemp()
    best = run_callback(keras.callbacks.ModelCheckpoint(
        os.path.join(folder, "best_{epoch}.weights.h5"), monitor="val_loss",
        save_best_only=True, save_weights_only=True), validation=False, epochs=3)
    best["files"] = sorted(os.listdir(folder))
    folder = tempfile.mkdtemp()
    run_callback(keras.callbacks.ModelCheckpoint(
        os.path.join(folder, "b_{epoch}_{batch}.weights.h5"), save_freq=3,
        save_weights_only=True), validation=False, epochs=2)  # 4 batches of 8 per epoch
    return {"save_best_only_missing_monitor": best, "save_freq_3_files": sorted(os.listdir(folder))}


def csv_cases():
    scripts = {
        "validation_every_epoch": [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625,
                                    "val_accuracy": 0.5},
                                   {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.375,
                                    "val_accuracy": 0.6666666666666666}],
        "validation_from_epoch_2": [{"loss": 0.5, "accuracy": 0.75},
                                    {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.375,
                                     "val_accuracy": 0.6666666666666666}],
        "no_validation": [{"loss": 0.5, "accuracy": 0.75},
                          {"loss": 0.1234567890123, "accuracy": 1.0}],
    }
    out = {}
    for name, logs in scripts.items():
        path = os.path.join(tempfile.mkdtemp(), "log.csv")
        logger = keras.callbacks.CSVLogger(path)
        logger.on_train_begin()
        for epoch, entry in enumerate(logs):
            logger.on_epoch_end(epoch, dict(entry))
        logger.on_train_end()
        with open(path, "rb") as handle:
            out[name] = {"logs": logs, "bytes": handle.read().decode("ascii")}
    return out


def key_orders():
    model, x, y = small_fit_model(("accuracy", "mae"))
    history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    as_list = model.evaluate(x, y, verbose=0)
    return {"metrics": ["accuracy", "mae"], "history": list(history.history),
            "evaluate_dict": list(as_dict),
            "evaluate_list_names": [min(as_dict, key=lambda k: abs(as_dict[k] - v))
                                    for v in as_list]}


def metric_functions():
    y_true = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0.7, 0.2, 1]], np.float32)
    y_pred = np.array([[0.9, 0.6, 0.4], [0.2, 0.4, 0.8], [0.55, 0.71, 0.3], [0.8, 0.1, 0.9]],
                      np.float32)
    return {"y_true": floats(y_true), "y_pred": floats(y_pred),
            "binary_accuracy": floats(keras.metrics.binary_accuracy(y_true, y_pred)),
            "binary_accuracy_threshold_0.7": floats(
                keras.metrics.binary_accuracy(y_true, y_pred, threshold=0.7))}


def loss_functions():
    logits = (3 * G.standard_normal((5, 4))).astype(np.float32)
    logits[0, 1] = 40.0  # a saturated row
    p = keras.ops.convert_to_numpy(keras.ops.softmax(logits))
    labels = G.integers(0, 4, 5)
    onehot = np.eye(4, dtype=np.float32)[labels]
    soft = np.abs(G.standard_normal((5, 4))).astype(np.float32)
    soft /= soft.sum(axis=1, keepdims=True)
    binary = (G.random((5, 4)) > 0.5).astype(np.float32)
    sig = keras.ops.convert_to_numpy(keras.ops.sigmoid(logits))
    target = G.standard_normal((5, 4)).astype(np.float32)
    losses = keras.losses
    values = {
        "categorical_crossentropy": losses.categorical_crossentropy(onehot, p),
        "categorical_crossentropy_soft": losses.categorical_crossentropy(soft, p),
        "categorical_crossentropy_from_logits": losses.categorical_crossentropy(
            onehot, logits, from_logits=True),
        "categorical_crossentropy_smoothing_0.1": losses.categorical_crossentropy(
            onehot, p, label_smoothing=0.1),
        "categorical_crossentropy_from_logits_smoothing_0.2": losses.categorical_crossentropy(
            onehot, logits, from_logits=True, label_smoothing=0.2),
        "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy(labels, p),
        "sparse_categorical_crossentropy_from_logits": losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True),
        "binary_crossentropy": losses.binary_crossentropy(binary, sig),
        "binary_crossentropy_from_logits": losses.binary_crossentropy(
            binary, logits, from_logits=True),
        "binary_crossentropy_smoothing_0.2": losses.binary_crossentropy(
            binary, sig, label_smoothing=0.2),
        "binary_crossentropy_from_logits_smoothing_0.2": losses.binary_crossentropy(
            binary, logits, from_logits=True, label_smoothing=0.2),
        "mean_squared_error": losses.mean_squared_error(target, logits),
        "mean_absolute_error": losses.mean_absolute_error(target, logits),
        "CategoricalCrossentropy_smoothing_0.1": losses.CategoricalCrossentropy(
            label_smoothing=0.1)(onehot, p),
        "BinaryCrossentropy_from_logits_smoothing_0.2": losses.BinaryCrossentropy(
            from_logits=True, label_smoothing=0.2)(binary, logits),
    }
    return {"inputs": {"logits": floats(logits), "probabilities": floats(p),
                       "labels": labels.tolist(), "soft": floats(soft), "binary": floats(binary),
                       "sigmoid": floats(sig), "target": floats(target)},
            "values": {k: floats(keras.ops.convert_to_numpy(v)) for k, v in values.items()}}


def optimizer_cases():
    """10 full-batch steps of a small classifier from fixed weights, per optimizer."""
    x = G.standard_normal((16, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[G.integers(0, 3, 16)]
    weights = [0.5 * G.standard_normal((3, 4)), 0.1 * G.standard_normal(4),
               0.5 * G.standard_normal((4, 3)), 0.1 * G.standard_normal(3)]
    cases = {}
    for name, make in OPTIMIZERS.items():
        model = model_from([3, layers.Dense(4, activation="relu"),
                            layers.Dense(3, activation="softmax")], weights,
                           "categorical_crossentropy",
                           make(keras.optimizers, keras.optimizers.schedules))
        history = model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
        cases[name] = {"losses": floats(history.history["loss"]),
                       "final_weights": [floats(w) for w in model.get_weights()]}
    schedules = keras.optimizers.schedules
    values = {name: floats([float(keras.ops.convert_to_numpy(make(schedules)(step)))
                            for step in range(14)])
              for name, make in SCHEDULES.items()}
    return {"x": floats(x), "y": floats(y), "weights": [floats(w) for w in weights],
            "optimizers": cases, "schedule_values": values}


def decaying_slot_cases():
    """Each optimizer's slots of a 2-element weight after one step with gradient 1e-3 and
    then zero gradients, at the steps DECAYING_SLOTS_RECORDED: the slots decay geometrically
    and, as TensorFlow's CPU kernels flush subnormal results, reach exactly 0."""
    cases = {}
    for name, (make, _) in DECAYING_SLOTS.items():
        variable = keras.Variable(np.full(2, 0.5, np.float32), name="w")
        optimizer = make(keras.optimizers)
        optimizer.build([variable])
        slots = [v for v in optimizer.variables if v.name.startswith("w_")]
        recorded = {}
        for step in range(max(DECAYING_SLOTS_RECORDED) + 1):
            gradient = np.full(2, 1e-3 if step == 0 else 0.0, np.float32)
            optimizer.apply_gradients([(gradient, variable)])
            if step in DECAYING_SLOTS_RECORDED:
                recorded[str(step)] = {"weight": floats(variable),
                                       **{v.name[2:]: floats(v) for v in slots}}
        cases[name] = recorded
    return cases


def regularized_case(hidden_kwargs, output_kwargs, optimizer):
    """5 full-batch steps of a small classifier with regularizers and constraints."""
    g = np.random.default_rng(5)
    x = g.standard_normal((16, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[g.integers(0, 3, 16)]
    weights = [0.8 * g.standard_normal((3, 4)), 0.1 * g.standard_normal(4),
               0.8 * g.standard_normal((4, 3)), 0.1 * g.standard_normal(3)]
    model = model_from([3, layers.Dense(4, activation="relu", **hidden_kwargs(keras)),
                        layers.Dense(3, activation="softmax", **output_kwargs(keras))], weights,
                       "categorical_crossentropy", optimizer(keras.optimizers))
    history = model.fit(x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)
    return {"x": floats(x), "y": floats(y), "weights": [floats(w) for w in weights],
            "losses": floats(history.history["loss"]),
            "evaluate": float(model.evaluate(x, y, verbose=0)),
            "final_weights": [floats(w) for w in model.get_weights()]}


def regularizer_cases():
    return {name: regularized_case(*spec) for name, spec in REGULARIZED.items()}


def weighted_cases():
    """fit with sample_weight or class_weight (batches of 8, no shuffling), and evaluate with
    sample_weight: Keras's weighted losses and metrics."""
    g = np.random.default_rng(9)
    x = g.standard_normal((24, 3)).astype(np.float32)
    labels = g.integers(0, 3, 24)
    y = np.eye(3, dtype=np.float32)[labels]
    weights = [0.5 * g.standard_normal((3, 4)), np.zeros(4), 0.5 * g.standard_normal((4, 3)),
               np.zeros(3)]
    sample_weight = g.uniform(0.0, 2.0, 24).astype(np.float32)
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    out = {"x": floats(x), "labels": labels.tolist(), "weights": [floats(w) for w in weights],
           "sample_weight": floats(sample_weight), "class_weight": class_weight}
    for name, fit_kwargs, loss, targets in [
            ("fit_sample_weight", {"sample_weight": sample_weight}, "categorical_crossentropy", y),
            ("fit_class_weight", {"class_weight": class_weight}, "categorical_crossentropy", y),
            ("fit_class_weight_sparse", {"class_weight": class_weight},
             "sparse_categorical_crossentropy", labels)]:
        model = model_from([3, layers.Dense(4, activation="relu"),
                            layers.Dense(3, activation="softmax")], weights, loss,
                           keras.optimizers.SGD(0.2), metrics=["accuracy"])
        history = model.fit(x, targets, batch_size=8, epochs=3, shuffle=False, verbose=0,
                            **fit_kwargs)
        evaluated = model.evaluate(x, targets, batch_size=8, sample_weight=sample_weight,
                                   verbose=0, return_dict=True)
        out[name] = {"history": {k: floats(v) for k, v in history.history.items()},
                     "evaluate_weighted": evaluated,
                     "final_weights": [floats(w) for w in model.get_weights()]}
    return out


def activation_values():
    x = np.linspace(-4, 4, 33).astype(np.float32)
    a = keras.activations
    values = {"gelu": a.gelu(x), "elu": a.elu(x), "selu": a.selu(x), "swish": a.swish(x),
              "silu": a.silu(x), "softplus": a.softplus(x), "leaky_relu": a.leaky_relu(x),
              "ReLU_options": layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2)(x),
              "LeakyReLU_layer": layers.LeakyReLU()(x), "ELU_layer_0.7": layers.ELU(0.7)(x)}
    return {"x": floats(x), **{k: floats(keras.ops.convert_to_numpy(v)) for k, v in values.items()}}


def image_cases():
    """Each IMAGE_MODELS classifier: 2 epochs of SGD in batches of 3 from fixed weights, then
    predictions in inference mode (BatchNormalization on its moving statistics)."""
    g = np.random.default_rng(11)
    x = g.standard_normal((6, 7, 7, 2)).astype(np.float32)
    y = g.integers(0, 3, 6)
    cases = {}
    for name, make in IMAGE_MODELS.items():
        model = keras.Sequential([keras.Input((7, 7, 2)), *make(layers)])
        weights = [0.5 * g.standard_normal(w.shape) for w in model.get_weights()]
        weights = [np.abs(w) + 0.5 if "moving_variance" in v.path else w  # variances > 0
                   for w, v in zip(weights, model.weights)]
        model.set_weights([np.asarray(w, np.float32) for w in weights])
        model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.1))
        history = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
        cases[name] = {"weights": [floats(w) for w in weights],
                       "losses": floats(history.history["loss"]),
                       "final_weights": [floats(w) for w in model.get_weights()],
                       "predict": floats(model.predict(x, verbose=0))}
    return {"x": floats(x), "y": floats(y), "models": cases}


def main():
    keras.utils.set_random_seed(0)
    golden = {"keras": keras.__version__, "python": sys.version.split()[0],
              "logits": logits_cases(), "validation_split": split_counts(),
              "monitor": monitor_cases(), "learning_rate_scheduler": scheduler_cases(),
              "model_checkpoint": checkpoint_cases(), "csv_logger": csv_cases(),
              "key_order": key_orders(), "metric_functions": metric_functions(),
              "loss_functions": loss_functions(), "optimizer_steps": optimizer_cases(),
              "decaying_slots": decaying_slot_cases(),
              "activations": activation_values(), "regularizers": regularizer_cases(),
              "weighted": weighted_cases(), "images": image_cases()}
    with open(OUT, "w") as handle:
        json.dump(golden, handle, indent=1)
        handle.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes) with Keras {keras.__version__}")


if __name__ == "__main__":
    main()
