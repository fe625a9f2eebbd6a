"""layers.Normalization: adapt() learns Keras's mean and variance (from an array and from
batches), the outputs match Keras's (tests/golden/normalization.json, made by
make_normalization_golden.py), the statistics are saved with the model, and bad arguments
are named."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import numnet
from numnet import layers

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from make_normalization_golden import CASES, data  # noqa: E402

GOLDEN = json.loads((Path(__file__).parent / "golden" / "normalization.json").read_text())


@pytest.mark.parametrize("key", [k for k in GOLDEN if k != "given"])
def test_adapt_and_call_give_kerass_numbers(key):
    name, how, mode = key.split("/")
    x = data()
    layer = layers.Normalization(invert=mode == "invert", **CASES[name])
    layer.adapt(x if how == "array" else [x[:20], x[20:35], x[35:]])
    expected = GOLDEN[key]
    np.testing.assert_allclose(layer.state["mean"], expected["mean"], rtol=1e-6)
    np.testing.assert_allclose(layer.state["variance"], expected["variance"], rtol=1e-6)
    np.testing.assert_allclose(layer(x[:5].astype("float32")), expected["output"], rtol=1e-5,
                               atol=1e-6)


def test_given_statistics_need_no_adapt_and_a_zero_variance_divides_by_epsilon():
    layer = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
    np.testing.assert_allclose(layer(data()[:5].astype("float32")), GOLDEN["given"]["output"],
                               rtol=1e-6)
    assert layer.weights == {}


def test_float32_by_default_whatever_the_data():
    layer = layers.Normalization()
    layer.adapt(data())  # float64
    assert layer.state["mean"].dtype == np.float32
    assert layer(data()[:2]).dtype == np.float32


def test_a_model_keeps_the_statistics_through_save_and_load(tmp_path):
    x = data().reshape(50, 12)
    norm = layers.Normalization()
    norm.adapt(x)
    model = numnet.Sequential([layers.Input(shape=(12,)), norm, layers.Dense(1)])
    model.compile(loss="mse", optimizer="rmsprop")
    before = model.predict(x, verbose=0)
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    np.testing.assert_array_equal(norm.state["mean"], np.mean(x, axis=0).astype("float32"))
    model.save(tmp_path / "model.npz")
    loaded = numnet.load_model(tmp_path / "model.npz")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not np.allclose(before, model.predict(x, verbose=0))
    assert loaded.layers[0].state["count"].shape == ()


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Normalization(axis="last"), r"axis must be an int, a tuple of ints or None"),
    (lambda: layers.Normalization(mean=1.0), r"mean and variance must be both given or both "
                                             r"None"),
    (lambda: layers.Normalization(axis=0).adapt(np.zeros((3, 2))), r"axis must be axes other "
                                                                   r"than the batch axis"),
    (lambda: layers.Normalization(axis=3).adapt(np.zeros((3, 2))), r"axis must be axes within "
                                                                   r"the 2 axes"),
    (lambda: layers.Normalization(mean=[1, 2], variance=[1, 2]).build((None, 3)),
     r"mean must be a number or an array that broadcasts to \(3,\)"),
    (lambda: layers.Normalization().adapt([]), r"adapt\(\) received no batches"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
