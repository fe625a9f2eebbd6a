"""Functional graphs against Keras 3's own training of them: the same losses per epoch,
final weights, predictions and evaluate results, on both backends (golden values in
tests/golden/graphs.json and, for the sequence models of recurrent_cases.py,
tests/golden/recurrent.json, made by tests/golden/make_graph_golden.py with real Keras)."""

import json
import os

import numpy as np
import pytest

import numnet

from golden import recurrent_cases
from golden.graph_cases import CASES, FEATURES, as_model_wants

HERE = os.path.join(os.path.dirname(__file__), "golden")
GOLDEN = json.load(open(os.path.join(HERE, "graphs.json")))
RECURRENT = json.load(open(os.path.join(HERE, "recurrent.json")))
RTOL, ATOL = 1e-5, 1e-6
# every case: (its golden values, its maker)
SUITE = {**{name: (GOLDEN, make) for name, make in CASES.items()},
         **{name: (RECURRENT, make) for name, make in recurrent_cases.CASES.items()}}


def arrays(values: dict) -> dict:
    return {k: np.asarray(v, np.float32) for k, v in values.items()}


def trained(name: str):
    """The case built by numnet, given Keras's initial weights, trained as Keras trained it."""
    suite, make = SUITE[name]
    golden = suite["cases"][name]
    model, compiled = make(numnet)
    for layer_name, weights in golden["weights"].items():
        model.get_layer(layer_name).set_weights([np.asarray(w, np.float32) for w in weights])
    model.compile(optimizer=numnet.optimizers.SGD(suite["learning_rate"]), **compiled)
    x = as_model_wants(model.input_names, arrays(golden["x"]))
    y = as_model_wants(model.output_names, arrays(golden["y"]), model.outputs_as_dict)
    history = model.fit(x, y, batch_size=suite["batch_size"], epochs=suite["epochs"],
                        shuffle=False, verbose=0)
    return model, golden, x, y, history


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", SUITE)
def test_a_graph_trains_as_keras_trains_it(name, backend):
    numnet.config.set_backend(backend)
    model, golden, x, y, history = trained(name)
    assert sorted(history.history) == sorted(golden["history"])
    for key, values in golden["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=RTOL, atol=ATOL,
                                   err_msg=key)
    for layer_name, weights in golden["final_weights"].items():
        for got, expected in zip(model.get_layer(layer_name).get_weights(), weights):
            np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=layer_name)
    predictions = model.predict(x)
    if not isinstance(predictions, dict):
        predictions = dict(zip(model.output_names, predictions if isinstance(predictions, list)
                               else [predictions]))
    for key, expected in golden["predictions"].items():
        np.testing.assert_allclose(predictions[key], expected, rtol=RTOL, atol=ATOL, err_msg=key)
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    assert evaluated == pytest.approx(golden["evaluate"], rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("name", FEATURES)
def test_a_feature_extraction_model_gives_keras_features(name):
    model, golden, x, _, _ = trained(name)
    features = numnet.Model(model.input, model.get_layer(FEATURES[name]).output)
    np.testing.assert_allclose(features.predict(x), golden["features"], rtol=RTOL, atol=ATOL)
