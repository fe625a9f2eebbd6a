"""What a built model accepts: the one place where fit, evaluate and predict check inputs and
targets. Arrays are checked once, whole; generated batches one by one, and their errors say
which data, epoch and step produced them."""

from __future__ import annotations

import math

import numpy as np

from .._validation import channels_first_fix, check_array, fail, is_integral
from ..data import row_count


def layout_hint(name: str, expected: tuple, received: tuple) -> str:
    """How to fix the usual layout mistakes with images: a missing channel axis, channels
    first (numnet is channels last, as Keras), or flattened pixels."""
    shape = ", ".join(map(str, expected))
    if len(expected) == 3 and received == (expected[2], *expected[:2]):
        return f" ({channels_first_fix(name)})"
    if len(expected) == 3 and expected[2] == 1 and received == expected[:2]:
        return f" (add the channel axis: {name}.reshape(-1, {shape}))"
    if len(expected) > 1 and math.prod(received) == math.prod(expected):
        return f" ({name}.reshape(-1, {shape}) if the values are in that order)"
    return ""


def entries_by_name(value: dict, names: list[str], argument: str, what: str) -> list:
    """The entries of a dict keyed by `names`, in that order; a ValueError naming the
    unknown and the missing keys otherwise ("x must have one entry per model input ...")."""
    unknown = [key for key in value if key not in names]
    missing = [name for name in names if name not in value]
    if unknown or missing:
        raise ValueError(f"{argument} must have one entry per {what} {names}. "
                         f"Received: {argument} with keys {list(value)}"
                         + (f"; unknown: {unknown}" if unknown else "")
                         + (f"; missing: {missing}" if missing else ""))
    return [value[name] for name in names]


