"""Data adapters: one protocol (steps, epoch(e) -> checked batches) for arrays, generators,
functions and Sequences; the model is built from a peeked-at first batch."""

import itertools

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.training.adapters import (
    ArrayAdapter,
    GeneratorAdapter,
    SequenceAdapter,
    adapter_for,
    is_batch_source,
    peek_inputs,
)
from numnet.training.inputs import InputChecks

CHECKS = InputChecks([(None, 1)], [(None, 1)], [numnet.losses.MeanSquaredError()], "float32",
                     ["x"], ["y"])


def test_array_batches_cover_every_row_once_per_epoch_and_reshuffle():
    x = np.arange(10)[:, None]
    batches = ArrayAdapter(x, x[:, 0], batch_size=4, shuffle=True, rng=np.random.default_rng(0))
    assert batches.steps == 3
    epochs = [np.concatenate([yb for _, yb, _ in batches.epoch(e)]) for e in range(2)]
    for rows in epochs:
        np.testing.assert_array_equal(np.sort(rows), np.arange(10))
    assert [len(xb) for xb, _, _ in batches.epoch(2)] == [4, 4, 2]
    assert not np.array_equal(epochs[0], epochs[1])


def test_array_steps_limit_the_batches_and_the_split_keeps_the_limit():
    x = np.arange(20, dtype=np.float32)[:, None]
    batches = ArrayAdapter(x, x, batch_size=4, steps=2)
    assert batches.steps == 2 and [len(b) for b, _, _ in batches.epoch()] == [4, 4]
    train, val = ArrayAdapter(x, x, batch_size=4, steps=10).split(0.25, batch_size=2)
    assert train.steps == 4 and val.steps == 3
    np.testing.assert_array_equal(np.concatenate([b for b, _, _ in val.epoch()])[:, 0], [15, 16, 17, 18, 19])


def test_every_kind_of_source_goes_through_the_same_checks():
    pair = (np.ones((3, 1), np.float32), np.zeros((3, 1), np.float32))

    class Pairs(numnet.data.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return pair

    sources = {"iterator": itertools.repeat(pair), "function": lambda: pair, "sequence": Pairs()}
    for kind, source in sources.items():
        adapter = adapter_for(source, None, CHECKS, name="training", batch_size=32, steps=2)
        assert isinstance(adapter, SequenceAdapter if kind == "sequence" else GeneratorAdapter)
        assert adapter.steps == 2 and is_batch_source(source)
        batches = list(adapter.epoch())
        assert len(batches) == 2 and all(xb.shape == (3, 1) for xb, _, _ in batches)
    bad = adapter_for(itertools.repeat((np.ones((3, 2)), pair[1])), None, CHECKS,
                      name="validation", batch_size=32, steps=1)
    with pytest.raises(ValueError, match=r"\(in the validation data, epoch 1, step 1\)"):
        list(bad.epoch())


def test_predict_batches_may_be_bare_inputs_and_a_generator_may_run_out():
    xs = [np.ones((2, 1)), (np.ones((3, 1)), None)]
    adapter = adapter_for(iter(xs), None, CHECKS, name="prediction", batch_size=32, steps=5,
                          targets=False)
    assert [(len(xb), yb, w) for xb, yb, w in adapter.epoch()] == [(2, None, None), (3, None, None)]


def test_peeking_puts_the_first_batch_back():
    first, rest = (np.zeros((2, 5)), np.zeros(2)), (np.ones((2, 5)), np.ones(2))
    x, source = peek_inputs(iter([first, rest]))
    assert x is first[0] and list(source) == [first, rest]
    calls = iter([first, rest])
    x, function = peek_inputs(lambda: next(calls))
    assert x is first[0] and function() is first and function() is rest


def test_an_unbuilt_model_is_built_from_a_generators_first_batch():
    g = np.random.default_rng(0)
    x = g.standard_normal((8, 5)).astype(np.float32)
    model = numnet.Sequential([layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    seen = []

    def batches():
        while True:
            seen.append(1)
            yield x, (x[:, 0] > 0).astype(int)

    model.fit(batches(), steps_per_epoch=3, verbose=0)
    assert model.input_shape == (None, 5) and len(seen) == 3  # the peeked batch was trained on
