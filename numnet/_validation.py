"""Checks for public entry points. Each error names the argument, what was expected and what
was received, in the form ``"<name> must be <expected>. Received: <name>=<value>"``."""

from __future__ import annotations

import numbers

import numpy as np

from .ops import get_ops


def _shown(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(name: str, expected: str, value: object, error: type = ValueError) -> None:
    """Raise `error` with numnet's uniform message."""
    raise error(f"{name} must be {expected}. Received: {name}={_shown(value)}")


def channels_first_fix(name: str = "x") -> str:
    """The fix for images given channels first, (n, channels, rows, cols)."""
    return (f"the images look channels first; numnet's are channels last, as Keras's: "
            f"{name}.transpose(0, 2, 3, 1)")


def is_integral(array: np.ndarray) -> bool:
    """Whether every value is a whole number: integer and boolean arrays, or floats without a
    fractional part (indices and class labels may come as floats)."""
    return array.dtype.kind in "iub" or bool(np.array_equal(array, np.trunc(array)))


def check_bool(name: str, value: object) -> bool:
    """Return `value` if it is True or False (not 0/1 or a string), else raise TypeError."""
    if not isinstance(value, bool):
        fail(name, "True or False", value, TypeError)
    return value


def check_positive_int(name: str, value: object) -> int:
    """Return `value` as int if it is an integer >= 1, else raise."""
    return _check_int(name, value, 1, "a positive integer")


def check_optional_positive_int(name: str, value: object) -> int | None:
    """None stays None; anything else must be an integer >= 1."""
    return None if value is None else check_positive_int(name, value)


def check_nonnegative_int(name: str, value: object) -> int:
    """Return `value` as int if it is an integer >= 0, else raise."""
    return _check_int(name, value, 0, "a non-negative integer")


def _check_int(name: str, value: object, minimum: int, expected: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(name, expected, value, TypeError)
    if value < minimum:
        fail(name, expected, value)
    return int(value)


def check_fraction(name: str, value: object, *, inclusive_high: bool = False) -> float:
    """Return `value` as float if it lies in [0, 1) (or [0, 1] with inclusive_high)."""
    interval = "[0, 1]" if inclusive_high else "[0, 1)"
    ok = (lambda v: 0 <= v <= 1) if inclusive_high else (lambda v: 0 <= v < 1)
    return _check_real(name, value, f"a float in {interval}", ok)


def check_positive_float(name: str, value: object, *, allow_zero: bool = False) -> float:
    expected = "a non-negative float" if allow_zero else "a positive float"
    return _check_real(name, value, expected,
                       lambda v: np.isfinite(v) and (v > 0 or (v == 0 and allow_zero)))


def check_finite_float(name: str, value: object) -> float:
    """Return `value` as float if it is a finite real number (negative and zero allowed)."""
    return _check_real(name, value, "a finite number", np.isfinite)


def _check_real(name: str, value: object, expected: str, ok) -> float:
    """`value` as float if it is a real number (not a bool) for which ok(value) holds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(name, expected, value, TypeError)
    if not ok(value):
        fail(name, expected, value)
    return float(value)


def check_choice(name: str, value: object, choices: list[str] | tuple[str, ...]) -> str:
    if value not in choices:
        fail(name, f"one of {sorted(choices)}", value)
    return value  # type: ignore[return-value]


def check_array(
    name: str,
    value: object,
    *,
    ndim: int | None = None,
    min_ndim: int = 1,
    dtype: str | None = None,
    allow_nonfinite: bool = False,
) -> np.ndarray:
    """Return `value` as a NumPy array of real numbers, or raise a clear error.

    Rejects object, string, complex and boolean-free nonsense dtypes, empty arrays, wrong
    ranks and (unless `allow_nonfinite`) NaN or infinity. `dtype` casts the result.
    """
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        fail(name, "an array of numbers", value, TypeError)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged lists and the like
        raise TypeError(
            f"{name} must be an array of numbers. Received: {name}={_shown(value)} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        fail(name, "an array of real numbers (int, uint, float or bool)", array, TypeError)
    if array.ndim < min_ndim or (ndim is not None and array.ndim != ndim):
        expected = f"an array with {ndim} dimensions" if ndim is not None else (
            f"an array with at least {min_ndim} dimension(s)"
        )
        fail(name, expected, array)
    if array.size == 0:
        fail(name, "a non-empty array", array)
    if array.dtype.kind == "f" and not allow_nonfinite and not _all_finite(array):
        count = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            f"{name} must contain only finite numbers. Received: {name} with {count} "
            "NaN or infinite value(s)"
        )
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def _all_finite(array: np.ndarray, chunk_bytes: int = 1 << 22) -> bool:
    """Whether no element is inf or NaN: the backend's `all_finite`, in row chunks of ~4 MB so
    the NumPy reference does not need a 45 MB temporary mask for a 180 MB training set."""
    all_finite = get_ops().all_finite
    rows = max(1, chunk_bytes // max(1, array[0].nbytes if array.ndim > 1 else array.itemsize))
    if array.ndim == 1 or len(array) <= rows:
        return all_finite(array)
    return all(all_finite(array[start:start + rows]) for start in range(0, len(array), rows))
