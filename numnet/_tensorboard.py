"""TensorBoard event files, written without TensorFlow or protobuf.

An event file is a sequence of TFRecords:
    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
(little-endian). Each record's data is a serialized `Event` protocol buffer:
    Event     { double wall_time = 1; int64 step = 2; string file_version = 3;
                bytes graph_def = 4; Summary summary = 5; }
    Summary   { repeated Value value = 1; }
    Value     { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
    HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
                     repeated double bucket_limit = 6 [packed], bucket = 7 [packed]; }
    GraphDef  { repeated NodeDef node = 1; }    NodeDef { string name = 1, op = 2;
                                                          repeated string input = 3; }
which TensorBoard shows as scalars, histograms and distributions, and a graph. `read_events`
parses the same format back, skipping records whose checksum fails and stopping at a torn
(truncated) tail.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from itertools import count

import numpy as np

_CRC_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0x82F63B78 if _crc & 1 else _crc >> 1  # Castagnoli, reflected
    _CRC_TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of `data`."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data: bytes) -> bytes:
    """One TFRecord around `data`."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


# ---- protobuf wire format, just what Event needs ------------------------------------------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # int64: negative numbers take ten bytes, as in protobuf
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _length_delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _double(field: int, value: float) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", value)


def _packed_doubles(field: int, values) -> bytes:
    return _length_delimited(field, b"".join(struct.pack("<d", v) for v in values))


def encode_histogram(values, buckets: int = 30) -> bytes:
    """A HistogramProto of `values`: `buckets` equal-width buckets from min to max, bucket i
    counting values in (limit[i-1], limit[i]] (TensorFlow's convention)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    counts, edges = np.histogram(values, bins=buckets,
                                 range=(low, high) if high > low else (low - 0.5, low + 0.5))
    return (_double(1, low) + _double(2, high) + _double(3, float(values.size))
            + _double(4, float(values.sum())) + _double(5, float((values * values).sum()))
            + _packed_doubles(6, edges[1:]) + _packed_doubles(7, counts))


def encode_graph(nodes: list[tuple[str, str, list[str]]]) -> bytes:
    """A GraphDef of (name, op, inputs) nodes."""
    return b"".join(_length_delimited(1, _length_delimited(1, name.encode())
                                      + _length_delimited(2, op.encode())
                                      + b"".join(_length_delimited(3, i.encode()) for i in inputs))
                    for name, op, inputs in nodes)


def encode_event(wall_time: float, step: int, *, file_version: str | None = None,
                 scalar: tuple[str, float] | None = None,
                 histogram: tuple[str, bytes] | None = None,
                 graph_def: bytes | None = None) -> bytes:
    """A serialized Event holding the file version, one scalar, one histogram (tag, encoded
    HistogramProto) or a graph (an encoded GraphDef)."""
    out = _varint(1 << 3 | 1) + struct.pack("<d", wall_time) + _varint(2 << 3 | 0) + _varint(step)
    if file_version is not None:
        out += _length_delimited(3, file_version.encode())
    if graph_def is not None:
        out += _length_delimited(4, graph_def)
    if scalar is not None:
        tag, value = scalar
        value_message = (_length_delimited(1, tag.encode()) + _varint(2 << 3 | 5)
                         + struct.pack("<f", value))
        out += _length_delimited(5, _length_delimited(1, value_message))
    if histogram is not None:
        tag, histo = histogram
        value_message = _length_delimited(1, tag.encode()) + _length_delimited(5, histo)
        out += _length_delimited(5, _length_delimited(1, value_message))
    return out


_file_counter = count()
_counter_lock = threading.Lock()


class EventFileWriter:
    """Appends scalar events to a new file events.out.tfevents.<time>.<host>.<pid>.<n>.v2 in
    `log_dir`. The name is unique per process and writer, so runs logging into the same folder
    never share a file; the file is created exclusively."""

    def __init__(self, log_dir: str | os.PathLike) -> None:
        os.makedirs(log_dir, exist_ok=True)
        with _counter_lock:
            number = next(_file_counter)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{number}.v2")
        self.path = os.path.join(os.fspath(log_dir), name)
        self._file = open(self.path, "xb")
        self._write(encode_event(time.time(), 0, file_version="brain.Event:2"))
        self.flush()

    def _write(self, data: bytes) -> None:
        self._file.write(frame(data))

    def add_scalar(self, tag: str, value: float, step: int, wall_time: float | None = None) -> None:
        self._write(encode_event(time.time() if wall_time is None else wall_time, step,
                                 scalar=(tag, float(value))))

    def add_histogram(self, tag: str, values, step: int) -> None:
        self._write(encode_event(time.time(), step, histogram=(tag, encode_histogram(values))))

    def add_graph(self, nodes: list[tuple[str, str, list[str]]]) -> None:
        self._write(encode_event(time.time(), 0, graph_def=encode_graph(nodes)))

    def flush(self) -> None:
        """Push what was written to disk (a crash after this keeps every record so far)."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()


# ---- reading back -------------------------------------------------------------------------------
def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire == 2:
            length, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, value


def _unpack_doubles(data: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(data) // 8}d", data))


def _decode_histogram(data: bytes) -> dict:
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    histogram: dict = {}
    for field, value in _fields(data):
        if field in names:
            histogram[names[field]] = struct.unpack("<d", value)[0]
        elif field in (6, 7):
            histogram["bucket_limit" if field == 6 else "bucket"] = _unpack_doubles(value)
    return histogram


def _decode_graph(data: bytes) -> list[tuple[str, str, list[str]]]:
    nodes = []
    for _, node in _fields(data):
        name = op = ""
        inputs = []
        for field, value in _fields(node):
            if field == 1:
                name = value.decode()
            elif field == 2:
                op = value.decode()
            elif field == 3:
                inputs.append(value.decode())
        nodes.append((name, op, inputs))
    return nodes


def decode_event(data: bytes) -> dict:
    """{"wall_time", "step", "file_version"?, "graph"?, "scalars": {tag: value},
    "histograms": {tag: {...}}} from an Event."""
    event: dict = {"wall_time": 0.0, "step": 0, "scalars": {}, "histograms": {}}
    for field, value in _fields(data):
        if field == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif field == 2:
            event["step"] = value - (1 << 64) if value >= 1 << 63 else value
        elif field == 3:
            event["file_version"] = value.decode()
        elif field == 4:
            event["graph"] = _decode_graph(value)
        elif field == 5:
            for _, value_message in _fields(value):
                parts = dict(_fields(value_message))
                if 1 in parts and 2 in parts:
                    event["scalars"][parts[1].decode()] = struct.unpack("<f", parts[2])[0]
                elif 1 in parts and 5 in parts:
                    event["histograms"][parts[1].decode()] = _decode_histogram(parts[5])
    return event


def read_events(path: str | os.PathLike) -> list[dict]:
    """Every intact event of an event file. A record whose data checksum fails is skipped; a
    record with a bad header checksum or a truncated tail ends the read (nothing after it can
    be located)."""
    with open(path, "rb") as handle:
        data = handle.read()
    events, pos = [], 0
    while pos + 12 <= len(data):
        header = data[pos:pos + 8]
        if struct.unpack("<I", data[pos + 8:pos + 12])[0] != masked_crc32c(header):
            break
        length = struct.unpack("<Q", header)[0]
        end = pos + 12 + length + 4
        if end > len(data):
            break
        payload = data[pos + 12:pos + 12 + length]
        if struct.unpack("<I", data[end - 4:end])[0] == masked_crc32c(payload):
            events.append(decode_event(payload))
        pos = end
    return events
