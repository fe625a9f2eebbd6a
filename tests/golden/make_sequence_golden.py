"""Regenerate tests/golden/pad_sequences.json: keras.utils.pad_sequences on CASES.

Run in a throw-away environment, never numnet's:
    /tmp/kerasvenv/bin/python tests/golden/make_sequence_golden.py
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pad_sequences.json")
SEQUENCES = [[1, 2, 3, 4, 5], [6], [], [7, 8, 9]]
CASES = {
    "defaults": {},
    "maxlen": {"maxlen": 3},
    "post_post": {"maxlen": 3, "padding": "post", "truncating": "post"},
    "pre_post": {"maxlen": 4, "padding": "pre", "truncating": "post"},
    "value": {"maxlen": 6, "value": -1, "padding": "post"},
    "float": {"dtype": "float32", "value": 0.5, "maxlen": 2},
}


def main():
    import keras

    golden = {name: keras.utils.pad_sequences(SEQUENCES, **kwargs).tolist()
              for name, kwargs in CASES.items()}
    samples = [[[1, 2], [3, 4], [5, 6]], [[7, 8]]]
    golden["samples"] = keras.utils.pad_sequences(samples, maxlen=2).tolist()
    with open(OUT, "w") as handle:
        json.dump(golden, handle)
    print(f"wrote {OUT}: {len(golden)} cases")


if __name__ == "__main__":
    main()
