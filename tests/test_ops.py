"""NumbaOps against NumpyOps: every overridden method, float32 and float64, same answer;
fallbacks for layouts the kernels do not take; repeatable bits."""

import importlib
import inspect
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numnet.ops import NumpyOps
from numnet.ops.numba_ops import NumbaOps

REFERENCE, FAST = NumpyOps(), NumbaOps()


def arrays(dtype, seed=0):
    g = np.random.default_rng(seed)
    def a(*shape):
        return g.standard_normal(shape).astype(dtype)
    return g, a


def case_relu_backward(dtype):
    _, a = arrays(dtype)
    return (a(16, 9), np.maximum(a(16, 9), 0)), {}


def case_dropout_forward(dtype):
    _, a = arrays(dtype)
    return (a(32, 17), 0xDEADBEEF12345678, 0.4), {}


def _optimizer_args(dtype, slots):
    _, a = arrays(dtype)
    return [a(1000), a(1000)] + [np.abs(a(1000)) for _ in range(slots)]


def case_rmsprop_update(dtype):
    return (*_optimizer_args(dtype, 1), 0.01, 0.9, 1e-7), {}


def case_sgd_update(dtype):
    return (*_optimizer_args(dtype, 1), 0.01, 0.9, True), {}


def case_adam_update(dtype):
    return (*_optimizer_args(dtype, 2), 0.01, 0.9, 0.999, 1e-7, 3), {}


def case_adadelta_update(dtype):
    return (*_optimizer_args(dtype, 2), 1.0, 0.95, 1e-7), {}


def case_bias_relu(dtype):
    _, a = arrays(dtype)
    return (a(6, 5, 4), a(4)), {}


def case_relu_backward_bias(dtype):
    _, a = arrays(dtype)
    return (a(6, 5, 4), a(6, 5, 4), np.empty(4, dtype)), {}


def case_dense_block_forward(dtype):
    _, a = arrays(dtype)
    return (a(12, 7), a(7, 20), a(20), True, 99, 0.3, np.empty((12, 20), dtype)), {}


def case_dense_block_backward(dtype):
    _, a = arrays(dtype)
    mask = (a(12, 20) > 0).astype(dtype) * dtype(1 / 0.7)
    return (a(12, 20), a(12, 7), a(7, 20), mask, np.empty((7, 20), dtype),
            np.empty(20, dtype), np.empty((12, 7), dtype)), {}


def case_softmax_crossentropy_forward(dtype):
    g, a = arrays(dtype)
    t = np.eye(10, dtype=dtype)[g.integers(0, 10, 32)]
    return (a(32, 10) * 5, t), {}


def case_softmax_crossentropy(dtype):
    g, a = arrays(dtype)
    return (np.eye(10, dtype=dtype)[g.integers(0, 10, 32)], a(32, 10) * 5), {}


def case_softmax(dtype):
    _, a = arrays(dtype)
    return (a(32, 10) * 30,), {}


def case_embedding_backward(dtype):
    g, a = arrays(dtype)
    return (g.integers(0, 6, 40), a(40, 3), np.full((6, 3), 7, dtype)), {}  # repeated rows


def case_rescale(dtype):
    _, a = arrays(dtype)
    return (a(16, 9), 1 / 255, -0.5, np.empty((16, 9), dtype)), {}


def case_max_abs(dtype):
    _, a = arrays(dtype)
    return (a(1000) * 7,), {}


def case_all_finite(dtype):
    _, a = arrays(dtype)
    return (a(1000),), {}


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}
OVERRIDDEN = sorted(name for name, value in vars(NumbaOps).items()
                    if callable(value) and not name.startswith("_") and hasattr(NumpyOps, name))


def test_every_override_has_a_case():
    assert set(OVERRIDDEN) == set(CASES)


