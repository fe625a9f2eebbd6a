"""The dataset fixtures (files in Keras's layouts) and the load_data arguments the golden
values cover; shared by make_dataset_golden.py (Keras) and the tests (numnet).

    python tests/golden/dataset_cases.py    # rewrite the fixture files (numnet's venv)

The fixtures are made from seeded random numbers: imdb.npz and reuters.npz hold object arrays
of lists of ints as np.save writes them (a pickle stream: numnet reads it without unpickling);
boston_housing.npz holds x (60, 13) and y (60,) float64. boston_mlbench.npz holds the 506 rows
of Debian's mlbench BostonHousing.rda as numnet reads them, when that file is installed.
"""

import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "dataset_files")
FILES = {name: os.path.join(FOLDER, f"{name}.npz")
         for name in ("imdb", "reuters", "boston_housing", "boston_mlbench")}

IMDB_CASES = {
    "defaults": {},
    "num_words": {"num_words": 40},
    "skip_top": {"num_words": 60, "skip_top": 5},
    "maxlen": {"maxlen": 25},
    "no_start_no_oov": {"start_char": None, "oov_char": None, "num_words": 50},
    "index_from_0": {"start_char": None, "index_from": 0},
    "seed": {"seed": 7, "index_from": 5, "oov_char": 9, "num_words": 30},
}
REUTERS_CASES = {**IMDB_CASES, "test_split": {"test_split": 0.35, "num_words": 45},
                 "no_test": {"test_split": 0.0}}
BOSTON_CASES = {"defaults": {}, "split": {"test_split": 0.3, "seed": 3},
                "no_test": {"test_split": 0.0}}


def sequences(rng, count, vocabulary):
    """`count` lists of word indices (1..vocabulary-1, low indices frequent), lengths 3-40."""
    out = np.empty(count, dtype=object)
    for i in range(count):
        length = int(rng.integers(3, 41))
        out[i] = [int(w) for w in np.minimum(rng.zipf(1.3, length), vocabulary - 1)]
    return out


def make_fixtures():
    os.makedirs(FOLDER, exist_ok=True)
    rng = np.random.default_rng(2026)
    np.savez_compressed(FILES["imdb"], x_train=sequences(rng, 40, 90),
                        y_train=rng.integers(0, 2, 40), x_test=sequences(rng, 30, 90),
                        y_test=rng.integers(0, 2, 30))
    np.savez_compressed(FILES["reuters"], x=sequences(rng, 70, 90), y=rng.integers(0, 46, 70))
    np.savez_compressed(FILES["boston_housing"], x=rng.normal(size=(60, 13)) * 10,
                        y=rng.uniform(5, 50, 60))
    rda = "/usr/lib/R/site-library/mlbench/data/BostonHousing.rda"
    if os.path.isfile(rda):
        import sys
        from pathlib import Path
        sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
        from numnet.datasets.boston_housing import _from_r
        x, y = _from_r(Path(rda))
        np.savez_compressed(FILES["boston_mlbench"], x=x, y=y)


def digest(x, y) -> dict:
    """What a loader's (x, y) must match: shapes, dtypes and SHA-256 of the contents (lists of
    ints as JSON, numeric arrays as their C-order bytes)."""
    if x.dtype == object:
        contents = json.dumps([[int(w) for w in s] for s in x]).encode()
    else:
        contents = np.ascontiguousarray(x).tobytes()
    return {"x_shape": list(x.shape), "x_dtype": str(x.dtype),
            "x_sha256": hashlib.sha256(contents).hexdigest(),
            "y_dtype": str(np.asarray(y).dtype),
            "y_sha256": hashlib.sha256(np.ascontiguousarray(y).tobytes()).hexdigest()}


if __name__ == "__main__":
    make_fixtures()
    print("wrote", ", ".join(sorted(os.listdir(FOLDER))))
