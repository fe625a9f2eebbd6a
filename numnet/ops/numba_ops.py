"""Numba fast path: `NumbaOps(NumpyOps)` overrides measured hot spots (filled in by the speed work).

This is the only module in numnet that imports numba.
"""

from __future__ import annotations

from .numpy_ops import NumpyOps


class NumbaOps(NumpyOps):
    """Fast CPU ops; anything not overridden falls back to the NumPy reference."""

    name = "numba"
