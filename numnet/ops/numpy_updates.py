"""The optimizers' update rules in plain NumPy, in place on the parameters and their slots:
the reference half of NumpyOps that numnet.optimizers calls (NumbaOps overrides the hot ones).
Each rule is Keras's, constants cast to the parameters' dtype as Keras casts them. Every slot
is flushed after its update (`flush_subnormal`), as TensorFlow's CPU kernels flush subnormal
results."""

from __future__ import annotations

import numpy as np


def flush_subnormal(slot: np.ndarray) -> np.ndarray:
    """In place: values smaller in magnitude than the dtype's smallest normal number become 0
    of their sign (NaN and inf stay). -> slot

    TensorFlow's CPU kernels, which Keras's optimizers run on, flush subnormal results to
    zero. Without it, a slot that decays geometrically (ρ·v for a weight whose gradient stays
    0, such as an always-blank pixel's) sinks to the smallest subnormal and stays there, and
    x86 cores compute slowly on subnormals: an RMSprop update of the tutorial MLP took 1.4x as
    long once 4% of its velocities were subnormal. RMSprop's weights move exactly as without
    the flush whenever ε > 1e-30 (a subnormal v vanishes in v + ε)."""
    # one multiply by 0 or 1 (0 keeps the sign; NaN fails the test and stays NaN): 0.1 ms
    # for the tutorial's 235,146 slots, where boolean indexing took 0.75 ms
    slot *= np.abs(slot) >= np.finfo(slot.dtype).tiny
    return slot


