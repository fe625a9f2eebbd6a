"""What a built model accepts: the one place where fit, evaluate and predict check inputs and
targets. Arrays are checked once, whole; generated batches one by one, and their errors say
which data, epoch and step produced them."""

from __future__ import annotations

import math

import numpy as np

from .._validation import channels_first_fix, check_array, fail
from ..losses import Loss


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


class InputChecks:
    """Checks for a model with inputs of `input_shape` and outputs of `output_shape` (batch
    axis first). x keeps its dtype: each batch is cast as it enters the model."""

    def __init__(self, input_shape: tuple, output_shape: tuple, loss: Loss | None,
                 dtype: str) -> None:
        self.input_shape, self.output_shape = tuple(input_shape), tuple(output_shape)
        self.loss, self.dtype = loss, dtype

    def inputs(self, x: object, name: str = "x") -> np.ndarray:
        """x as an array of the model's input shape (n, ...)."""
        x = check_array(name, x)
        expected = self.input_shape[1:]
        if x.ndim == len(expected) and all(e is None or e == d for e, d in zip(expected, x.shape)):
            fail(name, f"a batch: an array of shape (n, {', '.join(map(str, expected))}); for "
                       f"one sample of shape {x.shape}, add the batch axis ({name}[None])", x)
        if x.ndim < 2:
            fail(name, "an array with at least 2 dimension(s)", x)
        if x.shape[1:] != expected and None not in expected:
            fail(name, f"an array of shape (n, {', '.join(map(str, expected))}) to fit the "
                       f"model's input{layout_hint(name, expected, x.shape[1:])}", x)
        return x

    def pair(self, x: object, y: object, x_name: str = "x",
             y_name: str = "y") -> tuple[np.ndarray, np.ndarray]:
        """(x, y) checked: inputs as above, targets as the loss wants them, equal lengths."""
        x = self.inputs(x, x_name)
        y = self.loss.prepare_targets(y, self.output_shape, self.dtype, y_name)
        if len(x) != len(y):
            raise ValueError(f"{x_name} and {y_name} must have the same number of samples. "
                             f"Received: {x_name} with {len(x)} rows, {y_name} with {len(y)} rows")
        return x, y

    def sample_weights(self, weights: object, n: int, name: str = "sample_weight") -> np.ndarray:
        """Per-sample loss weights: n finite, non-negative numbers, in the model's dtype."""
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
        if not isinstance(class_weight, dict) or not all(
                isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                for k in class_weight):
            fail("class_weight", "a dict of class index -> weight", class_weight, TypeError)
        labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] != 1 else y.reshape(len(y))
        weights = np.ones(len(y), dtype=self.dtype)
        for label, weight in class_weight.items():
            weights[np.round(labels).astype(np.int64) == label] = weight
        return self.sample_weights(weights, len(y), "class_weight")

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
            return x, y, self.sample_weights(sample_weight, len(x))
        return x, y, None

    def batch(self, item: object, where: str, targets: bool = True,
              class_weight: object = None):
        """A generated batch (x, y) or (x, y, sample_weight) -> (x, y, weights or None);
        without `targets` (predict) -> (x, None, None), the item being x or (x, ...)."""
        if targets:
            item = as_batch(item, where)
        try:
            if targets:
                return self.triple(*item, class_weight=class_weight)
            return self.inputs(item[0] if isinstance(item, (tuple, list)) else item), None, None
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
