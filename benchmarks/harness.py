"""Benchmark helpers: thread pinning, the tutorial model, and `measure`.

Every contender runs with the same thread count (NUMNET_BENCH_THREADS, default 2): BLAS and
OpenMP through the environment (set here, before NumPy loads), torch and TensorFlow through
their own settings. NUMNET_BENCH_ROUNDS sets the timed rounds of the epoch benchmarks (the race
runs three times as many).
"""

import os

THREADS = int(os.environ.get("NUMNET_BENCH_THREADS", "2"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))

import numnet  # noqa: E402
from numnet import experiments  # noqa: E402

ROUNDS = int(os.environ.get("NUMNET_BENCH_ROUNDS", "5"))
# The round-robin race is what the ratios rest on: three times the rounds, since a burst of
# load from another tenant can take several seconds and would otherwise sway one of five.
RACE_ROUNDS = 3 * ROUNDS


def tutorial_model(backend: str, seed: int = 0) -> numnet.Sequential:
    """The tutorial MLP (784-256-drop0.4-128-drop0.3-10), compiled, on `backend`."""
    numnet.config.set_backend(backend)
    numnet.set_random_seed(seed)
    model = experiments.mlp([256, 128], [0.4, 0.3])
    model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
                  metrics=["accuracy"])
    return model


def measure(benchmark, function, rounds: int = ROUNDS, warmup_rounds: int = 1):
    """Time `function` for `rounds` calls after `warmup_rounds` untimed ones; return its result."""
    return benchmark.pedantic(function, rounds=rounds, warmup_rounds=warmup_rounds, iterations=1)
