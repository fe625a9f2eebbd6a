"""Reading a dataset's .npz without unpickling anything.

Keras's imdb.npz and reuters.npz hold ragged sequences: 1-D object arrays whose entries are
lists of ints, which NumPy can only store as a pickle stream. `np.load(allow_pickle=True)`
would run that stream, and a forged file could make it call any function it names. Here the
stream is never run: `read_object_array` walks its opcodes itself and accepts exactly the
structure NumPy writes for such an array (protocols 2 to 5),

    numpy...multiarray._reconstruct(numpy.ndarray, (0,), b'b')   -> an empty array
    BUILD (version, shape, numpy.dtype('O8', ...), fortran, [list of ints, ...])

and refuses anything else: another global (a forged `os.system` is named in the error,
never looked up), an opcode outside that set, entries that are not lists of ints. Numeric
members are read with pickling disabled, after their header's size is checked against the
member's size in the archive (a header that claims terabytes allocates nothing).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile

import numpy as np

from .sources import DataVerificationError

_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"),
                ("numpy._core.multiarray", "_reconstruct")}
_NDARRAY, _DTYPE, _ENCODE = ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")
_GLOBALS = _RECONSTRUCT | {_NDARRAY, _DTYPE, _ENCODE}


def read_npz(path: str | os.PathLike, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The members `names` of the npz at `path`: numeric arrays, or object arrays of lists of
    ints (read by `read_object_array`). Raises DataVerificationError naming the file for a
    missing member, a damaged archive or anything outside that structure."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            missing = [name for name in names if f"{name}.npy" not in members]
            if missing:
                raise DataVerificationError(
                    f"{os.fspath(path)} lacks the arrays {missing} (it holds "
                    f"{sorted(n[:-4] for n in members if n.endswith('.npy'))})")
            arrays = {}
            for name in names:
                info = members[f"{name}.npy"]
                with archive.open(info) as member:
                    arrays[name] = _read_member(member, info.file_size, f"{path}: {name}")
            return arrays
    except DataVerificationError:
        raise
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
            struct.error) as error:  # truncated, encrypted, unknown compression, bad CRC
        raise DataVerificationError(f"{os.fspath(path)} could not be read as an npz file: "
                                    f"{error}") from None


def _read_member(member, size: int, where: str) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
              else np.lib.format.read_array_header_2_0)  # 3.0 differs only in the encoding
    shape, fortran, dtype = header(member)
    if dtype.hasobject:
        if dtype != np.dtype(object) or len(shape) != 1:
            raise DataVerificationError(f"{where}: only 1-D object arrays are read. "
                                        f"Received: dtype {dtype}, shape {shape}")
        array = read_object_array(member.read(size), where)
        if array.shape != shape:
            raise DataVerificationError(f"{where}: the header says shape {shape}, the data "
                                        f"holds {array.shape}")
        return array
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > size:
        raise DataVerificationError(f"{where}: the header claims {nbytes} bytes of data, the "
                                    f"archive member holds {size} bytes in all")
    data = member.read(nbytes)
    if len(data) != nbytes:
        raise DataVerificationError(f"{where}: truncated ({len(data)} of {nbytes} bytes)")
    array = np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")
    return array.copy()  # writable, as np.load returns it


class _Global:
    def __init__(self, module: str, name: str) -> None:
        self.key = (module, name)


class _Array:
    """An object array being rebuilt: _reconstruct's result, before BUILD gives its data."""
    value: np.ndarray | None = None


class _Dtype:
    def __init__(self, code: str) -> None:
        self.code = code


_MARK = object()