def run(ops, name, args, kwargs):
    """Call ops.<name> on fresh copies; return the result and the (possibly updated) inputs."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    result = getattr(ops, name)(*copies, **kwargs)
    return result, copies


def flatten(value):
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in flatten(v)]
    return []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", OVERRIDDEN)
def test_override_matches_reference(name, dtype):
    args, kwargs = CASES[name](dtype)
    fast, fast_inputs = run(FAST, name, args, kwargs)
    ref, ref_inputs = run(REFERENCE, name, args, kwargs)
    fast_arrays, ref_arrays = flatten([fast, fast_inputs]), flatten([ref, ref_inputs])
    assert len(fast_arrays) == len(ref_arrays)
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-12, 1e-12)
    for f, r in zip(fast_arrays, ref_arrays):
        assert f.dtype == r.dtype and (f.dtype == dtype or f.dtype.kind in "iu")  # indices
        np.testing.assert_allclose(f, r, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", OVERRIDDEN)
def test_override_is_bit_identical_between_calls(name):
    args, kwargs = CASES[name](np.float32)
    first = flatten(run(FAST, name, args, kwargs))
    second = flatten(run(FAST, name, args, kwargs))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_bias", [True, False])
def test_dense_block_backward_without_a_mask_matches_reference(dtype, with_bias):
    """The output block (softmax handled by the loss) has no mask: dz = dy."""
    args = list(case_dense_block_backward(dtype)[0])
    args[3] = None
    if not with_bias:
        args[5] = None
    fast_inputs = run(FAST, "dense_block_backward", args, {})[1]
    ref_inputs = run(REFERENCE, "dense_block_backward", args, {})[1]
    for f, r in zip(flatten(fast_inputs), flatten(ref_inputs)):
        np.testing.assert_allclose(f, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("out_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("in_dtype", [np.uint8, np.int16, np.float32, np.float64])
@pytest.mark.parametrize("contiguous", [True, False])
def test_rescale_casts_any_input_dtype_first_and_is_bit_identical(in_dtype, out_dtype, contiguous):
    """uint8 images (and any real dtype) are cast to out's dtype, then scaled in that dtype:
    the same bits as casting the whole array up front and scaling it."""
    pixels = np.random.default_rng(0).integers(0, 256, (40, 30)).astype(in_dtype)
    x = pixels if contiguous else pixels.T  # a transposed view: the Numba wrapper falls back
    expected = x.astype(out_dtype) * out_dtype(1 / 255) + out_dtype(0.25)
    for ops in (FAST, REFERENCE):
        out = np.empty(x.shape, out_dtype)
        assert ops.rescale(x, 1 / 255, 0.25, out) is out
        np.testing.assert_array_equal(out, expected)


def test_dropout_masks_are_bit_identical_across_backends():
    x = np.ones((64, 100), np.float32)
    np.testing.assert_array_equal(FAST.dropout_forward(x, 7, 0.5)[1],
                                  REFERENCE.dropout_forward(x, 7, 0.5)[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, None])
@pytest.mark.parametrize("where", [0, 517, 999])
def test_all_finite_finds_one_bad_element_anywhere(dtype, bad, where):
    x = np.random.default_rng(where).standard_normal(1000).astype(dtype)
    x[::7] = np.finfo(dtype).max  # huge but finite: a sum would overflow, the check must not
    x[1::7] = np.finfo(dtype).smallest_subnormal
    if bad is not None:
        x[where] = bad
    expected = bad is None
    assert REFERENCE.all_finite(x) is FAST.all_finite(x) is expected
    strided = x.reshape(100, 10)[:, ::2]  # not contiguous: the Numba wrapper falls back
    assert FAST.all_finite(strided) is REFERENCE.all_finite(strided)


def test_all_finite_of_an_empty_array_is_true():
    assert FAST.all_finite(np.empty(0, np.float32)) and REFERENCE.all_finite(np.empty(0, np.float32))


def test_max_abs_of_an_empty_array_is_zero():
    for dtype in (np.float32, np.float64):
        assert FAST.max_abs(np.empty(0, dtype)) == REFERENCE.max_abs(np.empty(0, dtype)) == 0


def test_kernels_fall_back_for_layouts_they_do_not_take():
    dy = np.random.default_rng(0).standard_normal((8, 6)).astype(np.float32)
    y = np.maximum(dy, 0)
    np.testing.assert_array_equal(FAST.relu_backward(dy.T, y.T), REFERENCE.relu_backward(dy.T, y.T))
    ints = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(FAST.relu_backward(ints, ints), REFERENCE.relu_backward(ints, ints))


def test_no_njit_sets_its_own_flags():
    """JIT options live in numnet.config.NJIT_OPTIONS only."""
    root = Path(__file__).parents[1] / "numnet"
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"@(numba\.)?njit\(", text), path
        assert not re.search(r"numba\.jit\(", text), path
    importlib.import_module("numnet.ops.numba_jit")
    source = inspect.getsource(sys.modules["numnet.ops.numba_jit"])
    assert "numba.njit(**NJIT_OPTIONS)" in source


def test_numba_is_imported_in_one_module_only():
    """Only numba_jit imports numba; the kernel modules take its `njit`."""
    root = Path(__file__).parents[1] / "numnet"
    importers = [p.name for p in root.rglob("*.py") if re.search(r"^\s*(import|from) numba\b",
                                                                  p.read_text(), re.M)]
    assert importers == ["numba_jit.py"]


def test_import_numnet_does_not_import_numba_or_matplotlib():
    code = "import sys, numnet; print('numba' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
@pytest.mark.parametrize("setting, applied", [("1", "True"), ("0", "False")])
def test_freed_memory_is_kept_for_reuse_unless_turned_off(setting, applied):
    """The backend asks glibc to keep freed blocks up to 32 MiB (a fresh array's first write
    page-faults); NUMNET_KEEP_FREED_MEMORY=0 leaves malloc as it is."""
    code = "import numnet.ops as o; o.get_ops('numpy'); print(o.memory.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "NUMNET_KEEP_FREED_MEMORY": setting}).stdout
    assert out.split() == [applied]


def test_bias_relu_keeps_nan_as_the_reference():
    y = np.array([[np.nan, -1.0, 2.0]], np.float32)
    fast = FAST.bias_relu(y.copy(), None)
    np.testing.assert_array_equal(fast, REFERENCE.bias_relu(y.copy(), None))
    assert np.isnan(fast[0, 0]) and fast[0, 1] == 0


@pytest.mark.parametrize("ops", [FAST, REFERENCE], ids=["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_passes_report_the_largest_magnitude_they_wrote(ops, dtype):
    """The maxima the fused blocks return (they bound the gradients, see fusion.py)."""
    args, _ = case_dense_block_forward(dtype)
    (mask, top), (x, kernel, bias, *_, out) = run(ops, "dense_block_forward", args, {})
    assert top == pytest.approx(float(np.abs(out).max()), rel=1e-12)
    args = list(case_dense_block_backward(dtype)[0])
    top, inputs = run(ops, "dense_block_backward", args, {})
    assert top == pytest.approx(float(np.abs(inputs[0]).max()), rel=1e-12)  # dz, in place


@pytest.mark.parametrize("ops", [FAST, REFERENCE], ids=["numba", "numpy"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_nonfinite_value_makes_every_reported_maximum_infinite(ops, bad):
    x = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    x[::7] *= 0
    x[500] = bad
    assert ops.max_abs(x) == np.inf
    dy = x.reshape(10, 100).copy()
    mask = np.ones_like(dy)
    top = ops.dense_block_backward(dy, np.ones((10, 3), np.float32),
                                   np.ones((3, 100), np.float32), mask,
                                   np.empty((3, 100), np.float32), np.empty(100, np.float32),
                                   None)
    assert top == np.inf


def _float32_kernel_arguments():
    """Each float32 kernel of numba_ops with arguments of the types NumbaOps passes it."""
    f, u = np.float32, np.uint32

    def v(*shape):
        return np.ones(shape, f)

    return {
        "_rmsprop_kernel": (v(16), v(16), v(16), f(0.1), f(0.9), f(0.1), f(1e-7), f(1e-38)),
        "_sgd_momentum_kernel": (v(16), v(16), v(16), f(0.1), f(0.9), True, f(1e-38)),
        "_adam_kernel": (v(16), v(16), v(16), v(16), f(0.1), f(0.1), f(0.01), f(1e-7), f(1e-38)),
        "_adadelta_kernel": (v(16), v(16), v(16), v(16), f(1), f(0.95), f(0.05), f(1e-7),
                             f(1e-38)),
        "_block_forward_kernel": (v(4, 8), v(8), True, True, True, u(1), u(2), u(3), f(2),
                                  v(4, 8)),
        "_block_backward_kernel": (v(4, 8), v(4, 8), True, v(8), True),
        "_bias_relu_kernel": (v(4, 8), v(8), True),
        "_relu_backward_bias_kernel": (v(4, 8), v(4, 8), v(4, 8), v(8), True),
        "_relu_backward_kernel": (v(16), v(16), v(16)),
        "_dropout_kernel": (v(16), u(1), u(2), u(3), f(2), v(16), v(16)),
        "_max_abs_kernel": (v(16),),
    }


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="inspects compiled code")
@pytest.mark.parametrize("name", sorted(_float32_kernel_arguments()))
def test_float32_kernels_do_no_float64_arithmetic(name):
    """A float32 kernel that computes in float64 is correct and twice as slow or worse (half
    the lanes, slower square roots): Numba widens float32 * int to float64, so `v * 0`
    instead of `v * (tiny - tiny)` made the RMSprop kernel 3x slower once. Compiled afresh
    (the cache hides the IR) and read for double-precision arithmetic. The softmax kernels
    are left out: they accumulate each row's sum of exponentials in float64 (closer to the
    exact sum than the float32 reference), and changing that would change every seeded
    result."""
    import numba  # the JIT backend only

    from numnet.ops import numba_ops

    kernel = numba.njit(cache=False)(getattr(numba_ops, name).py_func)
    kernel(*_float32_kernel_arguments()[name])
    ir = "\n".join(kernel.inspect_llvm().values())
    double_math = re.findall(r"\b(?:fadd|fsub|fmul|fdiv|fcmp)\b[^\n]*\bdouble\b|\.f64\(", ir)
    assert not double_math, double_math[:3]
