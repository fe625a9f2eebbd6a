"""Boston housing (Harrison and Rubinfeld, 1978: 506 suburbs, 13 attributes, the median home
value in $1000s): Keras's `load_data(path=, test_split=0.2, seed=113)` with its shuffle and
split; x float64 (n, 13), y float64 (n,).

Files, in order: `path=` (Keras's boston_housing.npz, or an R data file holding the
BostonHousing data frame), numnet's data directory ($NUMNET_DATASETS/boston_housing/,
default ~/.numnet/datasets/boston_housing/), Debian's `r-cran-mlbench` (its
BostonHousing.rda, read by numnet.datasets.rdata: the same 506 rows in the same order, the
factor `chas` read as 0/1), then a download from Keras's origin. Keras's npz is checked
against its published SHA-256, the R copy against the SHA-256 of the arrays it makes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .npz import read_npz
from .rdata import data_frame_columns, read_rdata
from .sources import (
    KERAS_ORIGIN,
    DataVerificationError,
    RemoteFile,
    check_arrays,
    data_home,
    found,
    locate,
    verified,
)

__all__ = ["load_data", "FEATURE_NAMES"]

DATA = RemoteFile("boston_housing.npz", KERAS_ORIGIN + "boston_housing.npz",
                  "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")
SYSTEM_FILES = ("/usr/lib/R/site-library/mlbench/data/BostonHousing.rda",)
FEATURE_NAMES = ("crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax",
                 "ptratio", "b", "lstat")
# SHA-256 of the arrays the R copy gives, before the shuffle (C-order float64 bytes)
EXPECTED = {"x": ((506, 13), np.float64,
                  "58d9abef45a8e00c844d74ff0027c96d21a8a237d7ba7e4c0c30b11dcdafde10"),
            "y": ((506,), np.float64,
                  "a7a4a2bed7266f5e88acd2854ae97af5206bed564ab217810535d4cd14d76edb")}


def load_data(path: str | os.PathLike | None = None, test_split: float = 0.2,
              seed: int = 113, verify: bool = True):
    """((x_train, y_train), (x_test, y_test)): the rows shuffled by RandomState(seed), the
    first (1 - test_split) of them for training, as Keras splits them.

    Args:
        path: Keras's boston_housing.npz, or an .rda holding the BostonHousing data frame.
        verify: check the file (its SHA-256, or the arrays' for an R copy; remembered).
    """
    if not (isinstance(test_split, (int, float)) and 0 <= test_split < 1):
        raise ValueError(f"test_split must be a number in [0, 1). Received: "
                         f"test_split={test_split!r}")
    x, y = _read(_source(path, verify))
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    count = int(len(x) * (1 - test_split))
    return (x[:count], y[:count]), (x[count:], y[count:])


def _source(path, verify: bool) -> Path:
    """The first file there is: path=, the data directory, Debian's R copy, a download."""
    if path is not None and Path(path).suffix.lower() in (".rda", ".rdata"):
        if not Path(path).is_file():
            raise FileNotFoundError(f"path must be an existing R data file. Received: "
                                    f"path={os.fspath(path)!r}")
        return found("boston_housing", verified(Path(path), None, _check_r_copy, verify))
    if path is None and not (data_home() / "boston_housing" / DATA.name).is_file():
        for system_file in SYSTEM_FILES:
            if Path(system_file).is_file():
                return found("boston_housing", verified(Path(system_file), None,
                                                        _check_r_copy, verify))
    return locate("boston_housing", DATA, path, check=_read, verify=verify)


def _read(source: Path) -> tuple[np.ndarray, np.ndarray]:
    """(x (n, 13), y (n,)) as float64 from Keras's npz or from the R data frame."""
    if source.suffix.lower() in (".rda", ".rdata"):
        return _from_r(source)
    arrays = read_npz(source, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if x.ndim != 2 or x.shape[1] != 13 or y.shape != (len(x),):
        raise DataVerificationError(f"{source}: x must be (n, 13) and y (n,). Received: "
                                    f"x {x.shape}, y {y.shape}")
    return x.astype(np.float64), y.astype(np.float64)


def _from_r(source: Path) -> tuple[np.ndarray, np.ndarray]:
    saved = read_rdata(source)
    if "BostonHousing" not in saved:
        raise DataVerificationError(f"{source} holds no BostonHousing data frame (it holds "
                                    f"{sorted(saved)})")
    columns = data_frame_columns(saved["BostonHousing"], source)
    missing = [name for name in (*FEATURE_NAMES, "medv") if name not in columns]
    if missing:
        raise DataVerificationError(f"{source}: the data frame lacks the columns {missing}")
    x = np.stack([columns[name] for name in FEATURE_NAMES], axis=1)
    return np.ascontiguousarray(x), columns["medv"]


def _check_r_copy(source: Path) -> None:
    x, y = _from_r(source)
    check_arrays({"x": x, "y": y}, EXPECTED, source)
