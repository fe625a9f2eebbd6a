"""Inputs of any real dtype (uint8 images, float64, int) stay as they are and are cast one batch
at a time as they enter the model; a Rescaling layer does the cast and the scaling in one pass.
Training on uint8 pixels with Rescaling(1/255) is the same, bit for bit, as training on the
pixels converted up front."""

import tracemalloc

import numpy as np
import pytest

import numnet
from numnet import layers

SCALE = 1 / 255


def tutorial_model(head, dtype="float32"):
    numnet.set_random_seed(5)
    model = numnet.Sequential([
        layers.Input(shape=(7, 8)), *head, layers.Flatten(),
        layers.Dense(32, activation="relu", dtype=dtype), layers.Dropout(0.4, dtype=dtype),
        layers.Dense(16, activation="relu", dtype=dtype), layers.Dropout(0.3, dtype=dtype),
        layers.Dense(10, activation="softmax", dtype=dtype)])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def pixels_and_labels(n=300):
    g = np.random.default_rng(0)
    labels = g.integers(0, 10, n)
    pixels = g.integers(0, 60, (n, 7, 8)).astype(np.uint8)
    pixels[np.arange(n), labels % 7, :] = 255  # something to learn: (label % 7, label % 8)
    pixels[np.arange(n), :, labels % 8] = 255  # is unique for labels 0..9
    return pixels, numnet.utils.to_categorical(labels, 10)


def train(model, x, y):
    history = model.fit(x, y, epochs=6, batch_size=16, validation_split=0.2, verbose=0)
    return history.history, model.get_weights(), model.evaluate(x, y, verbose=0), model.predict(x)


def assert_same_run(a, b):
    assert a[0] == b[0]  # History: losses and metrics, training and validation
    for got, expected in zip(a[1], b[1]):
        np.testing.assert_array_equal(got, expected)
    assert a[2] == b[2]
    np.testing.assert_array_equal(a[3], b[3])


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_uint8_pixels_with_rescaling_train_exactly_like_pixels_converted_up_front(backend):
    numnet.config.set_backend(backend)
    pixels, y = pixels_and_labels()
    on_uint8 = train(tutorial_model([layers.Rescaling(SCALE)]), pixels, y)
    converted = pixels.astype(np.float32) * np.float32(SCALE)
    assert_same_run(on_uint8, train(tutorial_model([]), converted, y))
    assert on_uint8[0]["val_accuracy"][-1] > 0.5  # it learned something (chance: 0.1)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float64])
def test_inputs_of_another_dtype_train_like_inputs_cast_up_front(backend, dtype):
    numnet.config.set_backend(backend)
    pixels, y = pixels_and_labels()
    x = pixels.astype(dtype)
    assert_same_run(train(tutorial_model([]), x, y),
                    train(tutorial_model([]), x.astype(np.float32), y))


def test_a_float64_model_rescales_uint8_in_float64():
    pixels, y = pixels_and_labels(40)
    model = tutorial_model([layers.Rescaling(SCALE, dtype="float64")], dtype="float64")
    assert model.predict(pixels).dtype == np.float64
    model.fit(pixels, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in model.get_weights())


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_fit_evaluate_and_predict_never_convert_the_whole_uint8_array(backend):
    """uint8 (6000, 784): 4.7 MB; as float32 it would be 18.8 MB. Python-side allocations
    (NumPy reports its buffers to tracemalloc) stay far below one float32 copy."""
    numnet.config.set_backend(backend)
    g = np.random.default_rng(1)
    x = g.integers(0, 256, (6000, 784)).astype(np.uint8)
    y = numnet.utils.to_categorical(g.integers(0, 10, 6000), 10)
    numnet.set_random_seed(0)
    model = numnet.Sequential([layers.Rescaling(SCALE, input_shape=(784,)),
                               layers.Dense(16, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.predict(x[:8])  # the backend's kernels are loaded before measuring
    tracemalloc.start()
    try:
        model.fit(x, y, epochs=1, batch_size=128, validation_split=0.2, verbose=0)
        model.evaluate(x, y, batch_size=128, verbose=0)
        model.predict(x, batch_size=128)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < x.size * 4 / 4, f"peak {peak / 1e6:.1f} MB"


def test_rescaling_checks_its_arguments():
    with pytest.raises(TypeError, match=r"scale must be a finite number. Received: scale='1/255'"):
        layers.Rescaling("1/255")
    with pytest.raises(ValueError, match=r"offset must be a finite number. Received: offset=nan"):
        layers.Rescaling(1.0, offset=float("nan"))


def test_a_model_with_rescaling_saves_and_loads(tmp_path):
    pixels, y = pixels_and_labels(40)
    model = tutorial_model([layers.Rescaling(SCALE, offset=-0.5)])
    model.fit(pixels, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = numnet.load_model(tmp_path / "m.npz")
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(pixels), model.predict(pixels))
