"""POST /api/v1/join: with a personal invite, or with a meeting's join code."""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import Session, select

from boards.models import Meeting, MeetingState, Organization, Person
from tests.api.support import assert_error, bearer, client_from, nothing_stored
from tests.conftest import unique


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world

ALLOWED = 10  # Settings.auth_failures_allowed


def new_address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def new_invite(client, world, **extra) -> dict:
    body = {"name": unique("Sara Greco"), "organization": world.organizations["third_sector"],
            "role": "participant", **extra}
    answer = client.post(f"/api/v1/processes/{world.process}/invites",
                         headers=world.facilitator.auth, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def new_code(client, world, meeting_id: int | None = None) -> str:
    meeting_id = meeting_id or world.meeting["id"]
    answer = client.post(f"/api/v1/meetings/{meeting_id}/code", headers=world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()["code"]


def second_meeting(client, world) -> dict:
    answer = client.post(
        f"/api/v1/processes/{world.process}/meetings", headers=world.facilitator.auth,
        json={"title": "Secondo incontro", "starts_at": "2026-12-15T14:00:00Z",
              "mode": "in_person", "location": "Sala Paladin", "agenda": ["Linee di lavoro"]},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def process_view(client, world) -> dict:
    return client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()


# --- personal invites --------------------------------------------------------------------


def test_join_with_an_invite_returns_a_token_for_that_person(client, world):
    invite = new_invite(client, world, name="Sara Greco")
    answer = client.post("/api/v1/join", json={"invite": invite["invite"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["participant"] == {"id": invite["person"], "name": "Sara Greco",
                                   "organization": world.organizations["third_sector"],
                                   "role": "participant"}
    assert body["process"] == world.process
    assert body["meeting"] is None
    process = client.get(f"/api/v1/processes/{world.process}", headers=bearer(body["token"]))
    assert process.status_code == 200


def test_an_observer_invite_joins_as_observer(client, world):
    invite = new_invite(client, world, role="observer")
    body = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    assert body["participant"]["role"] == "observer"


def test_an_invite_can_be_used_on_several_devices(client, world):
    invite = new_invite(client, world)
    first = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()["token"]
    second = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()["token"]
    assert first != second
    for token in (first, second):
        assert client.get(f"/api/v1/meetings/{world.meeting['id']}",
                          headers=bearer(token)).status_code == 200


def test_an_unknown_invite_is_404_and_stores_nothing(client, world, engine):
    with nothing_stored(engine, world.process):
        assert_error(client.post("/api/v1/join", json={"invite": secrets.token_urlsafe(32)}),
                     404, "invite")


def test_a_revoked_invite_is_404(client, world, engine):
    invite = new_invite(client, world)
    assert client.delete(f"/api/v1/invites/{invite['id']}",
                         headers=world.facilitator.auth).status_code == 204
    with nothing_stored(engine, world.process):
        assert_error(client.post("/api/v1/join", json={"invite": invite["invite"]}), 404)


def test_join_needs_either_an_invite_or_a_code(client, world, engine):
    invite = new_invite(client, world)
    code = new_code(client, world)
    with nothing_stored(engine, world.process):
        assert_error(client.post("/api/v1/join", json={}), 422, "invite", "code")
        assert_error(client.post("/api/v1/join", json={"invite": invite["invite"], "code": code,
                                                        "name": "Anna"}), 422)
        assert_error(client.post("/api/v1/join", json={"invite": 12345}), 422, "invite")
        assert_error(client.post("/api/v1/join", json=["invite"]), 422)


# --- meeting join codes ------------------------------------------------------------------


def test_join_with_a_code_and_a_known_organisation(client, world):
    code = new_code(client, world)
    answer = client.post("/api/v1/join", json={
        "code": code, "name": "Paolo Conte", "organization": world.organizations["health"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["participant"]["name"] == "Paolo Conte"
    assert body["participant"]["organization"] == world.organizations["health"]
    assert body["participant"]["role"] == "participant"
    assert body["process"] == world.process
    assert body["meeting"] == world.meeting["id"]
    people = {p["id"]: p for p in process_view(client, world)["people"]}
    assert people[body["participant"]["id"]]["name"] == "Paolo Conte"


def test_a_new_organisation_name_makes_an_organisation_to_review(client, world, engine):
    code = new_code(client, world)
    name = unique("Associazione Strada Amica ODV")
    body = client.post("/api/v1/join", json={"code": code, "name": "Chiara Lombardi",
                                             "organization_name": f"  {name} "}).json()
    organizations = {o["id"]: o for o in process_view(client, world)["organizations"]}
    made = organizations[body["participant"]["organization"]]
    assert made == {"id": made["id"], "name": name, "kind": "other", "ats_lead": False,
                    "needs_review": True}
    # A second person of the same body, typed differently, joins the same organisation.
    again = client.post("/api/v1/join", json={"code": code, "name": "Roberto Gallo",
                                              "organization_name": name.upper()}).json()
    assert again["participant"]["organization"] == made["id"]
    with Session(engine) as session:
        assert len(session.exec(select(Organization).where(Organization.name == name)).all()) == 1


def test_a_known_organisation_name_is_not_duplicated(client, world):
    code = new_code(client, world)
    body = client.post("/api/v1/join", json={"code": code, "name": "Laura Bianchi",
                                             "organization_name": "comune di padova"}).json()
    assert body["participant"]["organization"] == world.organizations["public"]
    organizations = process_view(client, world)["organizations"]
    assert [o["name"] for o in organizations].count("Comune di Padova") == 1


def test_a_code_token_is_limited_to_its_meeting(client, world):
    other = second_meeting(client, world)
    code = new_code(client, world)
    token = client.post("/api/v1/join", json={
        "code": code, "name": "Ospite", "organization": world.organizations["public"]},
    ).json()["token"]
    assert client.get(f"/api/v1/meetings/{world.meeting['id']}",
                      headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/boards/{world.meeting['plenary_board']}",
                      headers=bearer(token)).status_code == 200
    assert_error(client.get(f"/api/v1/meetings/{other['id']}", headers=bearer(token)), 403,
                 "meeting")
    assert_error(client.get(f"/api/v1/boards/{other['plenary_board']}", headers=bearer(token)), 403)


def test_codes_are_typed_loosely(client, world):
    code = new_code(client, world)
    typed = f" {code[:4].lower()}-{code[4:]} "
    answer = client.post("/api/v1/join", json={"code": typed, "name": "Anna Costa",
                                               "organization": world.organizations["public"]})
    assert answer.status_code == 200
    assert answer.json()["meeting"] == world.meeting["id"]


def test_code_join_input_errors_are_422_and_store_nothing(client, world, engine, make_account):
    code = new_code(client, world)
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro percorso", "kind": "co-design"}).json()["id"]
    foreign = client.post(f"/api/v1/processes/{other}/organizations", headers=stranger.auth,
                          json={"name": "Ente di un altro percorso", "kind": "public"}).json()["id"]
    base = {"code": code, "organization": world.organizations["public"]}
    with nothing_stored(engine, world.process, other):
        assert_error(client.post("/api/v1/join", json=base), 422, "name")
        assert_error(client.post("/api/v1/join", json={**base, "name": " \u202e "}), 422, "name")
        assert_error(client.post("/api/v1/join", json={**base, "name": "x" * 201}), 422, "name")
        assert_error(client.post("/api/v1/join", json={"code": code, "name": "Anna"}), 422,
                     "organisation")
        assert_error(client.post("/api/v1/join", json={"code": code, "name": "Anna",
                                                        "organization_name": "   "}), 422)
        assert_error(client.post("/api/v1/join", json={**base, "name": "Anna",
                                                        "organization": foreign}), 422,
                     "organisation")
        assert_error(client.post("/api/v1/join", json={**base, "name": "Anna",
                                                        "organization": 2**40}), 422)


def test_an_unknown_code_is_404(client, world, engine):
    with nothing_stored(engine, world.process):
        assert_error(client.post("/api/v1/join", json={
            "code": "BCDFGHJKMN", "name": "Anna", "organization": world.organizations["public"]}),
            404, "code")


def test_the_code_of_an_ended_meeting_no_longer_admits(client, world, engine):
    meeting = second_meeting(client, world)
    code = new_code(client, world, meeting["id"])
    with Session(engine) as session:
        row = session.get(Meeting, meeting["id"])
        row.state = MeetingState.ended
        session.add(row)
        session.commit()
    assert_error(client.post("/api/v1/join", json={
        "code": code, "name": "Anna", "organization": world.organizations["public"]}), 404)


def test_names_are_cleaned(client, world, engine):
    code = new_code(client, world)
    body = client.post("/api/v1/join", json={
        "code": code, "name": "  Anna\u202e  Costa\u2066 ",
        "organization": world.organizations["public"]}).json()
    assert body["participant"]["name"] == "Anna Costa"
    with Session(engine) as session:
        assert session.get(Person, body["participant"]["id"]).name == "Anna Costa"


# --- failed attempts ---------------------------------------------------------------------


def test_repeated_failed_joins_from_one_address_get_429(app, client, world):
    invite = new_invite(client, world)
    guesser = client_from(app, new_address())
    for attempt in range(ALLOWED):
        assert guesser.post("/api/v1/join",
                            json={"invite": secrets.token_urlsafe(32)}).status_code == 404
    assert_error(guesser.post("/api/v1/join", json={"code": "BCDFGHJKMN", "name": "A",
                                                    "organization": 1}), 429, "too many")
    # Locked out, even with a good invite; other addresses are not.
    assert_error(guesser.post("/api/v1/join", json={"invite": invite["invite"]}), 429)
    other = client_from(app, new_address())
    assert other.post("/api/v1/join", json={"invite": invite["invite"]}).status_code == 200


def test_failed_code_joins_count_too(app, client, world):
    guesser = client_from(app, new_address())
    for attempt in range(ALLOWED):
        answer = guesser.post("/api/v1/join", json={
            "code": f"BCDFG{attempt:05d}", "name": "A",
            "organization": world.organizations["public"]})
        assert answer.status_code == 404
    assert_error(guesser.post("/api/v1/join", json={"code": "BCDFGHJKMN", "name": "A",
                                                    "organization": 1}), 429)


def test_successful_joins_do_not_count(app, client, world):
    """A meeting room behind one address: everyone joins from it."""
    code = new_code(client, world)
    room = client_from(app, new_address())
    for person in range(ALLOWED + 5):
        answer = room.post("/api/v1/join", json={
            "code": code, "name": f"Persona {person}",
            "organization": world.organizations["third_sector"]})
        assert answer.status_code == 200
    # Invalid input is not a guess either.
    for attempt in range(ALLOWED + 1):
        assert room.post("/api/v1/join", json={"code": code}).status_code == 422
    assert room.post("/api/v1/join", json={"code": code, "name": "Ultima",
                                           "organization": world.organizations["public"]}
                     ).status_code == 200
