"""IMDB movie reviews (25,000 train, 25,000 test), labelled by sentiment (1 positive, 0
negative), each a list of word indices by frequency: Keras's `load_data` and
`get_word_index`, with its arguments, shuffle and results.

Files: Keras's imdb.npz and imdb_word_index.json, looked for in `path=`, numnet's data
directory ($NUMNET_DATASETS/imdb/, default ~/.numnet/datasets/imdb/), then downloaded from
Keras's origin; checked against the digests Keras publishes. The npz's ragged arrays are read
without unpickling anything (numnet.datasets.npz).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from . import word_sequences as ws
from .npz import read_npz
from .sources import KERAS_ORIGIN, DataVerificationError, RemoteFile, locate

__all__ = ["load_data", "get_word_index"]

DATA = RemoteFile("imdb.npz", KERAS_ORIGIN + "imdb.npz",
                  "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
WORD_INDEX = RemoteFile("imdb_word_index.json", KERAS_ORIGIN + "imdb_word_index.json",
                        "bfafd718b763782e994055a2d397834f")
ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike | None = None, num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              verify: bool = True):
    """((x_train, y_train), (x_test, y_test)): x a 1-D object array of lists of word indices,
    y int labels. As Keras: both sets are shuffled by one RandomState(seed); each sequence
    starts with `start_char` and word i becomes i + index_from; sequences of `maxlen` words or
    more are dropped; indices outside [skip_top, num_words) become `oov_char` (or are dropped
    when it is None).

    Args:
        path: a local imdb.npz (a bare name is looked for in numnet's data directory).
        verify: check the file's SHA-256 (once; remembered afterwards).
    """
    ws.check_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    source = locate("imdb", DATA, path, verify=verify)
    arrays = read_npz(source, ARRAYS)
    rng = np.random.RandomState(seed)
    sets = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        x, y = arrays[x_key], arrays[y_key]
        if len(x) != len(y):
            raise DataVerificationError(f"{source}: {x_key} holds {len(x)} sequences, "
                                        f"{y_key} {len(y)} labels")
        order = np.arange(len(x))
        rng.shuffle(order)
        sequences = ws.shifted(x[order], start_char, index_from)
        sequences, labels = ws.shorter_than(maxlen, sequences, y[order])
        if maxlen and not sequences:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
        sets.append((sequences, np.asarray(labels, dtype=y.dtype)))
    count = len(sets[0][0])
    sequences = ws.limited(sets[0][0] + sets[1][0], num_words, skip_top, oov_char)
    return ((ws.object_array(sequences[:count]), sets[0][1]),
            (ws.object_array(sequences[count:]), sets[1][1]))


def get_word_index(path: str | os.PathLike | None = None, verify: bool = True) -> dict[str, int]:
    """{word: index}, 1 for the most frequent word (in the data, index + index_from)."""
    return read_word_index(locate("imdb", WORD_INDEX, path, verify=verify))


def read_word_index(source) -> dict[str, int]:
    """A word-index JSON file: an object of words to positive ints, and nothing else."""
    try:
        index = json.loads(Path(source).read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise DataVerificationError(f"{source} could not be read as JSON: {error}") from None
    if not isinstance(index, dict) or not all(type(v) is int for v in index.values()):
        raise DataVerificationError(f"{source} is not an object of words to int indices")
    return index
