"""Save and load: bit-identical predictions, exact resumption, atomic writes, clear errors."""

import math
import os
import zipfile

import numpy as np
import pytest

import numnet
from numnet import layers, saving

from builders import classification_data, classifier


def data():
    return classification_data(n=96, width=10, classes=3)


def model(optimizer="adam"):
    return classifier(width=10, classes=3, hidden=12, dropout=0.3, optimizer=optimizer)


def test_round_trip_predictions_are_bit_identical(tmp_path):
    x, y = data()
    original = model()
    original.fit(x, y, epochs=2, verbose=0)
    original.save(tmp_path / "m.npz")
    loaded = numnet.load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.predict(x), original.predict(x))
    assert loaded.get_config()["layers"] == original.get_config()["layers"]
    assert loaded.optimizer.get_config() == original.optimizer.get_config()
    assert loaded.metric_names == ["accuracy"]


RESUMABLE = {  # every optimizer's state, and a schedule's step, survive a save
    "adam": lambda: "adam",
    "rmsprop": lambda: "rmsprop",
    "sgd-momentum": lambda: numnet.optimizers.SGD(0.1, momentum=0.9),
    "rmsprop-centered-momentum": lambda: numnet.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "nadam": lambda: numnet.optimizers.Nadam(0.01),
    "adagrad-clipnorm": lambda: numnet.optimizers.Adagrad(0.1, clipnorm=1.0),
    "adadelta": lambda: numnet.optimizers.Adadelta(1.0),
    "adamw-schedule": lambda: numnet.optimizers.AdamW(
        numnet.optimizers.schedules.CosineDecay(0.01, 10, warmup_target=0.02, warmup_steps=3),
        amsgrad=True),
}


@pytest.mark.parametrize("make", RESUMABLE.values(), ids=RESUMABLE)
def test_resumed_training_equals_uninterrupted_training(tmp_path, make):
    x, y = data()
    numnet.set_random_seed(11)
    straight = model(make())
    full = straight.fit(x, y, epochs=4, batch_size=16, verbose=0)
    numnet.set_random_seed(11)
    first = model(make())
    first.fit(x, y, epochs=2, batch_size=16, verbose=0)
    first.save(tmp_path / "half.npz")
    resumed = numnet.load_model(tmp_path / "half.npz")
    rest = resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, verbose=0)
    assert rest.history["loss"] == full.history["loss"][2:]
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_crash_during_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    x, y = data()
    m = model()
    path = tmp_path / "m.npz"
    m.save(path)
    before = path.read_bytes()
    m.fit(x, y, epochs=1, verbose=0)

    def crash(*args, **kwargs):
        handle = args[0]
        handle.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        m.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["home", "m.npz"]  # no temporary file left behind


def test_truncated_file_gives_a_clear_error(tmp_path):
    m = model()
    m.save(tmp_path / "m.npz")
    data_ = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data_[: len(data_) // 2])
    with pytest.raises(saving.FileFormatError, match=r"could not be read as a numnet file"):
        numnet.load_model(tmp_path / "cut.npz")


def test_foreign_npz_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(saving.FileFormatError, match=r"is not a numnet file: it has no '__numnet__' header"):
        numnet.load_model(tmp_path / "other.npz")


def test_weights_file_is_not_a_model(tmp_path):
    m = model()
    m.save_weights(tmp_path / "w.npz")
    with pytest.raises(saving.FileFormatError, match=r"must be a 'numnet-model' file\. Received: format='numnet-weights'"):
        numnet.load_model(tmp_path / "w.npz")


def test_load_weights_checks_the_architecture(tmp_path):
    m = model()
    m.save_weights(tmp_path / "w.npz")
    other = numnet.Sequential([layers.Dense(5, input_shape=(10,)), layers.Dense(3)])
    with pytest.raises(saving.FileFormatError, match=r"must have shape \(10, 5\) to fit layer"):
        other.load_weights(tmp_path / "w.npz")


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"filepath must be an existing numnet file\. Received: filepath='.*nope.npz'"):
        numnet.load_model(tmp_path / "nope.npz")


def test_the_file_is_a_plain_zip_of_npy_arrays(tmp_path):
    m = model()
    m.fit(*data(), epochs=1, verbose=0)
    m.save(tmp_path / "m.npz")
    names = zipfile.ZipFile(tmp_path / "m.npz").namelist()
    assert "__numnet__.npy" in names
    assert sum(n.startswith("weights/") and n.endswith("/kernel.npy") for n in names) == 2
    assert any(n.startswith("optimizer/slot_0_") for n in names)


def test_a_model_that_never_trained_saves_and_loads(tmp_path):
    m = model()
    m.save(tmp_path / "fresh.npz")
    loaded = numnet.load_model(tmp_path / "fresh.npz")
    assert loaded.optimizer.iterations == 0
    x, y = data()
    assert np.isfinite(loaded.fit(x, y, epochs=1, verbose=0).history["loss"][0])


DATA = os.path.join(os.path.dirname(__file__), "data")


def test_a_file_saved_by_numnet_0_1_0_still_loads_and_resumes():
    """tests/data/model_v1.npz was written by numnet 0.1.0 before the model/trainer split
    (tests/data/make_v1_model.py, NumPy backend); model_v1_expected.npz holds that version's
    predictions. Training resumes from the saved weights, optimizer slots and step count;
    its weights after that are no longer 0.1.0's (model_v1_expected.npz keeps them), since
    dropout masks now come from a 32-bit hash."""
    numnet.config.set_backend("numpy")
    expected = np.load(os.path.join(DATA, "model_v1_expected.npz"))
    saved = np.load(os.path.join(DATA, "model_v1.npz"), allow_pickle=False)
    loaded = numnet.load_model(os.path.join(DATA, "model_v1.npz"))
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense"]
    assert loaded.optimizer.iterations == 6 and loaded.metric_names == ["accuracy"]
    np.testing.assert_allclose(loaded.predict(expected["x"]), expected["predictions"],
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(loaded.get_optimizer_state()["slot_0_velocity"],
                                  saved["optimizer/slot_0_velocity"])
    before = loaded.get_weights()
    loaded.fit(expected["x"], expected["y"], epochs=3, initial_epoch=2, batch_size=16, verbose=0)
    assert loaded.optimizer.iterations == 6 + math.ceil(len(expected["x"]) / 16)
    for old, new in zip(before, loaded.get_weights()):
        assert np.isfinite(new).all() and not np.array_equal(old, new)


def test_a_convnet_saves_and_loads(tmp_path, rng):
    model = numnet.Sequential([layers.Input(shape=(6, 6, 2)),
                               layers.Conv2D(3, 3, padding="same", activation="relu",
                                             kernel_regularizer="l2"),
                               layers.AveragePooling2D(2), layers.Conv2D(2, 2, strides=2),
                               layers.GlobalMaxPooling2D(), layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    x = rng.standard_normal((8, 6, 6, 2)).astype(np.float32)
    model.fit(x, rng.integers(0, 2, 8), epochs=1, verbose=0)
    model.save(tmp_path / "cnn.npz")
    np.testing.assert_array_equal(numnet.load_model(tmp_path / "cnn.npz").predict(x),
                                  model.predict(x))
