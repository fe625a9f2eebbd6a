"""The traps a user porting Keras (or R keras) code hits, each turned into clear behaviour:
a validation that looks at one batch, plot(history), file permissions, foreign model files,
Keras file names, a single sample without its batch axis, lists and DataFrames."""

import os
import pickle
import stat
import zipfile

import numpy as np
import pytest

import numnet
from numnet import saving

from builders import classification_data, classifier


def test_validation_on_one_batch_of_many_rows_warns_once_with_the_count():
    """The R tutorial writes validation_steps=1 with 10,000 validation rows: Keras validates
    on 32 of them, silently, and val_accuracy is noise. numnet validates on them too, and says so."""
    x, y = classification_data(n=200, width=6, classes=2)
    with pytest.warns(UserWarning, match=r"validation_steps=1 evaluates 32 of the 200 validation "
                                         r"rows \(batches of 32\); leave validation_steps=None") as seen:
        classifier().fit(x, y, epochs=3, validation_data=(x, y), validation_steps=1, verbose=0)
    (warning,) = [w for w in seen if "validation_steps" in str(w.message)]
    assert os.path.basename(warning.filename) == "test_porting.py"  # points at the fit call


def test_history_plot_is_plot_history():
    x, y = classification_data()
    history = classifier().fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    figure = history.plot()
    assert [ax.get_ylabel() for ax in figure.axes] == ["accuracy", "loss"]


def test_saved_files_get_the_permissions_of_a_plain_open(tmp_path):
    old = os.umask(0o022)
    try:
        x, y = classification_data()
        model = classifier()
        history = model.fit(x, y, epochs=1, verbose=0)
        model.save(tmp_path / "m.npz")
        model.save_weights(tmp_path / "w.npz")
        numnet.plot_history(history, tmp_path / "h.png")
        for name in ("m.npz", "w.npz", "h.png"):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o644, name
        os.chmod(tmp_path / "m.npz", 0o600)  # replacing a file keeps its permissions
        model.save(tmp_path / "m.npz")
        assert stat.S_IMODE(os.stat(tmp_path / "m.npz").st_mode) == 0o600
    finally:
        os.umask(old)


def write_foreign(path, kind):
    if kind == "hdf5":
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    elif kind == "npy":
        np.save(path, np.zeros(3))
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"weights": [1, 2]}))
    elif kind == "torch":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("archive/data.pkl", pickle.dumps({}))
            archive.writestr("archive/version", "3")
    elif kind == "keras":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", "{}")
            archive.writestr("metadata.json", "{}")
            archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")


@pytest.mark.parametrize("name, kind, says", [
    ("model.h5", "hdf5", r"is an HDF5 file \(a Keras \.h5 model\? numnet\.load_keras reads those\); numnet cannot load it"),
    ("array.npy", "npy", r"is a single NumPy array \(np\.save\), not a numnet model"),
    ("model.pkl", "pickle", r"is a Python pickle .*which numnet never loads"),
    ("model.pt", "torch", r"is a PyTorch file \(torch\.save\)"),
    ("model.keras", "keras", r"is a Keras \.keras file \(numnet\.load_keras reads those\); numnet cannot load it"),
])
def test_foreign_model_files_are_named_not_unpickled(tmp_path, name, kind, says):
    path = tmp_path / name
    write_foreign(path, kind)
    for load in (numnet.load_model, classifier().load_weights):
        with pytest.raises(saving.FileFormatError, match=says):
            load(path)


@pytest.mark.parametrize("name", ["m.h5", "m.keras", "m.weights.h5", "m.onnx", "m.pt"])
def test_saving_under_a_keras_or_other_name_is_refused(tmp_path, name):
    model = classifier()
    for save in (model.save, model.save_weights):
        with pytest.raises(ValueError, match=r"filepath must name a numnet file, such as "
                                             r"'model\.npz'.*which numnet does not write"):
            save(tmp_path / name)
    assert not any(tmp_path.glob("m.*"))


def test_one_sample_without_the_batch_axis_says_how_to_add_it():
    model = classifier(width=6)
    sample = np.zeros(6, np.float32)
    for call in (model.predict, model):
        with pytest.raises(ValueError, match=r"x must be a batch: an array of shape \(n, 6\); "
                                             r"for one sample of shape \(6,\), add the batch axis "
                                             r"\(x\[None\]\)"):
            call(sample)
    assert model.predict(sample[None]).shape == (1, 2)


def test_python_lists_work_wherever_arrays_do():
    x, y = classification_data(n=16)
    model = classifier()
    history = model.fit(x.tolist(), y.tolist(), epochs=2, validation_data=(x.tolist(), y.tolist()),
                        verbose=0)
    assert len(history.epoch) == 2
    np.testing.assert_array_equal(model.predict(x.tolist()), model.predict(x))
    assert model.evaluate(x.tolist(), y.tolist(), verbose=0) == model.evaluate(x, y, verbose=0)


def test_pandas_data_frames_work_wherever_arrays_do():
    pandas = pytest.importorskip("pandas")  # in the test extra
    x, y = classification_data(n=16)
    frame = pandas.DataFrame(x, columns=[f"f{i}" for i in range(6)])
    labels = pandas.Series(y.argmax(axis=1))
    model = numnet.Sequential([numnet.layers.Dense(2, activation="softmax", input_shape=(6,))])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(frame, labels, epochs=2, validation_split=0.25, verbose=0)
    np.testing.assert_array_equal(model.predict(frame), model.predict(x))
