"""Checks made on a spreadsheet's bytes BEFORE openpyxl opens it.

A file from outside the office may be anything: a CSV or an old ``.xls`` renamed, a password-
protected workbook, a zip bomb, or XML built to make a parser expand entities without end ("billion
laughs") or fetch files from the server (external entities). Each is refused here with a message the
operator can pass on to the client; only a plain ``.xlsx`` within the limits goes on to openpyxl.

Everything is decided from the zip directory and a streamed scan of each XML part, never by
extracting to disk; XML that declares anything is parsed with defusedxml, which names the trick.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse

from oms_core.domain.errors import OmsError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1 << 20
# ``<!`` opens a DOCTYPE, an ENTITY, a comment or CDATA; also spelled in UTF-16, which expat reads.
_DECLARATION_MARKERS = (b"<!", b"<\x00!\x00", b"\x00<\x00!")
_SAVE_AS = "open it in Excel and save it as an Excel Workbook (.xlsx)"


class UnsafeFile(OmsError):
    """The file was refused before it was opened; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """How big a workbook may be. The defaults fit a 20,000-row order file many times over.

    Attributes:
        max_file_bytes: the file on disk.
        max_uncompressed_bytes: the sum of the uncompressed sizes of the zip's members.
        max_ratio: uncompressed / compressed size of any member larger than ``ratio_floor_bytes``.
        ratio_floor_bytes: members smaller than this are too small to be a bomb, whatever their ratio.
        max_members: entries in the zip.
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 256 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor_bytes: int = 1024 * 1024
    max_members: int = 2_000


def read_workbook_bytes(path: Path, limits: SafetyLimits | None = None) -> bytes:
    """Read a workbook file and check it (see :func:`check_workbook`).

    Raises:
        UnsafeFile: the file is missing, too big, or fails a check.
    """
    limits = limits or SafetyLimits()
    data = read_file_bytes(path, limits)
    check_workbook(data, path.name, limits)
    return data


def read_file_bytes(path: Path, limits: SafetyLimits | None = None) -> bytes:
    """Read a file from outside the office, refusing what is missing, a folder or too big.

    Raises:
        UnsafeFile: naming the problem.
    """
    limits = limits or SafetyLimits()
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UnsafeFile(
                f"{path.name} is {size / 1e6:,.1f} MB; the limit is {limits.max_file_bytes / 1e6:,.0f} MB"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnsafeFile(f"there is no file {str(path)!r}") from None
    except IsADirectoryError:
        raise UnsafeFile(f"{str(path)!r} is a folder, not a file") from None
    except PermissionError:
        raise UnsafeFile(f"{path.name} cannot be read (permission denied)") from None
    return data


def check_workbook(data: bytes, name: str = "the file", limits: SafetyLimits | None = None) -> None:
    """Refuse anything but a plain, reasonably sized ``.xlsx`` with harmless XML.

    Args:
        data: the file's bytes.
        name: the file's name, for messages.
        limits: size limits; the defaults when ``None``.

    Raises:
        UnsafeFile: naming the problem: not a workbook, password-protected, zip bomb, XML tricks...
    """
    limits = limits or SafetyLimits()
    if len(data) > limits.max_file_bytes:
        raise UnsafeFile(
            f"{name} is {len(data) / 1e6:,.1f} MB; the limit is {limits.max_file_bytes / 1e6:,.0f} MB"
        )
    if not data:
        raise UnsafeFile(f"{name} is empty")
    if data.startswith(OLE_SIGNATURE):
        raise UnsafeFile(_ole_message(data, name))
    if not data.startswith(ZIP_SIGNATURES):
        raise UnsafeFile(_not_zip_message(data, name))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeFile(f"{name} is damaged (not a readable .xlsx); {_SAVE_AS} again") from None
    with archive:
        members = archive.infolist()
        _check_directory(members, name, limits)
        _check_kind(archive, name)
        for member in members:
            if _is_xml(member.filename):
                _check_xml(archive, member, name)


def _ole_message(data: bytes, name: str) -> str:
    if _ENCRYPTED_PACKAGE in data:
        return f"{name}: the file is password-protected; save it without a password and try again"
    return f"{name} is an old Excel 97-2003 workbook (.xls); {_SAVE_AS}"


def _not_zip_message(data: bytes, name: str) -> str:
    head = data[:4096]
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.lower().startswith(("<html", "<!doctype html", "<table", "<?xml")):
        return f"{name} is a web page or XML file with a spreadsheet's name, not an .xlsx; {_SAVE_AS}"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    if text and printable / len(text) > 0.95:
        kind = "CSV" if ("," in text or ";" in text or "\t" in text) else "text"
        return f"{name} is a {kind} file, not an Excel workbook; {_SAVE_AS}"
    return f"{name} is not an Excel workbook (.xlsx); {_SAVE_AS}"


def _check_directory(members: list[zipfile.ZipInfo], name: str, limits: SafetyLimits) -> None:
    if len(members) > limits.max_members:
        raise UnsafeFile(
            f"{name} holds {len(members):,} parts; a workbook has far fewer (limit {limits.max_members:,})"
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFile(
                f"{name}: the file is password-protected; save it without a password and try again"
            )
        total += member.file_size
        if total > limits.max_uncompressed_bytes:
            raise UnsafeFile(
                f"{name} would expand to more than {limits.max_uncompressed_bytes / 1e6:,.0f} MB "
                "(a zip bomb?); it was not opened"
            )
        if member.file_size > limits.ratio_floor_bytes:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnsafeFile(
                    f"{name}: part {member.filename!r} expands {ratio:,.0f} times "
                    f"(more than {limits.max_ratio}; a zip bomb?); it was not opened"
                )


def _check_kind(archive: zipfile.ZipFile, name: str) -> None:
    names = set(archive.namelist())
    if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:200]:
        raise UnsafeFile(f"{name} is an OpenDocument spreadsheet (.ods), not an .xlsx; {_SAVE_AS}")
    if "[Content_Types].xml" not in names:
        raise UnsafeFile(f"{name} is a zip file, not an Excel workbook (.xlsx)")
    types = _read_limited(archive, archive.getinfo("[Content_Types].xml"))
    if b"sheet.binary" in types:
        raise UnsafeFile(f"{name} is a binary workbook (.xlsb); {_SAVE_AS}")
    if b"spreadsheetml" not in types and b"ms-excel.sheet" not in types:
        kind = "a Word document" if b"wordprocessingml" in types else "not an Excel workbook"
        raise UnsafeFile(f"{name} is {kind} (.xlsx expected)")


def _is_xml(member_name: str) -> bool:
    return member_name.lower().endswith((".xml", ".rels", ".vml"))


def _read_limited(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    with archive.open(member) as stream:
        return stream.read(member.file_size + 1)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    """Stream the part; if it declares anything (``<!``), let defusedxml judge it."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                if any(marker in window for marker in _DECLARATION_MARKERS):
                    break
                tail = window[-4:]
            else:
                return
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise UnsafeFile(
            f"{name} is damaged (part {member.filename!r} cannot be read); {_SAVE_AS} again"
        ) from None
    try:
        with archive.open(member) as stream:
            for _event, _element in defused_iterparse(stream, forbid_dtd=True):
                pass
    except DefusedXmlException:
        raise UnsafeFile(
            f"{name}: part {member.filename!r} declares XML entities or a DOCTYPE, a known way to attack "
            "a server (billion laughs, external entities); the file was not opened"
        ) from None
    except Exception:  # noqa: BLE001 - any parse failure of a hostile part is one message
        raise UnsafeFile(
            f"{name} is damaged (part {member.filename!r} is not valid XML); {_SAVE_AS} again"
        ) from None
