"""Shared fixtures: every test runs with HOME and NUMNET_HOME in a temp dir, the default
backend restored, and numnet seeded."""

import numpy as np
import pytest

import numnet


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NUMNET_HOME", str(home / ".numnet"))
    monkeypatch.delenv("NUMNET_DATASETS", raising=False)
    backend = numnet.config.backend()
    numnet.set_random_seed(1234)
    yield home
    numnet.config.set_backend(backend)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST, flattened to (n, 784) float32 in [0, 1], labels as integers."""
    (x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    return (x_train, y_train), (x_test, y_test)
