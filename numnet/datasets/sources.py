"""Where a dataset's files come from, and how they are checked.

`locate(dataset, remote)` looks for a file, in order:
1. `path=`, the user's own copy (a relative path that does not exist is taken as a file
   name, as Keras's `path=` is a name in its cache);
2. numnet's data directory: $NUMNET_DATASETS/<dataset>/, default
   ~/.numnet/datasets/<dataset>/ ($NUMNET_HOME replaces ~/.numnet);
3. the system's copy, where a distribution ships one (Debian's dataset-fashion-mnist
   installs /usr/share/datasets/fashion-mnist/);
4. a download from the origin Keras uses into the data directory: written atomically, with a
   progress line on a terminal, and kept only if it verifies.
Offline and absent, the error names the file, the folder to put it in, and the URL.

Every file read is verified against the published digest (SHA-256, or MD5 where Keras
publishes only that) or, for files published without one, against the SHA-256 of the arrays
they hold. A file that verified is remembered in the data directory (by path, size and
modification time) so later loads skip the hashing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..files import atomic_write

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DataVerificationError(ValueError):
    """A dataset file is damaged or is not the published one (wrong digest, shape or
    structure)."""


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is nowhere numnet looks and cannot be downloaded."""


@dataclass(frozen=True)
class RemoteFile:
    """A published file: its name, where Keras downloads it from, and its digest as
    published (64 hex digits: SHA-256; 32: MD5; None: the loader checks the contents)."""

    name: str
    origin: str
    digest: str | None = None


def data_home() -> Path:
    """$NUMNET_DATASETS, else $NUMNET_HOME/datasets, default ~/.numnet/datasets."""
    if os.environ.get("NUMNET_DATASETS"):
        return Path(os.environ["NUMNET_DATASETS"])
    home = os.environ.get("NUMNET_HOME") or os.path.join(os.path.expanduser("~"), ".numnet")
    return Path(home) / "datasets"


_found: dict[str, dict[str, Path]] = {}  # dataset -> file name -> where it was last read


def source_of(dataset: str) -> list[Path]:
    """The files the last load of `dataset` read, e.g. to print where the data came from."""
    return list(_found.get(dataset, {}).values())


def found(dataset: str, path: Path) -> Path:
    """Record that `dataset` was read from `path` (see source_of); returns path."""
    _found.setdefault(dataset, {})[path.name] = path
    return path


def locate(dataset: str, remote: RemoteFile, path: str | os.PathLike | None = None,
           system_dirs: tuple[str, ...] = (), check: Callable[[Path], object] | None = None,
           verify: bool = True) -> Path:
    """The file `remote` of `dataset`, from the first source above that has it, verified
    (unless `verify` is False) by its digest and by `check(path)`, which raises
    DataVerificationError for contents that are not the dataset's."""
    name = remote.name
    if path is not None:
        given = Path(path)
        if given.is_file():
            return found(dataset, verified(given, remote.digest, check, verify))
        if given.is_absolute() or len(given.parts) > 1:
            raise FileNotFoundError(f"path must be an existing {name} file. Received: "
                                    f"path={os.fspath(path)!r}")
        name = given.name  # a bare name: looked for in the places below, as Keras does
    folder = data_home() / dataset
    for candidate in (folder / name, *(Path(d) / name for d in system_dirs)):
        if candidate.is_file():
            return found(dataset, verified(candidate, remote.digest, check, verify))
    target = folder / name
    download(remote.origin, target, lambda p: verified(p, remote.digest, check, True,
                                                       remember=False), dataset)
    _remember(target)
    return found(dataset, target)


def verified(path: Path, digest: str | None, check: Callable[[Path], object] | None,
             verify: bool = True, remember: bool = True) -> Path:
    """`path`, once its digest (when given) and `check` (when given) pass."""
    if not verify or _is_remembered(path):
        return path
    if digest is not None:
        actual = file_digest(path, "md5" if len(digest) == 32 else "sha256")
        if actual != digest:
            raise DataVerificationError(
                f"{path} has digest {actual}, expected {digest}: it is damaged or not the "
                "published file. Delete it and load again.")
    if check is not None:
        check(path)
    if remember:
        _remember(path)
    return path


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """The hex digest of the file at `path`."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def download(origin: str, target: Path, check: Callable[[Path], object], dataset: str) -> None:
    """Fetch `origin` into `target` atomically; keep it only if `check(temporary path)`
    passes. Progress goes to stderr when it is a terminal."""
    import urllib.request  # only here: it costs 20 ms and 8 MiB at import

    try:
        with atomic_write(target) as handle:
            with urllib.request.urlopen(origin, timeout=60) as response:
                total = int(response.headers.get("Content-Length") or 0)
                done, show = 0, sys.stderr.isatty()
                while chunk := response.read(1 << 20):
                    handle.write(chunk)
                    done += len(chunk)
                    if show:
                        print(f"\rDownloading {target.name}: {_megabytes(done, total)}",
                              end="", file=sys.stderr, flush=True)
                if show:
                    print(file=sys.stderr)
            handle.flush()
            check(Path(handle.name))
    except OSError as error:  # unreachable host, HTTP error, disk full
        with contextlib.suppress(OSError):
            target.parent.rmdir()  # only if empty: what we made for the download
        raise DatasetNotFoundError(
            f"{target.name} of the {dataset} dataset was not found and could not be "
            f"downloaded from {origin} ({error}). Put the file at {target} (or set "
            "NUMNET_DATASETS to a folder holding "
            f"{dataset}/{target.name}), or pass path= to load_data.") from error


def _megabytes(done: int, total: int) -> str:
    if total:
        return f"{done / 2**20:.1f} of {total / 2**20:.1f} MiB"
    return f"{done / 2**20:.1f} MiB"


# ---- files that verified, remembered -------------------------------------------------------
_verified_this_process: set[tuple] = set()


def _stamp_key(source: Path) -> tuple:
    stat = source.stat()
    return (str(source.resolve()), stat.st_size, stat.st_mtime_ns)


def _stamp_file() -> Path:
    return data_home() / "verified.json"


def _is_remembered(source: Path) -> bool:
    key = _stamp_key(source)
    if key in _verified_this_process:
        return True
    with contextlib.suppress(OSError, ValueError, AttributeError):
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
            if not isinstance(stamps, dict):
                stamps = {}
        except (OSError, ValueError):
            stamps = {}
        stamps[key[0]] = [key[1], key[2]]
        with atomic_write(_stamp_file(), "w") as handle:
            json.dump(stamps, handle)


def check_arrays(arrays: dict, expected: dict[str, tuple[tuple, str, str]], where) -> None:
    """Each array of `expected` (name -> (shape, dtype, SHA-256 of its C-order bytes)) is in
    `arrays` with that shape, dtype and digest; DataVerificationError otherwise."""
    for key, (shape, dtype, digest) in expected.items():
        array = arrays[key]
        if array.shape != shape or array.dtype != dtype:
            raise DataVerificationError(
                f"{where}: array {key} must have shape {shape} and dtype {dtype}. "
                f"Received: shape {array.shape}, dtype {array.dtype}")
        actual = hashlib.sha256(array.tobytes()).hexdigest()  # C order, whatever the layout
        if actual != digest:
            raise DataVerificationError(
                f"{where}: array {key} has SHA-256 {actual}, expected {digest}. The file is "
                "damaged or not the published one; delete it and load again.")
