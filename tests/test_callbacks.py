"""Callbacks against Keras's documented semantics, driven by scripted logs and real fits."""

import io
import math
import os

import numpy as np
import pytest

import numnet
from numnet import callbacks, layers

from builders import classification_data, classifier


class FakeModel:
    """Just what monitoring callbacks touch."""

    def __init__(self):
        self.metric_names = ["accuracy"]
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.optimizer = numnet.optimizers.SGD(learning_rate=1.0)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = weights


def drive(callback, values, key="val_loss"):
    """Run `callback` over epochs whose logs hold the scripted values; return the epochs run."""
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin({})
    ran = []
    for epoch, value in enumerate(values):
        model.weights = [np.array([float(epoch)])]
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {key: value})
        ran.append(epoch)
        if model.stop_training:
            break
    callback.on_train_end({})
    return ran, model


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    stopper = callbacks.EarlyStopping(patience=2)
    ran, _ = drive(stopper, [1.0, 0.9, 0.95, 0.96, 0.8, 0.7])
    assert ran == [0, 1, 2, 3] and stopper.stopped_epoch == 3 and stopper.best_epoch == 1


def test_early_stopping_min_delta_counts_small_gains_as_none():
    ran, _ = drive(callbacks.EarlyStopping(patience=1, min_delta=0.05), [1.0, 0.97, 0.96])
    assert ran == [0, 1]


def test_early_stopping_patience_zero_stops_at_the_first_non_improvement():
    ran, _ = drive(callbacks.EarlyStopping(patience=0), [1.0, 0.9, 0.9, 0.5])
    assert ran == [0, 1, 2]


def test_early_stopping_auto_mode_maximises_accuracy():
    ran, _ = drive(callbacks.EarlyStopping(monitor="val_accuracy", patience=1),
                   [0.5, 0.6, 0.55, 0.7], key="val_accuracy")
    assert ran == [0, 1, 2]


def test_early_stopping_restores_the_best_weights():
    stopper = callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    _, model = drive(stopper, [1.0, 0.5, 0.7, 0.8])
    assert model.weights[0][0] == 1.0  # the weights at the end of epoch 1, the best


def test_early_stopping_baseline_keeps_the_wait_running_until_beaten():
    values = [0.9, 0.8, 0.85, 0.86, 0.87]
    assert drive(callbacks.EarlyStopping(patience=2), values)[0] == [0, 1, 2, 3]
    # gains that do not beat the baseline do not reset the wait (Keras 3 semantics)
    assert drive(callbacks.EarlyStopping(patience=2, baseline=0.5), values)[0] == [0, 1, 2]


def test_early_stopping_start_from_epoch_ignores_warm_up():
    ran, _ = drive(callbacks.EarlyStopping(patience=0, start_from_epoch=2), [1, 2, 3, 2.5, 2.6])
    assert ran == [0, 1, 2, 3, 4]


def test_monitoring_a_missing_value_warns_and_does_nothing():
    with pytest.warns(RuntimeWarning, match=r"EarlyStopping is monitoring 'val_acc', which is not "
                                            r"in the logs.*Available: \['val_loss'\]"):
        ran, _ = drive(callbacks.EarlyStopping(monitor="val_acc", mode="max"), [1.0, 2.0, 3.0])
    assert ran == [0, 1, 2]


def test_reduce_lr_on_plateau_with_cooldown_and_floor():
    reducer = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.3)
    model = FakeModel()
    reducer.set_model(model)
    reducer.on_train_begin({})
    rates = []
    for epoch, value in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"val_loss": value}
        reducer.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    # epoch 1: wait 1 -> lr 0.5 (logged from epoch 2); epoch 2: cooldown; epoch 3: lr 0.3, the
    # floor (logged from epoch 4); epoch 5: would reduce, but lr is already min_lr
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.3, 0.3]
    assert model.optimizer.learning_rate == 0.3


def small_fit(tmp_path, callbacks_, epochs=3, **kwargs):
    x, y = classification_data(n=64, width=6, classes=2)
    model = classifier(width=6, classes=2, optimizer="sgd")
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=callbacks_, **kwargs)
    return model, history