def read_object_array(stream: bytes, where: str = "array") -> np.ndarray:
    """The 1-D object array of lists of ints pickled in `stream` (as np.save writes one),
    rebuilt without running the pickle. Raises DataVerificationError for anything else."""
    def refuse(what: str):
        raise DataVerificationError(f"{where}: {what}; only an object array of lists of ints "
                                    "is read (nothing is unpickled)")

    reader = io.BytesIO(stream)
    stack: list = []
    memo: dict[int, object] = {}

    def take(count: int) -> bytes:
        data = reader.read(count)
        if len(data) != count:
            refuse("the pickle stream ends early")
        return data

    def marked() -> list:
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] is _MARK:
                items = stack[index + 1:]
                del stack[index:]
                return items
        refuse("a pickle opcode needs a MARK that is not there")

    def pop():
        if not stack or stack[-1] is _MARK:
            refuse("a pickle opcode finds no value on the stack")
        return stack.pop()

    def top_list() -> list:
        if not stack or not isinstance(stack[-1], list):
            refuse("APPEND outside a list")
        return stack[-1]

    def unsigned(count: int) -> int:
        return int.from_bytes(take(count), "little")

    while True:
        code = take(1)
        if code == b"\x80":  # PROTO
            if not 2 <= take(1)[0] <= 5:
                refuse("an unknown pickle protocol")
        elif code == b"\x95":  # FRAME (a length hint)
            take(8)
        elif code == b".":  # STOP
            result = pop()
            if not isinstance(result, _Array) or result.value is None:
                refuse("the stream does not make an array")
            return result.value
        elif code == b"c":  # GLOBAL "module\nname\n"
            module = reader.readline().rstrip(b"\n").decode("ascii", "replace")
            name = reader.readline().rstrip(b"\n").decode("ascii", "replace")
            stack.append(_checked_global(module, name, refuse))
        elif code == b"\x93":  # STACK_GLOBAL
            name, module = pop(), pop()
            if not (isinstance(module, str) and isinstance(name, str)):
                refuse("STACK_GLOBAL without two names")
            stack.append(_checked_global(module, name, refuse))
        elif code in (b"q", b"r", b"\x94"):  # BINPUT, LONG_BINPUT, MEMOIZE
            key = (take(1)[0] if code == b"q" else unsigned(4) if code == b"r" else len(memo))
            if not stack:
                refuse("nothing to memoize")
            memo[key] = stack[-1]
        elif code in (b"h", b"j"):  # BINGET, LONG_BINGET
            key = take(1)[0] if code == b"h" else unsigned(4)
            if key not in memo:
                refuse(f"memo entry {key} is used before it is made")
            stack.append(memo[key])
        elif code == b"(":
            stack.append(_MARK)
        elif code == b"K":
            stack.append(take(1)[0])
        elif code == b"M":
            stack.append(unsigned(2))
        elif code == b"J":
            stack.append(int.from_bytes(take(4), "little", signed=True))
        elif code == b"\x8a":  # LONG1
            count = take(1)[0]
            if count > 8:
                refuse("an integer wider than 64 bits")
            stack.append(int.from_bytes(take(count), "little", signed=True))
        elif code in (b"X", b"\x8c"):  # BINUNICODE, SHORT_BINUNICODE
            count = unsigned(4) if code == b"X" else take(1)[0]
            if count > 64:
                refuse("a string longer than any name this structure holds")
            stack.append(take(count).decode("utf-8", "replace"))
        elif code in (b"C", b"U", b"T"):  # SHORT_BINBYTES, SHORT_BINSTRING, BINSTRING
            count = unsigned(4) if code == b"T" else take(1)[0]
            if count > 64:
                refuse("a byte string longer than any this structure holds")
            data = take(count)
            stack.append(data if code == b"C" else data.decode("latin-1"))
        elif code in (b"N", b"\x88", b"\x89"):
            stack.append({b"N": None, b"\x88": True, b"\x89": False}[code])
        elif code == b")":
            stack.append(())
        elif code in (b"\x85", b"\x86", b"\x87"):  # TUPLE1..3
            count = code[0] - 0x84
            items = [pop() for _ in range(count)][::-1]
            stack.append(tuple(items))
        elif code == b"t":
            stack.append(tuple(marked()))
        elif code == b"]":
            stack.append([])
        elif code == b"e":  # APPENDS
            items = marked()
            top_list().extend(items)
        elif code == b"a":  # APPEND
            item = pop()
            top_list().append(item)
        elif code == b"R":  # REDUCE
            arguments, function = pop(), pop()
            stack.append(_reduce(function, arguments, refuse))
        elif code == b"b":  # BUILD
            state, target = pop(), pop()
            stack.append(_build(target, state, refuse))
        else:
            refuse(f"pickle opcode {code!r} is not part of it")


def _checked_global(module: str, name: str, refuse) -> _Global:
    if (module, name) not in _GLOBALS:
        refuse(f"the pickle names the global {module}.{name}")
    return _Global(module, name)


def _reduce(function, arguments, refuse):
    key = function.key if isinstance(function, _Global) else None
    if not isinstance(arguments, tuple):
        refuse("REDUCE without an argument tuple")
    if key in _RECONSTRUCT:
        if (len(arguments) == 3 and isinstance(arguments[0], _Global)
                and arguments[0].key == _NDARRAY and arguments[1] == (0,)
                and arguments[2] in (b"b", "b")):
            return _Array()
    elif key == _DTYPE:
        if len(arguments) == 3 and arguments[0] == "O8":
            return _Dtype("O8")
    elif key == _ENCODE:  # protocol 2 from Python 3 writes b'b' as encode('b', 'latin1')
        if len(arguments) == 2 and isinstance(arguments[0], str) and arguments[1] == "latin1":
            return arguments[0].encode("latin-1")
    refuse("a call other than rebuilding an object array")


def _build(target, state, refuse):
    if isinstance(target, _Dtype):
        if not isinstance(state, tuple):
            refuse("a dtype's state is not a tuple")
        return target
    if not isinstance(target, _Array) or target.value is not None:
        refuse("BUILD on something other than the array being rebuilt")
    if not (isinstance(state, tuple) and len(state) == 5):
        refuse("the array's state is not (version, shape, dtype, fortran, data)")
    _, shape, dtype, _, data = state
    if not (isinstance(dtype, _Dtype) and isinstance(shape, tuple) and len(shape) == 1
            and isinstance(data, list) and shape[0] == len(data)):
        refuse("the array is not a 1-D object array whose data matches its shape")
    for entry in data:
        if not isinstance(entry, list) or not all(type(w) is int for w in entry):
            refuse("an entry is not a list of ints")
    array = np.empty(len(data), dtype=object)
    for index, entry in enumerate(data):
        array[index] = entry
    target.value = array
    return target
