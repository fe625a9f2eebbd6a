"""Layers with hand-written forward and backward passes."""

from .activation import (
    ELU,
    GELU,
    SELU,
    Activation,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Swish,
    Tanh,
)
from .base import Layer
from .convolution import Conv2D
from .dense import Dense
from .dropout import Dropout, GaussianNoise, SpatialDropout2D
from .normalization import BatchNormalization
from .pooling import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from .rescaling import Rescaling
from .reshaping import Flatten, Input, Reshape

# Every class a saved model may name; loading refuses anything else.
LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, ELU,
                Flatten, GaussianNoise, GELU, GlobalAveragePooling2D, GlobalMaxPooling2D, Input,
                LeakyReLU, Linear, MaxPooling2D, ReLU, Rescaling, Reshape, SELU, Sigmoid, Softmax,
                Softplus, SpatialDropout2D, Swish, Tanh)
}

__all__ = ["Layer", "LAYER_CLASSES", *LAYER_CLASSES]
