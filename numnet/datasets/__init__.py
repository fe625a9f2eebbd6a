"""Datasets that work offline: `numnet.datasets.mnist.load_data()`."""

from . import mnist

__all__ = ["mnist"]
