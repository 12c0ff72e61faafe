"""Joining in the browser: from a personal invite link, or with a meeting code."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.models import AuditEntry, AuthToken, Organization, Person
from tests.pages.conftest import csrf_of, post_form


def new_invite(client, world, name="Chiara Lombardi", meetings=None) -> dict:
    body = {"name": name, "organization": world.organizations["third_sector"], "role": "participant"}
    if meetings is not None:
        body["meetings"] = meetings
    answer = client.post(f"/api/v1/processes/{world.process}/invites",
                         headers=world.facilitator.auth, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def tokens(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuthToken)).all())


def test_opening_the_link_shows_whom_it_is_for_and_joins_nobody(client, world, engine):
    invite = new_invite(client, world)
    before = tokens(engine)
    page = client.get(f"/join/{invite['invite']}")
    assert page.status_code == 200
    assert "Chiara Lombardi" in page.text and "Cooperativa Il Ponte" in page.text
    assert "Centro servizi grave marginalità" in page.text
    assert f'action="/join/{invite["invite"]}"' in page.text and ">Entra<" in page.text
    # A link previewer fetching the link makes no session and no audit entry.
    assert "tavolo_session" not in page.headers.get("set-cookie", "")
    assert tokens(engine) == before
    with Session(engine) as session:
        assert not session.exec(select(AuditEntry).where(
            AuditEntry.action == "join.invite", AuditEntry.target == f"person:{invite['person']}")).all()


def test_entering_sets_the_session_and_opens_the_room(client, world, engine):
    invite = new_invite(client, world, meetings=[world.meeting["id"]])
    page = client.get(f"/join/{invite['invite']}")
    answer = client.post(f"/join/{invite['invite']}", data={"csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/meetings/{world.meeting['id']}/room"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("tavolo_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    room = client.get(answer.headers["location"])
    assert room.status_code == 200 and "Chiara Lombardi" in room.text


def test_entering_without_csrf_token_is_refused(client, world, engine):
    invite = new_invite(client, world)
    client.get(f"/join/{invite['invite']}")
    before = tokens(engine)
    answer = client.post(f"/join/{invite['invite']}", follow_redirects=False)
    assert answer.status_code == 403
    assert tokens(engine) == before


def test_an_unknown_or_revoked_link_is_404(client, world):
    assert client.get("/join/not-a-real-secret").status_code == 404
    invite = new_invite(client, world)
    client.delete(f"/api/v1/invites/{invite['id']}", headers=world.facilitator.auth)
    answer = client.get(f"/join/{invite['invite']}")
    assert answer.status_code == 404
    assert "Questo link di invito non è valido o è stato revocato" in answer.text


def test_guessing_links_is_rate_limited(client, world):
    allowed = client.app.state.services.settings.auth_failures_allowed
    for attempt in range(allowed):
        assert client.get(f"/join/guess-{attempt}").status_code == 404
    assert client.get("/join/guess-again").status_code == 429


def set_code(client, world) -> str:
    answer = client.post(f"/api/v1/meetings/{world.meeting['id']}/code", headers=world.facilitator.auth)
    return answer.json()["code"]


def test_typing_a_code_leads_to_its_page(client, world):
    code = set_code(client, world)
    spaced = f"{code[:5].lower()} {code[5:]}"
    answer = client.get("/code", params={"code": spaced}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/code/{code}"
    empty = client.get("/code", params={"code": " "})
    assert empty.status_code == 422 and "Inserisci il codice dell’incontro." in empty.text
    page = client.get(f"/code/{code}")
    assert page.status_code == 200
    assert "Primo incontro" in page.text and "ULSS 6 Euganea" in page.text


def test_joining_with_a_code_and_a_new_organisation(client, world, engine):
    code = set_code(client, world)
    answer = post_form(client, f"/code/{code}", {
        "name": "Giovanni Neri", "organization": "", "organization_name": "Associazione Nuova Luce",
    }, page=f"/code/{code}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/meetings/{world.meeting['id']}/room"
    assert client.get(answer.headers["location"]).status_code == 200
    with Session(engine) as session:
        organization = session.exec(select(Organization).where(
            Organization.name == "Associazione Nuova Luce")).one()
        assert organization.needs_review and organization.kind == "other"
        person = session.exec(select(Person).where(Person.name == "Giovanni Neri")).one()
        assert person.organization_id == organization.id


def test_joining_with_a_code_and_a_known_organisation(client, world, engine):
    code = set_code(client, world)
    answer = post_form(client, f"/code/{code}", {
        "name": "Paola Riva", "organization": str(world.organizations["health"]),
    }, page=f"/code/{code}")
    assert answer.status_code == 303
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.name == "Paola Riva")).one()
        assert person.organization_id == world.organizations["health"]


def test_a_code_join_needs_a_name_and_an_organisation(client, world, engine):
    code = set_code(client, world)
    no_org = post_form(client, f"/code/{code}", {"name": "Mario"}, page=f"/code/{code}")
    assert no_org.status_code == 422
    assert "Indica l’ente che rappresenti" in no_org.text
    no_name = post_form(client, f"/code/{code}", {"name": " ", "organization_name": "X"},
                        page=f"/code/{code}")
    assert no_name.status_code == 422
    assert 'id="code_join-name-error"' in no_name.text
    assert "tavolo_session" not in no_name.headers.get("set-cookie", "")


def test_an_unknown_code_is_404(client):
    assert client.get("/code/BCDFGHJKMN").status_code == 404


def test_a_participants_language_comes_back_when_they_enter(client, world, engine):
    invite = new_invite(client, world, name="Luca Mancini")
    with Session(engine) as session:
        person = session.get(Person, invite["person"])
        person.lang = "en"
        session.add(person)
        session.commit()
    page = client.get(f"/join/{invite['invite']}")
    answer = client.post(f"/join/{invite['invite']}", data={"csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
    assert "tavolo_lang=en" in ";".join(answer.headers.get_list("set-cookie"))
