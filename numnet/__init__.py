"""numnet: the Keras workflow (Sequential, Dense, Dropout, compile, fit, evaluate) written from
scratch in NumPy, with Numba kernels for speed. No deep-learning framework inside."""

from . import callbacks, config, datasets, initializers, layers, losses, metrics, ops, optimizers, utils
from .config import set_random_seed
from .models import Sequential

__version__ = "0.1.0"

__all__ = [
    "Sequential", "callbacks", "config", "datasets", "initializers", "layers", "losses",
    "metrics", "ops", "optimizers", "set_random_seed", "utils", "__version__",
]
