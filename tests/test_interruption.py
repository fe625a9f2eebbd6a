"""Ctrl-C and non-finite losses during fit: the work done so far is kept, files are closed."""

import numpy as np
import pytest

import numnet
from numnet import _tensorboard, callbacks, layers

from builders import classification_data, classifier


def data():
    return classification_data(n=64, width=6, classes=2)


def model():
    return classifier(width=6, classes=2, dropout=0.2)


def test_ctrl_c_keeps_the_last_step_the_history_and_closes_the_logs(tmp_path):
    x, y = data()
    m = model()
    seen = {}

    class CtrlC(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["weights"] = self.model.get_weights()  # after this step's update
            if self.model.history is not None and len(self.model.history.epoch) == 2 and batch == 2:
                raise KeyboardInterrupt

    csv_logger = callbacks.CSVLogger(str(tmp_path / "log.csv"))
    board = callbacks.TensorBoard(str(tmp_path / "tb"))
    with pytest.raises(KeyboardInterrupt):
        m.fit(x, y, epochs=10, batch_size=16, verbose=0, callbacks=[csv_logger, board, CtrlC()])
    for kept, current in zip(seen["weights"], m.get_weights()):
        np.testing.assert_array_equal(kept, current)  # the last completed step, no partial one
    assert m.history.epoch == [0, 1]  # completed epochs only
    assert csv_logger._file is None  # on_train_end ran: the CSV is closed
    assert len(open(tmp_path / "log.csv").read().splitlines()) == 3
    (train_file,) = (tmp_path / "tb" / "train").iterdir()
    steps = [e["step"] for e in _tensorboard.read_events(train_file) if "epoch_loss" in e["scalars"]]
    assert steps == [0, 1]  # flushed and closed


def test_training_can_go_on_after_an_interrupt(tmp_path):
    x, y = data()
    m = model()

    class CtrlC(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        m.fit(x, y, epochs=5, verbose=0, callbacks=[CtrlC()])
    history = m.fit(x, y, epochs=5, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3, 4] and all(np.isfinite(history.history["loss"]))


def overflowing_batch():
    """A regression model and data whose third batch (rows 32-47) overflows the loss."""
    g = np.random.default_rng(0)
    x = g.standard_normal((64, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    x_bad = x.copy()
    x_bad[32:48] = 1e30  # finite inputs; the squared error (1e60) is not
    m = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(4,)), layers.Dense(1)])
    m.compile(loss="mse", optimizer="sgd")
    return m, x_bad, y


@pytest.mark.parametrize("policy", ["stop", "raise", "skip"])
def test_nonfinite_policies_keep_the_weights_of_the_last_finite_step(policy):
    m, x, y = overflowing_batch()
    kept = {}

    class Snapshot(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            kept[batch] = self.model.get_weights()

    if policy == "raise":
        with pytest.raises(FloatingPointError, match=r"became (inf|nan) at epoch 1, step 3"):
            m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                  on_nonfinite=policy, callbacks=[Snapshot()])
    elif policy == "stop":
        with pytest.warns(RuntimeWarning, match=r"Training stopped: the loss or its gradient became"):
            history = m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                            on_nonfinite=policy, callbacks=[Snapshot()])
        assert history.epoch == [0]
    else:
        history = m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                        on_nonfinite=policy, callbacks=[Snapshot()])
        assert history.epoch == [0, 1] and 3 in kept  # the bad batch skipped, training went on
    assert all(np.isfinite(w).all() for w in m.get_weights())
    if policy != "skip":
        for a, b in zip(kept[1], m.get_weights()):  # the bad batch (index 2) never applied
            np.testing.assert_array_equal(a, b)


def test_a_nonfinite_gradient_with_a_finite_loss_is_not_applied(monkeypatch):
    x, y = data()
    m = model()
    before = m.get_weights()
    original = m.compute_gradients

    def overflowing(xb, yb):
        loss, p = original(xb, yb)
        m.layers[0].grads["kernel"][0, 0] = np.inf
        return loss, p

    monkeypatch.setattr(m, "compute_gradients", overflowing)
    logs = m.train_step(x[:16], y[:16])
    assert logs["loss"] == np.inf
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)
