"""Approved versions' files over HTTP (app/exports.py): made in the background on approval and
publication, then served from the store on disk, after a restart too, and never for another
input; drafts are rendered at each download; a server starting deletes the files nobody read
for long."""

from __future__ import annotations

import os
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.exports import minutes_source, synthesis_source
from app.main import create_app
from boards import exports
from boards.exports.store import UNUSED_DAYS, ExportStore
from boards.models import DocumentKind, DocumentVersion, Item, ItemKind, Process
from boards.processes import get_process

NOTE = "Servono più educatori di strada"


@pytest.fixture
def store(settings) -> ExportStore:
    return ExportStore(settings.data_dir / "exports")


@pytest.fixture
def noted(world, engine):
    with Session(engine) as session:
        session.add(Item(board_id=world.meeting["plenary_board"], kind=ItemKind.note, text=NOTE,
                         author_id=world.participant["person"]))
        session.commit()
    return world


def minutes_url(world, suffix: str = "") -> str:
    return f"/api/v1/meetings/{world.meeting['id']}/minutes{suffix}"


def version_of(engine, kind: DocumentKind, process: int, version: int = 1) -> DocumentVersion:
    with Session(engine) as session:
        return session.exec(select(DocumentVersion).where(
            DocumentVersion.kind == kind, DocumentVersion.process_id == process,
            DocumentVersion.version == version)).one()


def stored(engine, store: ExportStore, document: DocumentVersion, fmt: str, *, public: bool = False,
           synthesis: bool = False) -> bytes | None:
    """The stored file of `document` in format `fmt`, or None."""
    with Session(engine) as session:
        if synthesis:
            markdown, head = synthesis_source(get_process(session, document.process_id), document, public=public)
        else:
            markdown, head = minutes_source(session, document, public=public)
    path = store.path(markdown, fmt, head)
    return path.read_bytes() if path.exists() else None


