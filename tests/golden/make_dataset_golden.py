"""Regenerate tests/golden/datasets.json: what Keras 3's own loaders return for the fixtures
in tests/golden/dataset_files/ (files in the layouts of Keras's imdb.npz, reuters.npz and
boston_housing.npz, made by dataset_cases.py) (and for Debian's Fashion-MNIST files when
they are installed), as digests. The tests read the JSON and never import TensorFlow.

Keras's loaders verify the published file's hash, which a fixture cannot have, so its
`get_file` is replaced by one that returns the fixture's path; everything after it is
Keras's code.

Run in a throw-away environment, never numnet's:
    python3 -m venv /tmp/kerasvenv && /tmp/kerasvenv/bin/pip install tensorflow-cpu keras
    /tmp/kerasvenv/bin/python tests/golden/make_dataset_golden.py
"""

import hashlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
from keras.src.datasets import boston_housing, fashion_mnist, imdb, reuters  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dataset_cases import BOSTON_CASES, FILES, IMDB_CASES, REUTERS_CASES, digest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "datasets.json")
FASHION = "/usr/share/datasets/fashion-mnist"


def fixture_path(module, path):
    """Make `module`'s get_file return `path` (or, for several files, the file named)."""
    def get_file(fname=None, origin=None, **kwargs):
        return path if isinstance(path, str) else os.path.join(path[0], fname)
    module.get_file = get_file


def results(load, cases):
    out = {}
    for name, kwargs in cases.items():
        (x_train, y_train), (x_test, y_test) = load(**kwargs)
        out[name] = {"train": digest(x_train, y_train), "test": digest(x_test, y_test)}
    return out


def main():
    golden = {}
    fixture_path(imdb, FILES["imdb"])
    golden["imdb"] = results(imdb.load_data, IMDB_CASES)
    fixture_path(reuters, FILES["reuters"])
    golden["reuters"] = results(reuters.load_data, REUTERS_CASES)
    fixture_path(boston_housing, FILES["boston_housing"])
    golden["boston_housing"] = results(boston_housing.load_data, BOSTON_CASES)
    if os.path.isfile(FILES["boston_mlbench"]):
        fixture_path(boston_housing, FILES["boston_mlbench"])
        golden["boston_mlbench"] = results(boston_housing.load_data, BOSTON_CASES)
    if os.path.isdir(FASHION):
        fixture_path(fashion_mnist, (FASHION,))
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        golden["fashion_mnist"] = {
            key: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
            for key, a in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test),
                           ("y_test", y_test))}
    with open(OUT, "w") as handle:
        json.dump(golden, handle, indent=1, sort_keys=True)
    print(f"wrote {OUT}: " + ", ".join(f"{k} ({len(v)})" for k, v in golden.items()))


if __name__ == "__main__":
    main()
