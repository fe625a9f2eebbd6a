"""The Numba convolution and pooling kernels equal the NumPy reference: im2col exactly, the
pooling maxima and their indices exactly (first maximum, NaN first, as NumPy's argmax), and
the sums (col2im, average pooling) to float rounding; for odd sizes, strides, both paddings,
dilation, one channel or many, and a batch of one."""

import numpy as np
import pytest

from numnet.ops import get_ops

GEOMETRIES = [  # (input shape, kernel, strides, padding, dilation)
    ((2, 7, 6, 3), (3, 3), (1, 1), "valid", (1, 1)),
    ((1, 7, 6, 9), (3, 2), (2, 2), "same", (1, 1)),
    ((3, 5, 8, 1), (2, 3), (1, 2), "same", (1, 1)),
    ((2, 9, 9, 4), (3, 3), (1, 1), "same", (2, 2)),
    ((2, 6, 7, 2), (1, 1), (3, 2), "valid", (1, 1)),
]


@pytest.fixture
def ops(monkeypatch):
    fast = get_ops("numba")
    monkeypatch.setattr(fast, "min_kernel_channels", 1)  # every shape through the kernels
    return fast


@pytest.mark.parametrize("shape, kernel, strides, padding, dilation", GEOMETRIES)
def test_im2col_and_col2im_equal_the_reference(ops, shape, kernel, strides, padding, dilation,
                                               rng):
    ref = get_ops("numpy")
    x = rng.standard_normal(shape).astype(np.float32)
    cols = ref.im2col(x, kernel, strides, padding, dilation)
    np.testing.assert_array_equal(ops.im2col(x, kernel, strides, padding, dilation), cols)
    out = np.full_like(cols, np.nan)  # a reused buffer: every element is written
    assert ops.im2col(x, kernel, strides, padding, dilation, out) is out
    np.testing.assert_array_equal(out, cols)
    dcols = rng.standard_normal(cols.shape).astype(np.float32)
    np.testing.assert_allclose(ops.col2im(dcols, shape, kernel, strides, padding, dilation),
                               ref.col2im(dcols, shape, kernel, strides, padding, dilation),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape, pool, strides, padding, _", GEOMETRIES)
def test_pooling_equals_the_reference(ops, shape, pool, strides, padding, _, rng):
    ref = get_ops("numpy")
    x = rng.standard_normal(shape).astype(np.float32)
    x[0, 0, :2, 0] = 5.0  # a tie: the first maximum wins
    y, index = ops.max_pool2d(x, pool, strides, padding)
    y_ref, index_ref = ref.max_pool2d(x, pool, strides, padding)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(index, index_ref)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    np.testing.assert_allclose(ops.max_pool2d_backward(dy, index, shape, pool, strides, padding),
                               ref.max_pool2d_backward(dy, index, shape, pool, strides, padding),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ops.average_pool2d(x, pool, strides, padding),
                               ref.average_pool2d(x, pool, strides, padding), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ops.average_pool2d_backward(dy, shape, pool, strides, padding),
                               ref.average_pool2d_backward(dy, shape, pool, strides, padding),
                               rtol=1e-6, atol=1e-6)


def test_max_pooling_takes_nan_and_minus_inf_as_numpy_argmax_does(ops):
    x = np.full((1, 2, 4, 2), -np.inf, np.float32)  # a window of -inf only: offset 0
    x[0, 1, 0, 1] = np.nan  # NaN wins its window
    x[0, 0, 1, 1] = 3.0
    y, index = ops.max_pool2d(x, (2, 2), (2, 2), "valid")
    y_ref, index_ref = get_ops("numpy").max_pool2d(x, (2, 2), (2, 2), "valid")
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(index, index_ref)
    assert np.isnan(y[0, 0, 0, 1]) and index[0, 0, 0, 0] == 0


def test_other_dtypes_fall_back_to_the_reference(ops):
    x = np.arange(2 * 4 * 4 * 8, dtype=np.float16).reshape(2, 4, 4, 8)
    np.testing.assert_array_equal(ops.im2col(x, (2, 2), (1, 1), "valid", (1, 1)),
                                  get_ops("numpy").im2col(x, (2, 2), (1, 1), "valid", (1, 1)))
