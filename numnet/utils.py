"""Utilities users reach as numnet.utils.*, as in keras.utils."""

from .data import Sequence, to_categorical
from .plotting import model_to_dot, plot_model
from .sequences import multi_hot, pad_sequences

__all__ = ["Sequence", "model_to_dot", "multi_hot", "pad_sequences", "plot_model",
           "to_categorical"]
