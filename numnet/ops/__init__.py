"""The compute backend: the one place that chooses between the NumPy reference ops and the
Numba fast path. Layers, losses and optimizers call `get_ops()` and never branch on the backend."""

from __future__ import annotations

from .. import config
from .memory import keep_freed_memory
from .numpy_ops import NumpyOps

_instances: dict[str, NumpyOps] = {}


def get_ops(name: str | None = None) -> NumpyOps:
    """The ops object of backend `name` (default: `numnet.config.backend()`), made once."""
    name = name or config.backend()
    ops = _instances.get(name)
    if ops is None:
        keep_freed_memory()
        if name == "numba":
            from .numba_ops import NumbaOps  # imported on first use: `import numnet` stays cheap

            ops = NumbaOps()
        elif name == "numpy":
            ops = NumpyOps()
        else:
            raise ValueError(f"backend must be one of {list(config.BACKENDS)}. Received: {name!r}")
        _instances[name] = ops
    return ops


__all__ = ["NumpyOps", "get_ops"]
