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
from .bidirectional import Bidirectional
from .convolution import Conv1D, Conv2D, Conv2DTranspose
from .dense import Dense
from .dropout import Dropout, GaussianNoise, SpatialDropout2D
from .embedding import Embedding
from .input_layer import Input, InputLayer
from .masking import Masking
from .merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Merge,
    Minimum,
    Multiply,
    Subtract,
)
from .normalization import BatchNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .preprocessing import Normalization
from .recurrent import GRU, LSTM, RNN, SimpleRNN
from .rescaling import Rescaling
from .reshaping import (
    Cropping1D,
    Cropping2D,
    Flatten,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from .time_distributed import TimeDistributed

# Every class a saved model may name; loading refuses anything else.
LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (Activation, Add, AveragePooling1D, AveragePooling2D, Average,
                BatchNormalization, Bidirectional, Concatenate, Conv1D, Conv2D, Conv2DTranspose,
                Cropping1D,
                Cropping2D, Dense, Dot, Dropout, ELU, Embedding, Flatten, GaussianNoise, GELU,
                GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
                GlobalMaxPooling2D, GRU, InputLayer, LeakyReLU, Linear, LSTM, Masking,
                Maximum, MaxPooling1D, MaxPooling2D, Minimum, Multiply, Normalization, ReLU,
                RepeatVector, Rescaling, Reshape, SELU, Sigmoid, SimpleRNN, Softmax, Softplus,
                SpatialDropout2D, Subtract, Swish, Tanh, TimeDistributed, UpSampling1D,
                UpSampling2D, ZeroPadding1D, ZeroPadding2D)
}
LAYER_CLASSES["Input"] = InputLayer  # the name files written before InputLayer existed use

__all__ = ["Input", "Layer", "LAYER_CLASSES", "Merge", "RNN",
           *(name for name in LAYER_CLASSES if name != "Input")]
