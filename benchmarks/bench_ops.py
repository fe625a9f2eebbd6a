"""Each overridden op, NumPy reference vs Numba, at the tutorial's sizes, in one group."""

import numpy as np
import pytest

from numnet.ops import get_ops

from harness import measure

BACKENDS = ["numpy", "numba"]


def op_case(name):
    g = np.random.default_rng(0)

    def a(*shape):
        return g.standard_normal(shape).astype(np.float32)

    # a 0/1 mask: dense_block_backward scales its dy in place, and rounds repeat on the same
    # arrays, so any other scale would drift the values towards overflow
    mask = (g.random((128, 256)) > 0.4).astype(np.float32)
    t = np.eye(10, dtype=np.float32)[g.integers(0, 10, 128)]
    return {
        "relu_backward": (a(128, 256), np.maximum(a(128, 256), 0)),
        "dropout_forward": (a(128, 256), 12345, 0.4),
        "rmsprop_update": (a(235146), a(235146), np.abs(a(235146)), 1e-3, 0.9, 1e-7),
        "adam_update": (a(235146), a(235146), a(235146), np.abs(a(235146)), 1e-3, 0.9, 0.999,
                        1e-7, 5),
        "dense_block_forward": (a(128, 784), a(784, 256), a(256), True, 7, 0.4,
                                np.empty((128, 256), np.float32)),
        "dense_block_backward": (a(128, 256), a(128, 784), a(784, 256), mask,
                                 np.empty((784, 256), np.float32), np.empty(256, np.float32),
                                 np.empty((128, 784), np.float32)),
        "softmax_crossentropy_forward": (a(128, 10) * 4, t),
    }[name]


OPS = ["relu_backward", "dropout_forward", "rmsprop_update", "adam_update",
       "dense_block_forward", "dense_block_backward", "softmax_crossentropy_forward"]


def outputs(result, args):
    values = result if isinstance(result, tuple) else (result,)
    return [v for v in (*values, *args) if isinstance(v, np.ndarray)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", OPS)
def bench_op(benchmark, name, backend):
    benchmark.group = f"op: {name}"
    ops = get_ops(backend)
    args = op_case(name)
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    result = measure(benchmark, lambda: getattr(ops, name)(*copies), rounds=200)
    # the answer, checked: one more call on fresh inputs equals the reference's
    fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    reference = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    fast = outputs(getattr(ops, name)(*fresh), fresh)
    slow = outputs(getattr(get_ops("numpy"), name)(*reference), reference)
    for f, r in zip(fast, slow):
        np.testing.assert_allclose(f, r, rtol=1e-4, atol=1e-5)
    assert result is None or isinstance(result, float) or outputs(result, [])
