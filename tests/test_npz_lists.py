"""The npz reader of imdb.npz and reuters.npz: object arrays of lists of ints are rebuilt from
the pickle stream's opcodes without unpickling, in every protocol NumPy and Python write;
anything else, above all a stream that names another global, is refused and runs nothing."""

import io
import pickle
import zipfile

import numpy as np
import pytest

from numnet.datasets.npz import read_npz, read_object_array
from numnet.datasets.sources import DataVerificationError


def ragged(*rows):
    array = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        array[i] = list(row)
    return array


SEQUENCES = ragged([1, 2, 300], [70000, 2**40, -5], [], [7] * 300)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_object_arrays_of_lists_are_rebuilt_in_every_protocol(protocol):
    rebuilt = read_object_array(pickle.dumps(SEQUENCES, protocol=protocol))
    assert rebuilt.dtype == object and rebuilt.shape == (4,)
    assert [list(r) for r in rebuilt] == [list(r) for r in SEQUENCES]


def test_python2_style_byte_strings_are_read():
    """Files written by Python 2's NumPy spell b'b' as a SHORT_BINSTRING."""
    stream = pickle.dumps(SEQUENCES, protocol=3).replace(b"C\x01b", b"U\x01b")
    assert [list(r) for r in read_object_array(stream)] == [list(r) for r in SEQUENCES]


def test_an_npz_written_by_numpy_reads_back(tmp_path):
    path = tmp_path / "data.npz"
    np.savez_compressed(path, x=SEQUENCES, y=np.arange(4))
    arrays = read_npz(path, ("x", "y"))
    assert [list(r) for r in arrays["x"]] == [list(r) for r in SEQUENCES]
    np.testing.assert_array_equal(arrays["y"], np.arange(4))
    assert arrays["y"].flags.writeable


class Boom:
    def __reduce__(self):
        import os
        return (os.system, ("touch /tmp/numnet-pwned",))


def forged_npz(tmp_path, payload) -> str:
    """An npz whose x.npy is a valid object-array header followed by `payload`."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|O", "fortran_order": False,
                                                  "shape": (1,)})
    path = tmp_path / "forged.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", buffer.getvalue() + payload)
    return path


@pytest.mark.parametrize("payload, message", [
    (pickle.dumps(Boom(), protocol=2), r"names the global posix.system"),
    (pickle.dumps(Boom(), protocol=4), r"names the global posix.system"),
    (pickle.dumps(ragged([1], [2]), protocol=4)[:-10], r"ends early|finds no value"),
    (pickle.dumps(ragged([1.5]), protocol=4), r"opcode b'G' is not part of it"),
    (pickle.dumps(ragged(["a"]), protocol=4), r"an entry is not a list of ints"),
    (pickle.dumps(ragged([True]), protocol=4), r"an entry is not a list of ints"),
    (pickle.dumps(np.array([{"a": 1}], dtype=object), protocol=4), r"opcode b'}'"),
    (pickle.dumps([1, 2], protocol=4), r"does not make an array"),
    (b"\x80\x04cbuiltins\neval\n.", r"names the global builtins.eval"),
])
def test_anything_but_an_array_of_int_lists_is_refused_and_nothing_runs(tmp_path, payload,
                                                                        message):
    path = forged_npz(tmp_path, payload)
    with pytest.raises(DataVerificationError, match=message):
        read_npz(path, ("x",))
    import os
    assert not os.path.exists("/tmp/numnet-pwned")


def test_a_header_that_claims_more_data_than_the_member_holds_allocates_nothing(tmp_path):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (2**40,)})
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", buffer.getvalue() + b"\0" * 64)
    with pytest.raises(DataVerificationError, match=r"claims 8796093022208 bytes of data, the "
                       r"archive member holds \d+ bytes"):
        read_npz(path, ("x",))


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], r"could not be read as an npz file"),
    (lambda data: b"not a zip at all", r"could not be read as an npz file"),
])
def test_damaged_archives_raise_one_error_type(tmp_path, damage, message):
    good = tmp_path / "good.npz"
    np.savez(good, x=SEQUENCES)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(damage(good.read_bytes()))
    with pytest.raises(DataVerificationError, match=message):
        read_npz(bad, ("x",))


def test_a_missing_member_is_named(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros(2))
    with pytest.raises(DataVerificationError, match=r"lacks the arrays \['y'\] \(it holds "
                                                    r"\['x'\]\)"):
        read_npz(path, ("x", "y"))
