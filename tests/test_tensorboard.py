"""TensorBoard files without TensorFlow: framing, CRC, and the real reader gets every scalar."""

import json
import os
import re
import selectors
import subprocess
import sys
import urllib.request

import numpy as np
import pytest

from numnet import _tensorboard, callbacks

from builders import classification_data, classifier


def test_crc32c_known_answers():
    # RFC 3720 B.4 test vectors for CRC-32C
    assert _tensorboard.crc32c(b"123456789") == 0xE3069283
    assert _tensorboard.crc32c(bytes(32)) == 0x8A9136AA
    assert _tensorboard.crc32c(bytes([0xFF] * 32)) == 0x62A8AB43


def test_event_round_trip():
    data = _tensorboard.encode_event(1234.5, 7, scalar=("epoch_loss", 0.25))
    event = _tensorboard.decode_event(data)
    assert event == {"wall_time": 1234.5, "step": 7, "scalars": {"epoch_loss": 0.25},
                     "histograms": {}}


def train_with_tensorboard(log_dir, epochs=4, **kwargs):
    x, y = classification_data(n=64, width=5, classes=3)
    model = classifier(width=5, classes=3)
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.TensorBoard(str(log_dir), **kwargs)])
    return history


def files(folder):
    return [os.path.join(folder, name) for name in os.listdir(folder)]


def test_keras_tags_in_train_and_validation(tmp_path):
    history = train_with_tensorboard(tmp_path / "run")
    (train_file,) = files(tmp_path / "run" / "train")
    (val_file,) = files(tmp_path / "run" / "validation")
    assert f".{os.getpid()}." in os.path.basename(train_file)
    train = _tensorboard.read_events(train_file)
    assert train[0]["file_version"] == "brain.Event:2"
    by_tag = {}
    for event in train[1:] + _tensorboard.read_events(val_file)[1:]:
        for tag, value in event["scalars"].items():
            by_tag.setdefault(tag, []).append((event["step"], value))
    assert sorted(by_tag) == ["epoch_accuracy", "epoch_learning_rate", "epoch_loss"]
    losses = [v for _, v in by_tag["epoch_loss"]]
    expected = history.history["loss"] + history.history["val_loss"]
    np.testing.assert_allclose(losses, expected, rtol=1e-6)
    assert [s for s, _ in by_tag["epoch_loss"]] == [0, 1, 2, 3] * 2


def test_batch_level_logging(tmp_path):
    train_with_tensorboard(tmp_path, epochs=2, update_freq=2)
    (train_file,) = files(tmp_path / "train")
    steps = [e["step"] for e in _tensorboard.read_events(train_file) if "batch_loss" in e["scalars"]]
    assert steps == [2, 4, 6]  # 3 batches an epoch, 6 in all, every second one


def test_two_runs_in_one_folder_write_distinct_files(tmp_path):
    train_with_tensorboard(tmp_path, epochs=1)
    train_with_tensorboard(tmp_path, epochs=1)
    assert len(files(tmp_path / "train")) == 2


def test_a_corrupted_record_is_skipped_and_a_torn_tail_ignored(tmp_path):
    train_with_tensorboard(tmp_path, epochs=3)
    (path,) = files(tmp_path / "train")
    data = bytearray(open(path, "rb").read())
    intact = _tensorboard.read_events(path)
    second = len(_tensorboard.frame(_tensorboard.encode_event(0, 0, file_version="brain.Event:2")))
    data[second + 14] ^= 0xFF  # inside the data of the first scalar record
    open(path, "wb").write(bytes(data[:-3]))  # and a torn last record
    events = _tensorboard.read_events(path)
    assert len(events) == len(intact) - 2
    assert events[1:] == intact[2:-1]


