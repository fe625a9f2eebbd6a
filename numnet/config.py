"""Global settings: the float type, the compute backend and the random seed.

Everything here is read at call time, so `set_backend` and `set_random_seed` take effect for the
next model built or trained. The backend may also be chosen with the environment variable
``NUMNET_BACKEND`` (``numba`` or ``numpy``) before numnet is imported.
"""

from __future__ import annotations

import os

import numpy as np

BACKENDS = ("numba", "numpy")

_floatx = "float32"
_backend = os.environ.get("NUMNET_BACKEND", "numba").strip().lower() or "numba"
_rng: np.random.Generator | None = None

# The one place that sets Numba's JIT options (numnet/ops/numba_ops.py reads it).
# cache: compiled kernels are stored on disk, so a second process compiles nothing.
# error_model="numpy": division by zero gives inf/nan like NumPy instead of raising, which
#   also lets LLVM vectorise loops that divide.
# fastmath stays off: results must match the NumPy reference to float32 rounding.
NJIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": False}


def floatx() -> str:
    """The default float type of weights and activations: ``"float32"``."""
    return _floatx


def backend() -> str:
    """Name of the compute backend in use: ``"numba"`` (default) or ``"numpy"``."""
    if _backend not in BACKENDS:
        raise ValueError(
            f"NUMNET_BACKEND must be one of {list(BACKENDS)}. Received: {_backend!r}"
        )
    return _backend


def set_backend(name: str) -> None:
    """Choose the compute backend: ``"numba"`` (fast kernels) or ``"numpy"`` (reference)."""
    global _backend
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}. Received: name={name!r}")
    _backend = name


def set_random_seed(seed: int) -> None:
    """Seed numnet's random generator (weight initialisation, dropout, shuffling).

    numnet never touches NumPy's global random state: one `np.random.Generator` made from
    `seed` is handed to every model built afterwards. The same seed and program give the same
    weights and the same training history, in this process or another.
    """
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer. Received: seed={seed!r}")
    _rng = np.random.default_rng(int(seed))


def random_generator() -> np.random.Generator:
    """The generator set by `set_random_seed`, or a freshly seeded one if none was set."""
    global _rng
    if _rng is None:
        _rng = np.random.default_rng()
    return _rng
