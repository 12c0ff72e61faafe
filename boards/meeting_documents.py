"""Documents examined at a meeting (documenti esaminati): uploaded by staff, listed and
downloaded by the members of the meeting, removed by staff (a soft delete: the verbale may
cite them).

The bytes live under the uploads directory (`TAVOLO_DATA_DIR/uploads/`), named by a random
storage key, never by the name the client sent; the row keeps a cleaned display name, the
media type, the size and the SHA-256. A file is accepted only when its declared type, its
extension and its content agree on one of the kinds in `KINDS`. See docs/api.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_meeting_member, require_staff
from boards.clock import iso, utcnow
from boards.errors import InvalidInput, NotFound, TooLarge, UnsupportedType
from boards.ids import fetch
from boards.meetings import get_meeting
from boards.models import NAME_LIMIT, MeetingDocument
from boards.text import clean_name, clean_text

# Read and written in pieces of this size: the whole file is never in memory.
CHUNK = 64 * 1024


def _zip_names(path: Path) -> set[str] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None


def _odf(mimetype: str) -> Callable[[Path, bytes], bool]:
    """OpenDocument: a zip whose `mimetype` entry names the kind (ODF 1.2, part 3, 3.3)."""

    def check(path: Path, head: bytes) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("mimetype")
                return info.file_size < 100 and archive.read(info) == mimetype.encode()
        except (zipfile.BadZipFile, KeyError, OSError):
            return False

    return check


def _ooxml(part: str) -> Callable[[Path, bytes], bool]:
    """Office Open XML: a zip with `[Content_Types].xml` and the kind's main part."""

    def check(path: Path, head: bytes) -> bool:
        names = _zip_names(path) if head.startswith(b"PK\x03\x04") else None
        return names is not None and {"[Content_Types].xml", part} <= names

    return check


def _magic(prefix: bytes) -> Callable[[Path, bytes], bool]:
    return lambda path, head: head.startswith(prefix)


# Control characters that no text or CSV file holds (all but tab, newline, form feed, return).
_BINARY = bytes(set(range(32)) - {9, 10, 12, 13})


def _text(path: Path, head: bytes) -> bool:
    """Plain text: no NUL or other control bytes anywhere (any 8-bit or UTF-8 encoding)."""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            if chunk.translate(None, _BINARY) != chunk:
                return False
    return True


@dataclass(frozen=True)
class Kind:
    media_type: str
    extensions: tuple[str, ...]
    # Other types browsers declare for it (Windows declares CSV as an Excel file).
    aliases: tuple[str, ...]
    content: Callable[[Path, bytes], bool]


KINDS = [
    Kind("application/pdf", (".pdf",), (), _magic(b"%PDF-")),
    Kind("application/vnd.oasis.opendocument.text", (".odt",), (),
         _odf("application/vnd.oasis.opendocument.text")),
    Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",), (),
         _odf("application/vnd.oasis.opendocument.spreadsheet")),
    Kind("application/vnd.oasis.opendocument.presentation", (".odp",), (),
         _odf("application/vnd.oasis.opendocument.presentation")),
    Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), (),
         _ooxml("word/document.xml")),
    Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), (),
         _ooxml("xl/workbook.xml")),
    Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",),
         (), _ooxml("ppt/presentation.xml")),
    Kind("image/png", (".png",), (), _magic(b"\x89PNG\r\n\x1a\n")),
    Kind("image/jpeg", (".jpg", ".jpeg"), ("image/pjpeg",), _magic(b"\xff\xd8\xff")),
    Kind("text/plain", (".txt",), (), _text),
    Kind("text/csv", (".csv",), ("application/csv", "text/comma-separated-values",
                                 "application/vnd.ms-excel"), _text),
]

# For the file picker's `accept` attribute and the error message.
ACCEPTED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)


def kind_of(media_type: str | None, filename: str) -> Kind:
    """The kind the declared type and the file name's extension agree on.

    Raises UnsupportedType otherwise.
    """
    declared = (media_type or "").split(";")[0].strip().lower()
    extension = os.path.splitext(filename)[1].lower()
    for kind in KINDS:
        if declared in (kind.media_type, *kind.aliases) and extension in kind.extensions:
            return kind
    raise UnsupportedType(
        "This kind of file is not accepted: upload a PDF, OpenDocument (ODT, ODS, ODP), "
        "Office (DOCX, XLSX, PPTX), PNG, JPEG, TXT or CSV file"
    )


# Characters that are unsafe in a file name on some system, or in a header.
_UNSAFE = re.compile(r'[\\/:*?"<>|;\x00-\x1f\x7f]')


