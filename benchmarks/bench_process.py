"""Whole-process costs, each in a fresh interpreter: `import numnet`, the MNIST example's peak
memory, and the first epoch of a second process (compiled kernels come from the disk cache).
The numbers go to extra_info; report.py prints them."""

import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness import measure

ROOT = Path(__file__).parents[1]


def python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


IMPORT_TIME = """
    import time
    start = time.perf_counter()
    import numnet
    seconds = time.perf_counter() - start
    import sys
    print(seconds, "numba" in sys.modules)
"""


def bench_import_numnet(benchmark):
    benchmark.group = "process"
    benchmark.name = "process import-numnet"
    samples = []

    def run():
        seconds, numba_loaded = python(IMPORT_TIME).split()
        assert numba_loaded == "False"  # importing numnet must not import numba
        samples.append(float(seconds))

    measure(benchmark, run, rounds=7)
    benchmark.extra_info["import_seconds_median"] = statistics.median(samples)


# VmHWM, not ru_maxrss: Linux carries ru_maxrss across execve, so a child of a large pytest
# process (torch and TensorFlow loaded) would report its parent's peak.
PEAK_RSS = """
    import runpy, sys
    example = sys.argv[1]
    sys.argv = [example, "--epochs", "1", "--verbose", "0", *sys.argv[2:]]
    runpy.run_path(f"examples/{example}", run_name="__main__")
    status = open("/proc/self/status").read()
    print("peak_rss_kib", status.split("VmHWM:")[1].split()[0])
"""


EXAMPLE_RUNS = {  # name -> (example, flags)
    "process mnist-example-1-epoch": ("mnist_mlp.py", ()),
    "process mnist-example-1-epoch --float32-images": ("mnist_mlp.py", ("--float32-images",)),
    "process mnist_convnet-example-1-epoch": ("mnist_convnet.py", ()),
    "process mnist_cnn-example-1-epoch": ("mnist_cnn.py", ()),
}


@pytest.mark.parametrize("name", EXAMPLE_RUNS)
def bench_example_peak_memory(benchmark, name):
    """Each example for one epoch: the MLP as shipped (uint8 pixels, Rescaling layer) and
    with the tutorial's float32 conversion up front; the two convolutional examples (their
    im2col buffers are reused from step to step, so the peak is one step's working set)."""
    benchmark.group = "process"
    benchmark.name = name
    example, flags = EXAMPLE_RUNS[name]
    out = measure(benchmark, lambda: python(PEAK_RSS, example, *flags), rounds=1,
                  warmup_rounds=0)
    assert "Test loss:" in out
    kib = int(out.split("peak_rss_kib")[1])
    benchmark.extra_info["peak_rss_mib"] = round(kib / 1024, 1)


EPOCH_TIMES = """
    import time, numpy as np, numnet
    from numnet import layers
    (x, y), _ = numnet.datasets.mnist.load_data()
    x = x.reshape(-1, 784).astype("float32") / 255
    y = numnet.utils.to_categorical(y, 10)
    numnet.set_random_seed(0)
    model = numnet.Sequential([layers.Dense(256, activation="relu", input_shape=(784,)),
                               layers.Dropout(0.4), layers.Dense(128, activation="relu"),
                               layers.Dropout(0.3), layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    times = []
    class Timer(numnet.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()
        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)
    model.fit(x, y, epochs=4, batch_size=128, validation_split=0.2, verbose=0, callbacks=[Timer()])
    print(*times)
"""


def bench_first_epoch_of_second_process(benchmark):
    """Process 1 fills Numba's cache (if it is not already); the first epoch of each later
    process should cost about what its steady epochs do. Three processes, medians: one
    process's four epochs are too few against a shared machine's bursts of load."""
    benchmark.group = "process"
    benchmark.name = "process second-run-4-epochs"
    python(EPOCH_TIMES)
    firsts, steadies, ratios = [], [], []

    def later_process():
        times = [float(t) for t in python(EPOCH_TIMES).split()]
        assert len(times) == 4
        firsts.append(times[0])
        steadies.append(statistics.median(times[1:]))
        ratios.append(firsts[-1] / steadies[-1])

    measure(benchmark, later_process, rounds=3, warmup_rounds=0)
    benchmark.extra_info["first_epoch_seconds"] = statistics.median(firsts)
    benchmark.extra_info["steady_epoch_seconds"] = statistics.median(steadies)
    benchmark.extra_info["first_over_steady"] = statistics.median(ratios)
