"""What every Numba kernel module shares: the one `njit` decorator (flags from
`numnet.config.NJIT_OPTIONS`) and the guard that says whether arrays suit a kernel.
numba_jit, numba_ops and numba_conv are the only modules in numnet that import numba."""

from __future__ import annotations

import numba
import numpy as np

from ..config import NJIT_OPTIONS

njit = numba.njit(**NJIT_OPTIONS)
# No `parallel=True`: measured on 2 cores, a prange RMSprop kernel after an OpenBLAS GEMM took
# 8.4 ms (OpenMP layer: its spinning threads fight BLAS's), 0.53 ms (workqueue) or 0.36 ms
# (OMP_WAIT_POLICY=passive) against 0.36 ms serial. Serial kernels; BLAS keeps both cores.

KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def kernel_ready(*arrays: np.ndarray) -> bool:
    """Whether `arrays` are C-contiguous and share one float32/float64 dtype (what the kernels
    take). A plain loop: this guard runs several times per training step."""
    dtype = arrays[0].dtype
    if dtype not in KERNEL_DTYPES:
        return False
    for array in arrays:
        if array.dtype != dtype or not array.flags.c_contiguous:
            return False
    return True


def flat_views(*arrays: np.ndarray) -> list[np.ndarray] | None:
    """1-D views of `arrays` if the kernels take them (see kernel_ready), else None."""
    return [a.reshape(-1) for a in arrays] if kernel_ready(*arrays) else None