class InputChecks:
    """Checks for a model with inputs of `input_shapes` and outputs of `output_shapes` (lists,
    batch axis first), named `input_names` and `output_names`, trained with `losses` (one per
    output, None where an output has none; None before compile). x keeps its dtype: each
    batch is cast as it enters the model.

    A model of one input and one output takes arrays; with several, x and y are lists (in
    the model's order) or dicts keyed by those names, and come back as lists."""

    def __init__(self, input_shapes: list, output_shapes: list, losses: list | None,
                 dtype: str, input_names: list[str], output_names: list[str],
                 input_dtypes: list[str] | None = None) -> None:
        self.input_shapes = [tuple(s) for s in input_shapes]
        self.input_dtypes = list(input_dtypes or [dtype] * len(self.input_shapes))
        self.output_shapes = [tuple(s) for s in output_shapes]
        self.losses, self.dtype = losses, dtype
        self.input_names, self.output_names = list(input_names), list(output_names)

    # ---- structures: one array, or one per input/output ------------------------------------
    @staticmethod
    def _parts(value: object, names: list[str], argument: str, what: str) -> list:
        """value as a list with one entry per name: a list/tuple in order, or a dict."""
        if isinstance(value, dict):
            return entries_by_name(value, names, argument, f"model {what}")
        if isinstance(value, (list, tuple)) and len(value) == len(names):
            return list(value)
        count = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
        raise ValueError(f"{argument} must be a list of {len(names)} arrays (one per model "
                         f"{what}: {names}) or a dict keyed by those names. Received: "
                         f"{argument}={count if isinstance(count, str) else f'{count} items'}")

    def inputs(self, x: object, name: str = "x"):
        """x as an array of the model's input shape (n, ...); with several inputs, a list
        of them, of equal lengths."""
        if len(self.input_shapes) == 1:
            return self._input(x, self.input_shapes[0], name, self.input_dtypes[0])
        parts = self._parts(x, self.input_names, name, "input")
        arrays = [self._input(part, shape, f"{name}[{key!r}]", dtype)
                  for part, shape, key, dtype in zip(parts, self.input_shapes, self.input_names,
                                                     self.input_dtypes)]
        self._same_length(arrays, [f"{name}[{key!r}]" for key in self.input_names])
        return arrays

    @staticmethod
    def _same_length(arrays: list, names: list[str]) -> None:
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) > 1:
            shown = ", ".join(f"{n} with {k} rows" for n, k in zip(names, lengths))
            raise ValueError(f"All inputs and targets must have the same number of samples. "
                             f"Received: {shown}")

    def _input(self, x: object, input_shape: tuple, name: str,
               dtype: str = "float32") -> np.ndarray:
        x = check_array(name, x)
        if dtype.startswith("int") and not is_integral(x):
            fail(name, f"integers (indices) for the model's {dtype} input; found fractional "
                       "values", x)
        expected = input_shape[1:]
        if x.ndim == len(expected) and all(e is None or e == d for e, d in zip(expected, x.shape)):
            fail(name, f"a batch: an array of shape (n, {', '.join(map(str, expected))}); for "
                       f"one sample of shape {x.shape}, add the batch axis ({name}[None])", x)
        if x.ndim < 2:
            fail(name, "an array with at least 2 dimension(s)", x)
        if x.shape[1:] != expected and None not in expected:
            fail(name, f"an array of shape (n, {', '.join(map(str, expected))}) to fit the "
                       f"model's input{layout_hint(name, expected, x.shape[1:])}", x)
        return x

    def targets(self, y: object, name: str = "y"):
        """y as the losses want it: one array, or a list with one per output."""
        if self.losses is None:
            raise RuntimeError("You must call compile() before passing targets")
        if len(self.output_shapes) == 1:
            return self.losses[0].prepare_targets(y, self.output_shapes[0], self.dtype, name)
        parts = self._parts(y, self.output_names, name, "output")
        return [loss.prepare_targets(part, shape, self.dtype, f"{name}[{key!r}]")
                for part, shape, key, loss in zip(parts, self.output_shapes, self.output_names,
                                                  self.losses)]

    def pair(self, x: object, y: object, x_name: str = "x", y_name: str = "y"):
        """(x, y) checked: inputs as above, targets as the losses want them, equal lengths."""
        x = self.inputs(x, x_name)
        y = self.targets(y, y_name)
        if row_count(x) != row_count(y):
            raise ValueError(f"{x_name} and {y_name} must have the same number of samples. "
                             f"Received: {x_name} with {row_count(x)} rows, {y_name} with "
                             f"{row_count(y)} rows")
        if isinstance(y, list):
            self._same_length(y, [f"{y_name}[{key!r}]" for key in self.output_names])
        return x, y

    def sample_weights(self, weights: object, n: int, name: str = "sample_weight"):
        """Per-sample loss weights: n finite, non-negative numbers, in the model's dtype.
        With several outputs: one array for all, or a list/dict with one (or None) per
        output -> a list."""
        if len(self.output_shapes) == 1:
            return self._weights(weights, n, name)
        if isinstance(weights, (list, tuple, dict)):
            parts = self._parts(weights, self.output_names, name, "output")
            return [None if w is None else self._weights(w, n, f"{name}[{key!r}]")
                    for w, key in zip(parts, self.output_names)]
        return [self._weights(weights, n, name)] * len(self.output_shapes)

    def _weights(self, weights: object, n: int, name: str) -> np.ndarray:
        weights = check_array(name, weights, dtype=self.dtype)
        if weights.ndim == 2 and weights.shape[1] == 1:
            weights = weights.reshape(-1)
        if weights.shape != (n,):
            fail(name, f"an array of shape ({n},): one weight per sample", weights)
        if (weights < 0).any():
            fail(name, "an array of non-negative weights", weights)
        return weights

    def class_weights(self, class_weight: object, y: np.ndarray) -> np.ndarray:
        """Keras's class_weight: each sample weighs its class's weight (1.0 for classes not
        named); the class is the label, or the argmax of one-hot targets."""
        if len(self.output_shapes) != 1:
            raise ValueError(f"class_weight is for models with one output; this one has "
                             f"{len(self.output_shapes)} {self.output_names}: give "
                             "sample_weight per output instead. Received: class_weight")
        if not isinstance(class_weight, dict) or not all(
                isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                for k in class_weight):
            fail("class_weight", "a dict of class index -> weight", class_weight, TypeError)
        labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] != 1 else y.reshape(len(y))
        weights = np.ones(len(y), dtype=self.dtype)
        for label, weight in class_weight.items():
            weights[np.round(labels).astype(np.int64) == label] = weight
        return self._weights(weights, len(y), "class_weight")

    def triple(self, x: object, y: object, sample_weight: object = None,
               class_weight: object = None, x_name: str = "x", y_name: str = "y"):
        """(x, y, weights or None): `pair`, then the sample or class weights."""
        x, y = self.pair(x, y, x_name, y_name)
        if sample_weight is not None and class_weight is not None:
            raise ValueError("sample_weight and class_weight cannot both be given. Received: "
                             "sample_weight and class_weight")
        if class_weight is not None:
            return x, y, self.class_weights(class_weight, y)
        if sample_weight is not None:
            return x, y, self.sample_weights(sample_weight, row_count(x))
        return x, y, None

    def batch(self, item: object, where: str, targets: bool = True,
              class_weight: object = None):
        """A generated batch (x, y) or (x, y, sample_weight) -> (x, y, weights or None);
        without `targets` (predict) -> (x, None, None), the item being x or a tuple (x, ...)
        (with several inputs, x is a list or dict)."""
        if targets:
            item = as_batch(item, where)
        try:
            if targets:
                return self.triple(*item, class_weight=class_weight)
            several = len(self.input_shapes) > 1
            x = item[0] if isinstance(item, tuple) or (
                isinstance(item, list) and not several) else item
            return self.inputs(x), None, None
        except (ValueError, TypeError) as error:
            raise type(error)(f"{error} (in {where})") from None


def as_batch(item: object, where: str) -> tuple:
    """`item` if it is (x, y) or (x, y, sample_weight), else a ValueError naming what it is
    and `where`."""
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        shown = (type(item).__name__ if not isinstance(item, (tuple, list))
                 else f"a {type(item).__name__} of {len(item)} items")
        raise ValueError(f"Each batch must be a tuple (x, y) or (x, y, sample_weight). "
                         f"Received: {shown} from {where}")
    return item
