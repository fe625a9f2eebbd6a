"""The Numba fast path of the LSTM and GRU loops (the reference: the cells' cell_forward and
cell_backward in numnet/layers/recurrent.py, run step by step by RNN.run_steps).

The matrix products stay with BLAS; what Numba replaces is the dozen NumPy calls per step
around them (gate slices, sigmoids, tanh, products, their backward), one pass over each
step's (batch, 4·units) gates instead. Backward also gathers the recurrent kernel's gradient
into one product over all steps, Σ_t h_{t-1}ᵀ dz_t = Hᵀ DZ, instead of one per step.
Default activations only (tanh, recurrent sigmoid); no mask, no recurrent dropout; the GRU
with reset_after (Keras's default). `fused_steps` picks the loop for a layer.
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


def lstm_forward(projected: np.ndarray, recurrent_kernel: np.ndarray):
    """projected (n, steps, 4u) = x W + b  ->  (h (n, steps + 1, u), with h[:, 0] = 0, and
    what backward needs: gates (n, steps, 4u), c (n, steps + 1, u), tanh(c) (n, steps, u)),
    or None when the arrays do not suit the kernels."""
    if not kernel_ready(projected, recurrent_kernel):
        return None
    n, steps, width = projected.shape
    u = width // 4
    dtype = projected.dtype
    h = np.zeros((n, steps + 1, u), dtype)
    c = np.zeros((n, steps + 1, u), dtype)
    gates = np.empty((n, steps, width), dtype)
    squashed = np.empty((n, steps, u), dtype)
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


# ---- GRU (reset_after=True, Keras's default): z, r = σ(x W + h U + b), h̃ = tanh(x W_h +
# r (h U_h + b'_h)), h' = z h + (1 - z) h̃
@njit
def _gru_gates_kernel(m, projected, t, gates, half):
    """gates[:, t, :2u] = the halved inputs of z and r (their tanh, taken next, gives the
    sigmoids as for the LSTM)."""
    n = m.shape[0]
    u = gates.shape[2] // 3
    for b in range(n):
        for k in range(2 * u):
            gates[b, t, k] = (projected[b, t, k] + m[b, k]) * half


@njit
def _gru_candidate_kernel(m, projected, t, gates, m_h, half):
    """From tanh of the halved z and r inputs: z, r into gates; the candidate's input
    x W_h + r · m_h into gates[:, t, 2u:] (its tanh is taken next); m_h kept for backward."""
    n = m.shape[0]
    u = gates.shape[2] // 3
    for b in range(n):
        for k in range(u):
            z = half + half * gates[b, t, k]
            r = half + half * gates[b, t, u + k]
            gates[b, t, k], gates[b, t, u + k] = z, r
            m_h[b, t, k] = m[b, 2 * u + k]
            gates[b, t, 2 * u + k] = projected[b, t, 2 * u + k] + r * m[b, 2 * u + k]


@njit
def _gru_state_kernel(t, gates, h, one):
    """h[:, t + 1] = z h[:, t] + (1 - z) h̃."""
    n, u = h.shape[0], h.shape[2]
    for b in range(n):
        for k in range(u):
            z = gates[b, t, k]
            h[b, t + 1, k] = z * h[b, t, k] + (one - z) * gates[b, t, 2 * u + k]


@njit
def _gru_step_backward_kernel(t, dh, dh_steps, gates, m_h, h, d_projected, dm, one):
    """d_projected[:, t] = dL/d(x W + b) per gate, dm[:, t] = dL/d(h U + b') per gate, and
    dh <- the direct part of dL/dh_{t-1} (dh · z; the caller adds dm Uᵀ)."""
    n, u = dh.shape
    for b in range(n):
        for k in range(u):
            z, r, cand = gates[b, t, k], gates[b, t, u + k], gates[b, t, 2 * u + k]
            d = dh[b, k] + dh_steps[b, t, k]
            da_z = d * (h[b, t, k] - cand) * z * (one - z)
            da_h = d * (one - z) * (one - cand * cand)
            da_r = da_h * m_h[b, t, k] * r * (one - r)
            d_projected[b, t, k], d_projected[b, t, u + k] = da_z, da_r
            d_projected[b, t, 2 * u + k] = da_h
            dm[b, t, k], dm[b, t, u + k], dm[b, t, 2 * u + k] = da_z, da_r, da_h * r
            dh[b, k] = d * z


def gru_forward(projected: np.ndarray, recurrent_kernel: np.ndarray,
                recurrent_bias: np.ndarray | None):
    """projected (n, steps, 3u) = x W + b  ->  (h (n, steps + 1, u), h[:, 0] = 0, and what
    backward needs: gates z, r, h̃ (n, steps, 3u) and m_h = h U_h + b'_h (n, steps, u)), or
    None when the arrays do not suit the kernels."""
    if not kernel_ready(projected, recurrent_kernel):
        return None
    n, steps, width = projected.shape
    u = width // 3
    dtype = projected.dtype
    h = np.zeros((n, steps + 1, u), dtype)
    gates = np.empty((n, steps, width), dtype)
    m_h = np.empty((n, steps, u), dtype)
    m = np.empty((n, width), dtype)
    half, one = dtype.type(0.5), dtype.type(1)
    for t in range(steps):
        np.matmul(h[:, t], recurrent_kernel, out=m)
        if recurrent_bias is not None:
            m += recurrent_bias
        _gru_gates_kernel(m, projected, t, gates, half)
        np.tanh(gates[:, t, :2 * u], out=gates[:, t, :2 * u])
        _gru_candidate_kernel(m, projected, t, gates, m_h, half)
        np.tanh(gates[:, t, 2 * u:], out=gates[:, t, 2 * u:])
        _gru_state_kernel(t, gates, h, one)
    return h, (gates, m_h)


def gru_backward(dh_steps, cache, h, recurrent_kernel, grad_recurrent_kernel,
                 grad_recurrent_bias):
    """dh_steps (n, steps, u) = dL/dh_t from above -> d_projected (n, steps, 3u); writes
    dL/dU = Σ_t h_{t-1}ᵀ dm_t and, when given, dL/db' = Σ_t Σ_batch dm_t."""
    gates, m_h = cache
    n, steps, width = gates.shape
    u = width // 3
    dtype = gates.dtype
    d_projected = np.empty((n, steps, width), dtype)
    dm = np.empty((n, steps, width), dtype)
    dh, through = np.zeros((n, u), dtype), np.empty((n, u), dtype)
    dh_steps = np.ascontiguousarray(dh_steps)
    for t in range(steps - 1, -1, -1):
        _gru_step_backward_kernel(t, dh, dh_steps, gates, m_h, h, d_projected, dm,
                                  dtype.type(1))
        np.matmul(dm[:, t], recurrent_kernel.T, out=through)
        dh += through
    flat = dm.reshape(-1, width)
    np.matmul(h[:, :steps].reshape(-1, u).T, flat, out=grad_recurrent_kernel)
    if grad_recurrent_bias is not None:
        grad_recurrent_bias[...] = flat.sum(axis=0)
    return d_projected


def fused_steps(layer, projected: np.ndarray):
    """A recurrent layer's loop fused, where one fits it (an LSTM or, with reset_after, a GRU,
    default activations, no recurrent dropout): (h, cache), or None."""
    if layer.activation != "tanh" or layer.recurrent_activation != "sigmoid" or \
            layer._recurrent_mask is not None:
        return None
    kernel = layer.params["recurrent_kernel"]
    if layer.gates == 4:
        return lstm_forward(projected, kernel)
    if layer.gates == 3 and layer.reset_after:
        bias = layer.params.get("bias")
        return gru_forward(projected, kernel, None if bias is None else bias[1])
    return None


def fused_steps_backward(layer, d_outputs, h, cache) -> np.ndarray:
    """d_projected for a loop that fused_steps ran; writes the recurrent kernel's (and GRU's
    recurrent bias's) gradient."""
    kernel, grad = layer.params["recurrent_kernel"], layer.grads["recurrent_kernel"]
    if layer.gates == 4:
        return lstm_backward(d_outputs, cache, h, kernel, grad)
    bias = layer.grads.get("bias")
    return gru_backward(d_outputs, cache, h, kernel, grad, None if bias is None else bias[1])
