"""fit from generators, zero-argument functions (the R closure style) and Sequences; bad
generators get errors naming the step; a memory-mapped file trains in bounded memory."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numnet
from numnet import layers

G = np.random.default_rng(0)
X = G.integers(0, 256, size=(600, 28, 28), dtype=np.uint8)
LABELS = (X[:, 14, :14].mean(1) > X[:, 14, 14:].mean(1)).astype(np.int64)


def sampling_generator(x, y, batch_size, rng):
    """The tutorial's closure: each call samples a preprocessed batch."""
    def next_batch():
        idx = rng.choice(len(x), batch_size, replace=False)
        xb = x[idx].reshape(batch_size, 784).astype("float32") / 255
        return xb, numnet.utils.to_categorical(y[idx], 2)
    return next_batch


def model():
    m = numnet.Sequential([layers.Dense(16, activation="relu", input_shape=(784,)),
                           layers.Dropout(0.2), layers.Dense(2, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return m


def test_fit_from_a_function_with_steps_per_epoch():
    rng = np.random.default_rng(1)
    valid = sampling_generator(X, LABELS, 200, rng)()
    history = model().fit(sampling_generator(X, LABELS, 32, rng), steps_per_epoch=10, epochs=3,
                          validation_data=valid, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # sorted, as Keras
    assert len(history.epoch) == 3


def test_fit_generator_is_an_alias_for_fit():
    rng = np.random.default_rng(1)
    history = model().fit_generator(sampling_generator(X, LABELS, 32, rng), steps_per_epoch=5,
                                    epochs=2, verbose=0)
    assert history.epoch == [0, 1]


def test_fit_from_a_python_generator_with_a_generator_for_validation():
    def batches(rng):
        fn = sampling_generator(X, LABELS, 16, rng)
        while True:
            yield fn()

    m = model()
    history = m.fit(batches(np.random.default_rng(2)), steps_per_epoch=4, epochs=2,
                    validation_data=batches(np.random.default_rng(3)), validation_steps=2, verbose=0)
    assert "val_loss" in history.history
    assert isinstance(m.evaluate(batches(np.random.default_rng(4)), steps=3, verbose=0), list)
    assert m.predict(batches(np.random.default_rng(5)), steps=2).shape == (32, 2)


class Digits(numnet.data.Sequence):
    def __init__(self):
        self.epochs_ended = 0
        self.seen = []

    def __len__(self):
        return 5

    def __getitem__(self, index):
        self.seen.append(index)
        rows = slice(index * 20, index * 20 + 20)
        return X[rows].reshape(-1, 784).astype("float32") / 255, LABELS[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_from_a_sequence_shuffles_batches_and_calls_on_epoch_end():
    m = numnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(784,))])
    m.compile(loss="sparse_categorical_crossentropy")
    data = Digits()
    m.fit(data, epochs=2, verbose=0)
    assert data.epochs_ended == 2
    assert sorted(data.seen[:5]) == [0, 1, 2, 3, 4] and data.seen[:5] != data.seen[5:]
    assert m.predict(Digits()).shape == (100, 2)


@pytest.mark.parametrize("bad, message", [
    (lambda: [np.zeros((4, 784))], r"Each batch must be a tuple \(x, y\) or \(x, y, sample_weight\)\. Received: a list of 1 items from the training data, epoch 1, step 1"),
    (lambda: np.zeros((4, 784)), r"Each batch must be a tuple \(x, y\) or \(x, y, sample_weight\)\. Received: ndarray from the training data, epoch 1, step 1"),
    (lambda: (np.zeros((4, 783)), np.zeros((4, 2))), r"x must be an array of shape \(n, 784\).*Received: x=array of shape \(4, 783\) and dtype float64 \(in the training data, epoch 1, step 1\)"),
    (lambda: (np.zeros((4, 784)), np.zeros((3, 2))), r"x and y must have the same number of samples.*\(in the training data, epoch 1, step 1\)"),
])
def test_bad_batches_name_the_step(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        model().fit(bad, steps_per_epoch=2, verbose=0)


def test_a_generator_running_dry_names_epoch_and_step():
    def three_batches():
        for _ in range(3):
            yield np.zeros((4, 784), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 1]]

    with pytest.raises(ValueError, match=r"The training generator ran out of data at epoch 1, "
                                         r"step 4 of 5\. Make it yield forever"):
        model().fit(three_batches(), steps_per_epoch=5, verbose=0)


def test_a_function_needs_steps_per_epoch():
    with pytest.raises(ValueError, match=r"the number of steps must be given for the training data"):
        model().fit(sampling_generator(X, LABELS, 8, np.random.default_rng(0)), verbose=0)


def test_y_with_a_generator_is_refused():
    with pytest.raises(ValueError, match=r"y must be None when x is a generator"):
        model().fit(Digits(), LABELS, verbose=0)


MEMMAP_RUN = textwrap.dedent("""
    import sys, numpy as np, numnet
    from numnet import layers
    numnet.config.set_backend("numpy")
    x = np.load(sys.argv[1], mmap_mode="r")           # (rows, 784) float32 on disk
    rng = np.random.default_rng(0)
    def batches():
        while True:
            rows = np.sort(rng.choice(len(x), 64, replace=False))
            xb = np.asarray(x[rows])
            yield xb, numnet.utils.to_categorical((xb[:, 0] > 0.5).astype(int), 2)
    def anonymous_kib():  # the process's own memory; mapped file pages are page cache
        status = open("/proc/self/status").read()
        return int(status.split("RssAnon:")[1].split()[0])
    peak = [anonymous_kib()]
    watch = numnet.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: peak.append(anonymous_kib()))
    model = numnet.Sequential([layers.Dense(32, activation="relu", input_shape=(784,)),
                               layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(batches(), steps_per_epoch=50, epochs=2, verbose=0, callbacks=[watch])
    print(max(peak), history.history["loss"][-1])
""")


def test_training_from_a_memory_mapped_file_stays_far_below_its_size(tmp_path):
    rows = 80_000  # 80,000 x 784 float32 = 239 MiB on disk
    path = tmp_path / "big.npy"
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, 784))
    for start in range(0, rows, 10_000):
        array[start:start + 10_000] = np.random.default_rng(start).random((10_000, 784), dtype=np.float32)
    array.flush()
    del array
    out = subprocess.run([sys.executable, "-c", MEMMAP_RUN, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()
    peak_mib, loss = int(out[0]) / 1024, float(out[1])
    size_mib = rows * 784 * 4 / 2**20
    assert np.isfinite(loss)
    assert peak_mib < size_mib / 4, f"peak {peak_mib:.0f} MiB of anonymous memory for a {size_mib:.0f} MiB file"


def test_a_finite_generator_without_steps_runs_until_exhausted():
    def four_batches():
        for i in range(4):
            rows = slice(16 * i, 16 * i + 16)
            yield X[rows].reshape(-1, 784).astype("float32") / 255, numnet.utils.to_categorical(LABELS[rows], 2)

    m = model()
    history = m.fit(four_batches(), epochs=1, verbose=2)
    assert history.epoch == [0]
    generator = four_batches()
    with pytest.raises(ValueError, match=r"The training generator yielded no batches at epoch 2; it is exhausted"):
        m.fit(generator, epochs=2, verbose=0)
