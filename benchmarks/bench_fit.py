"""One epoch of the tutorial (48,000 training rows in batches of 128, then validation on the
last 12,000) and inference on the 10,000 test images: numnet on both backends, the GEMM-only
floor, and — when installed — PyTorch eager and Keras on TensorFlow, all on the same threads.

Each benchmark checks its answer: validation accuracy after the timed epochs, or the
predictions' agreement with the labels.
"""

import numpy as np
import pytest

import numnet
from numnet.training.step import pack_parameters

from harness import (
    INFERENCE_RACE_ROUNDS,
    RACE_ROUNDS,
    ROUNDS,
    THREADS,
    measure,
    race,
    seeded_keras,
    torch_accuracy,
    torch_train_epoch,
    tutorial_model,
)

N_TRAIN = 48000  # validation_split=0.2 of 60,000


def _numnet_epoch(mnist, backend, uint8=False):
    """One epoch of fit on the tutorial's float32 pixels, or with `uint8` on the stored uint8
    pixels and a Rescaling(1/255) first layer (examples/mnist_mlp.py's way)."""
    model = tutorial_model(backend, uint8=uint8)
    x = mnist["uint8_train" if uint8 else "x_train"]

    def epoch():
        numnet.config.set_backend(backend)
        history = model.fit(x, mnist["y_train"], epochs=1, batch_size=128,
                            validation_split=0.2, verbose=0)
        return history.history["val_accuracy"][-1]

    return epoch


# numnet's contenders: (backend, uint8 pixels with a Rescaling layer?) -> name suffix
NUMNET_VARIANTS = {"numba": ("numba", False), "numba-uint8": ("numba", True),
                   "numpy": ("numpy", False)}


@pytest.mark.parametrize("variant", NUMNET_VARIANTS)
def bench_epoch_numnet(benchmark, mnist, variant):
    benchmark.group = "epoch"
    benchmark.name = f"epoch numnet-{variant}"
    assert measure(benchmark, _numnet_epoch(mnist, *NUMNET_VARIANTS[variant])) > 0.95


def _tutorial_layers():
    """The tutorial model's Dense layers, unfitted, and its flat parameter and gradient
    buffers, of which the layers' arrays are views. -> (dense layers, params, grads)"""
    model = tutorial_model("numba")
    model.build()
    dense = [layer for layer in model.layers if "kernel" in layer.params]
    params, grads = pack_parameters(dense)
    return dense, params, grads


def _floor_epoch(mnist, serial_passes: bool = False):
    """The epoch's matrix products alone, at the real shapes, into preallocated outputs:
    per training step 3 forward, 3 weight-gradient and 2 input-gradient GEMMs (the first
    layer's input gradient is not needed), then the validation forward. 54 GFLOP.

    With `serial_passes`, each step also does the two passes that no exact trainer of this
    epoch can skip or shrink: gathering its shuffled batch (the epoch reads 150 MB of images
    in random order, memory-bound) and the RMSprop update of all 235,146 parameters (one
    square root and one division each, numnet's kernel on one flat buffer; it updates a copy,
    so the GEMMs' weights stay fixed). That is the least any implementation must spend whose
    element-wise passes cannot overlap the GEMMs, as on 2 cores that both run BLAS."""
    g = np.random.default_rng(0)
    dense, params, flat_grads = _tutorial_layers()  # sets the Numba backend
    updated, velocity = params.copy(), np.zeros_like(params)
    ops = numnet.ops.get_ops()
    kernels, grads = [d.params["kernel"] for d in dense], [d.grads["kernel"] for d in dense]
    acts = [np.empty((128, d.units), np.float32) for d in dense]
    dxs = [np.empty((128, d.units), np.float32) for d in dense[:2]]
    x, x_val = mnist["x_train"][:N_TRAIN], mnist["x_train"][N_TRAIN:]

    def epoch():
        order = g.permutation(N_TRAIN) if serial_passes else None
        for start in range(0, N_TRAIN, 128):
            xb = x[np.sort(order[start:start + 128])] if serial_passes else x[start:start + 128]
            np.matmul(xb, kernels[0], out=acts[0])
            np.matmul(acts[0], kernels[1], out=acts[1])
            np.matmul(acts[1], kernels[2], out=acts[2])
            np.matmul(acts[1].T, acts[2], out=grads[2])
            np.matmul(acts[2], kernels[2].T, out=dxs[1])
            np.matmul(acts[0].T, dxs[1], out=grads[1])
            np.matmul(dxs[1], kernels[1].T, out=dxs[0])
            np.matmul(xb.T, dxs[0], out=grads[0])
            if serial_passes:
                ops.rmsprop_update(updated, flat_grads, velocity, 0.001, 0.9, 1e-7)
        for start in range(0, len(x_val), 128):
            (x_val[start:start + 128] @ kernels[0]) @ kernels[1] @ kernels[2]
        return updated if serial_passes else grads[0]

    return epoch


