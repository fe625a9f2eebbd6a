"""One epoch of each convolutional MNIST example, raced: numnet (the example's model and fit),
the epoch's convolution GEMMs alone (the floor), and — when installed — PyTorch eager and
Keras on TensorFlow with the same architecture, optimizer, batch size and validation split,
all on the same threads.

    convnet: Keras's "Simple MNIST convnet" (examples/mnist_convnet.py), Adam, 54,000 training
             and 6,000 validation images;
    cnn:     the RStudio mnist_cnn example (examples/mnist_cnn.py), Adadelta(1.0, rho=0.95),
             48,000 training and 12,000 validation images.

With timing disabled (`--benchmark-disable`, as in CI) the race runs once on a tenth of the
images: it proves the contenders run and learn, and times nothing.
"""

import runpy
from pathlib import Path

import numpy as np
import pytest

import numnet

from harness import ROUNDS, THREADS, race, seeded_keras, torch_accuracy, torch_train_epoch

EXAMPLES = Path(__file__).parents[1] / "examples"
ARCHITECTURES = {  # name -> (validation_split, example file)
    "convnet": (0.1, "mnist_convnet.py"),
    "cnn": (0.2, "mnist_cnn.py"),
}
# One cnn round is about three minutes (four contenders, one epoch each).
CNN_RACE_ROUNDS = max(ROUNDS - 2, 1)


@pytest.fixture(scope="module")
def images():
    """uint8 (60000, 28, 28, 1) as the examples keep them; float32 [0, 1] NHWC for Keras and
    NCHW for PyTorch, converted once, untimed; one-hot and integer labels."""
    (x, labels), _ = numnet.datasets.mnist.load_data()
    x = x.reshape(-1, 28, 28, 1)
    scaled = x.astype(np.float32) / 255
    return {"uint8": x, "nhwc": scaled, "nchw": np.ascontiguousarray(scaled.transpose(0, 3, 1, 2)),
            "y": numnet.utils.to_categorical(labels, 10), "labels": labels.astype(np.int64)}


def _slice(images, n):
    return {key: value[:n] for key, value in images.items()}


def _optimizer(arch, library):
    """The example's optimizer in numnet's, Keras's or PyTorch's spelling (torch: a factory)."""
    if library == "torch":
        import torch

        return ((lambda p: torch.optim.Adam(p, eps=1e-7)) if arch == "convnet" else
                (lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.95, eps=1e-7)))
    optimizers = library.optimizers
    return optimizers.Adam() if arch == "convnet" else optimizers.Adadelta(1.0, rho=0.95)


def numnet_model(arch):
    numnet.config.set_backend("numba")
    numnet.set_random_seed(0)
    model = runpy.run_path(str(EXAMPLES / ARCHITECTURES[arch][1]))["build_model"]()
    model.compile(loss="categorical_crossentropy", optimizer=_optimizer(arch, numnet),
                  metrics=["accuracy"])
    return model


def _numnet_epoch(arch, data):
    model = numnet_model(arch)

    def epoch():
        numnet.config.set_backend("numba")
        history = model.fit(data["uint8"], data["y"], batch_size=128, epochs=1,
                            validation_split=ARCHITECTURES[arch][0], verbose=0)
        return history.history["val_accuracy"][-1]

    return epoch