def display_name(filename: str | None) -> str:
    """The name shown and offered on download: the last path part, without control,
    bidi or path characters, no leading dots, at most NAME_LIMIT characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    # Any length here: a long name is shortened below, not refused.
    name = clean_text(_UNSAFE.sub("_", name), field="file", limit=len(name), required=False)
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > NAME_LIMIT:
        stem, extension = os.path.splitext(name)
        name = stem[: NAME_LIMIT - len(extension)] + extension
    return name or "documento"


def _storage_path(uploads_dir: Path, key: str) -> Path:
    return uploads_dir / key


def check_may_upload(session: Session, *, actor: Actor, meeting_id: int) -> None:
    """Before reading an upload: raises NotFound, NotAllowed unless staff of the meeting."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)


def store_document(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    source: BinaryIO,
    filename: str | None,
    media_type: str | None,
    uploads_dir: Path,
    max_bytes: int,
    title: str = "",
) -> MeetingDocument:
    """Copy an upload into storage, piece by piece, counting and hashing; then check it.

    Nothing is kept when it fails. Raises NotAllowed unless staff, UnsupportedType for a
    type or extension not accepted, TooLarge past `max_bytes`, InvalidInput for an empty
    file or content that is not what the type says.
    """
    meeting = get_meeting(session, meeting_id)
    staff = require_staff(session, actor, meeting.process_id)
    name = display_name(filename)
    kind = kind_of(media_type, name)
    title = clean_name(title, field="title", required=False) or os.path.splitext(name)[0] or name
    key = f"{secrets.token_hex(1)}/{secrets.token_hex(16)}"
    path = _storage_path(uploads_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with partial.open("xb") as target:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge("The file is larger than the limit of {limit} MB",
                                       limit=megabytes(max_bytes))
                if len(head) < 16:
                    head = (head + chunk)[:16]
                digest.update(chunk)
                target.write(chunk)
        if size == 0:
            raise InvalidInput("The file is empty")
        if not kind.content(partial, head):
            raise InvalidInput("The content of the file is not a {kind} file, as its type says",
                               kind=kind.extensions[0].lstrip(".").upper())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    document = MeetingDocument(
        meeting_id=meeting.id, title=title, filename=name, media_type=kind.media_type, size=size,
        sha256=digest.hexdigest(), storage_key=key, uploaded_by=staff.id,
    )
    session.add(document)
    session.flush()
    audit.record(session, actor=actor, action="document.add", process_id=meeting.process_id,
                 target=f"meeting:{meeting.id}", document=document.id, title=title,
                 filename=name, sha256=document.sha256, size=size)
    return document


def megabytes(count: int) -> str:
    return f"{count / 2**20:.0f}" if count >= 2**20 else f"{count / 2**20:.2f}"


def list_documents(session: Session, *, actor: Actor, meeting_id: int) -> list[MeetingDocument]:
    """The meeting's documents, oldest first. Raises NotAllowed unless a member of it."""
    meeting = get_meeting(session, meeting_id)
    require_meeting_member(session, actor, meeting)
    return meeting_documents(session, meeting.id)


def meeting_documents(session: Session, meeting_id: int) -> list[MeetingDocument]:
    """Without the permission check, for the record (verbale)."""
    return list(session.exec(
        select(MeetingDocument)
        .where(MeetingDocument.meeting_id == meeting_id, MeetingDocument.removed_at.is_(None))
        .order_by(MeetingDocument.uploaded_at, MeetingDocument.id)
    ))


def get_document(session: Session, *, actor: Actor, document_id: int) -> MeetingDocument:
    """Raises NotFound (also once removed), NotAllowed unless a member of its meeting."""
    document = fetch(session, MeetingDocument, document_id)
    if document is None or document.removed_at is not None:
        raise NotFound("Document {id} does not exist", id=document_id)
    require_meeting_member(session, actor, get_meeting(session, document.meeting_id))
    return document


def document_path(document: MeetingDocument, uploads_dir: Path) -> Path:
    """Where its bytes are. Raises NotFound when the file has gone missing from storage."""
    path = _storage_path(uploads_dir, document.storage_key)
    if not path.is_file():
        raise NotFound("The file of document {id} is missing from storage", id=document.id)
    return path


def remove_document(session: Session, *, actor: Actor, document_id: int) -> MeetingDocument:
    """Take a document off the meeting; its file stays for the record. Raises NotFound,
    NotAllowed unless staff."""
    document = fetch(session, MeetingDocument, document_id)
    if document is None or document.removed_at is not None:
        raise NotFound("Document {id} does not exist", id=document_id)
    meeting = get_meeting(session, document.meeting_id)
    require_staff(session, actor, meeting.process_id)
    document.removed_at = utcnow()
    session.add(document)
    audit.record(session, actor=actor, action="document.remove", process_id=meeting.process_id,
                 target=f"meeting:{meeting.id}", document=document.id, title=document.title)
    return document


def document_view(document: MeetingDocument) -> dict:
    return {
        "id": document.id,
        "meeting": document.meeting_id,
        "title": document.title,
        "filename": document.filename,
        "media_type": document.media_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploaded_by,
        "uploaded_at": iso(document.uploaded_at),
        "url": f"/api/v1/documents/{document.id}",
    }