# floor contenders: name -> serial_passes
FLOORS = {"gemm-floor": False, "gemm-gather-rmsprop-floor": True}


@pytest.mark.parametrize("name", FLOORS)
def bench_epoch_floor(benchmark, mnist, name):
    """What no implementation of this epoch can beat on this BLAS: its GEMMs alone, and with
    the two serial passes every exact trainer makes."""
    benchmark.group = "epoch"
    benchmark.name = f"epoch {name}"
    assert np.isfinite(measure(benchmark, _floor_epoch(mnist, FLOORS[name]))).all()


def _ops_loop_epoch(mnist):
    """The same epoch as a bare loop over numnet's Numba ops, without Sequential, fit, metrics
    or callbacks: the floor's GEMMs plus the work no framework can skip (gathering shuffled
    batches, the fused element-wise passes, the finiteness guarantee and the optimizer over one
    flat buffer). numnet minus this loop is what the framework costs; this loop minus the
    floor is what the memory-bound passes cost when they cannot overlap the GEMMs."""
    dense, params, grads = _tutorial_layers()  # sets the Numba backend
    ops = numnet.ops.get_ops()
    velocity = np.zeros_like(params)
    kernels = [d.params["kernel"] for d in dense]
    biases, grad_kernels, grad_biases = ([d.params["bias"] for d in dense],
                                         [d.grads["kernel"] for d in dense],
                                         [d.grads["bias"] for d in dense])
    outs = [np.empty((128, d.units), np.float32) for d in dense]
    dxs = [np.empty((128, d.units), np.float32) for d in dense[:2]]
    x, y = mnist["x_train"][:N_TRAIN], mnist["y_train"][:N_TRAIN]
    x_val, y_val = mnist["x_train"][N_TRAIN:], mnist["y_train"][N_TRAIN:]
    g = np.random.default_rng(0)

    def epoch():
        order = g.permutation(N_TRAIN)
        for start in range(0, N_TRAIN, 128):  # 375 full batches
            rows = np.sort(order[start:start + 128])
            xb, yb = x[rows], y[rows]
            m1, _ = ops.dense_block_forward(xb, kernels[0], biases[0], True,
                                            g.bit_generator.random_raw(), 0.4, outs[0])
            m2, _ = ops.dense_block_forward(outs[0], kernels[1], biases[1], True,
                                            g.bit_generator.random_raw(), 0.3, outs[1])
            ops.dense_block_forward(outs[1], kernels[2], biases[2], False, 0, 0.0, outs[2])
            _, _, dz = ops.softmax_crossentropy_forward(outs[2], yb)
            ops.dense_block_backward(dz, outs[1], kernels[2], None, grad_kernels[2],
                                     grad_biases[2], dxs[1])
            ops.dense_block_backward(dxs[1], outs[0], kernels[1], m2, grad_kernels[1],
                                     grad_biases[1], dxs[0])
            ops.dense_block_backward(dxs[0], xb, kernels[0], m1, grad_kernels[0],
                                     grad_biases[0], None)
            assert ops.all_finite(grads)  # numnet's step scans every gradient
            ops.rmsprop_update(params, grads, velocity, 0.001, 0.9, 1e-7)
        hits = 0
        for start in range(0, len(x_val), 128):
            h = x_val[start:start + 128]
            for i, d in enumerate(dense):
                out = np.empty((len(h), d.units), np.float32)
                ops.dense_block_inference(h, kernels[i], biases[i], i < 2, out)
                h = out
            hits += int((h.argmax(1) == y_val[start:start + 128].argmax(1)).sum())
        return hits / len(x_val)

    return epoch


