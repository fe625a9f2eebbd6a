"""Sequences of word indices made into model inputs: `pad_sequences` (Keras's, with its
defaults) and `multi_hot` (the "vectorize_sequences" of Keras's text tutorials)."""

from __future__ import annotations

import numpy as np

from ._validation import check_choice, fail


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """A list of n sequences (lists or arrays, of scalars or of equal-shaped samples) ->
    an array (n, maxlen, *sample_shape) of `dtype`, as Keras's pad_sequences makes it:
    sequences longer than `maxlen` (default: the longest) lose their start ("pre") or end
    ("post"), shorter ones are filled with `value` before ("pre") or after ("post")."""
    if not hasattr(sequences, "__len__") or isinstance(sequences, (str, bytes)):
        fail("sequences", "a list of sequences", sequences, TypeError)
    padding = check_choice("padding", padding, ("pre", "post"))
    truncating = check_choice("truncating", truncating, ("pre", "post"))
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int)
                               or maxlen < 0):
        fail("maxlen", "a non-negative int or None", maxlen)
    lengths, sample_shape = [], None
    for index, s in enumerate(sequences):
        if not hasattr(s, "__len__") or isinstance(s, (str, bytes)):
            fail(f"sequences[{index}]", "a sequence (a list or an array)", s, TypeError)
        lengths.append(len(s))
        if sample_shape is None and len(s):
            sample_shape = np.asarray(s).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(value, str) and dtype is not object and not (
            np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)):
        fail("value", f"a number for dtype {dtype} (strings need dtype=object)", value)
    out = np.full((len(lengths), maxlen, *sample_shape), value, dtype=dtype)
    for index, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            fail(f"sequences[{index}]", f"samples of shape {sample_shape} (as the first "
                                        "non-empty sequence's)", f"shape {kept.shape[1:]}")
        if padding == "post":
            out[index, :len(kept)] = kept
        else:
            out[index, maxlen - len(kept):] = kept
    return out


def multi_hot(sequences, num_classes: int, dtype="float32") -> np.ndarray:
    """(n, num_classes) with 1 where sequence i holds index j (however often), 0 elsewhere:
    bag-of-words vectors of word-index sequences."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        fail("num_classes", "a positive int", num_classes)
    out = np.zeros((len(sequences), num_classes), dtype=dtype)
    for index, s in enumerate(sequences):
        indices = np.asarray(s, dtype=np.int64).reshape(-1)
        if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
            bad = indices[(indices < 0) | (indices >= num_classes)][0]
            raise ValueError(f"sequences[{index}] must hold indices in [0, {num_classes}) "
                             f"(num_classes={num_classes}). Received: sequences[{index}] "
                             f"holding the index {bad}")
        out[index, indices] = 1
    return out
