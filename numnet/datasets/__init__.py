"""Keras's datasets, found offline where they can be: `numnet.datasets.mnist.load_data()`,
`fashion_mnist`, `boston_housing`, `imdb`, `reuters`. Where each looks for its files, in
order, and how they are checked: numnet.datasets.sources."""

from . import boston_housing, fashion_mnist, imdb, mnist, reuters
from .sources import DatasetNotFoundError, DataVerificationError, data_home, source_of

__all__ = ["boston_housing", "fashion_mnist", "imdb", "mnist", "reuters", "data_home", "source_of",
           "DatasetNotFoundError", "DataVerificationError"]