def bench_epoch_ops_loop(benchmark, mnist):
    """numnet's kernels in a bare loop: between the GEMM floor and numnet's fit."""
    benchmark.group = "epoch"
    benchmark.name = "epoch numnet-ops-loop"
    assert measure(benchmark, _ops_loop_epoch(mnist)) > 0.95


def torch_tutorial(mnist):
    torch = pytest.importorskip("torch")
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.4), nn.Linear(256, 128),
                          nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    x = torch.from_numpy(mnist["x_train"])
    y = torch.from_numpy(mnist["labels_train"])
    train = DataLoader(TensorDataset(x[:N_TRAIN], y[:N_TRAIN]), batch_size=128, shuffle=True)
    val = DataLoader(TensorDataset(x[N_TRAIN:], y[N_TRAIN:]), batch_size=128)
    return torch, model, train, val


def _torch_training(mnist):
    """The tutorial model in PyTorch and train_epoch(): one idiomatic epoch (DataLoader,
    zero_grad/backward/step with RMSprop). -> (torch, model, train_epoch, val loader)"""
    torch, model, train, val = torch_tutorial(mnist)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    def train_epoch():
        torch_train_epoch(model, optimizer, loss_fn, train)

    return torch, model, train_epoch, val


def _torch_epoch(mnist):
    """Idiomatic PyTorch eager: a training epoch, then no_grad validation."""
    torch, model, train_epoch, val = _torch_training(mnist)

    def epoch():
        train_epoch()
        return torch_accuracy(torch, model, val)

    return epoch


def bench_epoch_torch(benchmark, mnist):
    benchmark.group = "epoch"
    benchmark.name = "epoch torch-eager"
    accuracy = measure(benchmark, _torch_epoch(mnist), rounds=max(ROUNDS - 2, 1))
    assert accuracy > 0.9  # 0.94 after 1 epoch


