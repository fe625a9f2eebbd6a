"""Global settings: the float type, the backend (argument or NUMNET_BACKEND) and the seed."""

import os
import subprocess
import sys

import numpy as np
import pytest

import numnet
from numnet import config


def test_floatx_is_float32_and_layers_take_it_by_default():
    assert config.floatx() == "float32"
    assert numnet.layers.Dense(2).dtype == "float32"


def test_set_backend_chooses_the_ops_and_refuses_unknown_names():
    config.set_backend("numpy")
    assert config.backend() == "numpy" and numnet.ops.get_ops().name == "numpy"
    config.set_backend("numba")
    assert numnet.ops.get_ops().name == "numba"
    with pytest.raises(ValueError, match=r"backend must be one of \['numba', 'numpy'\]\. Received: name='jax'"):
        config.set_backend("jax")


@pytest.mark.parametrize("value, expected", [("numpy", "numpy\n"), (" NumPy ", "numpy\n")])
def test_the_environment_variable_chooses_the_backend_at_import(value, expected):
    out = subprocess.run([sys.executable, "-c", "import numnet; print(numnet.config.backend())"],
                         env={**os.environ, "NUMNET_BACKEND": value}, capture_output=True,
                         text=True, check=True).stdout
    assert out == expected


def test_a_bad_environment_variable_is_named_when_the_backend_is_used():
    code = "import numnet; numnet.config.backend()"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NUMNET_BACKEND": "gpu"},
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "NUMNET_BACKEND must be one of ['numba', 'numpy']. Received: 'gpu'" in run.stderr


def test_the_seed_makes_the_generator_and_bad_seeds_are_named():
    config.set_random_seed(11)
    a = config.random_generator().random(3)
    config.set_random_seed(11)
    np.testing.assert_array_equal(a, config.random_generator().random(3))
    for seed in (-1, 1.5, True):
        with pytest.raises(ValueError, match=r"seed must be a non-negative integer\. Received: seed="):
            config.set_random_seed(seed)
