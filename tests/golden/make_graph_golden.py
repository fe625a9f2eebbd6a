"""Regenerate tests/golden/graphs.json: Keras 3's training of the functional graphs in
graph_cases.py (losses per epoch, final weights, predictions, evaluate), and a
feature-extraction model's predictions. The tests read the JSON and never import TensorFlow.

Run in a throw-away environment, never numnet's:
    python3 -m venv /tmp/kerasvenv && /tmp/kerasvenv/bin/pip install tensorflow-cpu keras
    /tmp/kerasvenv/bin/python tests/golden/make_graph_golden.py
    /tmp/kerasvenv/bin/python tests/golden/make_graph_golden.py --cases recurrent
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_cases import CASES, FEATURES, as_model_wants, data, initial_weights  # noqa: E402

PREPARE = {}  # case -> input name -> how its generated inputs are changed (padding)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graphs.json")
if sys.argv[1:] == ["--cases", "recurrent"]:  # the sequence models of recurrent_cases.py
    from recurrent_cases import CASES, FEATURES, PREPARE  # noqa: E402,F811
    OUT = OUT.replace("graphs.json", "recurrent.json")
EPOCHS, BATCH, LEARNING_RATE = 3, 4, 0.1


def floats(a):
    return np.asarray(a, dtype=np.float64).tolist()


def case(name, make):
    model, compiled = make(keras)
    weights = initial_weights(model)
    for layer_name, arrays in weights.items():
        model.get_layer(layer_name).set_weights(arrays)
    x_named, y_named = data(model, compiled)
    for input_name, prepare in PREPARE.get(name, {}).items():
        if input_name in x_named:
            x_named[input_name] = prepare(x_named[input_name])
    x = as_model_wants([t.name for t in model.inputs], x_named)
    y = as_model_wants(model.output_names, y_named, isinstance(model.output, dict))
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), **compiled)
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
    predictions = model.predict(x, verbose=0)
    if not isinstance(predictions, dict):
        predictions = dict(zip(model.output_names, predictions if isinstance(predictions, list)
                               else [predictions]))
    result = {"x": {k: floats(v) for k, v in x_named.items()},
              "y": {k: floats(v) for k, v in y_named.items()},
              "weights": {k: [floats(w) for w in v] for k, v in weights.items()},
              "history": {k: floats(v) for k, v in history.history.items()},
              "evaluate": {k: float(v) for k, v in
                           model.evaluate(x, y, verbose=0, return_dict=True).items()},
              "final_weights": {layer.name: [floats(w) for w in layer.get_weights()]
                                for layer in model.layers if layer.get_weights()},
              "predictions": {k: floats(v) for k, v in predictions.items()}}
    if name in FEATURES:
        features = keras.Model(model.input, model.get_layer(FEATURES[name]).output)
        result["features"] = floats(features.predict(x, verbose=0))
    return result


def main():
    golden = {"keras": keras.__version__, "epochs": EPOCHS, "batch_size": BATCH,
              "learning_rate": LEARNING_RATE,
              "cases": {name: case(name, make) for name, make in CASES.items()}}
    with open(OUT, "w") as handle:
        json.dump(golden, handle, indent=1)
    print(f"wrote {OUT}: {len(golden['cases'])} graphs, Keras {keras.__version__}")


if __name__ == "__main__":
    main()
