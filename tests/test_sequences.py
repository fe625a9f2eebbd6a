"""numnet.utils.pad_sequences gives Keras's arrays (tests/golden/pad_sequences.json, made by
make_sequence_golden.py); multi_hot makes bag-of-words vectors; bad input is named."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from numnet.utils import multi_hot, pad_sequences

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from make_sequence_golden import CASES, SEQUENCES  # noqa: E402

GOLDEN = json.loads((Path(__file__).parent / "golden" / "pad_sequences.json").read_text())


@pytest.mark.parametrize("case", CASES)
def test_pad_sequences_gives_kerass_arrays(case):
    out = pad_sequences(SEQUENCES, **CASES[case])
    np.testing.assert_array_equal(out, GOLDEN[case])
    assert out.dtype == np.dtype(CASES[case].get("dtype", "int32"))


def test_sequences_of_samples_keep_their_sample_shape():
    out = pad_sequences([[[1, 2], [3, 4], [5, 6]], [[7, 8]]], maxlen=2)
    np.testing.assert_array_equal(out, GOLDEN["samples"])
    assert out.shape == (2, 2, 2)


def test_object_arrays_from_the_dataset_loaders_pad_too():
    sequences = np.empty(2, dtype=object)
    sequences[0], sequences[1] = [1, 5, 9], [2]
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=2), [[5, 9], [0, 2]])
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences([]).shape == (0, 0)


def test_multi_hot_marks_each_index_once():
    out = multi_hot([[1, 3, 3], [], [0, 4]], num_classes=5)
    np.testing.assert_array_equal(out, [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]])
    assert out.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: pad_sequences([[1]], padding="middle"), r"padding must be one of \['post', "
                                                     r"'pre'\]\. Received: padding='middle'"),
    (lambda: pad_sequences([[1]], truncating="x"), r"truncating must be one of"),
    (lambda: pad_sequences([[1], 5]), r"sequences\[1\] must be a sequence"),
    (lambda: pad_sequences([[1]], maxlen=-2), r"maxlen must be a non-negative int or None"),
    (lambda: pad_sequences([["a"]], value="x"), r"value must be a number for dtype int32"),
    (lambda: pad_sequences([[[1, 2]], [[1, 2, 3]]]), r"sequences\[1\] must be samples of "
                                                     r"shape \(2,\)"),
    (lambda: multi_hot([[1, 10]], num_classes=10), r"sequences\[0\] must hold indices in "
                                                   r"\[0, 10\).*holding the index 10"),
    (lambda: multi_hot([[1]], num_classes=0), r"num_classes must be a positive int"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