def _floor_epoch(arch, data):
    """The epoch's convolution GEMMs alone, at the real shapes, into preallocated outputs:
    per training batch each Conv2D's forward (cols @ W) and weight-gradient (colsᵀ dz)
    products, and the input-gradient one (dz Wᵀ) for all but the first; then the forward
    products of the validation batches. No im2col, pooling, dense layers or updates."""
    model = numnet_model(arch)
    model.build()
    g = np.random.default_rng(0)
    convs = [(layer.kernel.reshape(-1, layer.filters), int(np.prod(layer.output_shape[1:3])))
             for layer in model.layers if isinstance(layer, numnet.layers.Conv2D)]
    n = len(data["uint8"])
    n_val = int(n * ARCHITECTURES[arch][0])
    batches = [min(128, n - n_val - s) for s in range(0, n - n_val, 128)]
    batches += [min(128, n_val - s) for s in range(0, n_val, 128)]
    buffers = [(g.random((128 * positions, w.shape[0]), np.float32),
                g.random((128 * positions, w.shape[1]), np.float32), np.empty_like(w),
                np.empty((128 * positions, w.shape[0]), np.float32))
               for w, positions in convs]
    n_train_batches = -(-(n - n_val) // 128)

    def epoch():
        for index, size in enumerate(batches):
            for layer, ((w, positions), (cols, dz, dw, dcols)) in enumerate(zip(convs, buffers)):
                rows = size * positions
                np.matmul(cols[:rows], w, out=dz[:rows])
                if index >= n_train_batches:  # validation: forward only
                    continue
                np.matmul(cols[:rows].T, dz[:rows], out=dw)
                if layer > 0:
                    np.matmul(dz[:rows], w.T, out=dcols[:rows])
        return buffers[-1][2]

    return epoch


def _torch_epoch(arch, data):
    torch = pytest.importorskip("torch")
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    if arch == "convnet":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Dropout(0.5), nn.Linear(1600, 10))
    else:
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                              nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(128, 10))
    optimizer = _optimizer(arch, "torch")(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(data["nchw"]), torch.from_numpy(data["labels"])
    n_train = len(x) - int(len(x) * ARCHITECTURES[arch][0])
    train = DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=128, shuffle=True)
    val = DataLoader(TensorDataset(x[n_train:], y[n_train:]), batch_size=128)

    def epoch():
        torch_train_epoch(model, optimizer, loss_fn, train)
        return torch_accuracy(torch, model, val)

    return epoch


def _keras_epoch(arch, data):
    keras = seeded_keras()
    L = keras.layers
    if arch == "convnet":
        stack = [L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                 L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                 L.Dropout(0.5), L.Dense(10, activation="softmax")]
    else:
        stack = [L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
                 L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
                 L.Dropout(0.5), L.Dense(10, activation="softmax")]
    model = keras.Sequential([keras.Input((28, 28, 1)), *stack])
    model.compile(loss="categorical_crossentropy", optimizer=_optimizer(arch, keras),
                  metrics=["accuracy"])

    def epoch():
        history = model.fit(data["nhwc"], data["y"], batch_size=128, epochs=1,
                            validation_split=ARCHITECTURES[arch][0], verbose=0)
        return history.history["val_accuracy"][-1]

    return epoch


@pytest.mark.parametrize("arch", ARCHITECTURES)
def bench_cnn_race(benchmark, images, arch):
    """Every contender runs one epoch per round, in turn (harness.race); the CNN speed
    targets are judged on its per-round ratios."""
    benchmark.group = "cnn-race"
    benchmark.name = f"cnn race {arch}, round-robin"
    data = _slice(images, 6000) if benchmark.disabled else images
    contenders = {"numnet-numba": _numnet_epoch(arch, data),
                  "conv-gemm-floor": _floor_epoch(arch, data)}
    for name, build in (("torch-eager", _torch_epoch), ("keras-tensorflow", _keras_epoch)):
        try:
            contenders[name] = build(arch, data)
        except pytest.skip.Exception:
            pass
    # one epoch of the full data is above 0.97 for every contender; on the tenth of it that
    # CI uses, well above chance (0.1) still says the contender learns
    threshold = 0.5 if benchmark.disabled else 0.95

    def check(name, result):
        assert (np.isfinite(result).all() if name == "conv-gemm-floor"
                else result > threshold), (name, result)

    race(benchmark, contenders, CNN_RACE_ROUNDS, check, bases=("numnet-numba", "conv-gemm-floor"))
