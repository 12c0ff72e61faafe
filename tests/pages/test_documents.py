"""The documents page: members see the list, staff attach and remove documents by form."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.models import MeetingDocument
from tests.pages.conftest import post_form, sign_in, token_for

PDF = b"%PDF-1.4\n%%EOF\n"


def page_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/documents"


def attach(client, world, name="Relazione.pdf", data=PDF, media_type="application/pdf", **fields):
    return post_form(client, page_path(world), {"title": "", **fields}, page=page_path(world),
                     htmx=True, files={"file": (name, data, media_type)})


def test_staff_attach_a_document_and_members_see_it(facilitator_client, client, world, engine):
    page = facilitator_client.get(page_path(world)).text
    assert "Documenti esaminati" in page and 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.odt' in page and "al massimo 20 MB" in page
    answer = attach(facilitator_client, world, title="Relazione del RUP")
    assert answer.status_code == 200, answer.text
    assert "<html" not in answer.text
    assert "“Relazione del RUP” è allegato all’incontro." in answer.text
    with Session(engine) as session:
        document = session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).one()
    assert f'href="/api/v1/documents/{document.id}"' in answer.text
    assert document.sha256 in answer.text
    client.cookies.clear()
    client.cookies.set("tavolo_session", world.participant["token"])
    member = client.get(page_path(world))
    assert member.status_code == 200 and "Relazione del RUP" in member.text
    assert "Allega un documento" not in member.text and "Rimuovi" not in member.text
    download = client.get(f"/api/v1/documents/{document.id}")
    assert download.content == PDF and download.headers["content-disposition"].startswith("attachment")
    refused = client.post(page_path(world), data={"csrf_token": token_for(client, page_path(world))},
                          files={"file": ("a.pdf", PDF, "application/pdf")})
    assert refused.status_code == 403


def test_a_name_with_html_is_shown_as_text(facilitator_client, world):
    answer = attach(facilitator_client, world, name="<script>alert(1)</script>.pdf")
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text
    assert "script_.pdf" in answer.text


def test_wrong_files_come_back_with_the_message(facilitator_client, world, engine, settings,
                                                 monkeypatch):
    answer = attach(facilitator_client, world, name="pagina.html", data=b"<html></html>",
                    media_type="text/html")
    assert answer.status_code == 415 and "Questo tipo di file non è accettato" in answer.text
    answer = attach(facilitator_client, world, name="finto.pdf", data=b"GIF89a")
    assert answer.status_code == 422 and "non è un file PDF" in answer.text
    monkeypatch.setattr(settings, "upload_max_bytes", 10)
    answer = attach(facilitator_client, world)
    assert answer.status_code == 413 and "supera il limite" in answer.text
    answer = post_form(facilitator_client, page_path(world), {"title": "Senza file"},
                       page=page_path(world), htmx=True)
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.text
    with Session(engine) as session:
        assert session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).all() == []


def test_removing_a_document(facilitator_client, world, engine):
    attach(facilitator_client, world, title="Da togliere")
    with Session(engine) as session:
        document = session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).one()
    answer = post_form(facilitator_client, f"{page_path(world)}/{document.id}/remove", {},
                       page=page_path(world), htmx=True)
    assert answer.status_code == 200 and "non è più allegato" in answer.text
    assert "Nessun documento è stato allegato" in answer.text
    plain = post_form(facilitator_client, f"{page_path(world)}/{document.id}/remove", {},
                      page=page_path(world))
    assert plain.status_code == 404


def test_the_secretary_attaches_too_in_english(client, world):
    sign_in(client, world.secretary.email)
    page = client.get(page_path(world), headers={"Accept-Language": "en"})
    assert "Attach a document" in page.text
    assert attach(client, world).status_code == 200
