"""The rules Keras's imdb and reuters loaders apply to their word-index sequences, in the
order Keras applies them: shuffle (one RandomState(seed) stream), mark the start and shift
the indices, drop sequences of `maxlen` or more, then cut the vocabulary.

A sequence is a list of ints; word i (1 = the most frequent) is stored as i - 1 + 1 in the
files and becomes i + index_from here, after `start_char`.
"""

from __future__ import annotations

import numpy as np


def check_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from) -> None:
    """Keras's arguments, checked before any file is read."""
    for name, value, optional in (("num_words", num_words, True), ("skip_top", skip_top, False),
                                  ("maxlen", maxlen, True), ("start_char", start_char, True),
                                  ("oov_char", oov_char, True), ("index_from", index_from, False)):
        if (value is None and optional) or (type(value) is int and value >= 0):
            continue
        raise ValueError(f"{name} must be a non-negative int{' or None' if optional else ''}. "
                         f"Received: {name}={value!r}")


def shifted(sequences, start_char: int | None, index_from: int) -> list[list[int]]:
    """Each sequence with every index + index_from, after start_char (when not None)."""
    head = [] if start_char is None else [start_char]
    return [head + [w + index_from for w in x] for x in sequences]


def shorter_than(maxlen: int | None, sequences: list, labels) -> tuple[list, list]:
    """The sequences (and their labels) shorter than maxlen; all of them for None or 0."""
    if not maxlen:
        return sequences, list(labels)
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limited(sequences: list, num_words: int | None, skip_top: int,
            oov_char: int | None) -> list[list[int]]:
    """Indices outside [skip_top, num_words) become oov_char (dropped when None); num_words
    None or 0 keeps every index below the largest one present (as Keras)."""
    if not num_words:
        num_words = max((max(x) for x in sequences if x), default=0)
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in sequences]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]


def object_array(sequences: list) -> np.ndarray:
    """A 1-D object array of lists, as Keras returns x (also when every list has one length,
    where np.array would make a 2-D int array)."""
    array = np.empty(len(sequences), dtype=object)
    for index, x in enumerate(sequences):
        array[index] = x
    return array
