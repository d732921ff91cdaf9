"""Zipped uploads: exactly one data member, no unsafe paths, no zip bombs."""

import io
import struct
import zipfile
from pathlib import Path

import pytest

from portal.datasets.ingest import IngestError, detect_format
from portal.datasets.ingest.archive import extract_single_member
from tests.cycler_data import cycler_file

LIMIT = 5 * 2**20


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_extracts_the_single_member_under_a_generated_name(tmp_path):
    data = cycler_file("neware_uio.csv").read_bytes()
    zipped = make_zip(
        tmp_path / "u.zip",
        {"folder/": b"", "folder/neware_uio.csv": data, "__MACOSX/._neware_uio.csv": b"x"},
    )
    out = tmp_path / "out"
    out.mkdir()

    member = extract_single_member(zipped, out, max_uncompressed_bytes=LIMIT)

    assert member.parent == out and "neware" not in member.name
    assert member.read_bytes() == data
    assert detect_format(member) == "neware_csv"


@pytest.mark.parametrize(
    "name", ["../evil.csv", "a/../../evil.csv", "/etc/evil.csv", "C:/evil.csv"]
)
def test_refuses_unsafe_member_paths(tmp_path, name):
    zipped = make_zip(tmp_path / "u.zip", {name: b"Test_Time,Voltage\n"})
    with pytest.raises(IngestError, match="unsafe path"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=LIMIT)


def test_refuses_more_than_one_data_member(tmp_path):
    zipped = make_zip(tmp_path / "u.zip", {"a.csv": b"1", "b.csv": b"2"})
    with pytest.raises(IngestError, match="2 files"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=LIMIT)


def test_refuses_an_archive_without_data(tmp_path):
    zipped = make_zip(tmp_path / "u.zip", {"dir/": b""})
    with pytest.raises(IngestError, match="no data file"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=LIMIT)


def test_refuses_what_is_not_a_zip(tmp_path):
    path = tmp_path / "u.zip"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(IngestError, match="not a readable"):
        extract_single_member(path, tmp_path, max_uncompressed_bytes=LIMIT)


def test_refuses_a_declared_size_over_the_limit(tmp_path):
    zipped = make_zip(tmp_path / "u.zip", {"big.csv": b"1," * 200_000}, zipfile.ZIP_STORED)
    with pytest.raises(IngestError, match="more than"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=100_000)
    assert [p.name for p in tmp_path.iterdir()] == ["u.zip"]


def test_refuses_a_high_compression_ratio(tmp_path):
    zipped = make_zip(tmp_path / "u.zip", {"bomb.csv": b"0" * 2_000_000})
    with pytest.raises(IngestError, match="zip bomb"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=LIMIT, max_ratio=100)


def _lie_about_size(raw: bytes, real: int, fake: int) -> bytes:
    """Rewrite the uncompressed size in the local header and the central directory."""
    real_bytes, fake_bytes = struct.pack("<I", real), struct.pack("<I", fake)
    assert raw.count(real_bytes) >= 2
    return raw.replace(real_bytes, fake_bytes)


def test_a_member_whose_headers_understate_its_size_is_refused(tmp_path):
    payload = bytes(range(256)) * 2000  # 512,000 bytes, compresses poorly
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("data.csv", payload)
    zipped = tmp_path / "liar.zip"
    zipped.write_bytes(_lie_about_size(buffer.getvalue(), len(payload), 1000))
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(IngestError):
        extract_single_member(zipped, out, max_uncompressed_bytes=100_000)
    assert list(out.iterdir()) == []  # the partial member was removed


def test_refuses_encrypted_members(tmp_path):
    zipped = make_zip(tmp_path / "u.zip", {"a.csv": b"1,2\n"})
    raw = bytearray(zipped.read_bytes())
    raw[6] |= 0x1  # general purpose flag, local header
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # and in the central directory
    zipped.write_bytes(bytes(raw))
    with pytest.raises(IngestError, match="encrypted"):
        extract_single_member(zipped, tmp_path, max_uncompressed_bytes=LIMIT)
