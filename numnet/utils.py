"""Utilities users reach as numnet.utils.*, as in keras.utils."""

from .data import Sequence, to_categorical
from .plotting import model_to_dot, plot_model

__all__ = ["Sequence", "model_to_dot", "plot_model", "to_categorical"]