def keras_tutorial():
    keras = seeded_keras()
    model = keras.Sequential([
        keras.Input((784,)), keras.layers.Dense(256, activation="relu"), keras.layers.Dropout(0.4),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
                  metrics=["accuracy"])
    return model


def _keras_epoch(mnist):
    model = keras_tutorial()

    def epoch():
        history = model.fit(mnist["x_train"], mnist["y_train"], epochs=1, batch_size=128,
                            validation_split=0.2, verbose=0)
        return history.history["val_accuracy"][-1]

    return epoch


def bench_epoch_keras(benchmark, mnist):
    benchmark.group = "epoch"
    benchmark.name = "epoch keras-tensorflow"
    assert measure(benchmark, _keras_epoch(mnist), rounds=max(ROUNDS - 2, 1)) > 0.9


# ---- inference on the 10,000 test images, one batch -----------------------------------------
# Each builder trains its model for one epoch and returns predict() -> probabilities (10000, 10).
def _numnet_predict(mnist, backend, uint8=False):
    model = tutorial_model(backend, uint8=uint8)
    x_train, x_test = (mnist["uint8_train"], mnist["uint8_test"]) if uint8 else (
        mnist["x_train"], mnist["x_test"])
    model.fit(x_train, mnist["y_train"], epochs=1, batch_size=128, verbose=0)

    def predict():
        numnet.config.set_backend(backend)
        return model.predict(x_test, batch_size=10000)

    return predict


def _torch_predict(mnist):
    torch, model, train_epoch, _ = _torch_training(mnist)
    train_epoch()
    model.eval()
    x_test = torch.from_numpy(mnist["x_test"])

    def predict():
        with torch.no_grad():
            return torch.softmax(model(x_test), dim=1).numpy()

    return predict


def _keras_predict(mnist):
    model = keras_tutorial()
    model.fit(mnist["x_train"], mnist["y_train"], epochs=1, batch_size=128, verbose=0)
    return lambda: model.predict(mnist["x_test"], batch_size=10000, verbose=0)


def _accuracy(probs, mnist):
    return (probs.argmax(1) == mnist["labels_test"]).mean()


@pytest.mark.parametrize("variant", NUMNET_VARIANTS)
def bench_inference_numnet(benchmark, mnist, variant):
    benchmark.group = "inference"
    benchmark.name = f"inference numnet-{variant}"
    predict = _numnet_predict(mnist, *NUMNET_VARIANTS[variant])
    assert _accuracy(measure(benchmark, predict, rounds=20), mnist) > 0.95


def bench_inference_torch(benchmark, mnist):
    benchmark.group = "inference"
    benchmark.name = "inference torch-eager"
    assert _accuracy(measure(benchmark, _torch_predict(mnist), rounds=20), mnist) > 0.9  # 0.94 here


def bench_inference_keras(benchmark, mnist):
    benchmark.group = "inference"
    benchmark.name = "inference keras-tensorflow"
    assert _accuracy(measure(benchmark, _keras_predict(mnist), rounds=20), mnist) > 0.95


def _with_installed_peers(contenders, mnist, builders):
    """`contenders` plus each peer whose framework is installed."""
    for name, build in builders:
        try:
            contenders[name] = build(mnist)
        except pytest.skip.Exception:
            pass
    return contenders


def bench_epoch_race(benchmark, mnist):
    """Every contender runs one epoch per round, in turn (harness.race); the epoch targets
    are judged on its per-round ratios."""
    benchmark.group = "epoch-race"
    benchmark.name = "epoch race, round-robin"
    contenders = _with_installed_peers(
        {"numnet-numba": _numnet_epoch(mnist, "numba"),
         "numnet-numba-uint8": _numnet_epoch(mnist, "numba", uint8=True),
         "numnet-numpy": _numnet_epoch(mnist, "numpy"),
         **{name: _floor_epoch(mnist, serial) for name, serial in FLOORS.items()},
         "numnet-ops-loop": _ops_loop_epoch(mnist)},
        mnist, (("torch-eager", _torch_epoch), ("keras-tensorflow", _keras_epoch)))

    def check(name, result):
        assert np.isfinite(result).all() if name in FLOORS else result > 0.9, name

    race(benchmark, contenders, RACE_ROUNDS, check,
         bases=("numnet-numba", "numnet-numba-uint8", "gemm-floor", "numnet-ops-loop"))


def bench_inference_race(benchmark, mnist):
    """Inference on the 10k test images, every contender once per round, in turn; the
    inference target is judged on its per-round ratios (one call is ~30 ms, so a burst of
    load easily decides a sequential comparison)."""
    benchmark.group = "inference-race"
    benchmark.name = "inference race, round-robin"
    contenders = _with_installed_peers(
        {"numnet-numba": _numnet_predict(mnist, "numba"),
         "numnet-numba-uint8": _numnet_predict(mnist, "numba", uint8=True),
         "numnet-numpy": _numnet_predict(mnist, "numpy")},
        mnist, (("torch-eager", _torch_predict), ("keras-tensorflow", _keras_predict)))

    def check(name, probs):
        assert _accuracy(probs, mnist) > 0.9, name

    race(benchmark, contenders, INFERENCE_RACE_ROUNDS, check,
         bases=("numnet-numba", "numnet-numba-uint8"))
