"""MNIST handwritten digits, offline: `load_data()` -> ((x_train, y_train), (x_test, y_test)).

Arrays are uint8 as in Keras: x (n, 28, 28) in [0, 255], y (n,) in [0, 9]. Where the data
comes from, in order: `path=`, a user's own copy of mnist.npz; the copy bundled inside the
package (see NOTICE; CC BY-SA 3.0); numnet's data directory and a download from Keras's
origin into it (numnet.datasets.sources). Every array is checked against its SHA-256 once.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .npz import read_npz
from .sources import KERAS_ORIGIN, DataVerificationError, RemoteFile, check_arrays, locate

__all__ = ["load_data", "DataVerificationError"]

ORIGIN = KERAS_ORIGIN + "mnist.npz"
BUNDLED = Path(__file__).with_name("data") / "mnist.npz"

# SHA-256 of each array's C-order bytes: holds whatever container the arrays come in.
EXPECTED = {
    "x_train": ((60000, 28, 28), np.uint8,
                "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
    "y_train": ((60000,), np.uint8,
                "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), np.uint8,
               "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), np.uint8,
               "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}


def load_data(path: str | os.PathLike | None = None, verify: bool = True):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays, without network access
    when the package carries its data.

    Args:
        path: a local mnist.npz to read instead of the bundled copy.
        verify: check each array's SHA-256 (once per file; remembered afterwards).
    """
    if path is None and BUNDLED.is_file():
        path = BUNDLED
    source = locate("mnist", RemoteFile("mnist.npz", ORIGIN), path, check=_check,
                    verify=verify)
    arrays = read_npz(source, tuple(EXPECTED))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _check(path: Path) -> None:
    check_arrays(read_npz(path, tuple(EXPECTED)), EXPECTED, path)