def test_early_stopping_in_fit_with_a_scripted_val_loss(tmp_path):
    """Logs are one shared dict per event: a callback listed earlier may rewrite them."""
    script = [1.0, 0.8, 0.9, 0.85, 0.95, 0.1, 0.1]
    rewrite = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(val_loss=script[epoch]))
    _, history = small_fit(tmp_path, [rewrite, callbacks.EarlyStopping(patience=3)], epochs=7)
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.history["val_loss"] == script[:5]


def test_hooks_are_called_in_keras_order(tmp_path):
    calls = []

    class Recorder(callbacks.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                return lambda *args: calls.append((name, *args[:1]) if args and isinstance(args[0], int) else (name,))
            return super().__getattribute__(name)

    small_fit(tmp_path, [Recorder()], epochs=1)
    names = [c[0] for c in calls]
    assert names[0] == "on_train_begin" and names[-1] == "on_train_end"
    assert names[1] == "on_epoch_begin" and names[-2] == "on_epoch_end"
    assert names[2:6] == ["on_train_batch_begin", "on_train_batch_end"] * 2
    test_hooks = names[names.index("on_test_begin"):names.index("on_test_end") + 1]
    assert test_hooks == ["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] + ["on_test_end"]
    assert names.count("on_train_batch_end") == 3  # 48 training rows / 16


def test_csv_logger_writes_keras_header_and_rows(tmp_path):
    path = tmp_path / "log" / "run_%Y.csv"
    logger = callbacks.CSVLogger(str(path))
    _, history = small_fit(tmp_path, [logger])
    written = logger.path
    assert "%Y" not in written and written.endswith(".csv")
    lines = open(written).read().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1", "2"]
    assert float(lines[3].split(",")[2]) == pytest.approx(history.history["loss"][2])


def test_csv_logger_append_adds_rows_without_a_second_header(tmp_path):
    path = str(tmp_path / "log.csv")
    small_fit(tmp_path, [callbacks.CSVLogger(path)], epochs=2)
    small_fit(tmp_path, [callbacks.CSVLogger(path, separator=",", append=True)], epochs=2)
    lines = open(path).read().splitlines()
    assert lines.count(lines[0]) == 1 and len(lines) == 5


def test_model_checkpoint_saves_only_on_improvement(tmp_path):
    script = [1.0, 0.8, 0.9, 0.7]
    rewrite = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(val_loss=script[epoch]))
    folder = tmp_path / "ckpt"
    pattern = str(folder / "ckpt_{epoch:02d}_{val_loss:.2f}.npz")
    checkpoint = callbacks.ModelCheckpoint(pattern, save_best_only=True)
    model, _ = small_fit(tmp_path, [rewrite, checkpoint], epochs=4)
    assert sorted(os.listdir(folder)) == ["ckpt_01_1.00.npz", "ckpt_02_0.80.npz", "ckpt_04_0.70.npz"]
    restored = numnet.load_model(folder / "ckpt_04_0.70.npz")
    x = np.ones((3, 6), np.float32)
    np.testing.assert_array_equal(restored.predict(x), model.predict(x))


def test_model_checkpoint_says_what_improved_as_keras_does(tmp_path, capsys):
    script = [1.0, 0.8]
    rewrite = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(val_loss=script[epoch]))
    path = str(tmp_path / "best.npz")
    small_fit(tmp_path, [rewrite, callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1)],
              epochs=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if "improved" in line]
    assert lines == [f"Epoch 1: val_loss improved from None to 1.00000, saving model to {path}",
                     f"Epoch 2: val_loss improved from 1.00000 to 0.80000, saving model to {path}"]


