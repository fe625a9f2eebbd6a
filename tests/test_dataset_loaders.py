"""Keras's dataset loaders, reproduced: on files in Keras's layouts (tests/golden/dataset_files)
numnet returns what Keras 3's own loaders return (tests/golden/datasets.json, made by
make_dataset_golden.py), for each argument the golden values cover; where the files are found
and the errors when they are not."""

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from servers import serve_folder

from numnet.datasets import (
    DatasetNotFoundError,
    DataVerificationError,
    boston_housing,
    fashion_mnist,
    imdb,
    reuters,
    sources,
)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from dataset_cases import BOSTON_CASES, FILES, IMDB_CASES, REUTERS_CASES, digest  # noqa: E402

GOLDEN = json.loads((Path(__file__).parent / "golden" / "datasets.json").read_text())
FASHION = Path(fashion_mnist.SYSTEM_DIRS[0])
BOSTON_R = Path(boston_housing.SYSTEM_FILES[0])


def as_keras_gives(load, path, kwargs):
    (x_train, y_train), (x_test, y_test) = load(path=path, verify=False, **kwargs)
    return {"train": digest(x_train, y_train), "test": digest(x_test, y_test)}


@pytest.mark.parametrize("case", IMDB_CASES)
def test_imdb_gives_kerass_arrays(case):
    assert as_keras_gives(imdb.load_data, FILES["imdb"], IMDB_CASES[case]) == \
        GOLDEN["imdb"][case]


@pytest.mark.parametrize("case", REUTERS_CASES)
def test_reuters_gives_kerass_arrays(case):
    assert as_keras_gives(reuters.load_data, FILES["reuters"], REUTERS_CASES[case]) == \
        GOLDEN["reuters"][case]


@pytest.mark.parametrize("case", BOSTON_CASES)
def test_boston_housing_gives_kerass_arrays(case):
    assert as_keras_gives(boston_housing.load_data, FILES["boston_housing"],
                          BOSTON_CASES[case]) == GOLDEN["boston_housing"][case]


def test_sequences_are_object_arrays_of_lists_as_in_keras():
    (x_train, y_train), (x_test, _) = imdb.load_data(path=FILES["imdb"], verify=False)
    assert x_train.dtype == object and x_train.ndim == 1 and len(x_train) == len(y_train)
    assert all(type(s) is list and s[0] == 1 for s in x_train)  # start_char first
    # word 1 becomes 1 + index_from; the largest index, as in Keras, falls outside
    # num_words = max(index) and becomes oov_char
    assert {w for s in x_train for w in s[1:] if w < 4} == {2}


@pytest.mark.skipif(not BOSTON_R.is_file(), reason="Debian's r-cran-mlbench is not installed")
@pytest.mark.parametrize("case", BOSTON_CASES)
def test_boston_housing_from_debians_r_copy_gives_kerass_arrays(case):
    """Debian's BostonHousing.rda, read by numnet's R reader, makes the arrays Keras makes
    from an npz of the same rows; the first training row is the one Keras users know."""
    (x_train, y_train), test = boston_housing.load_data(**BOSTON_CASES[case])
    assert {"train": digest(x_train, y_train), "test": digest(*test)} == \
        GOLDEN["boston_mlbench"][case]
    if case == "defaults":
        np.testing.assert_array_equal(x_train[0], [1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7,
                                                   3.9769, 4, 307, 21, 396.9, 18.72])
        assert y_train[0] == 15.2 and x_train.shape == (404, 13)


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not "
                    "installed (apt-get install dataset-fashion-mnist)")
def test_fashion_mnist_from_debians_copy_is_what_keras_reads():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert list(np.bincount(y_train)) == [6000] * 10
    import hashlib
    for key, array in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test),
                       ("y_test", y_test)):
        assert hashlib.sha256(array.tobytes()).hexdigest() == GOLDEN["fashion_mnist"][key]
    assert fashion_mnist.CLASS_NAMES[y_train[0]] == "Ankle boot"


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not "
                    "installed")
