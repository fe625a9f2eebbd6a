"""What every Numba kernel module shares: the one `njit` decorator (flags from
`numnet.config.NJIT_OPTIONS`), the guard that says whether arrays suit a kernel, and the
float <-> bits casts (`abs_bits`, `float_of_bits`) behind the kernels' vectorised max |x|.
numba_jit, numba_ops and numba_conv are the only modules in numnet that import numba."""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

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


@intrinsic
def abs_bits(typingctx, value):
    """|value|'s IEEE bits as an unsigned int of its width (float32 -> uint32, float64 ->
    uint64): a register bitcast and a mask. Unsigned order is the order of magnitudes, and
    inf < NaN come last, so an integer max over them (which vectorises, unlike a float max
    without fast-math) is max |x| and says whether anything was not finite."""
    if value == types.float32:
        width, magnitude = types.uint32, 0x7FFFFFFF
    elif value == types.float64:
        width, magnitude = types.uint64, 0x7FFFFFFFFFFFFFFF
    else:
        return None

    def codegen(context, builder, signature, args):
        integer = context.get_value_type(width)
        bits = builder.bitcast(args[0], integer)
        return builder.and_(bits, integer(magnitude))

    return width(value), codegen


@intrinsic
def float_of_bits(typingctx, bits):
    """The float whose IEEE bits are `bits` (uint32 -> float32, uint64 -> float64): the
    bitcast back, so a kernel's running max over abs_bits returns max |x| itself."""
    if bits == types.uint32:
        result = types.float32
    elif bits == types.uint64:
        result = types.float64
    else:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(result))

    return result(bits), codegen


if numba.config.DISABLE_JIT:  # kernels run as Python (CI checks them so): the same bits
    def abs_bits(value):  # noqa: F811
        value = np.asarray(value)
        uint = np.uint32 if value.dtype.itemsize == 4 else np.uint64
        return value.view(uint)[()] & uint(np.iinfo(uint).max >> 1)

    def float_of_bits(bits):  # noqa: F811
        bits = np.asarray(bits)
        return bits.view(np.float32 if bits.dtype.itemsize == 4 else np.float64)[()]


def nan_as_inf(top) -> float:
    """A kernel's max |x| as NumpyOps.max_abs reports it: a float, inf for inf or NaN."""
    top = float(top)
    return top if top == top else float("inf")
