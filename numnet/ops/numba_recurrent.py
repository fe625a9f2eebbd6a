"""The Numba fast path of the LSTM loop (the reference is LSTM.cell_forward/cell_backward in
numnet/layers/recurrent.py, run step by step by RNN.forward/backward).

The matrix products stay with BLAS; what Numba replaces is the dozen NumPy calls per step
around them (gate slices, sigmoids, tanh, products, their backward), one pass over each
step's (batch, 4·units) gates instead. Backward also gathers the recurrent kernel's gradient
into one product over all steps, Σ_t h_{t-1}ᵀ dz_t = Hᵀ DZ, instead of one per step.
Default activations only (tanh, recurrent sigmoid); no mask, no recurrent dropout.
"""

from __future__ import annotations

import numpy as np

from .numba_jit import kernel_ready, njit


# The kernels take whole C-contiguous (n, steps, ·) arrays and the step t (a step's slice
# would be strided, which Numba compiles to slower, unvectorised loops).
@njit
def _lstm_gate_inputs_kernel(z, projected, t, half):
    """z += projected[:, t]; the i, f and o blocks halved: sigmoid(x) = (1 + tanh(x / 2)) / 2,
    so that one vectorised NumPy tanh then serves every gate (Numba's scalar tanh is ~40x
    slower)."""
    n, width = z.shape
    u = width // 4
    for b in range(n):
        for k in range(2 * u):
            z[b, k] = (z[b, k] + projected[b, t, k]) * half
        for k in range(2 * u, 3 * u):
            z[b, k] = z[b, k] + projected[b, t, k]
        for k in range(3 * u, width):
            z[b, k] = (z[b, k] + projected[b, t, k]) * half


@njit
def _lstm_cell_kernel(z, t, c, gates, half):
    """From z = tanh of the gate inputs (halved for i, f, o): gates[:, t] = i, f, c̃, o;
    c[:, t + 1] = f c[:, t] + i c̃."""
    n, width = z.shape
    u = width // 4
    for b in range(n):
        for k in range(u):
            i = half + half * z[b, k]
            f = half + half * z[b, u + k]
            cand = z[b, 2 * u + k]
            o = half + half * z[b, 3 * u + k]
            gates[b, t, k] = i
            gates[b, t, u + k] = f
            gates[b, t, 2 * u + k] = cand
            gates[b, t, 3 * u + k] = o
            c[b, t + 1, k] = f * c[b, t, k] + i * cand


@njit
def _lstm_step_backward_kernel(t, dh, dh_steps, dc, gates, c, squashed, d_projected, one):
    """d_projected[:, t] = dL/d(gate inputs) and dc <- dL/dc_{t-1}, from dL/dh_t (dh from the
    next step, dh_steps[:, t] from the outputs) and dc = dL/dc_t. `one`: 1 in the arrays'
    dtype (an integer 1 would make float32 arithmetic float64)."""
    n, width = dh.shape[0], gates.shape[2]
    u = width // 4
    for b in range(n):
        for k in range(u):
            i, f = gates[b, t, k], gates[b, t, u + k]
            cand, o = gates[b, t, 2 * u + k], gates[b, t, 3 * u + k]
            s = squashed[b, t, k]
            d_h = dh[b, k] + dh_steps[b, t, k]
            d_c = dc[b, k] + d_h * o * (one - s * s)
            d_projected[b, t, k] = d_c * cand * i * (one - i)
            d_projected[b, t, u + k] = d_c * c[b, t, k] * f * (one - f)
            d_projected[b, t, 2 * u + k] = d_c * i * (one - cand * cand)
            d_projected[b, t, 3 * u + k] = d_h * s * o * (one - o)
            dc[b, k] = d_c * f


def lstm_fits(layer) -> bool:
    """Whether `layer`'s loop can run here: default activations, no recurrent dropout."""
    return (layer.activation == "tanh" and layer.recurrent_activation == "sigmoid"
            and layer._recurrent_mask is None)


def lstm_forward(projected: np.ndarray, recurrent_kernel: np.ndarray):
    """projected (n, steps, 4u) = x W + b  ->  (h (n, steps + 1, u), with h[:, 0] = 0, and
    what backward needs: gates (n, steps, 4u), c (n, steps + 1, u), tanh(c) (n, steps, u)),
    or None when the arrays do not suit the kernels."""
    n, steps, width = projected.shape
    u = width // 4
    dtype = projected.dtype
    h = np.zeros((n, steps + 1, u), dtype)
    c = np.zeros((n, steps + 1, u), dtype)
    gates = np.empty((n, steps, width), dtype)
    squashed = np.empty((n, steps, u), dtype)
    if not kernel_ready(projected, recurrent_kernel):
        return None
    z = np.empty((n, width), dtype)
    half = dtype.type(0.5)
    for t in range(steps):
        np.matmul(h[:, t], recurrent_kernel, out=z)
        _lstm_gate_inputs_kernel(z, projected, t, half)
        np.tanh(z, out=z)
        _lstm_cell_kernel(z, t, c, gates, half)
        np.tanh(c[:, t + 1], out=squashed[:, t])
        np.multiply(gates[:, t, 3 * u:], squashed[:, t], out=h[:, t + 1])
    return h, (gates, c, squashed)


def lstm_backward(dh_steps, cache, h, recurrent_kernel, grad_recurrent_kernel):
    """dh_steps (n, steps, u) = dL/dh_t from above (0 where no output reads h_t) ->
    d_projected (n, steps, 4u); writes dL/dU = Σ_t h_{t-1}ᵀ dz_t."""
    gates, c, squashed = cache
    n, steps, width = gates.shape
    u = width // 4
    d_projected = np.empty((n, steps, width), gates.dtype)
    dh = np.zeros((n, u), gates.dtype)
    dc = np.zeros((n, u), gates.dtype)
    dh_steps = np.ascontiguousarray(dh_steps)
    for t in range(steps - 1, -1, -1):
        _lstm_step_backward_kernel(t, dh, dh_steps, dc, gates, c, squashed, d_projected,
                                   gates.dtype.type(1))
        np.matmul(d_projected[:, t], recurrent_kernel.T, out=dh)
    np.matmul(h[:, :steps].reshape(-1, u).T, d_projected.reshape(-1, width),
              out=grad_recurrent_kernel)
    return d_projected
