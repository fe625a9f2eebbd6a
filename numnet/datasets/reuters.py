"""Reuters newswires (11,228, over 46 topics), each a list of word indices by frequency:
Keras's `load_data`, `get_word_index` and `get_label_names`, with its arguments, shuffle and
split.

Files: Keras's reuters.npz and reuters_word_index.json, looked for in `path=`, numnet's data
directory ($NUMNET_DATASETS/reuters/, default ~/.numnet/datasets/reuters/), then downloaded
from Keras's origin; checked against the digests Keras publishes. The npz's ragged array is
read without unpickling anything (numnet.datasets.npz).
"""

from __future__ import annotations

import os

import numpy as np

from . import word_sequences as ws
from .imdb import read_word_index
from .npz import read_npz
from .sources import KERAS_ORIGIN, DataVerificationError, RemoteFile, locate

__all__ = ["load_data", "get_word_index", "get_label_names"]

DATA = RemoteFile("reuters.npz", KERAS_ORIGIN + "reuters.npz",
                  "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
WORD_INDEX = RemoteFile("reuters_word_index.json", KERAS_ORIGIN + "reuters_word_index.json",
                        "4d44cc38712099c9e383dc6e5f11a921")
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str | os.PathLike | None = None, num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, test_split: float = 0.2,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3, verify: bool = True):
    """((x_train, y_train), (x_test, y_test)): x a 1-D object array of lists of word indices,
    y int topic labels (see get_label_names). As Keras: the newswires are shuffled by
    RandomState(seed), marked and shifted, filtered by `maxlen` and cut to the vocabulary as
    in imdb.load_data, then the last `test_split` of them are the test set.

    Args:
        path: a local reuters.npz (a bare name is looked for in numnet's data directory).
        verify: check the file's SHA-256 (once; remembered afterwards).
    """
    ws.check_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    if not (isinstance(test_split, (int, float)) and 0 <= test_split < 1):
        raise ValueError(f"test_split must be a number in [0, 1). Received: "
                         f"test_split={test_split!r}")
    source = locate("reuters", DATA, path, verify=verify)
    arrays = read_npz(source, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if len(x) != len(y):
        raise DataVerificationError(f"{source}: x holds {len(x)} sequences, y {len(y)} labels")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    sequences, labels = ws.shorter_than(maxlen, ws.shifted(x[order], start_char, index_from),
                                        y[order])
    sequences = ws.limited(sequences, num_words, skip_top, oov_char)
    count = int(len(sequences) * (1 - test_split))
    labels = np.asarray(labels, dtype=y.dtype)
    return ((ws.object_array(sequences[:count]), labels[:count]),
            (ws.object_array(sequences[count:]), labels[count:]))


def get_word_index(path: str | os.PathLike | None = None, verify: bool = True) -> dict[str, int]:
    """{word: index}, 1 for the most frequent word (in the data, index + index_from)."""
    return read_word_index(locate("reuters", WORD_INDEX, path, verify=verify))


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label."""
    return LABEL_NAMES