def pdf_of(client, world, **params) -> bytes:
    answer = client.get(minutes_url(world), params={"format": "pdf", **params}, headers=world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content


def test_approval_stores_the_files_and_downloads_never_print_again(client, engine, settings, store, noted,
                                                                   printed):
    world = noted
    answer = client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    # The test client runs the response's background tasks before returning it.
    document = version_of(engine, DocumentKind.minutes, world.process)
    made = {fmt: stored(engine, store, document, fmt) for fmt in ("pdf", "docx", "odt")}
    assert made["pdf"].startswith(b"%PDF-") and made["docx"].startswith(b"PK") and made["odt"].startswith(b"PK")
    assert len(printed) == 1 and NOTE in printed[0]

    assert pdf_of(client, world, version=1) == made["pdf"]
    member = world.bearer(world.participant["token"])
    assert client.get(minutes_url(world), params={"format": "pdf"}, headers=member).content == made["pdf"]
    for fmt in ("docx", "odt"):
        assert client.get(minutes_url(world), params={"format": fmt, "version": 1},
                          headers=member).content == made[fmt]
    assert len(printed) == 1

    # A restart: another application on the same data directory, nothing in memory.
    exports._pdf.cache_clear()
    with TestClient(create_app(settings)) as restarted:
        assert pdf_of(restarted, world, version=1) == made["pdf"]
    assert len(printed) == 1


def test_a_changed_letterhead_makes_a_new_file(client, engine, store, noted, printed):
    world = noted
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    document = version_of(engine, DocumentKind.minutes, world.process)
    before = stored(engine, store, document, "pdf")
    with Session(engine) as session:
        process = session.get(Process, world.process)
        process.administration = "Comune di Vicenza"
        session.add(process)
        session.commit()
    after = pdf_of(client, world, version=1)
    assert after != before and len(printed) == 2
    assert stored(engine, store, document, "pdf") == after
    # The file of the first letterhead stays, and is served to no one.
    assert pdf_of(client, world, version=1) == after and len(printed) == 2


def test_a_version_approved_without_its_files_gets_them_at_its_first_download(client, engine, store, noted,
                                                                              printed, monkeypatch):
    world = noted
    # As after an upgrade: versions approved before the store existed have no file.
    monkeypatch.setattr(ExportStore, "prepare", lambda self, markdown, letterhead: None)
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    document = version_of(engine, DocumentKind.minutes, world.process)
    assert stored(engine, store, document, "pdf") is None and printed == []
    first = pdf_of(client, world, version=1)
    exports._pdf.cache_clear()
    assert stored(engine, store, document, "pdf") == first == pdf_of(client, world, version=1)
    assert len(printed) == 1


def test_drafts_are_rendered_at_each_download_and_never_stored(client, engine, store, noted, printed):
    world = noted
    pdf_of(client, world)
    exports._pdf.cache_clear()
    pdf_of(client, world)
    assert len(printed) == 2
    draft = version_of(engine, DocumentKind.minutes, world.process, version=0)
    assert stored(engine, store, draft, "pdf") is None


def test_publication_stores_the_public_files_the_public_downloads_serve(client, engine, store, noted, printed):
    world = noted
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    answer = client.post(minutes_url(world, "/versions/1/publish"), headers=world.secretary.auth)
    assert answer.status_code == 200, answer.text
    document = version_of(engine, DocumentKind.minutes, world.process)
    public = stored(engine, store, document, "pdf", public=True)
    assert public.startswith(b"%PDF-") and public != stored(engine, store, document, "pdf")
    assert len(printed) == 2 and "Persona participant" not in printed[1]

    api = client.get(f"/api/v1/public/meetings/{world.meeting['id']}/minutes", params={"format": "pdf"})
    page = client.get(f"/public/meetings/{world.meeting['id']}/minutes/1", params={"format": "pdf"})
    assert api.content == page.content == public
    assert client.get(f"/public/meetings/{world.meeting['id']}/minutes/1",
                      params={"format": "odt"}).content == stored(engine, store, document, "odt", public=True)
    assert len(printed) == 2
    assert client.get(f"/public/meetings/{world.meeting['id']}/minutes/1", params={"format": "exe"}).status_code == 422


def test_the_synthesis_stores_its_approved_and_public_files(client, engine, store, world, printed):
    process = world.process
    auth = world.facilitator.auth
    answer = client.post(f"/api/v1/processes/{process}/synthesis/statements", headers=auth,
                         json={"text": "Serve un'accoglienza diurna", "sources": []})
    assert answer.status_code == 201, answer.text
    assert client.post(f"/api/v1/processes/{process}/synthesis/approve", headers=auth).status_code == 200
    document = version_of(engine, DocumentKind.synthesis, process)
    made = stored(engine, store, document, "pdf", synthesis=True)
    assert made.startswith(b"%PDF-") and len(printed) == 1
    download = client.get(f"/api/v1/processes/{process}/synthesis", headers=auth,
                          params={"format": "pdf", "version": 1})
    assert download.content == made and len(printed) == 1

    assert client.post(f"/api/v1/processes/{process}/synthesis/publish", headers=auth).status_code == 200
    document = version_of(engine, DocumentKind.synthesis, process)
    public = stored(engine, store, document, "pdf", public=True, synthesis=True)
    assert public.startswith(b"%PDF-") and len(printed) == 2
    assert client.get(f"/api/v1/processes/{process}/synthesis/public", params={"format": "pdf"}).content == public
    assert len(printed) == 2


def test_a_server_starting_deletes_the_files_nobody_read_for_the_period(client, engine, settings, store, noted):
    world = noted
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    document = version_of(engine, DocumentKind.minutes, world.process)
    made = stored(engine, store, document, "pdf")
    with Session(engine) as session:
        markdown, head = minutes_source(session, document)
    unread = store.path(markdown, "odt", head)
    then = time.time() - (UNUSED_DAYS + 1) * 86400
    os.utime(unread, (then, then))

    with TestClient(create_app(settings)):
        pass
    assert not unread.exists() and stored(engine, store, document, "pdf") == made
    # Made again at its next download.
    answer = client.get(minutes_url(world), params={"format": "odt", "version": 1}, headers=world.facilitator.auth)
    assert answer.status_code == 200 and answer.content.startswith(b"PK") and unread.exists()