def test_a_damaged_fashion_file_in_the_data_directory_is_refused(tmp_path):
    folder = sources.data_home() / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in fashion_mnist.FILES:
        shutil.copy(FASHION / name, folder / name)
    data = bytearray((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataVerificationError, match="t10k-labels-idx1-ubyte.gz could not be "
                       "read as an IDX file"):
        fashion_mnist.load_data()


def test_fashion_mnist_absent_everywhere_says_where_to_put_it(monkeypatch):
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", ())
    monkeypatch.setattr(fashion_mnist, "ORIGIN", "http://127.0.0.1:9/")  # nothing listens
    expected = sources.data_home() / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    with pytest.raises(DatasetNotFoundError, match=(
            r"train-images-idx3-ubyte.gz of the fashion-mnist dataset was not found and could "
            r"not be downloaded from http://127.0.0.1:9/train-images-idx3-ubyte.gz .*Put the "
            rf"file at {expected}")):
        fashion_mnist.load_data()


def test_the_data_directory_comes_from_numnet_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMNET_DATASETS", str(tmp_path / "data"))
    (tmp_path / "data" / "imdb").mkdir(parents=True)
    shutil.copy(FILES["imdb"], tmp_path / "data" / "imdb" / "imdb.npz")
    (x_train, _), _ = imdb.load_data(verify=False)
    assert len(x_train) == 40
    # a bare name, as Keras's path="imdb.npz", is looked for there too
    (x_train, _), _ = imdb.load_data(path="imdb.npz", verify=False)
    assert len(x_train) == 40


def test_a_file_whose_digest_differs_from_the_published_one_is_refused(monkeypatch, tmp_path):
    with pytest.raises(DataVerificationError, match=r"imdb.npz has digest [0-9a-f]{64}, "
                       r"expected 69664113.*Delete it"):
        imdb.load_data(path=FILES["imdb"])


def test_word_index_is_read_as_json_of_ints(tmp_path):
    (tmp_path / "index.json").write_text(json.dumps({"the": 1, "and": 2}))
    assert imdb.get_word_index(path=tmp_path / "index.json", verify=False) == \
        {"the": 1, "and": 2}
    (tmp_path / "bad.json").write_text(json.dumps({"the": "os.system"}))
    with pytest.raises(DataVerificationError, match="not an object of words to int"):
        reuters.get_word_index(path=tmp_path / "bad.json", verify=False)
    (tmp_path / "deep.json").write_text("[" * 100000)
    with pytest.raises(DataVerificationError, match="could not be read as JSON"):
        imdb.get_word_index(path=tmp_path / "deep.json", verify=False)


def test_reuters_label_names_are_kerass():
    names = reuters.get_label_names()
    assert len(names) == 46 and names[:4] == ("cocoa", "grain", "veg-oil", "earn")


@pytest.mark.parametrize("load, kwargs, message", [
    (imdb.load_data, {"num_words": -1}, r"num_words must be a non-negative int or None\. "
                                        r"Received: num_words=-1"),
    (imdb.load_data, {"skip_top": None}, r"skip_top must be a non-negative int\. "
                                         r"Received: skip_top=None"),
    (reuters.load_data, {"test_split": 1.0}, r"test_split must be a number in \[0, 1\)\. "
                                             r"Received: test_split=1.0"),
    (boston_housing.load_data, {"test_split": -0.1}, r"test_split must be a number in "
                                                     r"\[0, 1\)"),
    (imdb.load_data, {"maxlen": 1}, r"no sequence was kept\. Increase maxlen"),
    (imdb.load_data, {"path": "/nonexistent/imdb.npz"}, r"path must be an existing imdb.npz "
                                                        r"file\. Received: path='/nonexistent"),
])
def test_bad_arguments_are_named(load, kwargs, message):
    kwargs.setdefault("path", FILES["imdb"] if load is imdb.load_data else
                      FILES["reuters"] if load is reuters.load_data else
                      FILES["boston_housing"])
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        load(verify=False, **kwargs)


@pytest.fixture(scope="module")
def served_imdb(tmp_path_factory):
    """A real HTTP server on 127.0.0.1 serving the imdb fixture, and a corrupted copy."""
    root = tmp_path_factory.mktemp("www")
    shutil.copy(FILES["imdb"], root / "imdb.npz")
    data = bytearray((root / "imdb.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (root / "corrupted.npz").write_bytes(bytes(data))
    with serve_folder(root) as url:
        yield url


def test_a_download_is_verified_kept_and_then_read_offline(served_imdb, monkeypatch):
    published = sources.file_digest(Path(FILES["imdb"]))
    monkeypatch.setattr(imdb, "DATA", sources.RemoteFile("imdb.npz", served_imdb + "/imdb.npz",
                                                         published))
    (x_train, _), _ = imdb.load_data()
    cached = sources.data_home() / "imdb" / "imdb.npz"
    assert sources.file_digest(cached) == published and len(x_train) == 40
    assert oct(cached.stat().st_mode & 0o777) != "0o600"  # a normal file, not mkstemp's
    monkeypatch.setattr(imdb, "DATA", sources.RemoteFile("imdb.npz", served_imdb + "/gone",
                                                         published))
    (x_again, _), _ = imdb.load_data()  # from the data directory now
    assert [list(s) for s in x_again] == [list(s) for s in x_train]


def test_a_corrupted_download_is_refused_and_leaves_no_file(served_imdb, monkeypatch):
    published = sources.file_digest(Path(FILES["imdb"]))
    monkeypatch.setattr(imdb, "DATA", sources.RemoteFile(
        "imdb.npz", served_imdb + "/corrupted.npz", published))
    with pytest.raises(DataVerificationError, match=r"has digest [0-9a-f]{64}, expected "
                                                    + published[:8]):
        imdb.load_data()
    folder = sources.data_home() / "imdb"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_r_files_that_are_not_data_frames_are_refused(tmp_path):
    from numnet.datasets.rdata import read_rdata
    (tmp_path / "text.rda").write_bytes(b"RDX3\nA\n1 2 3")
    with pytest.raises(DataVerificationError, match=r"not an R data file in XDR format"):
        read_rdata(tmp_path / "text.rda")
    import gzip
    closure = b"RDX2\nX\n" + bytes.fromhex("00000002 00040200 00020300") + \
        bytes.fromhex("00000402 00000001 00040009 00000001 66 00000003")  # a CLOSXP value
    (tmp_path / "closure.rda").write_bytes(gzip.compress(closure))
    with pytest.raises(DataVerificationError, match=r"R type 3 is not data"):
        read_rdata(tmp_path / "closure.rda")
    (tmp_path / "short.rda").write_bytes(gzip.compress(closure[:-6]))
    with pytest.raises(DataVerificationError, match=r"the data ends first"):
        read_rdata(tmp_path / "short.rda")


@pytest.mark.parametrize("name", ["boston_v2_gzip.rda", "boston_v3_xz.rda",
                                  "boston_v3_bzip2.rda"])
def test_the_r_reader_gives_what_r_writes_as_csv(name):
    """Files R saved (make.R beside them): every format version and compression R writes."""
    from numnet.datasets.rdata import data_frame_columns, read_rdata
    folder = Path(FILES["imdb"]).parent / "r"
    columns = data_frame_columns(read_rdata(folder / name)["BostonHousing"], name)
    table = np.loadtxt(folder / "boston_rows.csv", delimiter=",", skiprows=1)
    header = (folder / "boston_rows.csv").read_text().splitlines()[0].replace('"', "")
    assert list(columns) == header.split(",")
    np.testing.assert_array_equal(np.stack(list(columns.values()), axis=1), table)
    (x_train, y_train), (x_test, _) = boston_housing.load_data(path=folder / name,
                                                               verify=False)
    assert x_train.shape == (15, 13) and x_test.shape == (4, 13)
