"""boards.meeting_documents: kinds, names, streaming storage with its limit, and who may do
what."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from boards import audit, meeting_documents
from boards.errors import InvalidInput, NotAllowed, NotFound, TooLarge, UnsupportedType
from tests.boards.builders import invited, meeting, organization, process, staff_actor

PDF = b"%PDF-1.7\n%%EOF\n"


def odf(mimetype: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
    return buffer.getvalue()


class Trickle(io.RawIOBase):
    """A source that hands out at most `step` bytes per read and counts what was read."""

    def __init__(self, data: bytes, step: int = 1000) -> None:
        self.data, self.step, self.taken = data, step, 0

    def read(self, size: int = -1) -> bytes:
        piece = self.data[self.taken:self.taken + min(self.step, size if size > 0 else self.step)]
        self.taken += len(piece)
        return piece


@pytest.fixture
def place(session, tmp_path):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    ente = organization(session, facilitator, percorso.id)
    first = meeting(session, facilitator, percorso.id)
    _, anna = invited(session, facilitator, percorso.id, ente.id)
    return facilitator, percorso, first, anna, tmp_path / "uploads"


def store(session, actor, first, uploads, data, name="Relazione.pdf", media_type="application/pdf",
          max_bytes=10_000, **fields):
    source = data if isinstance(data, io.RawIOBase) else io.BytesIO(data)
    return meeting_documents.store_document(
        session, actor=actor, meeting_id=first.id, source=source, filename=name,
        media_type=media_type, uploads_dir=uploads, max_bytes=max_bytes, **fields)


@pytest.mark.parametrize("media_type, name, kind", [
    ("application/pdf", "a.PDF", "application/pdf"),
    ("text/csv; charset=utf-8", "a.csv", "text/csv"),
    ("application/vnd.ms-excel", "a.csv", "text/csv"),
    ("image/pjpeg", "foto.jpeg", "image/jpeg"),
])
def test_the_kind_needs_type_and_extension_to_agree(media_type, name, kind):
    assert meeting_documents.kind_of(media_type, name).media_type == kind


@pytest.mark.parametrize("media_type, name", [
    ("application/pdf", "a.png"), ("text/html", "a.html"), ("application/octet-stream", "a.pdf"),
    (None, "a.pdf"), ("application/vnd.ms-excel", "a.xls"), ("image/svg+xml", "a.svg"),
])
def test_other_kinds_are_unsupported(media_type, name):
    with pytest.raises(UnsupportedType):
        meeting_documents.kind_of(media_type, name)


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Documenti\\Verbale 1.pdf", "Verbale 1.pdf"),
    ("<b>grassetto</b>.pdf", "b_.pdf"),
    ("\u202eevil\u202c.pdf", "evil.pdf"),
    ("a\r\nContent-Type: x.pdf", "a__Content-Type_ x.pdf"),
    ("...", "documento"),
    ("", "documento"),
    (None, "documento"),
])
def test_display_names_are_safe(given, shown):
    assert meeting_documents.display_name(given) == shown


def test_a_long_name_is_shortened_keeping_its_extension():
    name = meeting_documents.display_name("x" * 500 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


def test_storing_records_hash_size_and_a_random_key(session, place):
    facilitator, percorso, first, _, uploads = place
    document = store(session, facilitator, first, uploads, PDF, title="Relazione del RUP")
    assert (document.title, document.filename, document.size) == ("Relazione del RUP", "Relazione.pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "Relazione" not in document.storage_key
    assert (uploads / document.storage_key).read_bytes() == PDF
    assert meeting_documents.document_path(document, uploads).is_file()
    other = store(session, facilitator, first, uploads, odf(b"application/vnd.oasis.opendocument.text"),
                  name="Bozza.odt", media_type="application/vnd.oasis.opendocument.text")
    assert other.storage_key != document.storage_key and other.title == "Bozza"
    entry = audit.entries(session, process_id=percorso.id)[0]
    assert entry.action == "document.add" and entry.detail["sha256"] == other.sha256


def test_reading_stops_past_the_limit_and_keeps_nothing(session, place):
    facilitator, _, first, _, uploads = place
    source = Trickle(PDF + b"0" * 50_000)
    with pytest.raises(TooLarge, match="limit"):
        store(session, facilitator, first, uploads, source, max_bytes=5_000)
    assert source.taken < 5_000 + meeting_documents.CHUNK
    assert not any(p.is_file() for p in uploads.rglob("*"))
    assert meeting_documents.meeting_documents(session, first.id) == []


@pytest.mark.parametrize("data, name, media_type, message", [
    (b"", "a.pdf", "application/pdf", "empty"),
    (b"GIF89a", "a.pdf", "application/pdf", "PDF"),
    (odf(b"application/vnd.oasis.opendocument.spreadsheet"), "a.odt",
     "application/vnd.oasis.opendocument.text", "ODT"),
    (PDF, "a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    (b"\x00\x01\x02", "a.csv", "text/csv", "CSV"),
])
def test_content_must_match_the_kind(session, place, data, name, media_type, message):
    facilitator, _, first, _, uploads = place
    with pytest.raises(InvalidInput, match=message):
        store(session, facilitator, first, uploads, data, name=name, media_type=media_type)
    assert not any(p.is_file() for p in uploads.rglob("*"))


def test_members_read_staff_remove(session, place):
    facilitator, percorso, first, anna, uploads = place
    document = store(session, facilitator, first, uploads, PDF)
    with pytest.raises(NotAllowed):
        store(session, anna, first, uploads, PDF)
    assert meeting_documents.list_documents(session, actor=anna, meeting_id=first.id) == [document]
    assert meeting_documents.get_document(session, actor=anna, document_id=document.id) is document
    outsider = staff_actor(session)
    with pytest.raises(NotAllowed):
        meeting_documents.list_documents(session, actor=outsider, meeting_id=first.id)
    with pytest.raises(NotAllowed):
        meeting_documents.remove_document(session, actor=anna, document_id=document.id)
    meeting_documents.remove_document(session, actor=facilitator, document_id=document.id)
    assert meeting_documents.list_documents(session, actor=anna, meeting_id=first.id) == []
    with pytest.raises(NotFound):
        meeting_documents.get_document(session, actor=facilitator, document_id=document.id)
    with pytest.raises(NotFound):
        meeting_documents.get_document(session, actor=facilitator, document_id=2**40)
    assert (uploads / document.storage_key).exists()
    assert audit.entries(session, process_id=percorso.id)[0].action == "document.remove"


def test_a_file_missing_from_storage_is_not_found(session, place):
    facilitator, _, first, _, uploads = place
    document = store(session, facilitator, first, uploads, PDF)
    (uploads / document.storage_key).unlink()
    with pytest.raises(NotFound, match="missing"):
        meeting_documents.document_path(document, uploads)
