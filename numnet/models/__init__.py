"""What a model is: a graph of layers (`Model`, Keras's functional API) and its simplest
case, a chain (`Sequential`). How a model is trained lives in numnet.training."""

from __future__ import annotations

from .. import saving
from .model import Model
from .sequential import Sequential


def load_model(filepath, compile: bool = True) -> Model:
    """Load a model saved with model.save (a Sequential or a functional Model): architecture,
    weights, compile settings, optimizer state and random generators, so that
    fit(initial_epoch=...) continues exactly."""
    return saving.load_model(filepath, {"Sequential": Sequential, "Model": Model},
                             compile=compile)


__all__ = ["Model", "Sequential", "load_model"]
