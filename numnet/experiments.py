"""Reproducible studies: train many architectures, locally or on a cluster.

`evaluate_architecture(build_fn, data, ...)` is the Python twin of the tutorial's helper: seed,
build, compile, fit, evaluate on the test set. `sweep(fn, configs, executor)` calls
`fn(config)` for every config through any `concurrent.futures.Executor`: serially when None, a
`LocalPool` for `-j N`, or a cluster's executor (Dask's `Client.get_executor()`, mpi4py's
`MPIPoolExecutor`) with no numnet change. `fn` is any picklable function of a config (a
module-level function); `train_mnist_mlp` is the one the tutorial's study uses: its config is
a plain dict, so it travels to any worker, and each worker loads MNIST itself. Its records
depend only on the config and its seed, never on the executor.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import multiprocessing
import os
import statistics
import time
from concurrent.futures import Executor, ProcessPoolExecutor

from . import config as numnet_config
from ._validation import check_positive_int, fail
from .files import atomic_write

# ---- one evaluation ------------------------------------------------------------------------


def evaluate_architecture(build_fn, data, epochs: int = 30, batch_size: int = 128,
                          seed: int = 0, validation_split: float = 0.2,
                          optimizer="rmsprop", verbose: int = 0) -> dict:
    """Seed numnet, build the model with `build_fn()`, train it like the tutorial and score it
    on the test set.

    data: ((x_train, y_train), (x_test, y_test)), inputs already preprocessed, one-hot y.
    Returns {"history": {...}, "test_loss", "test_accuracy", "epochs", "seconds"}.
    """
    from . import optimizers

    (x_train, y_train), (x_test, y_test) = data
    numnet_config.set_random_seed(seed)
    model = build_fn()
    model.compile(loss="categorical_crossentropy", optimizer=optimizers.get(optimizer),
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_split=validation_split, verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    return {"history": history.history, "test_loss": test_loss, "test_accuracy": test_accuracy,
            "epochs": len(history.epoch), "seconds": seconds}


def mlp(hidden: list[int] | tuple[int, ...], dropout: list[float] | tuple[float, ...] = (),
        inputs: int = 784, classes: int = 10, input_scale: float | None = None,
        conv: list[int] | tuple[int, ...] = ()):
    """An MLP: Dense(h, relu) [Dropout(d)] for each hidden width, then Dense(classes, softmax).
    With `input_scale`, a Rescaling(input_scale) layer comes first (e.g. 1/255 for uint8 pixels).
    With `conv` (filters per block), a convnet: the inputs are (28, 28, 1) images, and each
    block Conv2D(filters, 3, relu) + MaxPooling2D(2) comes before Flatten and the dense part."""
    from . import Sequential, layers

    stack = [layers.Input(shape=(28, 28, 1) if conv else (inputs,))]
    if input_scale is not None:
        stack.append(layers.Rescaling(input_scale))
    for filters in conv:
        stack += [layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    if conv:
        stack.append(layers.Flatten())
    for i, width in enumerate(hidden):
        stack.append(layers.Dense(width, activation="relu"))
        if i < len(dropout) and dropout[i]:
            stack.append(layers.Dropout(dropout[i]))
    stack.append(layers.Dense(classes, activation="softmax"))
    return Sequential(stack)


# ---- configs and sweeps --------------------------------------------------------------------
_MNIST: dict[bool, tuple] = {}


def mnist_data(normalize: bool = True, images: bool = False):
    """The bundled MNIST as the tutorial prepares it (flattened, /255 when normalize, one-hot),
    loaded once per process; with `images`, as (n, 28, 28, 1) images (views of the same)."""
    from . import datasets, utils

    if images:
        (x_train, y_train), (x_test, y_test) = mnist_data(normalize)
        return (x_train.reshape(-1, 28, 28, 1), y_train), (x_test.reshape(-1, 28, 28, 1), y_test)
    if normalize not in _MNIST:
        (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
        x_train = x_train.reshape(len(x_train), 784).astype("float32")
        x_test = x_test.reshape(len(x_test), 784).astype("float32")
        if normalize:
            x_train /= 255
            x_test /= 255
        _MNIST[normalize] = ((x_train, utils.to_categorical(y_train, 10)),
                             (x_test, utils.to_categorical(y_test, 10)))
    return _MNIST[normalize]


CONFIG_KEYS = {"name", "conv", "hidden", "dropout", "normalize", "seed", "epochs", "batch_size",
               "backend"}


def train_mnist_mlp(config: dict) -> dict:
    """Train the MNIST MLP a config describes and return its record (a flat dict).

    config keys: name, conv (filters of each Conv2D + MaxPooling2D block; a convnet on
    28x28x1 images when given), hidden (list of widths), dropout (list of rates), normalize
    (bool), seed, epochs, batch_size, backend ("numba" or "numpy").
    """
    if not isinstance(config, dict):
        fail("config", f"a dict with keys from {sorted(CONFIG_KEYS)}", config, TypeError)
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        fail("config", f"a dict with keys from {sorted(CONFIG_KEYS)}", sorted(unknown))
    numnet_config.set_backend(config.get("backend", "numba"))
    hidden, dropout = list(config.get("hidden", [])), list(config.get("dropout", []))
    conv = list(config.get("conv", []))
    with one_blas_thread():
        result = evaluate_architecture(
            lambda: mlp(hidden, dropout, conv=conv),
            mnist_data(config.get("normalize", True), images=bool(conv)),
            epochs=config.get("epochs", 30), batch_size=config.get("batch_size", 128),
            seed=config.get("seed", 0))
    history = result["history"]
    return {
        "name": config.get("name", "-".join(map(str, [f"c{f}" for f in conv] + hidden + [10]))),
        "conv": "-".join(map(str, conv)), "hidden": "-".join(map(str, hidden)),
        "dropout": "-".join(map(str, dropout)),
        "normalize": bool(config.get("normalize", True)), "seed": config.get("seed", 0),
        "epochs": result["epochs"], "test_loss": result["test_loss"],
        "test_accuracy": result["test_accuracy"], "val_loss": history["val_loss"][-1],
        "val_accuracy": history["val_accuracy"][-1], "seconds": result["seconds"],
    }


def one_blas_thread():
    """Run BLAS on one thread inside the block (threadpoolctl, when installed).

    OpenBLAS's sgemm gives different last bits with 1 and 2 threads, so a record would depend
    on where it ran; with one thread everywhere, serial runs, local pools and cluster workers
    agree bit for bit. Without threadpoolctl this does nothing (records may then differ in the
    last bits between executors)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def sweep(fn, configs: list, executor: Executor | None = None) -> list:
    """[fn(config) for config in configs], run by `executor` (serially when None), in order.
    With a process or cluster executor, `fn` and the configs must be picklable: a module-level
    function and plain data."""
    if not callable(fn):
        fail("fn", "a function of one config, such as experiments.train_mnist_mlp", fn, TypeError)
    if not isinstance(configs, (list, tuple)):
        fail("configs", "a list of configs", configs, TypeError)
    if executor is None:
        return [fn(c) for c in configs]
    if not isinstance(executor, Executor):
        fail("executor", "a concurrent.futures.Executor or None", executor, TypeError)
    return list(executor.map(fn, configs))


