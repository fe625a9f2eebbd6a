"""Regenerate tests/golden/normalization.json: Keras 3's Normalization layer, adapted on an
array and on a list of batches, for several axes, and its outputs (plain and inverted).

Run in a throw-away environment, never numnet's:
    /tmp/kerasvenv/bin/python tests/golden/make_normalization_golden.py
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "normalization.json")


def data():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(50, 4, 3)) * [1.0, 10.0, 100.0] + [0.0, -5.0, 300.0]
    return x  # float64, as a user's data often is


CASES = {"last_axis": {"axis": -1}, "two_axes": {"axis": (1, 2)}, "scalar": {"axis": None},
         "middle_axis": {"axis": 1}}


def main():
    import keras  # here: the tests import CASES and data from this file without Keras

    x = data()
    golden = {}
    for name, kwargs in CASES.items():
        for how in ("array", "batches"):
            for invert in (False, True):
                layer = keras.layers.Normalization(invert=invert, **kwargs)
                layer.adapt(x if how == "array" else [x[:20], x[20:35], x[35:]])
                golden[f"{name}/{how}/{'invert' if invert else 'plain'}"] = {
                    "mean": np.asarray(layer.adapt_mean).tolist(),
                    "variance": np.asarray(layer.adapt_variance).tolist(),
                    "output": np.asarray(layer(x[:5].astype("float32"))).tolist()}
    layer = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
    golden["given"] = {"output": np.asarray(layer(x[:5].astype("float32"))).tolist()}
    with open(OUT, "w") as handle:
        json.dump(golden, handle)
    print(f"wrote {OUT}: {len(golden)} cases")


if __name__ == "__main__":
    main()
