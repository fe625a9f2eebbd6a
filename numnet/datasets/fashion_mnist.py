"""Fashion-MNIST (Zalando; MIT licence): `load_data()` -> ((x_train, y_train), (x_test, y_test)),
as Keras returns it: x uint8 (n, 28, 28) in [0, 255], y uint8 (n,) in [0, 9], 60,000 training
and 10,000 test images. `CLASS_NAMES[y]` names a label.

The four IDX files (gzip-compressed, as published) are looked for in `path=` (a folder
holding them: numnet's addition, Keras's loader takes none), numnet's data directory
($NUMNET_DATASETS/fashion-mnist/, default ~/.numnet/datasets/fashion-mnist/), Debian's
`dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist/), then downloaded from Keras's
origin. The files are published without a digest (Debian recompresses them), so what is
checked is the IDX header and the SHA-256 of each decoded array.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from .sources import KERAS_ORIGIN, DataVerificationError, RemoteFile, check_arrays, locate

__all__ = ["load_data", "CLASS_NAMES"]

ORIGIN = KERAS_ORIGIN
SYSTEM_DIRS = ("/usr/share/datasets/fashion-mnist",)
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")

# file -> (array, shape, SHA-256 of the decoded uint8 array)
FILES = {
    "train-images-idx3-ubyte.gz": (
        "x_train", (60000, 28, 28),
        "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012"),
    "train-labels-idx1-ubyte.gz": (
        "y_train", (60000,), "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7"),
    "t10k-images-idx3-ubyte.gz": (
        "x_test", (10000, 28, 28),
        "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a"),
    "t10k-labels-idx1-ubyte.gz": (
        "y_test", (10000,), "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9"),
}


def load_data(path: str | os.PathLike | None = None, verify: bool = True):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays.

    Args:
        path: a folder holding the four .gz IDX files, to read instead of the usual places.
        verify: check each decoded array's SHA-256 (once per file; remembered afterwards).
    """
    if path is not None and not Path(path).is_dir():
        raise FileNotFoundError("path must be an existing folder holding the four "
                                f"Fashion-MNIST .gz files. Received: path={os.fspath(path)!r}")
    arrays = {}
    for name, (key, shape, digest) in FILES.items():
        def check(file: Path, key=key, shape=shape, digest=digest) -> None:
            check_arrays({key: read_idx(file, shape)}, {key: (shape, np.uint8, digest)}, file)
        given = None if path is None else Path(path) / name
        source = locate("fashion-mnist", RemoteFile(name, ORIGIN + name), given, SYSTEM_DIRS,
                        check, verify)
        arrays[key] = read_idx(source, shape)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def read_idx(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """The uint8 array of shape `shape` in the IDX file at `path` (gzip-compressed or not).
    Decompresses no more than the array needs, so a file cannot make it allocate more."""
    expected = 4 + 4 * len(shape) + int(np.prod(shape))
    try:
        with open(path, "rb") as handle:
            compressed = handle.read(2) == b"\x1f\x8b"
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            data = handle.read(expected + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise DataVerificationError(f"{path} could not be read as an IDX file: {error}") from None
    magic = bytes([0, 0, 0x08, len(shape)])  # unsigned bytes, `len(shape)` dimensions
    dims = [int.from_bytes(data[i:i + 4], "big") for i in range(4, 4 + 4 * len(shape), 4)]
    if data[:4] != magic or tuple(dims) != shape or len(data) != expected:
        raise DataVerificationError(
            f"{path} is not an IDX file of uint8 with shape {shape}: header "
            f"{data[:4 + 4 * len(shape)].hex()}, {len(data)} bytes (expected {expected})")
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(shape)).reshape(shape).copy()
