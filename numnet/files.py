"""Writing files safely: every file numnet writes goes through `atomic_write`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`.

    A crash or an exception inside the block leaves the previous `path` untouched and no
    temporary file behind: readers see the old file or the new one, never a torn one. The file
    gets the permissions a plain open() would give it: those of the file it replaces, or
    0666 less the umask.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        os.fchmod(fd, _mode_of_a_plain_open(path))  # mkstemp makes it 0600
    finally:
        os.close(fd)
    try:
        with open(tmp, mode) as handle:  # handle.name is the temporary path
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_of_a_plain_open(path: str) -> int:
    """The permission bits open(path, "w") would leave: the existing file's, or 0666 & ~umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        pass
    try:  # Linux reports the umask without changing it (os.umask cannot read it safely)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
