"""Crash safety, proven by killing real processes (SIGKILL) at random moments, and concurrent
writers. No sleeping: the parent kills a child after reading a random number of its progress
lines, while the child keeps writing."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numnet
from numnet import _tensorboard

KILLS = 50
ENV = {**os.environ, "NUMNET_BACKEND": "numpy"}  # no Numba import: children start fast

SAVER = textwrap.dedent("""
    import sys, numpy as np, numnet
    from numnet import layers
    path, value = sys.argv[1], int(sys.argv[2])
    model = numnet.Sequential([layers.Dense(256, input_shape=(512,)), layers.Dense(10)])
    model.compile(loss="mse", optimizer="adam")
    while True:  # each checkpoint: every weight equals `value`
        model.set_weights([np.full_like(w, value) for w in model.get_weights()])
        print("begin", value, flush=True)
        model.save(path)
        print("end", value, flush=True)
        value += 1
""")


def run_until_killed(code, args, lines_to_read):
    """Start `code`, read `lines_to_read` lines of its output, SIGKILL it; return the lines."""
    child = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=ENV)
    lines = [child.stdout.readline().split() for _ in range(lines_to_read)]
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    return [line for line in lines if line]


def test_checkpoints_survive_50_kills_mid_save(tmp_path):
    path = tmp_path / "ckpt.npz"
    rng = np.random.default_rng(0)
    confirmed, survived = -1, 0
    for _ in range(KILLS):
        lines = run_until_killed(SAVER, [path, confirmed + 1], int(rng.integers(1, 9)))
        ends = [int(v) for word, v in lines if word == "end"]
        confirmed = max([confirmed, *ends])
        if not path.exists():
            assert confirmed == -1  # killed before its first save finished
            continue
        model = numnet.load_model(path)  # never a torn file
        values = {float(v) for w in model.get_weights() for v in np.unique(w)}
        assert len(values) == 1, "a checkpoint mixes two saves"
        value = values.pop()
        assert value >= confirmed, "a confirmed checkpoint was lost"
        confirmed = int(value)
        survived += 1
    assert survived >= KILLS - 1


TRAINER = textwrap.dedent("""
    import sys, numpy as np, numnet
    from numnet import layers, callbacks
    folder = sys.argv[1]
    g = np.random.default_rng(0)
    x = g.standard_normal((64, 8)).astype("float32")
    y = numnet.utils.to_categorical(x[:, :2].argmax(1), 2)
    model = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(8,)),
                               layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    say = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print("epoch", epoch, flush=True))
    model.fit(x, y, epochs=100000, batch_size=16, validation_split=0.25, verbose=0,
              callbacks=[callbacks.CSVLogger(folder + "/log.csv", append=True),
                         callbacks.TensorBoard(folder + "/tb"), say])
""")


def test_csv_and_tensorboard_logs_stay_readable_after_kills(tmp_path):
    rng = np.random.default_rng(1)
    for _ in range(15):
        run_until_killed(TRAINER, [tmp_path], int(rng.integers(1, 30)))
    lines = (tmp_path / "log.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert header == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    rows = [line.split(",") for line in lines[1:]]
    complete = [row for row in rows if len(row) == len(header)]
    assert len(rows) - len(complete) <= 1 and (len(complete) == len(rows) or rows[-1] not in complete)
    assert all(np.isfinite([float(v) for v in row[1:]]).all() for row in complete)
    files = sorted((tmp_path / "tb" / "train").iterdir())
    assert len(files) == 15  # one file per run, never shared
    for path in files:
        events = _tensorboard.read_events(path)  # a torn tail is dropped, the rest reads
        steps = [e["step"] for e in events if "epoch_loss" in e["scalars"]]
        assert steps == list(range(len(steps)))


def test_the_real_reader_loads_killed_runs(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    for lines in (3, 17):
        run_until_killed(TRAINER, [tmp_path], lines)
    for path in (tmp_path / "tb" / "train").iterdir():
        reader = accumulator.EventAccumulator(str(path))
        reader.Reload()
        assert len(reader.Scalars("epoch_loss")) >= 2


CONCURRENT_SAVER = textwrap.dedent("""
    import sys, numpy as np, numnet
    from numnet import layers, callbacks
    path, value = sys.argv[1], float(sys.argv[2])
    model = numnet.Sequential([layers.Dense(256, input_shape=(512,)), layers.Dense(10)])
    model.set_weights([np.full_like(w, value) for w in model.get_weights()])
    for _ in range(40):
        model.save(path)
    print("done", flush=True)
""")


def test_two_processes_saving_one_path_never_interleave(tmp_path):
    path = tmp_path / "shared.npz"
    writers = [subprocess.Popen([sys.executable, "-c", CONCURRENT_SAVER, str(path), str(v)],
                                stdout=subprocess.PIPE, text=True, env=ENV) for v in (1, 2)]
    reads = 0
    while any(w.poll() is None for w in writers) and reads < 10_000:
        if path.exists():
            model = numnet.load_model(path)
            values = {float(v) for w in model.get_weights() for v in np.unique(w)}
            assert values in ({1.0}, {2.0}), "bytes of two writers interleaved"
            reads += 1
    for writer in writers:
        assert writer.wait() == 0 and writer.stdout.read().strip() == "done"
        writer.stdout.close()
    final = {float(v) for w in numnet.load_model(path).get_weights() for v in np.unique(w)}
    assert final in ({1.0}, {2.0})


def test_two_processes_logging_to_one_folder_write_distinct_files(tmp_path):
    code = TRAINER.replace("epochs=100000", "epochs=2")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.DEVNULL,
                             env=ENV) for _ in range(2)]
    assert [r.wait() for r in runs] == [0, 0]
    files = sorted(os.listdir(tmp_path / "tb" / "train"))
    assert len(files) == 2
    pids = {name.split(".")[-3] for name in files}
    assert len(pids) == 2 and {str(r.pid) for r in runs} == pids
