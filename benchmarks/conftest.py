"""Fixtures for the benchmarks. Thread pinning happens in harness.py, imported first.

Run:  pytest benchmarks --benchmark-json=bench.json
then: python benchmarks/report.py bench.json
"""

import numpy as np
import pytest
from hostinfo import host

import numnet

import harness  # noqa: F401  (pins threads before NumPy loads)


def pytest_benchmark_update_machine_info(config, machine_info):
    """The record names its host: CPU model, caches, AVX-512, BLAS kernel."""
    machine_info["host"] = host()


@pytest.fixture(scope="session")
def mnist():
    """x float32 (n, 784) in [0, 1] as the tutorial prepares it, and the uint8 pixels as they
    are stored ("uint8_train", "uint8_test"); y one-hot float32 and integer labels."""
    (x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()
    uint8_train, uint8_test = x_train.reshape(-1, 784), x_test.reshape(-1, 784)
    x_train = uint8_train.astype("float32") / 255
    x_test = uint8_test.astype("float32") / 255
    return {"x_train": x_train, "y_train": numnet.utils.to_categorical(y_train, 10),
            "uint8_train": uint8_train, "uint8_test": uint8_test,
            "labels_train": y_train.astype(np.int64), "x_test": x_test,
            "y_test": numnet.utils.to_categorical(y_test, 10),
            "labels_test": y_test.astype(np.int64)}
