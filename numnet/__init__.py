"""numnet: the Keras workflow (Sequential, Dense, Dropout, compile, fit, evaluate) written from
scratch in NumPy, with Numba kernels for speed. No deep-learning framework inside."""

from . import (
    callbacks,
    config,
    data,
    datasets,
    export,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    saving,
    training,
    utils,
)
from .config import set_random_seed
from .export import load_keras
from .layers import Input
from .models import Model, Sequential, load_model
from .plotting import plot_history

__version__ = "0.1.0"

__all__ = [
    "Input", "Model", "Sequential", "callbacks", "config", "data", "datasets", "export",
    "initializers", "layers",
    "load_keras", "load_model", "losses", "metrics", "models", "ops", "optimizers",
    "plot_history", "saving", "set_random_seed", "training", "utils", "__version__",
]
