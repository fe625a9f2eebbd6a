"""Initializers: Keras's limits and variances, the dtype asked for, seeded draws, names."""

import numpy as np
import pytest

from numnet import initializers

SHAPE = (400, 300)  # fan_in 400, fan_out 300


def draw(name, shape=SHAPE, seed=0, dtype="float32"):
    return initializers.get(name)(shape, np.random.default_rng(seed), dtype)


@pytest.mark.parametrize("name, limit", [("glorot_uniform", np.sqrt(6 / 700)),
                                         ("he_uniform", np.sqrt(6 / 400))])
def test_uniform_initializers_fill_their_keras_interval(name, limit):
    w = draw(name)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    assert np.var(w) == pytest.approx(limit**2 / 3, rel=0.02)  # the variance of U(-l, l)


@pytest.mark.parametrize("name, std", [("glorot_normal", np.sqrt(2 / 700)),
                                       ("he_normal", np.sqrt(2 / 400))])
def test_truncated_normals_keep_keras_variance_and_cut_at_two_sigma(name, std):
    w = draw(name)
    assert np.std(w) == pytest.approx(std, rel=0.02)
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-7


@pytest.mark.parametrize("name", ["zeros", "ones", "glorot_uniform", "glorot_normal",
                                  "he_uniform", "he_normal"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_initializer_returns_the_shape_and_dtype_asked_for_and_repeats_with_its_seed(name, dtype):
    w = draw(name, (5, 3), dtype=dtype)
    assert w.shape == (5, 3) and w.dtype == dtype
    np.testing.assert_array_equal(w, draw(name, (5, 3), dtype=dtype))
    assert initializers.name_of(initializers.get(name)) == name


def test_a_callable_is_its_own_initializer_and_unknown_names_are_refused():
    def constant(shape, rng, dtype):
        return np.full(shape, 0.5, dtype)

    assert initializers.get(constant) is constant
    with pytest.raises(ValueError, match=r"kernel_initializer must be one of \[.*'glorot_uniform'.*\]"):
        initializers.get("xavier", "kernel_initializer")
