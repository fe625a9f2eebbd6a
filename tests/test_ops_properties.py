"""Property-based tests of the ops (Hypothesis): random shapes and values, extreme logits,
all-zero inputs, tiny and huge magnitudes. Softmax stays a distribution, cross-entropy and its
gradients stay finite, float32 stays float32, and both backends agree."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numnet.ops import NumpyOps
from numnet.ops.numba_ops import NumbaOps
from numnet.ops.numpy_updates import flush_subnormal

REFERENCE, FAST = NumpyOps(), NumbaOps()
BACKENDS = pytest.mark.parametrize("ops", [REFERENCE, FAST], ids=["numpy", "numba"])
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

magnitudes = st.sampled_from([1e-30, 1e-6, 1.0, 30.0, 1e4])
shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12)


@st.composite
def logits(draw):
    """float32 (n, classes) arrays: normal values times a magnitude up to 1e4, sometimes all
    zero, sometimes with one huge positive and one huge negative entry."""
    shape = draw(shapes)
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * np.float32(draw(magnitudes))
    kind = draw(st.sampled_from(["random", "zeros", "extremes"]))
    if kind == "zeros":
        x[...] = 0
    elif kind == "extremes":
        x[:, 0] = 1e4
        x[:, -1] = -1e4
    return x


def one_hot_like(x, seed):
    labels = np.random.default_rng(seed).integers(0, x.shape[1], len(x))
    return np.eye(x.shape[1], dtype=x.dtype)[labels]


@BACKENDS
@SETTINGS
@given(x=logits())
def test_softmax_is_a_distribution(ops, x):
    p = ops.softmax(x)
    assert p.dtype == np.float32 and np.isfinite(p).all()
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


@BACKENDS
@SETTINGS
@given(x=logits(), seed=st.integers(0, 1000))
def test_crossentropy_and_its_gradients_stay_finite(ops, x, seed):
    t = one_hot_like(x, seed)
    p = ops.softmax(x)
    for value in (ops.categorical_crossentropy(t, p, 1e-7),
                  ops.categorical_crossentropy_grad(t, p, 1e-7),
                  ops.softmax_crossentropy_grad(t, p)):
        assert value.dtype == np.float32 and np.isfinite(value).all()
    assert (ops.categorical_crossentropy(t, p, 1e-7) <= -np.log(np.float32(1e-7)) * 1.0001).all()
    z = x.copy()
    probs, loss, dz = ops.softmax_crossentropy_forward(z, t)
    assert np.isfinite(loss).all() and np.isfinite(dz).all() and probs.dtype == np.float32


@SETTINGS
@given(x=logits(), seed=st.integers(0, 1000))
def test_backends_agree_on_the_fused_softmax_crossentropy(x, seed):
    t = one_hot_like(x, seed)
    fast = FAST.softmax_crossentropy_forward(x.copy(), t)
    ref = REFERENCE.softmax_crossentropy_forward(x.copy(), t)
    for a, b in zip(fast, ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@BACKENDS
@SETTINGS
@given(x=logits(), seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([0.0, 0.1, 0.5, 0.9]))
def test_elementwise_ops_keep_float32_and_finiteness(ops, x, seed, rate):
    y = ops.relu(x)
    assert y.dtype == np.float32 and (y >= 0).all()
    assert ops.relu_backward(x, y).dtype == np.float32
    s = ops.sigmoid(x)
    assert s.dtype == np.float32 and np.isfinite(s).all() and ((s >= 0) & (s <= 1)).all()
    assert np.isfinite(ops.sigmoid_backward(x, s)).all()
    assert ops.tanh_backward(x, ops.tanh(x)).dtype == np.float32
    if rate < 1:
        out, mask = ops.dropout_forward(x, seed, rate)
        assert out.dtype == mask.dtype == np.float32 and np.isfinite(out).all()


@SETTINGS
@given(x=logits(), seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([0.1, 0.5, 0.9]))
def test_backends_agree_on_elementwise_ops(x, seed, rate):
    y = np.maximum(x, 0)
    np.testing.assert_array_equal(FAST.relu_backward(x, y), REFERENCE.relu_backward(x, y))
    for a, b in zip(FAST.dropout_forward(x, seed, rate), REFERENCE.dropout_forward(x, seed, rate)):
        np.testing.assert_array_equal(a, b)


@SETTINGS
@given(size=st.integers(1, 500), seed=st.integers(0, 1000), scale=magnitudes)
def test_optimizer_updates_agree_and_stay_finite(size, seed, scale):
    g = np.random.default_rng(seed)
    param = g.standard_normal(size).astype(np.float32)
    grad = (g.standard_normal(size) * scale).astype(np.float32)
    for name, slots, args in (("rmsprop_update", 1, (0.001, 0.9, 1e-7)),
                              ("sgd_update", 1, (0.01, 0.9, True)),
                              ("adam_update", 2, (0.001, 0.9, 0.999, 1e-7, 1))):
        results = []
        for ops in (FAST, REFERENCE):
            p, s = param.copy(), [np.zeros(size, np.float32) for _ in range(slots)]
            getattr(ops, name)(p, grad, *s, *args)
            assert p.dtype == np.float32 and np.isfinite(p).all(), name
            results.append(p)
        np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6, err_msg=name)


def test_optimizer_slots_below_the_smallest_normal_number_become_zero_of_their_sign():
    """Both backends flush a slot the update leaves subnormal (as TensorFlow does) and keep
    every other value, inf and NaN included; the weights move as without the flush."""
    tiny = np.finfo(np.float32).tiny
    velocity = np.array([tiny, 2 * tiny, 0.5 * tiny, 1.0, np.inf, np.nan], np.float32)
    momentum = np.array([-tiny, -2 * tiny, 0.5 * tiny, -1.0, -np.inf, np.nan], np.float32)
    grad = np.zeros(6, np.float32)
    for ops in (FAST, REFERENCE):
        v, m, p = velocity.copy(), momentum.copy(), np.ones(6, np.float32)
        ops.rmsprop_update(p, grad, v, 0.001, 0.9, 1e-7)
        rho = np.float32(0.9)
        np.testing.assert_array_equal(v, np.float32([0, rho * 2 * tiny, 0, rho, np.inf, np.nan]))
        np.testing.assert_array_equal(p[:5], 1)
        ops.sgd_update(p, grad, m, 0.01, 0.9, False)
        np.testing.assert_array_equal(m, np.float32([-0.0, rho * -2 * tiny, 0, -rho, -np.inf,
                                                     np.nan]))
        assert np.signbit(m[0]) and not np.signbit(m[2])
        for slot in (np.array([tiny / 4, -tiny / 4], np.float32), np.array([1e-45], np.float32)):
            flush_subnormal(slot)
            assert (slot == 0).all()
