"""Models out of numnet: `to_onnx(model, path)` (optional extra `onnx`)."""

from .onnx_format import to_onnx

__all__ = ["to_onnx"]
