"""The documents page: members see the list, staff attach and remove documents by form."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from boards.models import NAME_LIMIT, MeetingDocument
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


def input_tag(page: str, element_id: str) -> str:
    """The `<input>` with that id in the page (its attributes, one line)."""
    found = re.search(rf'<input[^>]*\bid="{element_id}"[^>]*>', page)
    assert found, f"no input #{element_id}"
    return " ".join(found.group().split())


def assert_file_refused(page: str, message: str, title: str) -> None:
    """The form back with the title as typed, `message` at the file field (described by it,
    invalid, with the focus) and a request to choose the file again."""
    file_input = input_tag(page, "upload-file")
    assert 'aria-describedby="upload-file-hint upload-file-error upload-file-again"' in file_input
    assert 'aria-invalid="true"' in file_input and "autofocus" in file_input
    assert f'<div id="upload-file-error" class="form-error">{message}' in page
    assert "Scegli di nuovo il file" in page
    assert f'value="{title}"' in input_tag(page, "upload-title")
    assert page.count("autofocus") == 1


def test_wrong_files_come_back_with_the_message_and_the_title(facilitator_client, world, engine,
                                                              settings, monkeypatch):
    answer = attach(facilitator_client, world, name="pagina.html", data=b"<html></html>",
                    media_type="text/html", title="Ordine del giorno")
    assert answer.status_code == 415
    assert_file_refused(answer.text, "Questo tipo di file non è accettato", "Ordine del giorno")
    answer = attach(facilitator_client, world, name="finto.pdf", data=b"GIF89a", title="Relazione")
    assert answer.status_code == 422
    assert_file_refused(answer.text, "Il contenuto del file non è un file PDF", "Relazione")
    monkeypatch.setattr(settings, "upload_max_bytes", 10)
    answer = attach(facilitator_client, world, title="Slide")
    assert answer.status_code == 413
    assert_file_refused(answer.text, "Il file supera il limite", "Slide")
    # No file chosen: nothing to choose "again".
    answer = post_form(facilitator_client, page_path(world), {"title": "Senza file"},
                       page=page_path(world), htmx=True)
    assert answer.status_code == 422
    file_input = input_tag(answer.text, "upload-file")
    assert 'aria-invalid="true"' in file_input and "autofocus" in file_input
    assert "Scegli il file da caricare" in answer.text and "Scegli di nuovo" not in answer.text
    assert 'value="Senza file"' in input_tag(answer.text, "upload-title")
    with Session(engine) as session:
        assert session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).all() == []


def test_a_title_in_error_keeps_the_focus_and_asks_for_the_file_again(facilitator_client, world,
                                                                     engine):
    title = "R" * (NAME_LIMIT + 1)
    answer = attach(facilitator_client, world, title=title)
    assert answer.status_code == 422
    title_input = input_tag(answer.text, "upload-title")
    assert 'aria-invalid="true"' in title_input and "autofocus" in title_input
    assert f'value="{title}"' in title_input
    file_input = input_tag(answer.text, "upload-file")
    assert 'aria-describedby="upload-file-hint upload-file-again"' in file_input
    assert "aria-invalid" not in file_input and "autofocus" not in file_input
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


BOUNDARY = "tavolo-test-boundary"


def multipart_chunks(token: str, data: bytes, chunk: int = 4096, *,
                     title_first: bool = True) -> list[bytes]:
    """A browser's upload form, field by field in the form's order (the CSRF token, the
    title, the file), the file in chunks as they would arrive from the network.
    `title_first=False` sends the title last, as a client that orders its parts otherwise."""
    title = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n"
             "Relazione del RUP\r\n")
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            + (title if title_first else "")
            + f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Grande.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    tail = ("\r\n" + ("" if title_first else title) + f"--{BOUNDARY}--\r\n").encode()
    return [head] + [data[i:i + chunk] for i in range(0, len(data), chunk)] + [tail]


def post_streaming(client, path: str, chunks: list[bytes], *, declare_length: bool):
    """POST straight to the app over ASGI, the body handed over chunk by chunk as a server
    does: the TestClient reads a body whole before the app asks for it, which would hide how
    much of it the app reads. Returns the status, the page and the bytes of body read."""
    read = 0
    pending = iter(chunks)
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
               (b"hx-request", b"true"),
               (b"cookie", "; ".join(f"{k}={v}" for k, v in client.cookies.items()).encode())]
    if declare_length:
        headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "client": ("10.9.9.9", 50000),
             "server": ("testserver", 80), "state": dict(client.app_state)}
    answer = {"status": 0, "body": b""}

    async def receive():
        nonlocal read
        chunk = next(pending, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    client.portal.call(client.app, scope, receive, send)
    return answer["status"], answer["body"].decode(), read


def test_an_oversize_upload_is_refused_in_the_form_without_reading_it_whole(
        facilitator_client, world, engine, settings, monkeypatch):
    monkeypatch.setattr(settings, "upload_max_bytes", 1000)
    token = token_for(facilitator_client, page_path(world))
    chunks = multipart_chunks(token, PDF + b"0" * 200_000)
    total = sum(map(len, chunks))
    before = sorted(settings.uploads_dir.rglob("*")) if settings.uploads_dir.exists() else []
    # No length declared: the parse stops once the file passes the limit.
    status, page, read = post_streaming(facilitator_client, page_path(world), chunks,
                                        declare_length=False)
    assert status == 413, page
    assert "<html" not in page
    assert_file_refused(page, "Il file supera il limite di 0.00 MB", "Relazione del RUP")
    assert read < 1000 + 2 * 4096 < total
    # A declared length over the limit: only the fields before the file are read.
    status, page, read = post_streaming(facilitator_client, page_path(world), chunks,
                                        declare_length=True)
    assert status == 413
    assert_file_refused(page, "Il file supera il limite", "Relazione del RUP")
    assert read == len(chunks[0])
    # A title sent after the file is not reached: refused all the same, without it.
    late = multipart_chunks(token, PDF + b"0" * 200_000, title_first=False)
    for declare_length in (False, True):
        status, page, _read = post_streaming(facilitator_client, page_path(world), late,
                                             declare_length=declare_length)
        assert status == 413
        assert_file_refused(page, "Il file supera il limite", "")
    with Session(engine) as session:
        assert session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).all() == []
    after = sorted(settings.uploads_dir.rglob("*")) if settings.uploads_dir.exists() else []
    assert after == before


def test_an_upload_without_the_csrf_token_is_refused(facilitator_client, world, engine):
    facilitator_client.get(page_path(world))
    answer = facilitator_client.post(page_path(world), data={"title": "Senza token"},
                                     files={"file": ("a.pdf", PDF, "application/pdf")})
    assert answer.status_code == 403 and "CSRF" in answer.text
    with Session(engine) as session:
        assert session.exec(select(MeetingDocument).where(
            MeetingDocument.meeting_id == world.meeting["id"])).all() == []