@contextlib.contextmanager
def _environment(**values: str):
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                 "NUMBA_NUM_THREADS": "1"}


class LocalPool(ProcessPoolExecutor):
    """A local process pool (spawned workers) in which each worker uses one BLAS thread, so N
    workers on N cores do not fight over them. The thread limits are put in the environment
    while submit() starts workers, which read them when NumPy loads."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(check_positive_int("max_workers", max_workers),
                         mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn, /, *args, **kwargs):
        with _environment(**SINGLE_THREAD):
            return super().submit(fn, *args, **kwargs)


# ---- tables --------------------------------------------------------------------------------
def summarize(records: list[dict], keys: tuple[str, ...] = ("name",)) -> list[dict]:
    """Group records by `keys` (default the row name, first-seen order) and give each group's
    mean, standard deviation, min and max of test loss and accuracy, and its seed count."""
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        groups.setdefault(tuple(record[k] for k in keys), []).append(record)
    rows = []
    for key, group in groups.items():
        row = dict(zip(keys, key))
        row["seeds"] = len(group)
        for metric in ("test_loss", "test_accuracy"):
            values = [r[metric] for r in group]
            row[f"{metric}_mean"] = statistics.fmean(values)
            row[f"{metric}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
            row[f"{metric}_min"], row[f"{metric}_max"] = min(values), max(values)
        row["seconds_mean"] = statistics.fmean(r["seconds"] for r in group)
        rows.append(row)
    return rows


def write_csv(records: list[dict], path: str | os.PathLike) -> None:
    """Records as CSV (header from the first record's keys), written atomically."""
    if not records:
        fail("records", "a non-empty list", records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    with atomic_write(path, "w") as handle:
        handle.write(buffer.getvalue())


def markdown_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A Markdown table of `rows`; columns are (title, key or format with {key} fields)."""
    lines = ["| " + " | ".join(title for title, _ in columns) + " |",
             "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for _, spec in columns:
            cells.append(spec.format(**row) if "{" in spec else _cell(row.get(spec)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_markdown(text: str, path: str | os.PathLike) -> None:
    with atomic_write(path, "w") as handle:
        handle.write(text)


def _cell(value) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4f}"
    return "–" if value is None else str(value)
