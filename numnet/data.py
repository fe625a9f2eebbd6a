"""Getting batches into `fit`: arrays (shuffled each epoch), validation splits, one-hot labels."""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

from ._validation import check_array, check_positive_int, fail


def to_categorical(y: object, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer labels: (n,) -> (n, num_classes), float32 by default.

    Labels must be integers in [0, num_classes). num_classes defaults to max(y) + 1.
    """
    labels = check_array("y", y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        fail("y", "an array of integer class labels", labels)
    if labels.min() < 0:
        raise ValueError(f"y must hold non-negative class labels. Received: y with minimum "
                         f"{labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    num_classes = check_positive_int("num_classes", num_classes)
    if labels.max() >= num_classes:
        raise ValueError(f"y must hold class labels in [0, {num_classes - 1}] for "
                         f"num_classes={num_classes}. Received: y with maximum {labels.max()}")
    out = np.zeros((*labels.shape, num_classes), dtype=dtype)
    np.put_along_axis(out, labels.astype(np.intp)[..., None], 1, axis=-1)
    return out


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float):
    """Keras's validation_split: the LAST `fraction` of the rows, taken before any shuffling.

    Returns (x_train, y_train), (x_val, y_val); views, no copies.
    """
    n_val = int(len(x) * fraction)
    if n_val == 0 or n_val == len(x):
        raise ValueError(
            f"validation_split={fraction} leaves {len(x) - n_val} training and {n_val} "
            f"validation rows out of {len(x)}; both must be at least 1"
        )
    cut = len(x) - n_val
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


class ArrayBatches:
    """Batches of (x, y) over arrays, reshuffled every epoch with the model's generator.

    The last batch may be smaller (Keras keeps it too).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                 shuffle: bool = False, rng: np.random.Generator | None = None) -> None:
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = rng if rng is not None else np.random.default_rng()

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    @property
    def steps(self) -> int:
        return len(self)

    def epoch(self, epoch: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        n = len(self.x)
        order = self.rng.permutation(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                rows = slice(start, start + self.batch_size)
            else:
                rows = np.sort(order[start:start + self.batch_size])  # sorted: faster gathers
            yield self.x[rows], (None if self.y is None else self.y[rows])


class Sequence:
    """An indexed dataset of batches, like Keras's PyDataset/Sequence: subclass it and define

        __len__()           -> number of batches per epoch
        __getitem__(index)  -> (x_batch, y_batch)
        on_epoch_end()      -> optional, called after every epoch (e.g. to reshuffle)

    fit visits the batches in a new random order each epoch when shuffle=True.
    """

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int):
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        pass


class GeneratorBatches:
    """Batches from a generator or iterator of (x, y) tuples, or from a zero-argument function
    returning one (called once per step). Every batch goes through `prepare(x, y, where)`,
    which validates it; `where` names the epoch and step for error messages. `steps` is None
    when the source runs until it is exhausted."""

    def __init__(self, source, steps: int | None, prepare, name: str = "training") -> None:
        self.function = source if callable(source) and not hasattr(source, "__next__") else None
        self.iterator = None if self.function is not None else iter(source)
        self.steps = steps
        self.prepare = prepare
        self.name = name

    def epoch(self, epoch: int = 0):
        step = 0
        while self.steps is None or step < self.steps:
            where = f"the {self.name} data, epoch {epoch + 1}, step {step + 1}"
            try:
                item = self.function() if self.function is not None else next(self.iterator)
            except StopIteration:
                if self.steps is not None:
                    raise ValueError(
                        f"The {self.name} generator ran out of data at epoch {epoch + 1}, step "
                        f"{step + 1} of {self.steps}. Make it yield forever (a `while True:` "
                        f"loop) or lower the number of steps.") from None
                if step == 0:
                    raise ValueError(f"The {self.name} generator yielded no batches at epoch "
                                     f"{epoch + 1}; it is exhausted. Give steps_per_epoch and "
                                     "a generator that yields forever.") from None
                return
            yield self.prepare(*_as_pair(item, where), where)
            step += 1


class SequenceBatches:
    """Batches of a `Sequence`, in shuffled order when asked, calling its on_epoch_end."""

    def __init__(self, sequence: Sequence, steps: int | None, shuffle: bool,
                 rng: np.random.Generator, prepare, name: str = "training") -> None:
        self.sequence, self.shuffle, self.rng, self.prepare, self.name = (
            sequence, shuffle, rng, prepare, name)
        length = len(sequence)
        if not isinstance(length, (int, np.integer)) or length < 1:
            fail("len(sequence)", "a positive number of batches", length)
        self.steps = min(steps, length) if steps is not None else int(length)

    def __len__(self) -> int:
        return self.steps

    def epoch(self, epoch: int = 0):
        order = self.rng.permutation(len(self.sequence)) if self.shuffle else range(len(self.sequence))
        for step, index in enumerate(order[:self.steps] if self.shuffle else list(order)[:self.steps]):
            where = f"the {self.name} Sequence, epoch {epoch + 1}, step {step + 1} (index {index})"
            yield self.prepare(*_as_pair(self.sequence[int(index)], where), where)
        self.sequence.on_epoch_end()


def _as_pair(item, where: str):
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        shown = type(item).__name__ if not isinstance(item, (tuple, list)) else f"a {type(item).__name__} of {len(item)} items"
        raise ValueError(f"Each batch must be a tuple (x, y). Received: {shown} from {where}")
    return item


def is_batch_source(x) -> bool:
    """Whether `x` is a generator, iterator, Sequence or zero-argument function (not an array)."""
    return isinstance(x, Sequence) or hasattr(x, "__next__") or (
        callable(x) and not isinstance(x, np.ndarray))


def batch_source(x, y, *, steps: int | None, shuffle: bool, rng, prepare, name: str):
    """The batch iterator for a non-array input `x`, checking y and steps as Keras does."""
    if y is not None:
        raise ValueError(f"y must be None when x is a generator, function or Sequence (it "
                         f"yields (x, y) batches itself). Received: y={y!r:.60}")
    if isinstance(x, Sequence):
        return SequenceBatches(x, steps, shuffle, rng, prepare, name)
    if callable(x) and not hasattr(x, "__next__") and steps is None:
        raise ValueError(f"A function that returns batches never ends, so the number of steps "
                         f"must be given for the {name} data (steps_per_epoch= or "
                         "validation_steps=). Received: None")
    return GeneratorBatches(x, steps, prepare, name)


class LimitedBatches:
    """At most `steps` batches of each epoch of another batch source (steps_per_epoch=)."""

    def __init__(self, batches, steps: int) -> None:
        self.batches, self.steps = batches, min(steps, batches.steps)

    def __len__(self) -> int:
        return self.steps

    def epoch(self, epoch: int = 0):
        return itertools.islice(self.batches.epoch(epoch), self.steps)


def array_batches(x: np.ndarray, y: np.ndarray | None, batch_size: int, steps: int | None = None,
                  shuffle: bool = False, rng: np.random.Generator | None = None):
    """ArrayBatches over (x, y), limited to `steps` batches per epoch when steps is given."""
    batches = ArrayBatches(x, y, batch_size, shuffle=shuffle, rng=rng)
    return batches if steps is None else LimitedBatches(batches, steps)


def source_inputs(source, steps: int | None):
    """The x of each batch of a generator, function or Sequence, whose items may be x or
    (x, y) (for predict)."""
    if isinstance(source, Sequence):
        items = (source[i] for i in range(min(steps or len(source), len(source))))
    elif callable(source) and not hasattr(source, "__next__"):
        if steps is None:
            fail("steps", "a positive integer when x is a function", steps)
        items = (source() for _ in range(steps))
    else:
        items = itertools.islice(source, steps)
    count = 0
    for item in items:
        count += 1
        yield item[0] if isinstance(item, (tuple, list)) else item
    if not count:
        raise ValueError("The prediction data yielded no batches")
