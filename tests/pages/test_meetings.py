"""The meeting set-up page (details, invites, join code) and the meeting room."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from boards.models import AgendaItem, Invite
from tests.pages.conftest import post_form

JOIN_LINK = re.compile(r'value="(http://testserver/join/[A-Za-z0-9_-]+)"')
CODE_LINK = re.compile(r'value="http://testserver/code/([A-Z0-9]+)"')


def setup_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/setup"


def test_the_set_up_page_is_for_staff(facilitator_client, client, world):
    page = facilitator_client.get(setup_path(world))
    assert page.status_code == 200
    assert "Primo incontro" in page.text and "Apertura\nBisogni" in page.text
    assert "Persona participant" in page.text  # the invites of the process
    client.cookies.clear()
    client.cookies.set("tavolo_session", world.participant["token"])
    assert client.get(setup_path(world)).status_code == 403


def test_saving_details_and_agenda(facilitator_client, world, engine):
    answer = post_form(facilitator_client, f"/meetings/{world.meeting['id']}", {
        "title": "Primo incontro: bisogni", "starts_at": "2026-12-01T15:00", "mode": "online",
        "location": "https://meet.example.org/nuovo", "agenda": "Apertura\nBisogni\nProssimi passi",
    }, page=setup_path(world), htmx=True)
    assert answer.status_code == 200
    assert "<html" not in answer.text and "Dati dell’incontro salvati." in answer.text
    with Session(engine) as session:
        agenda = session.exec(select(AgendaItem.text).where(
            AgendaItem.meeting_id == world.meeting["id"]).order_by(AgendaItem.position)).all()
    assert agenda == ["Apertura", "Bisogni", "Prossimi passi"]


def test_an_invite_link_is_shown_once_with_a_qr_code(facilitator_client, client, world, engine):
    answer = post_form(facilitator_client, f"/meetings/{world.meeting['id']}/invites", {
        "name": "Laura Bianchi", "organization": str(world.organizations["public"]),
        "role": "participant", "email": "", "scope": "this",
    }, page=setup_path(world), htmx=True)
    assert answer.status_code == 200
    assert "<html" not in answer.text
    url = JOIN_LINK.search(answer.text).group(1)
    assert 'role="img" aria-label="Codice QR del link di invito per Laura Bianchi"' in answer.text
    assert "data-copy=" in answer.text and "readonly" in answer.text
    # Limited to this meeting, as chosen.
    with Session(engine) as session:
        invite = session.exec(select(Invite).order_by(Invite.id.desc())).first()
        assert invite.meetings == [world.meeting["id"]]
    # Never again: the page shows the invite, not its link.
    again = facilitator_client.get(setup_path(world)).text
    assert "Laura Bianchi" in again and url not in again
    secret = url.rsplit("/", 1)[1]
    assert client.post("/api/v1/join", json={"invite": secret}).status_code == 200


def test_an_invite_needs_an_organisation(facilitator_client, world):
    answer = post_form(facilitator_client, f"/meetings/{world.meeting['id']}/invites", {
        "name": "Senza ente", "organization": "", "role": "participant", "scope": "all",
    }, page=setup_path(world), htmx=True)
    assert answer.status_code == 422
    assert 'id="invite-organization-error"' in answer.text
    assert "Scegli l’ente che la persona rappresenta" in answer.text


def test_a_renewed_link_replaces_the_old_one(facilitator_client, client, world):
    invite_id = world.participant["id"]
    answer = post_form(facilitator_client, f"/invites/{invite_id}/renew",
                       {"back": f"/processes/{world.process}"}, page=f"/processes/{world.process}",
                       htmx=True)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tbody id="person-{world.participant["person"]}"')
    new_secret = JOIN_LINK.search(answer.text).group(1).rsplit("/", 1)[1]
    assert client.post("/api/v1/join", json={"invite": world.participant["invite"]}).status_code == 404
    assert client.post("/api/v1/join", json={"invite": new_secret}).status_code == 200
    # Without htmx, the link gets a page of its own.
    page = post_form(facilitator_client, f"/invites/{invite_id}/renew",
                     {"back": f"/processes/{world.process}"}, page=f"/processes/{world.process}")
    assert page.status_code == 200 and "<html" in page.text and JOIN_LINK.search(page.text)


def test_revoking_an_invite(facilitator_client, client, world):
    invite_id = world.observer["id"]
    answer = post_form(facilitator_client, f"/invites/{invite_id}/revoke",
                       {"back": setup_path(world)}, page=setup_path(world))
    assert answer.status_code == 303 and answer.headers["location"] == setup_path(world)
    assert client.get(f"/api/v1/meetings/{world.meeting['id']}",
                      headers=world.bearer(world.observer["token"])).status_code == 401
    row = post_form(facilitator_client, f"/invites/{invite_id}/revoke", {"back": "//evil.example"},
                    page=setup_path(world), htmx=True)
    assert "Revocato" in row.text and "/renew" not in row.text


def test_the_join_code_is_shown_once_and_can_be_disabled(facilitator_client, client, world):
    answer = post_form(facilitator_client, f"/meetings/{world.meeting['id']}/code", {},
                       page=setup_path(world), htmx=True)
    assert answer.status_code == 200
    code = CODE_LINK.search(answer.text).group(1)
    assert f"{code[:5]} {code[5:]}" in answer.text and 'role="img"' in answer.text
    assert code not in facilitator_client.get(setup_path(world)).text
    assert client.get(f"/code/{code}").status_code == 200
    disabled = post_form(facilitator_client, f"/meetings/{world.meeting['id']}/code/disable", {},
                         page=setup_path(world), htmx=True)
    assert "Il codice dell’incontro è disattivato" in disabled.text
    assert client.get(f"/code/{code}").status_code == 404


def test_the_room_has_its_header_and_board_regions(client, world):
    path = f"/meetings/{world.meeting['id']}/room"
    assert client.get(path, follow_redirects=False).status_code == 303  # not signed in
    client.cookies.set("tavolo_session", world.participant["token"])
    page = client.get(path)
    assert page.status_code == 200
    text = page.text
    assert "<h1>Primo incontro</h1>" in text and "Programmato" in text
    assert 'href="https://meet.example.org/tavolo"' in text
    assert "<li>Apertura</li>" in text and "<li>Bisogni</li>" in text
    assert 'id="board"' in text and 'id="board-list"' in text


def test_the_room_is_for_members_of_the_meeting(client, world, make_account):
    from tests.pages.conftest import sign_in

    stranger = make_account("facilitator", name="Estranea")
    sign_in(client, stranger.email)
    assert client.get(f"/meetings/{world.meeting['id']}/room").status_code == 403


def test_htmx_can_fetch_one_region_of_the_room(client, world):
    client.cookies.set("tavolo_session", world.participant["token"])
    path = f"/meetings/{world.meeting['id']}/room"
    board_list = client.get(path, headers={"HX-Request": "true", "HX-Target": "section#board-list"})
    assert board_list.text.lstrip().startswith('<section id="board-list"')
    assert "<html" not in board_list.text and 'id="board"' not in board_list.text
    board = client.get(path, headers={"HX-Request": "true", "HX-Target": "section#board"})
    assert board.text.lstrip().startswith('<section id="board"')
