"""Benchmark helpers: thread pinning, the tutorial model, `measure` and the round-robin `race`.

Every contender runs with the same thread count (NUMNET_BENCH_THREADS, default 2): BLAS and
OpenMP through the environment (set here, before NumPy loads), torch and TensorFlow through
their own settings. NUMNET_BENCH_ROUNDS sets the timed rounds of the epoch benchmarks (the epoch
race runs three times as many, the inference race eight times).
"""

import os
import statistics
import time

THREADS = int(os.environ.get("NUMNET_BENCH_THREADS", "2"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))

import numnet  # noqa: E402
from numnet import experiments  # noqa: E402

ROUNDS = int(os.environ.get("NUMNET_BENCH_ROUNDS", "5"))
# The round-robin race is what the ratios rest on: three times the rounds, since a burst of
# load from another tenant can take several seconds and would otherwise sway one of five.
RACE_ROUNDS = 3 * ROUNDS
INFERENCE_RACE_ROUNDS = 8 * ROUNDS  # one round is ~0.2 s


def tutorial_model(backend: str, seed: int = 0, uint8: bool = False) -> numnet.Sequential:
    """The tutorial MLP (784-256-drop0.4-128-drop0.3-10), compiled, on `backend`; with
    `uint8`, for uint8 pixels: a Rescaling(1/255) layer first, as in examples/mnist_mlp.py."""
    numnet.config.set_backend(backend)
    numnet.set_random_seed(seed)
    model = experiments.mlp([256, 128], [0.4, 0.3], input_scale=1 / 255 if uint8 else None)
    model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
                  metrics=["accuracy"])
    return model


def measure(benchmark, function, rounds: int = ROUNDS, warmup_rounds: int = 1):
    """Time `function` for `rounds` calls after `warmup_rounds` untimed ones; return its result."""
    return benchmark.pedantic(function, rounds=rounds, warmup_rounds=warmup_rounds, iterations=1)


# Idle BLAS/OpenMP threads spin for a while after their last job (OpenBLAS: 2^28 cycles), taking a
# core from whoever runs next: interleaved with numnet's, PyTorch's 10k-image inference came
# out at 2.37x numnet's time without a pause and 1.10x with one. So every run of a race starts
# on idle cores.
SETTLE_SECONDS = 0.3


def race(benchmark, contenders: dict, rounds: int, check, bases=("numnet-numba",),
         seconds_of=None) -> None:
    """Round-robin: every round runs each contender once, in turn, so that a burst of load
    from another tenant of a shared machine hits all of that round alike; before each run the
    cores are left idle for SETTLE_SECONDS (not when timing is disabled, as in CI). The first
    round is warm-up. extra_info, per contender: its median seconds, and for each contender
    named in `bases`, the median and quartiles over rounds of (its time / the base's time in
    the same round), as "<name>_over_<base>" and "<name>_over_<base>_quartiles".
    `check(name, result)` asserts each answer. `seconds_of(result, elapsed)`, if given, is
    the time recorded for a run (e.g. a median per call that the run measured itself)."""
    seconds = {name: [] for name in contenders}

    def one_round():
        for name, run in contenders.items():
            if not benchmark.disabled:
                time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - start
            seconds[name].append(elapsed if seconds_of is None else seconds_of(result, elapsed))
            check(name, result)
        return seconds

    measure(benchmark, one_round, rounds=rounds)
    timed = {name: values[-rounds:] for name, values in seconds.items()}  # warm-up excluded
    for name, values in timed.items():
        benchmark.extra_info[f"{name}_median_seconds"] = statistics.median(values)
        for base in bases:
            if base == name:
                continue
            per_round = [v / b for v, b in zip(values, timed[base])]
            benchmark.extra_info[f"{name}_over_{base}"] = statistics.median(per_round)
            if len(per_round) > 1:
                low, _, high = statistics.quantiles(per_round, n=4)
                benchmark.extra_info[f"{name}_over_{base}_quartiles"] = [low, high]


def seeded_keras():
    """The keras module (or a pytest skip when Keras or TensorFlow is not installed), with
    TensorFlow on THREADS threads and Keras's seed set to 0."""
    import pytest

    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    except RuntimeError:  # already initialised by an earlier benchmark in this process
        pass
    keras.utils.set_random_seed(0)
    return keras


def torch_train_epoch(model, optimizer, loss_fn, batches) -> None:
    """One idiomatic PyTorch eager training epoch: zero_grad, loss, backward, step per batch."""
    model.train()
    for xb, yb in batches:
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()


def torch_accuracy(torch, model, batches) -> float:
    """The share of (x, label) batches whose argmax is the label (eval mode, no autograd)."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in batches:
            correct += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    return correct / total
