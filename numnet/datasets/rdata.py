"""Reading R's saved data (.rda / .RData, XDR format version 2 or 3) far enough for the data
frames R packages ship: numeric, integer, logical and string vectors, factors, lists, with
their attributes. R's files are parsed, never evaluated: a closure, an environment or any
other type is refused, and every length is checked against the bytes that remain.

    read_rdata(path) -> {name: value}    a value is an RVector (its data and attributes)

Compression: gzip, bzip2 or xz (R's save() writes each), decompressed to at most
`MAX_BYTES`.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from .sources import DataVerificationError

MAX_BYTES = 64 * 2**20

NIL, SYMBOL, PAIRLIST, CHAR, LOGICAL, INTEGER, REAL, STRING, LIST = 254, 1, 2, 9, 10, 13, 14, 16, 19
REFERENCE = 255
NA_INTEGER = -(2**31)


@dataclass
class RVector:
    """An R vector: `data` (a NumPy array, a list of str/None for strings, a list of
    values for a list) and its attributes ({name: value}: names, class, levels, ...)."""

    data: object
    attributes: dict = field(default_factory=dict)

    def attribute(self, name: str):
        value = self.attributes.get(name)
        return None if value is None else value.data


def read_rdata(path) -> dict:
    """The objects saved in the R data file at `path`, by name."""
    raw = _decompressed(path)
    if raw[:5] not in (b"RDX2\n", b"RDX3\n") or raw[5:7] != b"X\n":
        raise DataVerificationError(f"{path} is not an R data file in XDR format "
                                    f"(starts with {raw[:7]!r})")
    reader = _Reader(raw, 7, str(path))
    version = reader.integer()
    reader.integer(), reader.integer()  # the writer's R version, the oldest that reads it
    if version == 3:
        reader.take(reader.length())  # the native encoding's name
    elif version != 2:
        raise DataVerificationError(f"{path}: R serialization version {version} is not read")
    saved = reader.item()
    if not isinstance(saved, dict):
        raise DataVerificationError(f"{path}: does not hold named objects")
    return saved


def _decompressed(path) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(6)
    opener = {b"\x1f\x8b": gzip.open, b"BZ": bz2.open}.get(head[:2])
    if head == b"\xfd7zXZ\x00":
        opener = lzma.open
    try:
        with (opener or open)(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as error:
        raise DataVerificationError(f"{path} could not be decompressed: {error}") from None
    if len(data) > MAX_BYTES:
        raise DataVerificationError(f"{path} holds more than {MAX_BYTES} bytes of data")
    return data


class _Reader:
    def __init__(self, data: bytes, offset: int, where: str) -> None:
        self.data, self.offset, self.where = data, offset, where
        self.references: list = []
        self.depth = 0

    def fail(self, what: str):
        raise DataVerificationError(f"{self.where}: {what}")

    def take(self, count: int) -> bytes:
        if count < 0 or self.offset + count > len(self.data):
            self.fail(f"needs {count} bytes at offset {self.offset}; the data ends first")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def integer(self) -> int:
        return struct.unpack(">i", self.take(4))[0]

    def length(self) -> int:
        count = self.integer()
        if count == -1:  # a long vector: two more ints
            upper, lower = struct.unpack(">II", self.take(8))
            count = (upper << 32) | lower
        if count < 0:
            self.fail(f"a negative length {count}")
        return count

    def item(self):
        self.depth += 1
        if self.depth > 200:
            self.fail("nests deeper than any data frame")
        try:
            return self._item()
        finally:
            self.depth -= 1

    def _item(self):
        flags = self.integer()
        kind, has_attributes, has_tag = flags & 0xFF, bool(flags & 0x200), bool(flags & 0x400)
        if kind == NIL:
            return None
        if kind == REFERENCE:
            index = (flags >> 8) or self.integer()
            if not 1 <= index <= len(self.references):
                self.fail(f"reference {index} to nothing read before")
            return self.references[index - 1]
        if kind == SYMBOL:
            name = self._char(self.integer())
            self.references.append(name)
            return name
        if kind == PAIRLIST:
            return self._pairlist(has_attributes, has_tag)
        if kind == CHAR:
            return self._char(flags)
        data = self._vector(kind)
        attributes = self._pairlist_items() if has_attributes else {}
        return RVector(data, attributes)

    def _char(self, flags: int) -> str | None:
        if flags & 0xFF != CHAR:
            self.fail(f"expected a string, found R type {flags & 0xFF}")
        count = self.integer()
        return None if count == -1 else self.take(count).decode("utf-8", "replace")

    def _vector(self, kind: int):
        if kind not in (REAL, INTEGER, LOGICAL, STRING, LIST):
            self.fail(f"R type {kind} is not data (only vectors, lists and pairlists are read)")
        count = self.length()
        if kind == REAL:
            return np.frombuffer(self.take(8 * count), ">f8").astype(np.float64)
        if kind in (INTEGER, LOGICAL):
            return np.frombuffer(self.take(4 * count), ">i4").astype(np.int32)
        if kind == STRING:
            if count > len(self.data) - self.offset:
                self.fail(f"a string vector of {count} entries in fewer bytes")
            return [self._char(self.integer()) for _ in range(count)]
        if kind == LIST:
            if count > len(self.data) - self.offset:
                self.fail(f"a list of {count} entries in fewer bytes")
            return [self.item() for _ in range(count)]

    def _pairlist(self, has_attributes: bool, has_tag: bool) -> dict:
        """A pairlist whose header was just read -> {tag: value}."""
        items = {}
        while True:
            if has_attributes:
                self.item()  # a pairlist's own attributes: none that data needs
            tag = self.item() if has_tag else f"[{len(items)}]"
            items[str(tag)] = self.item()
            flags = self.integer()
            kind = flags & 0xFF
            if kind == NIL:
                return items
            if kind != PAIRLIST:
                self.fail(f"a pairlist continues with R type {kind}")
            has_attributes, has_tag = bool(flags & 0x200), bool(flags & 0x400)

    def _pairlist_items(self) -> dict:
        flags = self.integer()
        if flags & 0xFF != PAIRLIST:
            self.fail("attributes that are not a pairlist")
        return self._pairlist(bool(flags & 0x200), bool(flags & 0x400))


def data_frame_columns(frame: RVector, where) -> dict[str, np.ndarray]:
    """A data frame's columns by name as float64 arrays; a factor becomes the numbers its
    levels spell ("0", "1" -> 0.0, 1.0), as a CSV export of the frame would read."""
    names = frame.attribute("names")
    if (not isinstance(frame.data, list) or not isinstance(names, list)
            or len(names) != len(frame.data) or "data.frame" not in (frame.attribute("class")
                                                                     or [])):
        raise DataVerificationError(f"{where}: not an R data frame")
    columns = {}
    for name, column in zip(names, frame.data):
        if not isinstance(column, RVector) or not isinstance(column.data, np.ndarray):
            raise DataVerificationError(f"{where}: column {name!r} is not numeric")
        levels = column.attribute("levels")
        if levels is not None:
            try:
                values = np.array([float(level) for level in levels])
            except (TypeError, ValueError):
                raise DataVerificationError(f"{where}: factor {name!r} has levels that are "
                                            f"not numbers: {levels}") from None
            codes = column.data
            if codes.min(initial=1) < 1 or codes.max(initial=1) > len(values):
                raise DataVerificationError(f"{where}: factor {name!r} has codes outside "
                                            "its levels")
            columns[name] = values[codes - 1]
        else:
            columns[name] = column.data.astype(np.float64)
    return columns