def test_model_checkpoint_weights_only_every_epoch(tmp_path):
    folder = tmp_path / "weights"
    pattern = str(folder / "w{epoch}.weights.npz")
    model, _ = small_fit(tmp_path, [callbacks.ModelCheckpoint(pattern, save_weights_only=True)])
    assert sorted(os.listdir(folder)) == ["w1.weights.npz", "w2.weights.npz", "w3.weights.npz"]
    other = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(6,)),
                               layers.Dense(2, activation="softmax")])
    other.load_weights(folder / "w3.weights.npz")
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_scheduler_sets_and_logs_the_rate(tmp_path):
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    model, history = small_fit(tmp_path, [scheduler])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    one_argument = callbacks.LearningRateScheduler(lambda epoch: 0.01)
    _, history = small_fit(tmp_path, [one_argument], epochs=1)
    assert history.history["learning_rate"] == [0.01]


def test_terminate_on_nan_stops_training():
    model = FakeModel()
    callback = callbacks.TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 0.5})
    assert not model.stop_training
    callback.on_train_batch_end(1, {"loss": math.nan})
    assert model.stop_training


def test_progress_on_a_terminal_is_a_redrawn_bar():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = callbacks.ProgbarLogger(stream=stream, interval=0)
    progress.set_params({"epochs": 2, "steps": 4, "verbose": 1})
    progress.on_train_begin()
    for epoch in range(2):
        progress.on_epoch_begin(epoch)
        for step in range(4):
            progress.on_train_batch_end(step, {"loss": 1.0 / (step + 1)})
        progress.on_epoch_end(epoch, {"loss": 0.25, "val_loss": 0.3})
    out = stream.getvalue()
    assert out.count("\r") >= 8 and "ETA:" in out and "[" in out and "4/4" in out
    assert out.startswith("Epoch 1/2\n")


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_in_a_redirected_log_is_one_line_per_epoch(verbose):
    stream = io.StringIO()
    progress = callbacks.ProgbarLogger(stream=stream, interval=0)
    progress.set_params({"epochs": 3, "steps": 50, "verbose": verbose})
    progress.on_train_begin()
    for epoch in range(3):
        progress.on_epoch_begin(epoch)
        for step in range(50):
            progress.on_train_batch_end(step, {"loss": 0.5})
        progress.on_epoch_end(epoch, {"loss": 0.5, "accuracy": 0.9})
    out = stream.getvalue()
    assert "\r" not in out and "\b" not in out and "\x1b" not in out
    assert len(out.splitlines()) == 3 and out.splitlines()[2].startswith("Epoch 3/3 - 50/50 - ")


def test_fit_on_error_still_ends_training_and_keeps_history(tmp_path):
    path = tmp_path / "log.csv"

    class Boom(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    g = np.random.default_rng(0)
    x = g.standard_normal((32, 4)).astype("float32")
    model = numnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(4,))])
    model.compile(loss="sparse_categorical_crossentropy")
    logger = callbacks.CSVLogger(str(path))
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, (x[:, 0] > 0).astype(int), epochs=5, verbose=0, callbacks=[logger, Boom()])
    assert logger._file is None  # closed by on_train_end
    assert len(open(path).read().splitlines()) == 3
    assert model.history.epoch == [0, 1]


def test_unknown_lambda_hook_is_named():
    with pytest.raises(ValueError, match=r"LambdaCallback argument must be one of \[.*\]\. Received: LambdaCallback argument='on_epoch_ends'"):
        callbacks.LambdaCallback(on_epoch_ends=print)


def test_a_subclass_keeps_its_own_batch_hook(tmp_path):
    """Callbacks opt into batch hooks by what they override, never by assigning hooks in
    __init__ (which replaced a subclass's own hook)."""
    seen = []

    class Counting(callbacks.TensorBoard):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)
            super().on_train_batch_end(batch, logs)

    class Saving(callbacks.ModelCheckpoint):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(("saving", batch))

    x, y = classification_data(n=64, width=6, classes=2)
    model = classifier(width=6, classes=2, optimizer="sgd")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0,
              callbacks=[Counting(str(tmp_path / "tb"), update_freq=2),
                         Saving(str(tmp_path / "m.npz"))])
    steps = -(-len(x) // 8)
    assert [b for b in seen if not isinstance(b, tuple)] == list(range(steps))
    assert [b for b in seen if isinstance(b, tuple)] == [("saving", b) for b in range(steps)]
