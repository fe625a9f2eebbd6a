"""What a built model accepts: the one place where fit, evaluate and predict check inputs and
targets. Arrays are checked once, whole; generated batches one by one, and their errors say
which data, epoch and step produced them."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, fail
from ..losses import Loss


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
                       "model's input", x)
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

    def batch(self, item: object, where: str, targets: bool = True):
        """A generated batch -> (x, y); without `targets` (predict) -> (x, None), the item
        being x or (x, ...)."""
        if targets:
            item = as_pair(item, where)
        try:
            if targets:
                return self.pair(*item)
            return self.inputs(item[0] if isinstance(item, (tuple, list)) else item), None
        except (ValueError, TypeError) as error:
            raise type(error)(f"{error} (in {where})") from None


def as_pair(item: object, where: str) -> tuple:
    """`item` if it is an (x, y) pair, else a ValueError naming what it is and `where`."""
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        shown = (type(item).__name__ if not isinstance(item, (tuple, list))
                 else f"a {type(item).__name__} of {len(item)} items")
        raise ValueError(f"Each batch must be a tuple (x, y). Received: {shown} from {where}")
    return item
