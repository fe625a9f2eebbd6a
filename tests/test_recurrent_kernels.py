"""The fused LSTM and GRU loops of the Numba backend (numnet/ops/numba_recurrent.py) give the
reference's numbers (the cells step by step, NumPy backend): outputs, dL/dx and every
gradient; and the reference runs wherever no fused loop fits."""

import numpy as np
import pytest

import numnet
from numnet import layers
from numnet.ops import get_ops


def run(backend, dtype, recurrent=layers.LSTM, **options):
    numnet.config.set_backend(backend)
    numnet.set_random_seed(0)
    lstm = recurrent(5, dtype=dtype, **options)
    numnet.Sequential([layers.Input((7, 3)), lstm])
    x = np.random.default_rng(0).standard_normal((4, 7, 3)).astype(dtype)
    y = lstm.forward(x, training=True)
    dx = lstm.backward(np.random.default_rng(1).standard_normal(y.shape).astype(dtype))
    fused = isinstance(lstm._cache[1], tuple) and lstm._cache[1][0] == "fused"
    return y, dx, {key: g.copy() for key, g in lstm.grads.items()}, fused


@pytest.mark.parametrize("recurrent", [layers.LSTM, layers.GRU])
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 2e-5)])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True},
                                     {"go_backwards": True, "use_bias": False}],
                         ids=["last", "sequences", "backwards-nobias"])
def test_the_fused_loops_equal_the_reference(recurrent, dtype, rtol, options):
    reference = run("numpy", dtype, recurrent, **options)
    fused = run("numba", dtype, recurrent, **options)
    assert fused[3] and not reference[3]
    for got, expected in zip(fused[:2], reference[:2]):
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 1e-2)
    for key, expected in reference[2].items():
        np.testing.assert_allclose(fused[2][key], expected, rtol=rtol, atol=rtol * 1e-2,
                                   err_msg=key)


@pytest.mark.parametrize("recurrent, options", [
    (layers.LSTM, {"activation": "relu"}), (layers.LSTM, {"recurrent_dropout": 0.3}),
    (layers.GRU, {"reset_after": False}), (layers.SimpleRNN, {})])
def test_the_reference_runs_where_no_fused_loop_fits(recurrent, options):
    assert not hasattr(get_ops("numpy"), "fused_steps")
    assert not run("numba", "float32", recurrent, seed=1, **options)[3]
