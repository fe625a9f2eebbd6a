"""Models in and out of numnet: `to_onnx(model, path)` (optional extra `onnx`), and Keras 3
files, `load_keras(path)` and `to_keras(model, path)` (optional extra `keras`: h5py)."""

from .keras_format import load_keras, to_keras
from .onnx_format import to_onnx

__all__ = ["load_keras", "to_keras", "to_onnx"]
