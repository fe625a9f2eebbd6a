"""MNIST offline: the bundled copy verifies; the download path is tested against a real HTTP
server on 127.0.0.1 serving good, corrupted and truncated files (no test touches the internet)."""

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from servers import serve_folder

from numnet.datasets import mnist, sources


def test_bundled_data_is_the_genuine_mnist():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert list(np.bincount(y_test)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert (x_train / 255).mean() == pytest.approx(0.1307, abs=1e-4)


def test_verification_is_remembered_across_processes(isolated_home, monkeypatch):
    sources._verified_this_process.clear()
    mnist.load_data()
    stamps = (isolated_home / ".numnet" / "datasets" / "verified.json").read_text()
    assert str(mnist.BUNDLED.resolve()) in stamps
    sources._verified_this_process.clear()  # as in a new process: the stamp file answers
    calls = []
    original = mnist._check
    monkeypatch.setattr(mnist, "_check", lambda *a: calls.append(a) or original(*a))
    mnist.load_data()
    assert calls == []


def test_load_data_from_a_users_own_copy(tmp_path):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    copy = tmp_path / "my_mnist.npz"
    np.savez(copy, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    (x2, _), _ = mnist.load_data(path=copy)
    np.testing.assert_array_equal(x2, x_train)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path must be an existing mnist.npz file\. Received: path='.*nope.npz'"):
        mnist.load_data(path=tmp_path / "nope.npz")


def test_a_pickled_npz_is_refused(tmp_path):
    evil = tmp_path / "evil.npz"
    np.savez(evil, x_train=np.array([{"a": 1}], dtype=object), y_train=np.zeros(1),
             x_test=np.zeros(1), y_test=np.zeros(1))
    with pytest.raises(mnist.DataVerificationError, match="nothing is unpickled"):
        mnist.load_data(path=evil)


@pytest.fixture(scope="module")
def served_files(tmp_path_factory):
    """A real HTTP server on 127.0.0.1 serving good.npz, corrupted.npz and truncated.npz."""
    root = tmp_path_factory.mktemp("www")
    good = mnist.BUNDLED.read_bytes()
    (root / "good.npz").write_bytes(good)
    (train, labels), (test, test_labels) = mnist.load_data()
    corrupted = train.copy()
    corrupted[0, 0, 0] ^= 1  # one flipped bit in one pixel
    buffer = io.BytesIO()
    np.savez(buffer, x_train=corrupted, y_train=labels, x_test=test, y_test=test_labels)
    (root / "corrupted.npz").write_bytes(buffer.getvalue())
    (root / "truncated.npz").write_bytes(good[: len(good) // 2])
    with serve_folder(root) as url:
        yield url


@pytest.fixture
def slim_install(monkeypatch, tmp_path):
    """As if the package had no bundled copy."""
    monkeypatch.setattr(mnist, "BUNDLED", tmp_path / "absent" / "mnist.npz")
    return sources.data_home() / "mnist"


def test_download_when_not_bundled_verifies_and_caches(served_files, slim_install, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", served_files + "/good.npz")
    (x_train, _), _ = mnist.load_data()
    cached = slim_install / "mnist.npz"
    assert cached.is_file()
    served = Path(mnist.__file__).with_name("data") / "mnist.npz"
    assert hashlib.sha256(cached.read_bytes()).digest() == hashlib.sha256(served.read_bytes()).digest()
    assert x_train.shape == (60000, 28, 28)
    monkeypatch.setattr(mnist, "ORIGIN", served_files + "/missing.npz")  # now served from cache
    mnist.load_data()


@pytest.mark.parametrize("name, message", [
    ("corrupted.npz", r"array x_train has SHA-256 [0-9a-f]{64}, expected 741c9888"),
    ("truncated.npz", r"could not be read as an npz file"),
])
def test_a_bad_download_raises_and_leaves_no_file(served_files, slim_install, monkeypatch, name, message):
    monkeypatch.setattr(mnist, "ORIGIN", f"{served_files}/{name}")
    with pytest.raises(mnist.DataVerificationError, match=message):
        mnist.load_data()
    assert not slim_install.exists() or list(slim_install.iterdir()) == []


def test_an_unreachable_origin_says_what_to_do(served_files, slim_install, monkeypatch):
    monkeypatch.setattr(mnist, "ORIGIN", served_files + "/missing.npz")
    with pytest.raises(OSError, match=r"mnist.npz of the mnist dataset was not found and could "
                       r"not be downloaded from .*missing.npz.*Put the file at .*mnist.npz"):
        mnist.load_data()
    assert not (slim_install / "mnist.npz").exists()
