"""Documents examined at a meeting over the API: upload limits (size, kind, content), safe
names and storage, listing and downloading by members, removal by staff."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlmodel import Session, select

from boards.models import MeetingDocument
from tests.api.support import assert_error, bearer, nothing_stored

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT_TYPE = "application/vnd.oasis.opendocument.text"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def documents_url(world) -> str:
    return f"/api/v1/meetings/{world.meeting['id']}/documents"


def upload(client, world, name: str, data: bytes, media_type: str, *, auth=None, title=None):
    fields = {"title": title} if title is not None else None
    return client.post(documents_url(world), headers=auth or world.secretary.auth,
                       files={"file": (name, data, media_type)}, data=fields)


def stored_files(settings) -> list:
    root = settings.uploads_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("name, data, media_type", [
    ("Relazione.pdf", PDF, "application/pdf"),
    ("Bozza.odt", ODT, ODT_TYPE),
    ("Bozza.docx", DOCX, DOCX_TYPE),
    ("Mappa.png", PNG, "image/png"),
    ("Elenco.csv", "Ente;Ore\nComune;10\nCooperativa àèì;5\n".encode(), "text/csv"),
    ("Elenco.csv", b"Ente;Ore\n", "application/vnd.ms-excel"),
    ("Note.txt", "Appunti dell’incontro\n".encode(), "text/plain"),
])
def test_accepted_kinds_are_stored_with_their_hash(client, world, settings, name, data, media_type):
    answer = upload(client, world, name, data, media_type)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["filename"] == name and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["title"] == name.rsplit(".", 1)[0]
    download = client.get(body["url"], headers=bearer(world.participant["token"]))
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"].startswith(body["media_type"])
    assert download.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert download.headers["x-content-type-options"] == "nosniff"


def test_the_list_is_for_members_and_a_title_can_be_given(client, world):
    upload(client, world, "Relazione.pdf", PDF, "application/pdf", title="Relazione del RUP")
    for auth in (world.facilitator.auth, bearer(world.participant["token"]),
                 bearer(world.observer["token"])):
        listed = client.get(documents_url(world), headers=auth)
        assert listed.status_code == 200
        assert [d["title"] for d in listed.json()] == ["Relazione del RUP"]


def test_the_stored_name_is_random_and_the_shown_name_is_safe(client, world, settings, engine):
    for name, shown in [("../../etc/passwd.txt", "passwd.txt"),
                        ("<img src=x onerror=alert(1)>.pdf", "_img src=x onerror=alert(1)_.pdf"),
                        ("..\\..\\boot.ini.txt", "boot.ini.txt")]:
        media_type = "text/plain" if name.endswith(".txt") else "application/pdf"
        data = b"root:x:0:0\n" if media_type == "text/plain" else PDF
        body = upload(client, world, name, data, media_type).json()
        assert body["filename"] == shown, body
        with Session(engine) as session:
            document = session.get(MeetingDocument, body["id"])
            key = document.storage_key
        assert ".." not in key and "passwd" not in key and "img" not in key
        path = settings.uploads_dir / key
        assert path.read_bytes() == data
        assert path.resolve().is_relative_to(settings.uploads_dir.resolve())
        disposition = client.get(body["url"], headers=world.facilitator.auth).headers[
            "content-disposition"]
        assert "<" not in disposition and "/" not in disposition and "\\" not in disposition
    assert not (settings.data_dir.parent / "etc").exists()


def test_an_oversize_upload_is_413_and_nothing_is_stored(client, world, settings, engine,
                                                          monkeypatch):
    monkeypatch.setattr(settings, "upload_max_bytes", 1000)
    before = stored_files(settings)
    with nothing_stored(engine, world.process):
        answer = upload(client, world, "Grande.pdf", PDF + b"0" * 2000, "application/pdf")
        assert_error(answer, 413, "limit")
        # Also when the client declares no length: the stream is cut at the limit.
        big = PDF + b"0" * 200_000

        def chunks():
            boundary = "tavolo-test-boundary"
            yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                   f"filename=\"Grande.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
            for start in range(0, len(big), 4096):
                yield big[start:start + 4096]
            yield f"\r\n--{boundary}--\r\n".encode()

        answer = client.post(documents_url(world), headers={
            **world.secretary.auth,
            "Content-Type": "multipart/form-data; boundary=tavolo-test-boundary"},
            content=chunks())
        assert_error(answer, 413, "limit")
    assert stored_files(settings) == before
    # Exactly at the limit is fine.
    exact = PDF + b"0" * (1000 - len(PDF))
    assert upload(client, world, "Giusto.pdf", exact, "application/pdf").status_code == 201


def test_wrong_kinds_are_refused_and_nothing_is_stored(client, world, settings, engine):
    before = stored_files(settings)
    with nothing_stored(engine, world.process):
        for name, data, media_type, status, word in [
            ("pagina.html", b"<html><script>alert(1)</script></html>", "text/html", 415, "not accepted"),
            ("virus.exe", b"MZ\x90\x00", "application/octet-stream", 415, "not accepted"),
            ("immagine.svg", b"<svg/>", "image/svg+xml", 415, "not accepted"),
            # Declared and named as a PDF, but it is not one.
            ("finto.pdf", b"<html>not a pdf</html>", "application/pdf", 422, "PDF"),
            # The declared type and the extension disagree.
            ("relazione.pdf", PDF, "image/png", 415, "not accepted"),
            ("relazione.png", PDF, "image/png", 422, "PNG"),
            # A zip that is not an OpenDocument text.
            ("finto.odt", zipped({"a.txt": b"x"}), ODT_TYPE, 422, "ODT"),
            ("finto.docx", zipped({"a.txt": b"x"}), DOCX_TYPE, 422, "DOCX"),
            ("binario.txt", b"abc\x00def", "text/plain", 422, "TXT"),
            ("vuoto.pdf", b"", "application/pdf", 422, "empty"),
        ]:
            assert_error(upload(client, world, name, data, media_type), status, word)
        assert_error(client.post(documents_url(world), headers=world.secretary.auth,
                                 json={"file": "x"}), 422, "multipart")
        assert_error(client.post(documents_url(world), headers=world.secretary.auth,
                                 data={"title": "senza file"}, files={"other": ("a.pdf", PDF)}),
                     422, "file")
    assert stored_files(settings) == before


def test_only_staff_upload_and_remove_only_members_read(client, world, engine, make_account):
    document = upload(client, world, "Relazione.pdf", PDF, "application/pdf").json()
    outsider = make_account()
    with nothing_stored(engine, world.process):
        for token in (world.participant["token"], world.observer["token"]):
            assert_error(upload(client, world, "a.pdf", PDF, "application/pdf",
                                auth=bearer(token)), 403)
            assert_error(client.delete(document["url"], headers=bearer(token)), 403)
        assert_error(upload(client, world, "a.pdf", PDF, "application/pdf", auth=outsider.auth), 403)
        assert_error(client.get(documents_url(world), headers=outsider.auth), 403)
        assert_error(client.get(document["url"], headers=outsider.auth), 403)
        assert_error(client.post(documents_url(world), files={"file": ("a.pdf", PDF)}), 401)
        assert_error(client.get(document["url"]), 401)
        assert_error(client.get("/api/v1/documents/999999999", headers=world.facilitator.auth), 404)


def test_removal_is_soft_and_audited(client, world, engine, settings):
    document = upload(client, world, "Relazione.pdf", PDF, "application/pdf").json()
    assert client.delete(document["url"], headers=world.facilitator.auth).status_code == 204
    assert client.get(documents_url(world), headers=world.facilitator.auth).json() == []
    assert_error(client.get(document["url"], headers=world.facilitator.auth), 404)
    assert_error(client.delete(document["url"], headers=world.facilitator.auth), 404)
    with Session(engine) as session:
        row = session.get(MeetingDocument, document["id"])
        assert row.removed_at is not None
        assert (settings.uploads_dir / row.storage_key).exists()  # kept for the record
    actions = [e["action"] for e in client.get(f"/api/v1/processes/{world.process}/audit",
                                               headers=world.facilitator.auth).json()[:2]]
    assert actions == ["document.remove", "document.add"]
