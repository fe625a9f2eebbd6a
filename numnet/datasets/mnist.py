"""MNIST handwritten digits, offline: `load_data()` -> ((x_train, y_train), (x_test, y_test)).

Arrays are uint8 as in Keras: x (n, 28, 28) in [0, 255], y (n,) in [0, 9]. Where the data
comes from, in order:
1. `path=`, a user's own copy of mnist.npz;
2. the copy bundled inside the package (see NOTICE; CC BY-SA 3.0);
3. the cache ($NUMNET_HOME/datasets, default ~/.numnet/datasets), downloading Keras's file
   from `ORIGIN` into it when absent (written atomically, kept only if it verifies).
Every array is checked against its SHA-256 once; the result is remembered in the cache folder
(keyed by the file's path, size and modification time) so later loads skip the hashing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..files import atomic_write

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
BUNDLED = Path(__file__).with_name("data") / "mnist.npz"

# SHA-256 of np.ascontiguousarray(a).tobytes(): holds whatever container the arrays come in.
EXPECTED = {
    "x_train": ((60000, 28, 28),
                "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}

_verified_this_process: set[tuple] = set()


class DataVerificationError(ValueError):
    """The file is not the genuine MNIST (wrong arrays, shapes or contents)."""


def cache_dir() -> Path:
    """$NUMNET_HOME/datasets, default ~/.numnet/datasets."""
    home = os.environ.get("NUMNET_HOME") or os.path.join(os.path.expanduser("~"), ".numnet")
    return Path(home) / "datasets"


def load_data(path: str | os.PathLike | None = None, verify: bool = True):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays, without network access
    when the package carries its data.

    Args:
        path: a local mnist.npz to read instead of the bundled copy.
        verify: check each array's SHA-256 (once per file; remembered afterwards).
    """
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise FileNotFoundError(f"path must be an existing mnist.npz file. Received: "
                                    f"path={os.fspath(path)!r}")
    elif BUNDLED.is_file():
        source = BUNDLED
    else:
        source = cache_dir() / "mnist.npz"
        if not source.is_file():
            download(ORIGIN, source)
    arrays = _read(source)
    if verify:
        _verify_once(source, arrays)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def download(origin: str, target: Path) -> None:
    """Fetch `origin` into `target` atomically; keep it only if every array verifies."""
    import urllib.request  # only here: it costs 20 ms and 8 MiB at import

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(target) as handle:
            with urllib.request.urlopen(origin, timeout=60) as response:
                while chunk := response.read(1 << 20):
                    handle.write(chunk)
            handle.flush()
            _verify_arrays(_read(Path(handle.name)), origin)
    except OSError as error:  # unreachable host, HTTP error, disk full
        raise OSError(
            f"Could not download MNIST from {origin} ({error}). This install has no bundled "
            "copy: pass load_data(path='mnist.npz') with a local file, or reinstall numnet "
            "with its package data."
        ) from error
    _remember(target)


def _read(source: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(source, allow_pickle=False) as npz:
            missing = sorted(set(EXPECTED) - set(npz.files))
            if missing:
                raise DataVerificationError(
                    f"{source} is not an MNIST npz: arrays {missing} are missing "
                    f"(found {sorted(npz.files)})")
            return {key: npz[key] for key in EXPECTED}
    except DataVerificationError:
        raise
    # truncated, pickled or otherwise not a plain npz
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise DataVerificationError(f"{source} could not be read as an npz file: {error}") from None


def _verify_arrays(arrays: dict[str, np.ndarray], where: object) -> None:
    for key, (shape, digest) in EXPECTED.items():
        array = arrays[key]
        if array.shape != shape or array.dtype != np.uint8:
            raise DataVerificationError(
                f"{where}: array {key} must have shape {shape} and dtype uint8. "
                f"Received: shape {array.shape}, dtype {array.dtype}")
        actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if actual != digest:
            raise DataVerificationError(
                f"{where}: array {key} has SHA-256 {actual}, expected {digest}. The file is "
                "corrupted or not the genuine MNIST; delete it and try again.")


def _stamp_key(source: Path) -> tuple:
    stat = source.stat()
    return (str(source.resolve()), stat.st_size, stat.st_mtime_ns)


def _stamp_file() -> Path:
    return cache_dir() / "verified.json"


def _is_remembered(key: tuple) -> bool:
    if key in _verified_this_process:
        return True
    with contextlib.suppress(OSError, ValueError):
        stamps = json.loads(_stamp_file().read_text())
        if stamps.get(key[0]) == [key[1], key[2]]:
            _verified_this_process.add(key)
            return True
    return False


def _remember(source: Path) -> None:
    key = _stamp_key(source)
    _verified_this_process.add(key)
    with contextlib.suppress(OSError, ValueError):  # a read-only home only costs a re-check
        try:
            stamps = json.loads(_stamp_file().read_text())
        except (OSError, ValueError):
            stamps = {}
        stamps[key[0]] = [key[1], key[2]]
        with atomic_write(_stamp_file(), "w") as handle:
            json.dump(stamps, handle)


def _verify_once(source: Path, arrays: dict[str, np.ndarray]) -> None:
    if _is_remembered(_stamp_key(source)):
        return
    _verify_arrays(arrays, source)
    _remember(source)
