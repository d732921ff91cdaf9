"""Unpack an uploaded .zip that should hold exactly one cycler data file, refusing bombs."""

import contextlib
import re
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from .errors import IngestError

CHUNK_BYTES = 1024 * 1024
# Files that archivers add on their own; they are skipped, not counted as data.
_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


def extract_single_member(
    zip_path: Path | str,
    dest_dir: Path | str,
    *,
    max_uncompressed_bytes: int,
    max_ratio: float = 100,
) -> Path:
    """Extract the one data file of ``zip_path`` into ``dest_dir`` under a generated name.

    Refuses members with absolute or ``..`` paths, more than one data file, encrypted members,
    and zip bombs: a total uncompressed size over ``max_uncompressed_bytes`` or a compression
    ratio over ``max_ratio``, checked against the central directory and again while streaming
    (the declared sizes are not trusted).
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError("The upload is not a readable .zip archive.") from exc
    with archive:
        members = _data_members(archive.infolist())
        declared = sum(info.file_size for info in archive.infolist())
        if declared > max_uncompressed_bytes:
            raise IngestError(_too_big(max_uncompressed_bytes))
        member = members[0]
        if member.flag_bits & 0x1:
            raise IngestError("The .zip archive is encrypted; upload it without a password.")
        if member.file_size > max_ratio * max(member.compress_size, 1):
            raise IngestError(_bomb(max_ratio))
        return _stream(archive, member, Path(dest_dir), max_uncompressed_bytes, max_ratio)


def _data_members(infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    members = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or _DRIVE.match(name) or ".." in PurePosixPath(name).parts:
            raise IngestError("The .zip archive contains an unsafe path (absolute or '..').")
        if info.is_dir() or _JUNK.search(name):
            continue
        members.append(info)
    if not members:
        raise IngestError("The .zip archive contains no data file.")
    if len(members) > 1:
        raise IngestError(
            f"The .zip archive contains {len(members)} files; upload one cycler file per archive."
        )
    return members


def _stream(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, dest_dir: Path, limit: int, ratio: float
) -> Path:
    allowed = min(limit, int(ratio * max(member.compress_size, 1)))
    target = dest_dir / f"{uuid.uuid4().hex}.upload"
    written = 0
    try:
        with archive.open(member) as source, open(target, "xb") as sink:
            while chunk := source.read(CHUNK_BYTES):
                written += len(chunk)
                if written > allowed:
                    raise IngestError(_too_big(limit) if written > limit else _bomb(ratio))
                sink.write(chunk)
    except IngestError:
        _remove(target)
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: encrypted member; NotImplementedError: unsupported compression.
        _remove(target)
        raise IngestError("The .zip archive is damaged or uses an unsupported format.") from exc
    return target


def _too_big(limit: int) -> str:
    return f"The .zip archive unpacks to more than {limit / 2**20:.0f} MB, the upload limit."


def _bomb(ratio: float) -> str:
    return f"The .zip archive is compressed more than {ratio:g}:1, which looks like a zip bomb."


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
