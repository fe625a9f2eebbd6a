"""Data adapters: every kind of data fit, evaluate and predict take, behind one protocol.

    adapter.steps          batches per epoch (None: until the source is exhausted)
    adapter.epoch(epoch)   an iterator of checked (x, y, sample_weight) batches (y is None in
                           predict; sample_weight None when not given)

Kinds: arrays (`ArrayAdapter`, reshuffled each epoch with the model's generator), a generator
or iterator of batches, a zero-argument function returning one batch per call
(`GeneratorAdapter`), and a `numnet.data.Sequence` (`SequenceAdapter`). Checking is injected:
`adapter_for` takes the model's `InputChecks` and applies them to whole arrays once, or to each
generated batch; the data never calls back into the model.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

from ..data import Sequence, row_count, split_validation, take
from .inputs import InputChecks


class ArrayAdapter:
    """Batches of checked arrays (x, y, w), in a new random order each epoch when `shuffle`;
    at most `steps` batches per epoch. The last batch may be smaller (Keras keeps it too)."""

    def __init__(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                 steps: int | None = None, shuffle: bool = False,
                 rng: np.random.Generator | None = None,
                 sample_weight: np.ndarray | None = None) -> None:
        self.x, self.y, self.w = x, y, sample_weight
        self.batch_size, self.shuffle = batch_size, shuffle
        self.rng = rng if rng is not None else np.random.default_rng()
        self.limit = steps
        batches = -(-row_count(x) // batch_size)
        self.steps = batches if steps is None else min(steps, batches)

    @property
    def rows_per_epoch(self) -> int:
        """How many of the rows an epoch visits (fewer than len(x) when steps cuts it short)."""
        return min(row_count(self.x), self.steps * self.batch_size)

    def epoch(self, epoch: int = 0) -> Iterator[tuple]:
        n, size = row_count(self.x), self.batch_size
        order = self.rng.permutation(n) if self.shuffle else None
        for start in range(0, self.steps * size, size):
            if order is None:
                rows = slice(start, start + size)
            else:
                rows = np.sort(order[start:start + size])  # sorted: faster gathers
            yield take(self.x, rows), take(self.y, rows), take(self.w, rows)

    def split(self, fraction: float, batch_size: int) -> tuple[ArrayAdapter, ArrayAdapter]:
        """Keras's validation_split: the LAST `fraction` of the rows validate (in batches of
        `batch_size`, in order), taken before any shuffling, their sample weights with them;
        the rest train as this one does."""
        (x, y), (x_val, y_val) = split_validation(self.x, self.y, fraction)
        cut = row_count(x)
        w, w_val = take(self.w, slice(None, cut)), take(self.w, slice(cut, None))
        return (ArrayAdapter(x, y, self.batch_size, self.limit, self.shuffle, self.rng, w),
                ArrayAdapter(x_val, y_val, batch_size, sample_weight=w_val))


class GeneratorAdapter:
    """Batches from an iterator, or from a zero-argument function called once per step.
    Without `steps` it runs until the iterator is exhausted. With `steps`, running out first
    is an error, or the end of the epoch when `may_run_out` (predict)."""

    def __init__(self, source, steps: int | None, check, name: str,
                 may_run_out: bool = False) -> None:
        self.function = source if is_function(source) else None
        self.iterator = None if self.function is not None else iter(source)
        self.steps, self.check, self.name, self.may_run_out = steps, check, name, may_run_out

    def epoch(self, epoch: int = 0):
        step = 0
        while self.steps is None or step < self.steps:
            where = f"the {self.name} data, epoch {epoch + 1}, step {step + 1}"
            try:
                item = self.function() if self.function is not None else next(self.iterator)
            except StopIteration:
                if self.steps is not None and not (self.may_run_out and step):
                    raise ValueError(
                        f"The {self.name} generator ran out of data at epoch {epoch + 1}, step "
                        f"{step + 1} of {self.steps}. Make it yield forever (a `while True:` "
                        f"loop) or lower the number of steps.") from None
                if step == 0:
                    raise ValueError(f"The {self.name} generator yielded no batches at epoch "
                                     f"{epoch + 1}; it is exhausted. Give steps_per_epoch and "
                                     "a generator that yields forever.") from None
                return
            yield self.check(item, where)
            step += 1


class SequenceAdapter:
    """The batches of a `Sequence`, in a new random order each epoch when `shuffle`, at most
    `steps` of them; calls its on_epoch_end after each epoch."""

    def __init__(self, sequence: Sequence, steps: int | None, shuffle: bool,
                 rng: np.random.Generator, check, name: str) -> None:
        length = len(sequence)
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"len(sequence) must be a positive number of batches. "
                             f"Received: len(sequence)={length!r}")
        self.sequence, self.shuffle, self.rng, self.check, self.name = (
            sequence, shuffle, rng, check, name)
        self.steps = int(length) if steps is None else min(steps, int(length))

    def epoch(self, epoch: int = 0):
        count = len(self.sequence)
        order = self.rng.permutation(count) if self.shuffle else range(count)
        for step, index in enumerate(order[:self.steps]):
            where = f"the {self.name} Sequence, epoch {epoch + 1}, step {step + 1} (index {index})"
            yield self.check(self.sequence[int(index)], where)
        self.sequence.on_epoch_end()


def is_function(x) -> bool:
    """A zero-argument function as a batch source (callable, not an iterator or array)."""
    return callable(x) and not hasattr(x, "__next__") and not isinstance(x, (np.ndarray, Sequence))


def is_batch_source(x) -> bool:
    """Whether `x` is a generator, iterator, Sequence or zero-argument function (not an array)."""
    return isinstance(x, Sequence) or hasattr(x, "__next__") or is_function(x)


def adapter_for(x, y, checks: InputChecks, *, name: str, batch_size: int,
                steps: int | None = None, shuffle: bool = False,
                rng: np.random.Generator | None = None, targets: bool = True,
                steps_argument: str = "steps_per_epoch", names: tuple[str, str] = ("x", "y"),
                sample_weight=None, class_weight=None):
    """The adapter for data `x` (with targets `y` and optional sample weights when x is an
    array), checked by `checks`; errors call the arrays `names`. class_weight turns targets
    into sample weights, for generated batches too. `targets=False` (predict): batches yield
    x only, and a generator may run out early."""
    if not is_batch_source(x):
        w = None
        if targets:
            x, y, w = checks.triple(x, y, sample_weight, class_weight, *names)
        else:
            x, y = checks.inputs(x, names[0]), None
        return ArrayAdapter(x, y, batch_size, steps, shuffle, rng, w)
    for argument, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None and targets:
            raise ValueError(f"{argument} must be None when x is a generator, function or "
                             f"Sequence (it yields (x, y) or (x, y, sample_weight) batches "
                             f"itself). Received: {argument}={value!r:.60}")

    def check(item, where):
        return checks.batch(item, where, targets, class_weight)

    if isinstance(x, Sequence):
        return SequenceAdapter(x, steps, shuffle, rng, check, name)
    if is_function(x) and steps is None:
        raise ValueError(f"A function that returns batches never ends, so the number of steps "
                         f"must be given for the {name} data ({steps_argument}=). Received: None")
    return GeneratorAdapter(x, steps, check, name, may_run_out=not targets)


def peek_inputs(x) -> tuple[object, object]:
    """(the inputs of x's first batch, x as it was): for building a model from its data.
    A generator's or function's first batch is put back so that training still sees it."""
    if not is_batch_source(x):
        return x, x
    if isinstance(x, Sequence):
        first = x[0]
    elif is_function(x):
        first = x()
        pending = [first]

        def function():
            return pending.pop() if pending else x()

        source = function
    else:
        iterator = iter(x)
        first = next(iterator, None)
        source = iterator if first is None else itertools.chain([first], iterator)
    item = first[0] if isinstance(first, tuple) or (
        isinstance(first, list) and first and not isinstance(first[0], list)) else first
    return item, (x if isinstance(x, Sequence) else source)
