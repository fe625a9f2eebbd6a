"""Race two numnet source trees (say, before and after a change) on the tutorial's epoch.

    python benchmarks/compare_trees.py OLD_TREE NEW_TREE [--rounds 10] [--threads 2]
                                       [--model mlp|convnet]

Every round runs one fresh process per tree, in turn (which tree goes first alternates from
round to round): each loads MNIST, builds the tutorial model (seed 0, Numba backend;
--model convnet: Keras's "Simple MNIST convnet" with Adam), trains one untimed epoch (JIT
caches, buffers), then times one epoch of fit(batch_size=128, validation_split=0.2) and
checks its validation accuracy. A burst of load from another tenant of a shared machine
then hits both trees of a round alike; the result is the median and quartiles of the
per-round ratio NEW / OLD, with two figures less moved by other tenants: the ratio of each
tree's fastest epoch, and the per-round ratio of CPU time (every thread's; time spent waiting
for a core is not in it).

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from both trees' processes (some hosts
set them, and OpenBLAS then runs AVX2 kernels on an AVX-512 CPU); the header line records
what they were, and OpenBLAS's kernel as the processes see it.
"""

import argparse
import os
import statistics
import subprocess
import sys

MODELS = {
    "mlp": """
x = x.reshape(len(x), 784).astype("float32") / 255
model = numnet.Sequential([layers.Dense(256, activation="relu", input_shape=(784,)),
                           layers.Dropout(0.4), layers.Dense(128, activation="relu"),
                           layers.Dropout(0.3), layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
              metrics=["accuracy"])
""",
    "convnet": """
x = x.reshape(len(x), 28, 28, 1).astype("float32") / 255
model = numnet.Sequential([layers.Input(shape=(28, 28, 1)),
                           layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                           layers.MaxPooling2D(pool_size=(2, 2)),
                           layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                           layers.MaxPooling2D(pool_size=(2, 2)), layers.Flatten(),
                           layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
""",
}

EPOCH = """
import time, numpy as np, numnet
from numnet import layers
(x, y), _ = numnet.datasets.mnist.load_data()
y = numnet.utils.to_categorical(y, 10)
numnet.config.set_backend("numba")
numnet.set_random_seed(0)
{model}
model.fit(x, y, epochs=1, batch_size=128, validation_split=0.2, verbose=0)
start, cpu = time.perf_counter(), time.process_time()
history = model.fit(x, y, epochs=1, batch_size=128, validation_split=0.2, verbose=0)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
assert history.history["val_accuracy"][-1] > 0.95, history.history
print(seconds, cpu_seconds)
"""


KERNEL_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in KERNEL_OVERRIDES}


def race_host() -> str:
    """host() as the races' processes see it (OpenBLAS picks its kernel when it loads)."""
    return subprocess.run([sys.executable, "-c", "import numpy, hostinfo; print(hostinfo.host())"],
                          env=CLEAN_ENV, capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()


def epoch_seconds(tree: str, threads: int, model: str = "mlp") -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process: every thread's) of one timed epoch."""
    env = {**CLEAN_ENV, "PYTHONPATH": os.path.abspath(tree),
           **{v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
    code = EPOCH.format(model=MODELS[model])
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, cwd=os.path.abspath(tree)).stdout
    wall, cpu = out.split()[-2:]
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    args = parser.parse_args()
    overrides = {k: os.environ[k] for k in KERNEL_OVERRIDES if k in os.environ}
    print(f"host: {race_host()}; {args.threads} threads; {args.model}; unset for the races: "
          f"{overrides or 'none was set'}")
    times: dict[str, list[float]] = {"old": [], "new": []}
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(args.rounds):
        # which tree goes first alternates: a host that slows the second of two long runs
        # (turbo budget, a neighbour's burst) must not always hit the same tree
        for name in ("old", "new") if round_ % 2 == 0 else ("new", "old"):
            wall, cpu_seconds = epoch_seconds(getattr(args, name), args.threads, args.model)
            times[name].append(wall)
            cpu[name].append(cpu_seconds)
        print(f"round {round_ + 1}: old {times['old'][-1]:.3f} s ({cpu['old'][-1]:.3f} s CPU), "
              f"new {times['new'][-1]:.3f} s ({cpu['new'][-1]:.3f} s CPU)")
    ratios = [new / old for old, new in zip(times["old"], times["new"], strict=True)]
    cpu_ratios = [new / old for old, new in zip(cpu["old"], cpu["new"], strict=True)]
    print(f"median epoch: old {statistics.median(times['old']):.3f} s, "
          f"new {statistics.median(times['new']):.3f} s")
    spread = ""
    if len(ratios) > 1:
        low, _, high = statistics.quantiles(ratios, n=4)
        spread = f" (middle half {low:.3f}-{high:.3f})"
    print(f"new / old per round: median {statistics.median(ratios):.3f}{spread}")
    # A shared machine's bursts only ever add time: the fastest round of each tree is the one
    # least disturbed, and CPU time leaves out the time the process waited for a core.
    print(f"fastest epoch new / old: {min(times['new']) / min(times['old']):.3f}; CPU time "
          f"new / old per round: median {statistics.median(cpu_ratios):.3f}")


if __name__ == "__main__":
    main()