class NumpyUpdates:
    """Optimizer updates: `<name>_update(param, grad, *slots, hyperparameters)`."""

    # ---- Optimizer updates, in place on `param` and the slots ---------------------------------
    def sgd_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray | None,
                   lr: float, momentum: float, nesterov: bool) -> None:
        """Keras SGD: v = m v - lr g;  w += v  (nesterov: w += m v - lr g)."""
        dtype = param.dtype.type
        if velocity is None:
            param -= dtype(lr) * grad
            return
        velocity *= dtype(momentum)
        velocity -= dtype(lr) * grad
        flush_subnormal(velocity)
        if nesterov:
            param += dtype(momentum) * velocity - dtype(lr) * grad
        else:
            param += velocity

    def rmsprop_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray,
                       lr: float, rho: float, epsilon: float) -> None:
        """Keras RMSprop: v = ρ v + (1-ρ) g²;  w -= lr g / √(v + ε)   (ε inside the root)."""
        dtype = param.dtype.type
        velocity *= dtype(rho)
        velocity += dtype(1 - rho) * grad * grad
        flush_subnormal(velocity)
        param -= dtype(lr) * grad / np.sqrt(velocity + dtype(epsilon))

    def rmsprop_general_update(self, param: np.ndarray, grad: np.ndarray, velocity: np.ndarray,
                               momentum_slot: np.ndarray | None, average: np.ndarray | None,
                               lr: float, rho: float, momentum: float, epsilon: float) -> None:
        """Keras RMSprop with momentum and/or centering:
        v = ρ v + (1-ρ) g²;  centered: a = ρ a + (1-ρ) g, d = v - a² + ε, else d = v + ε;
        step = lr g / √d;  momentum: s = momentum s + step, w -= s;  else w -= step."""
        dtype = param.dtype.type
        velocity *= dtype(rho)
        velocity += dtype(1 - rho) * grad * grad
        flush_subnormal(velocity)
        if average is not None:
            average *= dtype(rho)
            average += dtype(1 - rho) * grad
            flush_subnormal(average)
            denominator = velocity - average * average + dtype(epsilon)
        else:
            denominator = velocity + dtype(epsilon)
        increment = dtype(lr) * grad / np.sqrt(denominator)
        if momentum_slot is not None:
            momentum_slot *= dtype(momentum)
            momentum_slot += increment
            param -= flush_subnormal(momentum_slot)
        else:
            param -= increment

    def adam_update(self, param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray,
                    lr: float, beta_1: float, beta_2: float, epsilon: float, step: int,
                    v_hat: np.ndarray | None = None) -> None:
        """Keras Adam: m += (g - m)(1-β1); v += (g² - v)(1-β2);
        w -= lr √(1-β2^t)/(1-β1^t) · m / (√v + ε).  amsgrad: v̂ = max(v̂, v) in place of v."""
        dtype = param.dtype.type
        m += (grad - m) * dtype(1 - beta_1)
        v += (grad * grad - v) * dtype(1 - beta_2)
        flush_subnormal(m)
        flush_subnormal(v)
        if v_hat is not None:
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        param -= self.adam_step_size(lr, beta_1, beta_2, step, param.dtype) * m / (
            np.sqrt(v) + dtype(epsilon))

    def adam_step_size(self, lr: float, beta_1: float, beta_2: float, step: int, dtype):
        """lr √(1-β2^t)/(1-β1^t) computed in `dtype`, as Keras does (β cast to float32 first:
        in float64, 1 - 0.999 would differ from float32's 1 - 0.999f by 1e-5 relative)."""
        f = np.dtype(dtype).type
        return f(lr) * np.sqrt(f(1) - f(beta_2) ** f(step)) / (f(1) - f(beta_1) ** f(step))

    def nadam_update(self, param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray,
                     lr: float, beta_1: float, beta_2: float, epsilon: float, step: int,
                     u_product: float) -> None:
        """Keras Nadam (t = step, 1-based; u_product = Π_{i<=t} u_i, u_i = β1 (1 - ½·0.96^i)):
        m += (g - m)(1-β1); v += (g² - v)(1-β2);
        m̂ = u_{t+1} m / (1 - u_product·u_{t+1}) + (1 - u_t) g / (1 - u_product);
        w -= m̂ lr / (√(v / (1 - β2^t)) + ε).
        Every scalar in the parameters' dtype, in Keras's order (β cast before 1 - β)."""
        f = param.dtype.type
        b1, b2, t = f(beta_1), f(beta_2), f(step)
        u_t = b1 * (f(1) - f(0.5) * f(0.96) ** t)
        u_next = b1 * (f(1) - f(0.5) * f(0.96) ** (t + f(1)))
        u_product = f(u_product)
        m += (grad - m) * (f(1) - b1)
        v += (grad * grad - v) * (f(1) - b2)
        flush_subnormal(m)
        flush_subnormal(v)
        m_hat = u_next * m / (f(1) - u_product * u_next) + (f(1) - u_t) * grad / (f(1) - u_product)
        v_hat = v / (f(1) - b2**t)
        param -= m_hat * f(lr) / (np.sqrt(v_hat) + f(epsilon))

    def adagrad_update(self, param: np.ndarray, grad: np.ndarray, accumulator: np.ndarray,
                       lr: float, epsilon: float) -> None:
        """Keras Adagrad: a += g²;  w -= lr g / √(a + ε)."""
        dtype = param.dtype.type
        accumulator += grad * grad
        flush_subnormal(accumulator)
        param -= dtype(lr) * grad / np.sqrt(accumulator + dtype(epsilon))

    def adadelta_update(self, param: np.ndarray, grad: np.ndarray, accumulated_grad: np.ndarray,
                        accumulated_delta: np.ndarray, lr: float, rho: float,
                        epsilon: float) -> None:
        """Keras Adadelta: G = ρ G + (1-ρ) g²;  Δ = -√(D + ε) g / √(G + ε);
        D = ρ D + (1-ρ) Δ²;  w += lr Δ."""
        dtype = param.dtype.type
        accumulated_grad *= dtype(rho)
        accumulated_grad += dtype(1 - rho) * grad * grad
        flush_subnormal(accumulated_grad)
        delta = -np.sqrt(accumulated_delta + dtype(epsilon)) * grad / np.sqrt(
            accumulated_grad + dtype(epsilon))
        accumulated_delta *= dtype(rho)
        accumulated_delta += dtype(1 - rho) * delta * delta
        flush_subnormal(accumulated_delta)
        param += dtype(lr) * delta
