"""Model files are untrusted input: each crafted file below is refused with a clear error, and
nothing in a file is ever imported, evaluated or unpickled."""

import io
import json
import re
import zipfile

import numpy as np
import pytest

import numnet
from numnet import layers, saving


class Payload:
    """Unpickling this creates a marker file: proof of code execution if it ever happens."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def good_file(tmp_path):
    g = np.random.default_rng(0)
    x = g.standard_normal((32, 6)).astype("float32")
    m = numnet.Sequential([layers.Dense(4, activation="relu", input_shape=(6,)),
                           layers.Dense(2, activation="softmax")])
    m.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
    m.fit(x, (x[:, 0] > 0).astype(int), epochs=1, verbose=0)
    path = tmp_path / "good.npz"
    m.save(path)
    return path


def read(path):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(arrays.pop("__numnet__").tobytes())
    return header, arrays


def write(path, header, arrays, raw_header=None):
    head = raw_header if raw_header is not None else np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(path, __numnet__=head, **arrays)
    return path


def forged(tmp_path, change):
    """A copy of a good file with `change(header, arrays)` applied."""
    header, arrays = read(good_file(tmp_path))
    change(header, arrays)
    return write(tmp_path / "forged.npz", header, arrays)


def test_pickled_arrays_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    header, arrays = read(good_file(tmp_path))
    arrays["weights/dense/kernel"] = np.array([Payload(str(marker))], dtype=object)
    path = tmp_path / "evil.npz"
    np.savez(path, __numnet__=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)
    for load in (numnet.load_model, lambda p: numnet.Sequential([layers.Dense(4, input_shape=(6,)), layers.Dense(2)]).load_weights(p)):
        with pytest.raises(saving.FileFormatError, match=r"pickled objects, which numnet never loads"):
            load(path)
    assert not marker.exists()


def test_a_pickled_header_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, __numnet__=np.array([Payload(str(marker))], dtype=object))
    with pytest.raises(saving.FileFormatError):
        numnet.load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize("class_name", ["os.system", "builtins.eval", "Lambda", "__import__", "Sequential"])
def test_classes_that_are_not_numnet_layers_are_refused(tmp_path, class_name):
    def change(header, arrays):
        header["config"]["layers"][0]["class_name"] = class_name
    with pytest.raises(saving.FileFormatError, match=rf"layer 0 names class '{class_name}', which is not a numnet layer; allowed: \['Activation', 'Add', 'Average', 'AveragePooling1D', 'AveragePooling2D', 'BatchNormalization'"):
        numnet.load_model(forged(tmp_path, change))


def test_a_config_that_would_allocate_gigabytes_is_refused_before_building(tmp_path):
    def change(header, arrays):
        header["config"]["layers"][0]["config"]["units"] = 10**9
    with pytest.raises(saving.FileFormatError, match=r"the config implies parameters \[\['kernel', \[6, 1000000000\]\]"):
        numnet.load_model(forged(tmp_path, change))


def test_weights_whose_shapes_do_not_match_the_config_are_refused(tmp_path):
    def change(header, arrays):
        arrays["weights/" + header["weights"][0][0] + "/kernel"] = np.zeros((6, 5), np.float32)
    with pytest.raises(saving.FileFormatError, match=r"must have shape \(6, 4\) to fit layer"):
        numnet.load_model(forged(tmp_path, change))


def test_a_weights_list_that_lies_about_shapes_is_refused(tmp_path):
    def change(header, arrays):
        header["weights"][0][2] = [6, 5]
    with pytest.raises(saving.FileFormatError, match=r"the config implies parameters"):
        numnet.load_model(forged(tmp_path, change))


@pytest.mark.parametrize("change, message", [
    (lambda h, a: h["config"]["layers"][0]["config"].update(evil="__import__('os')"), r"layer 0 \(Dense\) has a bad config: .*evil"),
    (lambda h, a: h["config"]["layers"][0]["config"].update(activation="os.system"), r"layer 0 \(Dense\) has a bad config: activation must be one of"),
    (lambda h, a: h["config"].update(input_shape=[-1]), r"input_shape must be a list of positive integers"),
    (lambda h, a: h.update(version=99), r"has format version 99; this numnet reads version 1"),
    (lambda h, a: h.update(format="keras"), r"must be a 'numnet-model' file\. Received: format='keras'"),
    (lambda h, a: h["compile"]["optimizer"].update(class_name="os.system"), r"bad compile settings: optimizer must be a saved optimizer naming one of"),
    (lambda h, a: h["compile"]["loss"].update(class_name="Pickle"), r"bad compile settings: loss must be a saved loss naming one of"),
    (lambda h, a: h.update(rng={"bit_generator": "MT19937", "state": {}}), r"unsupported random generator state"),
    (lambda h, a: a.update({"optimizer/slot_0_velocity": np.zeros(3, np.float32)}), r"bad optimizer state: optimizer state slot_0_velocity must be an array of shape"),
    (lambda h, a: a.update(text=np.array(["hello"])), r"array 'text' has dtype <U5; numnet files hold numbers only"),
])
def test_forged_headers_are_refused_clearly(tmp_path, change, message):
    with pytest.raises(saving.FileFormatError, match=message):
        numnet.load_model(forged(tmp_path, change))


def test_a_damaged_header_is_refused(tmp_path):
    header, arrays = read(good_file(tmp_path))
    raw = np.frombuffer(b'{"format": "numnet-model", "version": 1, "config": {', np.uint8)
    with pytest.raises(saving.FileFormatError, match=r"has a damaged header"):
        numnet.load_model(write(tmp_path / "bad.npz", header, arrays, raw_header=raw))
    with pytest.raises(saving.FileFormatError, match=r"is not a numnet file: it has no '__numnet__' header"):
        numnet.load_model(write(tmp_path / "bad2.npz", header, arrays, raw_header=np.zeros(3, np.float32)))


def test_a_corrupted_byte_inside_the_zip_is_refused(tmp_path):
    path = good_file(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("weights/"))
    data[info.header_offset + 30 + len(info.filename) + 100] ^= 0xFF  # inside the stored array
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    with pytest.raises(saving.FileFormatError, match=r"could not be read as a numnet file"):
        numnet.load_model(tmp_path / "flipped.npz")


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + bytes(40)])
def test_files_that_are_not_zips_are_refused(tmp_path, content):
    (tmp_path / "junk.npz").write_bytes(content)
    with pytest.raises(saving.FileFormatError, match=r"could not be read as a numnet file"):
        numnet.load_model(tmp_path / "junk.npz")


def test_nothing_in_saving_imports_or_evaluates_strings():
    import inspect

    source = inspect.getsource(saving)
    for forbidden in ("eval(", "exec(", "importlib", "__import__", "import pickle", "allow_pickle=True"):
        assert forbidden not in source, forbidden
    # attribute access only with literal names, never with a name read from a file
    assert not re.search(r"getattr\([^,]+,\s*[^\"' ]", source)


def test_a_graph_whose_config_would_allocate_gigabytes_is_refused_before_building(tmp_path):
    a, b = numnet.Input((6,), name="a"), numnet.Input((3,), name="b")
    joined = layers.Concatenate(name="join")([layers.Dense(4, name="da")(a), b])
    numnet.Model([a, b], layers.Dense(2, name="out")(joined)).save(tmp_path / "graph.npz")
    header, arrays = read(tmp_path / "graph.npz")
    next(spec for spec in header["config"]["layers"]
         if spec["config"]["name"] == "da")["config"]["units"] = 10**9
    path = write(tmp_path / "forged.npz", header, arrays)
    with pytest.raises(saving.FileFormatError, match=r"the config implies parameters"):
        numnet.load_model(path)
