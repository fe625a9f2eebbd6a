"""All of a model's parameters in one buffer: what lets the optimizer make one kernel call
per step instead of one per array."""

from __future__ import annotations

import numpy as np


def pack_parameters(layers) -> tuple[tuple, np.ndarray, np.ndarray]:
    """Move every parameter and gradient of `layers` into one contiguous buffer each and make
    the layers' arrays views into them. Values are kept; old references to them go stale.

    Returns (ids of the new parameter views, flat parameters, flat gradients); a model
    compares the ids to notice when a layer was added or rebuilt and packing must be redone.
    """
    dtypes = {p.dtype for layer in layers for p in layer.params.values()}
    if len(dtypes) != 1:
        raise ValueError(f"All layers must share one dtype to train together. "
                         f"Received: dtypes {sorted(map(str, dtypes))}")
    dtype = dtypes.pop()
    total = sum(p.size for layer in layers for p in layer.params.values())
    flat_params, flat_grads = np.empty(total, dtype), np.zeros(total, dtype)
    offset = 0
    for layer in layers:
        for key, param in layer.params.items():
            size = param.size
            view = flat_params[offset:offset + size].reshape(param.shape)
            view[...] = param
            layer.params[key] = view
            grad = flat_grads[offset:offset + size].reshape(param.shape)
            grad[...] = layer.grads[key]
            layer.grads[key] = grad
            offset += size
    ids = tuple(id(p) for layer in layers for p in layer.params.values())
    return ids, flat_params, flat_grads
