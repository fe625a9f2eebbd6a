"""Utilities users reach as numnet.utils.*, as in keras.utils."""

from .data import to_categorical

__all__ = ["to_categorical"]