def test_the_real_tensorboard_reader_gets_every_scalar_and_step(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    history = train_with_tensorboard(tmp_path, epochs=4)
    for split, prefix in (("train", ""), ("validation", "val_")):
        reader = accumulator.EventAccumulator(str(tmp_path / split))
        reader.Reload()
        tags = set(reader.Tags()["scalars"])
        assert {"epoch_loss", "epoch_accuracy"} <= tags
        for name in ("loss", "accuracy"):
            events = reader.Scalars(f"epoch_{name}")
            assert [e.step for e in events] == [0, 1, 2, 3]
            np.testing.assert_allclose([e.value for e in events], history.history[prefix + name], rtol=1e-6)
    reader = accumulator.EventAccumulator(str(tmp_path / "train"))
    reader.Reload()
    assert [e.value for e in reader.Scalars("epoch_learning_rate")] == pytest.approx([0.001] * 4)


def test_the_real_reader_survives_a_corrupted_record(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    train_with_tensorboard(tmp_path, epochs=3)
    (path,) = files(tmp_path / "train")
    data = bytearray(open(path, "rb").read())
    data[-6] ^= 0xFF  # the last record's data
    open(path, "wb").write(bytes(data))
    reader = accumulator.EventAccumulator(str(tmp_path / "train"))
    reader.Reload()  # not fatal
    assert len(reader.Scalars("epoch_loss")) >= 2


def test_histograms_and_graph_in_our_reader_and_tensorboards(tmp_path):
    """histogram_freq=2 over 4 epochs: every weight at epochs 0 and 2; the graph once."""
    train_with_tensorboard(tmp_path, epochs=4, histogram_freq=2)
    (path,) = files(tmp_path / "train")
    events = _tensorboard.read_events(path)
    (graph,) = [e["graph"] for e in events if "graph" in e]
    assert [op for _, op, _ in graph] == ["Placeholder", "Dense", "Dense"]
    assert graph[2][2] == [graph[1][0]]  # each layer fed by the one before
    histograms = [(e["step"], tag, h) for e in events for tag, h in e["histograms"].items()]
    assert sorted({(step, tag.split("/")[1]) for step, tag, _ in histograms}) == [
        (0, "bias"), (0, "kernel"), (2, "bias"), (2, "kernel")]
    assert all(h["num"] == sum(h["bucket"]) and h["min"] <= h["max"] for _, _, h in histograms)
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    reader = accumulator.EventAccumulator(str(tmp_path / "train"),
                                          size_guidance={accumulator.HISTOGRAMS: 0})  # keep all
    reader.Reload()
    kernel = next(tag for tag in reader.Tags()["histograms"] if tag.endswith("/kernel"))
    assert [e.step for e in reader.Histograms(kernel)] == [0, 2]
    assert reader.Histograms(kernel)[0].histogram_value.num == 5 * 8
    assert [node.op for node in reader.Graph().node] == ["Placeholder", "Dense", "Dense"]


def test_a_real_tensorboard_server_serves_the_scalars_histograms_and_graph(tmp_path):
    """TensorBoard itself, on 127.0.0.1 and a free port, loading the run before it serves
    (--reload_task blocking), queried through its HTTP API, then stopped."""
    pytest.importorskip("tensorboard")
    train_with_tensorboard(tmp_path / "logs", epochs=2, histogram_freq=1)
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path / "logs"),
         "--host", "127.0.0.1", "--port", "0", "--load_fast", "false",
         "--reload_task", "blocking", "--reload_interval", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        with selectors.DefaultSelector() as selector:
            selector.register(server.stderr, selectors.EVENT_READ)
            while url is None and selector.select(timeout=60):  # waits for output, never sleeps
                line = server.stderr.readline()
                if not line:
                    break
                found = re.search(r"http://127\.0\.0\.1:\d+/", line)
                url = found.group(0) if found else None
        assert url, "TensorBoard did not start"

        def get(path):
            with urllib.request.urlopen(url + path, timeout=30) as response:
                return response.read().decode()

        scalars = json.loads(get("data/plugin/scalars/tags"))
        assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"} <= set(scalars["train"])
        assert {"epoch_loss", "epoch_accuracy"} <= set(scalars["validation"])
        histograms = json.loads(get("data/plugin/histograms/tags"))["train"]
        assert len(histograms) == 4 and all(tag.split("/")[1] in ("kernel", "bias")
                                            for tag in histograms)
        assert json.loads(get("data/plugin/graphs/info"))["train"]["run_graph"]
        graph = get("data/plugin/graphs/graph?run=train&conversions=false")
        assert graph.count("node {") == 3 and 'op: "Dense"' in graph
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()
