"""Meetings: create, read, the PATCH extension, and join codes."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from boards.models import Meeting, MeetingState
from boards.secrets import CODE_ALPHABET
from tests.api.support import assert_error, assert_not_stored, bearer, nothing_stored
from tests.conftest import unique


@pytest.fixture
def world(shared_world):
    """The tests of this module only add to the world, so they share one."""
    return shared_world


def meeting_body(**extra) -> dict:
    return {"title": unique("Incontro"), "starts_at": "2027-01-12T09:30:00+01:00",
            "mode": "hybrid", "location": "Sala Paladin e https://meet.example.org/x",
            "agenda": ["Approvazione del verbale", "Linee di lavoro"], **extra}


def create(client, world, staff=None, **extra):
    staff = staff or world.facilitator
    return client.post(f"/api/v1/processes/{world.process}/meetings", headers=staff.auth,
                       json=meeting_body(**extra))


def test_staff_schedule_meetings_numbered_in_order(client, world):
    answer = create(client, world, world.secretary, title="Secondo incontro")
    assert answer.status_code == 201
    body = answer.json()
    numbers = [m["number"] for m in client.get(f"/api/v1/processes/{world.process}",
                                               headers=world.facilitator.auth).json()["meetings"]]
    assert body["number"] == max(numbers) == len(numbers)
    assert body["state"] == "scheduled"
    assert body["title"] == "Secondo incontro"
    assert body["process"] == world.process
    # Times come back in UTC.
    assert body["starts_at"] == "2027-01-12T08:30:00Z"
    assert body["mode"] == "hybrid"
    assert body["location"] == "Sala Paladin e https://meet.example.org/x"
    assert body["agenda"] == ["Approvazione del verbale", "Linee di lavoro"]
    assert body["started_at"] is None and body["ended_at"] is None
    assert body["boards"] == [{"id": body["plenary_board"], "title": "Plenaria",
                               "kind": "plenary", "group": None, "locked": False,
                               "private": False}]
    assert body["groups"] == [] and body["prompts"] == []
    assert create(client, world).json()["number"] == body["number"] + 1


def test_numbering_is_per_process(client, world, make_account):
    stranger = make_account()
    other = client.post("/api/v1/processes", headers=stranger.auth,
                        json={"title": "Altro", "kind": "co-design"}).json()["id"]
    answer = client.post(f"/api/v1/processes/{other}/meetings", headers=stranger.auth,
                         json=meeting_body())
    assert answer.json()["number"] == 1


def test_location_is_optional_and_an_empty_agenda_is_allowed(client, world):
    body = meeting_body(agenda=[])
    del body["location"]
    answer = client.post(f"/api/v1/processes/{world.process}/meetings",
                         headers=world.facilitator.auth, json=body)
    assert answer.status_code == 201
    assert answer.json()["location"] == "" and answer.json()["agenda"] == []


def test_a_time_without_offset_is_utc(client, world):
    body = create(client, world, starts_at="2027-02-01T15:00:00").json()
    assert body["starts_at"] == "2027-02-01T15:00:00Z"


def test_the_plenary_board_is_readable_and_empty(client, world):
    board = client.get(f"/api/v1/boards/{world.meeting['plenary_board']}",
                       headers=bearer(world.participant["token"])).json()
    assert board["id"] == world.meeting["plenary_board"]
    assert board["seq"] == 0 and board["items"] == []


def test_invalid_meetings_are_422_store_nothing_and_use_no_number(client, world, engine):
    url = f"/api/v1/processes/{world.process}/meetings"
    last = create(client, world).json()["number"]
    with nothing_stored(engine, world.process):
        for extra, word in [
            ({"mode": "telepathy"}, "mode"),
            ({"starts_at": "domani"}, "starts_at"),
            ({"starts_at": "0001-01-01T00:00:00+05:00"}, "starts_at"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"agenda": "Apertura"}, "agenda"),
            ({"agenda": ["Apertura", "  "]}, "agenda"),
            ({"agenda": ["x" * 2001]}, "agenda"),
            ({"agenda": [f"Punto {n}" for n in range(51)]}, "agenda"),
            ({"location": "x" * 501}, "location"),
            ({"thematic_table": 999999999}, "thematic table"),
        ]:
            assert_error(client.post(url, headers=world.facilitator.auth,
                                     json=meeting_body(**extra)), 422, word)
        missing = meeting_body()
        del missing["agenda"]
        assert_error(client.post(url, headers=world.facilitator.auth, json=missing), 422, "agenda")
    assert create(client, world).json()["number"] == last + 1


def test_fifty_agenda_points_are_allowed(client, world):
    answer = create(client, world, agenda=[f"Punto {n}" for n in range(50)])
    assert answer.status_code == 201 and len(answer.json()["agenda"]) == 50


def test_a_meeting_may_belong_to_a_thematic_table(client, world):
    table = client.post(f"/api/v1/processes/{world.process}/tables",
                        headers=world.facilitator.auth, json={"title": "Lavoro"}).json()
    body = create(client, world, thematic_table=table["id"]).json()
    assert body["thematic_table"] == table["id"]


def test_meetings_of_an_unknown_process(client, world):
    answer = client.post("/api/v1/processes/999999999/meetings", headers=world.facilitator.auth,
                         json=meeting_body())
    assert_error(answer, 404)


def test_reading_a_meeting(client, world, make_account):
    answer = client.get(f"/api/v1/meetings/{world.meeting['id']}",
                        headers=bearer(world.observer["token"]))
    assert answer.status_code == 200
    assert answer.json() == world.meeting
    assert_error(client.get(f"/api/v1/meetings/{world.meeting['id']}",
                            headers=make_account().auth), 403)
    assert_error(client.get("/api/v1/meetings/999999999", headers=world.facilitator.auth), 404,
                 "meeting")
    assert_error(client.get(f"/api/v1/meetings/{2**40}", headers=world.facilitator.auth), 404)


def test_an_invite_for_some_meetings_admits_to_those_only(client, world):
    second = create(client, world).json()
    invite = client.post(f"/api/v1/processes/{world.process}/invites",
                         headers=world.facilitator.auth,
                         json={"name": "Solo il secondo", "role": "participant",
                               "organization": world.organizations["health"],
                               "meetings": [second["id"]]}).json()
    token = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()["token"]
    assert client.get(f"/api/v1/meetings/{second['id']}", headers=bearer(token)).status_code == 200
    assert_error(client.get(f"/api/v1/meetings/{world.meeting['id']}", headers=bearer(token)),
                 403, "meeting")
    # A future meeting is not among the chosen ones either; an unlimited invite reaches it.
    later = create(client, world).json()
    assert_error(client.get(f"/api/v1/meetings/{later['id']}", headers=bearer(token)), 403)
    assert client.get(f"/api/v1/meetings/{later['id']}",
                      headers=bearer(world.participant["token"])).status_code == 200


# --- PATCH /meetings/{id} (extension) ----------------------------------------------------


def test_staff_change_a_meeting(client, world):
    meeting = create(client, world).json()
    answer = client.patch(f"/api/v1/meetings/{meeting['id']}", headers=world.secretary.auth,
                          json={"title": "Primo incontro (rinviato)", "mode": "in_person",
                                "starts_at": "2026-12-03T10:00:00Z", "agenda": ["Solo questo"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["title"] == "Primo incontro (rinviato)"
    assert body["mode"] == "in_person"
    assert body["starts_at"] == "2026-12-03T10:00:00Z"
    assert body["agenda"] == ["Solo questo"]
    # What was not sent is unchanged.
    assert body["location"] == meeting["location"]
    assert body["number"] == meeting["number"]


def test_patch_errors(client, world, engine):
    meeting = create(client, world).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    with nothing_stored(engine, world.process):
        assert_error(client.patch(url, headers=world.facilitator.auth, json={"title": ""}), 422)
        assert_error(client.patch(url, headers=world.facilitator.auth,
                                  json={"agenda": ["ok", ""]}), 422, "agenda")
        assert_error(client.patch(url, headers=bearer(world.participant["token"]),
                                  json={"title": "Mio"}), 403)
        assert_error(client.patch("/api/v1/meetings/999999999", headers=world.facilitator.auth,
                                  json={"title": "A"}), 404)
    with Session(engine) as session:
        row = session.get(Meeting, meeting["id"])
        row.state = MeetingState.ended
        session.add(row)
        session.commit()
    with nothing_stored(engine, world.process):
        assert_error(client.patch(url, headers=world.facilitator.auth, json={"title": "Dopo"}),
                     409, "ended")


# --- join codes ----------------------------------------------------------------------------


def test_a_join_code_is_long_unambiguous_and_has_a_link(client, world, settings):
    answer = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                         headers=world.secretary.auth)
    assert answer.status_code == 200
    body = answer.json()
    code = body["code"]
    assert len(code) >= 8
    assert set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0O1IL")
    assert body["url"].startswith(settings.base_url) and body["url"].endswith(code)
    codes = {client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                         headers=world.facilitator.auth).json()["code"] for _ in range(5)}
    assert len(codes) == 5


def test_the_alphabet_has_no_look_alikes():
    assert re.fullmatch(r"[A-Z2-9]+", CODE_ALPHABET)
    assert not set(CODE_ALPHABET) & set("01OIL")
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)


def _join(client, world, code):
    return client.post("/api/v1/join", json={"code": code, "name": unique("Ospite"),
                                              "organization": world.organizations["public"]})


def test_a_new_code_replaces_the_old(client, world):
    url = f"/api/v1/meetings/{world.meeting['id']}/code"
    old = client.post(url, headers=world.facilitator.auth).json()["code"]
    new = client.post(url, headers=world.facilitator.auth).json()["code"]
    assert_error(_join(client, world, old), 404)
    assert _join(client, world, new).status_code == 200


def test_delete_disables_the_code(client, world, engine):
    url = f"/api/v1/meetings/{world.meeting['id']}/code"
    code = client.post(url, headers=world.facilitator.auth).json()["code"]
    answer = client.delete(url, headers=world.secretary.auth)
    assert answer.status_code == 204 and answer.content == b""
    with nothing_stored(engine, world.process):
        assert_error(_join(client, world, code), 404)
    # Disabling twice is fine; people already in keep their token.
    assert client.delete(url, headers=world.facilitator.auth).status_code == 204


def test_people_who_joined_keep_their_token_when_the_code_changes(client, world):
    url = f"/api/v1/meetings/{world.meeting['id']}/code"
    code = client.post(url, headers=world.facilitator.auth).json()["code"]
    token = _join(client, world, code).json()["token"]
    client.delete(url, headers=world.facilitator.auth)
    assert client.get(f"/api/v1/meetings/{world.meeting['id']}",
                      headers=bearer(token)).status_code == 200


def test_code_errors(client, world, engine):
    with nothing_stored(engine, world.process):
        for method in ("POST", "DELETE"):
            assert_error(client.request(method, "/api/v1/meetings/999999999/code",
                                        headers=world.facilitator.auth), 404)
            assert_error(client.request(method, f"/api/v1/meetings/{world.meeting['id']}/code",
                                        headers=bearer(world.participant["token"])), 403)


def test_codes_are_stored_hashed(client, world, engine):
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    assert_not_stored(engine, code)
